/* freespace_svg.c - the parts the free-space pictures share
 * (freespace_svg.h). */
#include "freespace_svg.h"

static const char *const line_colours[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
};

const char *svg_line_colour(size_t i)
{
    return line_colours[i % (sizeof line_colours / sizeof line_colours[0])];
}

double svg_x(double at, double points)
{
    return SVG_LEFT + at / (points > 0 ? points : 1) * (SVG_WIDTH - SVG_LEFT - SVG_RIGHT);
}

void svg_panel_frame(FILE *out, const char *name, double top)
{
    fprintf(out, "<text x=\"8\" y=\"%.1f\" font-size=\"13\">%s</text>\n", top + 16, name);
    fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\" "
                 "stroke=\"#999\"/>\n",
            SVG_LEFT, top, SVG_WIDTH - SVG_LEFT - SVG_RIGHT, SVG_PANEL);
}

void svg_fragmentation_chart(FILE *out, double top, size_t count, const char *const *names,
                             const double *const *series, size_t points)
{
    fprintf(out, "<text x=\"8\" y=\"%.1f\" font-size=\"13\">external</text>\n"
                 "<text x=\"8\" y=\"%.1f\" font-size=\"13\">fragmentation</text>\n",
            top + 16, top + 32);
    fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" "
                 "stroke=\"#999\"/>\n",
            SVG_LEFT, top, SVG_WIDTH - SVG_LEFT - SVG_RIGHT, SVG_CHART);
    for (size_t r = 0; r < count; r++) {
        const char *colour = svg_line_colour(r);
        fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"",
                colour);
        for (size_t i = 0; i < points; i++)
            fprintf(out, "%.2f,%.2f ", svg_x((double)i, (double)points),
                    top + SVG_CHART * (1 - series[r][i]));
        fprintf(out, "\"/>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\">%s</text>\n",
                (double)SVG_LEFT + 8 + 80 * (double)r, top + SVG_CHART + 16, colour, names[r]);
    }
}
