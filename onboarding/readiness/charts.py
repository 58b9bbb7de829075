"""Cohort charts drawn on the server as SVG; every number is also in a table beside the chart."""
from html import escape

from markupsafe import Markup

WIDTH, ROW, LABEL, PAD = 640, 28, 200, 12


def _svg(chart_id: str, title: str, rows: int, body: list) -> Markup:
    height = rows * ROW + 2 * PAD
    return Markup(f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="t-{chart_id}" '
                  f'xmlns="http://www.w3.org/2000/svg"><title id="t-{chart_id}">{escape(str(title))}</title>'
                  + "".join(body) + "</svg>")


def bars(chart_id: str, title: str, items) -> Markup:
    """One horizontal bar per (label, value)."""
    items = list(items)
    if not items:
        return Markup("")
    top = max([v for _, v in items] + [1])
    scale = (WIDTH - LABEL - 3 * PAD) / top
    body = []
    for i, (label, value) in enumerate(items):
        y = PAD + i * ROW
        body.append(f'<text x="{LABEL - 6}" y="{y + ROW * 0.65:.1f}" class="label end">'
                    f'{escape(str(label))}</text>')
        body.append(f'<rect x="{LABEL}" y="{y + 4}" width="{max(value * scale, 1):.1f}" height="{ROW - 8}" '
                    f'class="bar met"><title>{escape(str(label))}: {value}</title></rect>')
        body.append(f'<text x="{LABEL + value * scale + 6:.1f}" y="{y + ROW * 0.65:.1f}" class="value start" '
                    f'>{value}</text>')
    return _svg(chart_id, title, len(items), body)


def ranges(chart_id: str, title: str, items, plan_label: str) -> Markup:
    """Per (label, Spread, planned days): the middle half as a box, the median as a line, the plan as a mark."""
    items = list(items)
    if not items:
        return Markup("")
    top = max([s.most or 0 for _, s, _ in items] + [p or 0 for _, _, p in items] + [1])
    scale = (WIDTH - LABEL - 3 * PAD) / top
    body = []
    for i, (label, s, plan) in enumerate(items):
        y = PAD + i * ROW
        body.append(f'<text x="{LABEL - 6}" y="{y + ROW * 0.65:.1f}" class="label end">'
                    f'{escape(str(label))}</text>')
        if s.n:
            body.append(f'<line x1="{LABEL + s.least * scale:.1f}" y1="{y + ROW / 2}" x2="{LABEL + s.most * scale:.1f}" '
                        f'y2="{y + ROW / 2}" class="axis"/>')
            body.append(f'<rect x="{LABEL + s.low * scale:.1f}" y="{y + 5}" width="{max((s.high - s.low) * scale, 2):.1f}" '
                        f'height="{ROW - 10}" class="bar short"><title>{escape(str(label))}: '
                        f'{s.low:g}–{s.high:g}</title></rect>')
            body.append(f'<line x1="{LABEL + s.median * scale:.1f}" y1="{y + 2}" x2="{LABEL + s.median * scale:.1f}" '
                        f'y2="{y + ROW - 2}" class="median"/>')
        if plan:
            body.append(f'<path d="M{LABEL + plan * scale:.1f},{y + 2} l-5,-6 h10 z" class="plan">'
                        f'<title>{escape(plan_label)}: {plan}</title></path>')
    return _svg(chart_id, title, len(items), body)
