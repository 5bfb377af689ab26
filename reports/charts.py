"""Charts as inline SVG, drawn on the server.

No JavaScript and nothing fetched from elsewhere: they work offline, look the
same in the browser and in a PDF, and carry a text alternative (<title>,
<desc>) for screen readers; pages show the figures in a table as well.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from hamlets.templatetags.vn import percent

BAR = "#b3261e"
LINE = "#0b57a4"
GRID = "#d8dce1"
INK = "#1f2328"


def _svg(width, height, title, desc, body):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'class="chart-svg" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>"
    )


def bar_chart(title, items, width=380):
    """Horizontal bars of ratios: items are (label, ratio or None, numerator, denominator).

    Drawn 380 units wide with 13-unit text: on a 390 px phone the chart
    shrinks to about 340 px and its labels stay above 11 px."""
    label_width, bar_left, row = 150, 158, 26
    height = max(row * len(items) + 30, 60)
    bar_space = width - bar_left - 110
    parts = [
        f'<line x1="{bar_left}" y1="10" x2="{bar_left}" y2="{height - 15}" stroke="{GRID}"/>',
    ]
    for index, (label, ratio, numerator, denominator) in enumerate(items):
        y = 12 + index * row
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{label_width}" y="{y + 14}" font-size="13" text-anchor="end" fill="{INK}">{escape(short)}</text>'
        )
        length = 0 if ratio is None else max(1, round(bar_space * min(ratio, 1)))
        parts.append(f'<rect x="{bar_left}" y="{y + 3}" width="{length}" height="16" fill="{BAR}" rx="2"/>')
        value = f"{percent({'numerator': numerator, 'denominator': denominator})} ({numerator}/{denominator})"
        parts.append(
            f'<text x="{bar_left + length + 6}" y="{y + 15}" font-size="13" fill="{INK}">{escape(value)}</text>'
        )
    desc = "; ".join(f"{label}: {percent({'numerator': n, 'denominator': d})} ({n}/{d})" for label, _r, n, d in items)
    return _svg(width, height, title, desc, "".join(parts))


MARKER = "#8a5a00"


def line_chart(title, points, width=320, height=150, markers=()):
    """A trend line: points are (label, figure {numerator, denominator, ratio}).

    `markers`: (index, text) for a reorganisation that took effect between
    point index-1 and point index: a dashed line with the act's number."""
    figures = dict(points)
    points = [(label, figure["ratio"]) for label, figure in points]
    left, right, top, bottom = 40, 24, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [ratio for _label, ratio in points if ratio is not None]
    high = max(values + [0.01])
    high = min(1.0, max(0.05, round(high * 1.15, 2)))
    parts = []
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{INK}">'
            f"{escape(percent(high * fraction, 0))}</text>"
        )
    step = plot_w / max(1, len(points) - 1)
    coordinates = []
    for index, (label, ratio) in enumerate(points):
        x = left + index * step
        if index % 3 == 0 or index == len(points) - 1:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" fill="{INK}">'
                f"{escape(label)}</text>"
            )
        if ratio is None:
            continue
        y = top + plot_h * (1 - ratio / high)
        coordinates.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{LINE}"/>')
    if coordinates:
        parts.insert(0, f'<polyline points="{" ".join(coordinates)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for index, text in markers:
        x = left + (index - 0.5) * step if index else left
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{MARKER}" '
            f'stroke-dasharray="3 2" class="reform-marker"/>'
            f'<text x="{x + 2:.1f}" y="{top + 9}" font-size="9" fill="{MARKER}">{escape(text)}</text>'
        )
    desc = "; ".join(f"{label}: {percent(figures[label])}" for label, _ratio in points)
    if markers:
        desc += ". " + "; ".join(text for _index, text in markers)
    return _svg(width, height, title, desc, "".join(parts))
