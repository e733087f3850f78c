"""A grouped bar chart in plain SVG, so that the report needs nothing but
the Python standard library.

One group of horizontal bars per workload, one bar per allocator, showing a
ratio to the baseline allocator on a logarithmic axis: a bar grows right of
the 1.0 line when the allocator needs more than the baseline and left when
it needs less, and 2x worse is as long as 2x better.
"""

import math
from xml.sax.saxutils import escape

COLOURS = {"glibc": "#8c8c8c", "jemalloc": "#4e79a7", "tcmalloc": "#f28e2b",
           "mimalloc": "#59a14f", "mmkit": "#e15759"}
FALLBACK_COLOUR = "#b07aa1"

LABEL_WIDTH = 190
PLOT_WIDTH = 520
BAR_HEIGHT = 11
GROUP_GAP = 10
TOP = 58


def _ticks(low, high):
    """Powers of two spanning [low, high]."""
    first = math.floor(math.log2(low))
    last = math.ceil(math.log2(high))
    return [2.0 ** e for e in range(first, last + 1)]


FAILED = "FAIL"


def bar_chart(title, subtitle, groups, allocators):
    """groups: [(label, {allocator: ratio, None when not run, or FAILED})];
    returns the SVG text."""
    values = [v for _, row in groups for v in row.values() if v and v != FAILED]
    ticks = _ticks(min(values + [0.5]), max(values + [2.0]))
    low, high = math.log2(ticks[0]), math.log2(ticks[-1])

    def x_of(value):
        return LABEL_WIDTH + (math.log2(value) - low) / (high - low) * PLOT_WIDTH

    group_height = len(allocators) * BAR_HEIGHT + GROUP_GAP
    plot_bottom = TOP + len(groups) * group_height
    legend_y = plot_bottom + 34
    width = LABEL_WIDTH + PLOT_WIDTH + 60
    height = legend_y + 20
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="15" font-weight="bold">%s</text>' % escape(title),
           '<text x="10" y="38" fill="#555">%s</text>' % escape(subtitle)]

    for tick in ticks:
        x = x_of(tick)
        colour = "#333" if tick == 1.0 else "#ddd"
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>'
                   % (x, TOP - 6, x, plot_bottom, colour))
        label = ("%g" % tick) + "x"
        out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>'
                   % (x, plot_bottom + 14, label))

    one = x_of(1.0)
    for g, (label, row) in enumerate(groups):
        y = TOP + g * group_height
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>'
                   % (LABEL_WIDTH - 8, y + len(allocators) * BAR_HEIGHT / 2 + 4, escape(label)))
        for a, name in enumerate(allocators):
            value = row.get(name)
            bar_y = y + a * BAR_HEIGHT
            colour = COLOURS.get(name, FALLBACK_COLOUR)
            if not value or value == FAILED:
                out.append('<text x="%.1f" y="%.1f" font-size="9" fill="%s">%s</text>'
                           % (one + 3, bar_y + BAR_HEIGHT - 3, colour,
                              "failed" if value else "not run"))
                continue
            x = x_of(value)
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s">'
                       '<title>%s %s: %.2f</title></rect>'
                       % (min(x, one), bar_y, max(abs(x - one), 1.0), BAR_HEIGHT - 2, colour,
                          escape(label), name, value))
            out.append('<text x="%.1f" y="%.1f" font-size="9" fill="#333">%.2f</text>'
                       % (max(x, one) + 3, bar_y + BAR_HEIGHT - 3, value))

    x = LABEL_WIDTH
    for name in allocators:
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                   % (x, legend_y - 9, COLOURS.get(name, FALLBACK_COLOUR)))
        out.append('<text x="%d" y="%d">%s</text>' % (x + 14, legend_y, name))
        x += 24 + 7 * len(name)
    out.append("</svg>")
    return "\n".join(out) + "\n"
