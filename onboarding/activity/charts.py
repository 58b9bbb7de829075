"""Charts drawn on the server as SVG: no scripts, readable without colour, numbers also given in tables."""
from html import escape

from flask_babel import format_date
from markupsafe import Markup

from ..i18n import fmt_date

WIDTH, HEIGHT, PAD = 640, 220, 36


def weekly_bars(weeks, figure: str, target: int, title: str, target_label: str) -> Markup:
    """One bar per week for a figure, with the weekly target as a dashed line."""
    if not weeks:
        return Markup("")
    values = [w.totals.get(figure, 0) for w in weeks]
    top = max(values + [target, 1])
    slot = (WIDTH - 2 * PAD) / len(values)
    bar = max(slot * 0.6, 2)
    scale = (HEIGHT - 2 * PAD) / top
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="t-{figure}" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="t-{figure}">{escape(str(title))}</title>',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" class="axis"/>']
    for i, (week, value) in enumerate(zip(weeks, values)):
        x = PAD + i * slot + (slot - bar) / 2
        h = value * scale
        y = HEIGHT - PAD - h
        met = "met" if target and value >= target else "short"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" class="bar {met}">'
                     f'<title>{escape(fmt_date(week.start))}: {value}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" class="value">{value}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - PAD + 14}" class="label">{escape(format_date(week.start, "d MMM"))}</text>')
    if target:
        y = HEIGHT - PAD - target * scale
        parts.append(f'<line x1="{PAD}" y1="{y:.1f}" x2="{WIDTH - PAD}" y2="{y:.1f}" class="target"/>')
        parts.append(f'<text x="{WIDTH - PAD}" y="{y - 4:.1f}" class="target-label">{escape(target_label)} {target}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


#: A verdict's height in its criterion's band (met on top), and the mark it is drawn with (readable without colour).
_LEVEL = {"met": 2, "partly": 1, "not_met": 0}
_MARK = {"met": "✓", "partly": "½", "not_met": "✗"}
_BAND = 34


def criteria_trends(weeks, labels: dict, title: str) -> Markup:
    """One band per criterion, one column per supervised week: the week's verdict (the mentor's, else what the
    data says) as a mark at its height (met, partly, not met), the marks of a criterion joined by a line. The
    same numbers are in the table beside the chart."""
    if not weeks:
        return Markup("")
    left, top = 220, 24
    slot = (WIDTH + 160 - left - PAD) / len(weeks)
    height = top + _BAND * len(labels) + 20
    parts = [f'<svg class="chart trends" viewBox="0 0 {WIDTH + 160} {height}" role="img" aria-labelledby="t-criteria" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="t-criteria">{escape(str(title))}</title>']
    for i, week in enumerate(weeks):
        x = left + i * slot + slot / 2
        parts.append(f'<text x="{x:.1f}" y="{top - 8}" class="label">{escape(format_date(week.start, "d MMM"))}</text>')
    for row, (key, label) in enumerate(labels.items()):
        base = top + row * _BAND
        parts.append(f'<text x="{left - 8}" y="{base + _BAND / 2 + 4:.1f}" class="criterion end">'
                     f'{escape(str(label))}</text>')
        parts.append(f'<line x1="{left}" y1="{base + _BAND - 2}" x2="{WIDTH + 160 - PAD}" y2="{base + _BAND - 2}" '
                     f'class="axis"/>')
        points = []
        for i, week in enumerate(weeks):
            verdict = week.verdicts.get(key) or week.prefill[key].verdict
            if verdict is None:
                continue
            x = left + i * slot + slot / 2
            y = base + _BAND - 8 - _LEVEL[verdict] * (_BAND - 14) / 2
            points.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" class="mark {verdict}">'
                         f'{_MARK[verdict]}<title>{escape(fmt_date(week.start))}: {escape(str(label))}</title></text>')
        if len(points) > 1:
            parts.append(f'<polyline points="{" ".join(points)}" class="trend" fill="none"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
