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
