"""Charts drawn on the server as SVG: no script, no CDN, nothing for a strict CSP to block.

Each chart carries a <title> and <desc> for screen readers; the pages show the same numbers in a
table beside it.
"""

from markupsafe import Markup, escape

from monitoris import numbers

COLOURS = ("#1f7a4d", "#d98a1c", "#c0392b", "#7f8fa6")
ROW = 22
LABEL_WIDTH = 150
WIDTH = 560


def _svg(width, height, title, body):
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'{body}</svg>')


def bar_chart(pairs, *, maximum=None, unit="", title="Chart"):
    """Horizontal bars: [(label, value)]; None values are drawn as nothing."""
    pairs = list(pairs)
    top = maximum or max([v or 0 for _, v in pairs] + [1])
    plot = WIDTH - LABEL_WIDTH - 60
    parts = []
    for i, (name, value) in enumerate(pairs):
        y = i * ROW + 4
        length = 0 if value is None else max(0.0, plot * float(value) / top)
        text = numbers.figure(value, unit)  # in the page's language, as the tables beside it
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" font-size="12">{escape(name)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{ROW - 6}" fill="{COLOURS[0]}"/>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 13}" font-size="12">{escape(text)}</text>')
    return _svg(WIDTH, max(1, len(pairs)) * ROW + 8, title, "".join(parts))


def stacked_bars(columns, series, *, title="Chart"):
    """Vertical stacked bars: columns [(label, [value per series])], with a legend of ``series``."""
    columns = list(columns)
    height, legend = 180, 24
    top = max([sum(v or 0 for v in values) for _, values in columns] + [1])
    step = (WIDTH - 40) / max(1, len(columns))
    parts = []
    for i, name in enumerate(series):
        x = 40 + i * 130
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLOURS[i % 4]}"/>'
                     f'<text x="{x + 14}" y="13" font-size="11">{escape(name)}</text>')
    for i, (name, values) in enumerate(columns):
        x, bottom = 40 + i * step, legend + height
        for j, value in enumerate(values):
            h = height * float(value or 0) / top
            bottom -= h
            if h:
                parts.append(f'<rect x="{x + 2:.1f}" y="{bottom:.1f}" width="{max(1.0, step - 4):.1f}" '
                             f'height="{h:.1f}" fill="{COLOURS[j % 4]}"><title>{escape(name)}: '
                             f'{escape(series[j])} {numbers.number(value)}</title></rect>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{legend + height + 14}" text-anchor="middle" '
                     f'font-size="10">{escape(name[-2:] if len(name) == 7 else name)}</text>')
    return _svg(WIDTH, legend + height + 20, title, "".join(parts))
