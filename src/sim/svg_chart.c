/* svg_chart.c - a minimal line-chart writer: no dependencies, output any
 * browser shows. */
#include <math.h>
#include <string.h>

#include "svg_chart.h"

#define CHART_W 760
#define CHART_H 440
#define LEFT 80
#define RIGHT 150
#define TOP 50
#define BOTTOM 60

static const char *const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

static double chart_x(const struct svg_chart *c, double x)
{
    if (c->log_x) {
        double span = c->x_max > c->x_min ? log(c->x_max / c->x_min) : 1.0;
        return LEFT + log(x / c->x_min) / span * (CHART_W - LEFT - RIGHT);
    }
    double span = c->x_max > c->x_min ? c->x_max - c->x_min : 1.0;
    return LEFT + (x - c->x_min) / span * (CHART_W - LEFT - RIGHT);
}

static double chart_y(const struct svg_chart *c, double y)
{
    double max = c->y_max > 0 ? c->y_max : 1.0;
    return CHART_H - BOTTOM - y / max * (CHART_H - TOP - BOTTOM);
}

void svg_escape(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '<')
            fputs("&lt;", out);
        else if (*p == '>')
            fputs("&gt;", out);
        else if (*p == '&')
            fputs("&amp;", out);
        else
            fputc(*p, out);
    }
}

/* A tick label: whole numbers, with k or M for large ones; fractions
 * (miss ratios) below 1. */
static void tick_label(FILE *out, double value)
{
    if (value > 0 && value < 1)
        fprintf(out, "%.2g", value);
    else if (value >= 1e6)
        fprintf(out, "%.3gM", value / 1e6);
    else if (value >= 1e4)
        fprintf(out, "%.3gk", value / 1e3);
    else
        fprintf(out, "%.0f", value);
}

void svg_chart_begin(struct svg_chart *c, const char *title, const char *x_label,
                     const char *y_label)
{
    FILE *out = c->out;
    int x0 = LEFT, x1 = CHART_W - RIGHT, y0 = CHART_H - BOTTOM, y1 = TOP;
    fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                 "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n"
                 "<text x='%d' y='28' font-size='16'>", CHART_W, CHART_H, LEFT);
    svg_escape(out, title);
    fprintf(out, "</text>\n<path d='M%d %d V%d H%d' fill='none' stroke='#333'/>\n", x0, y1, y0,
            x1);
    for (int tick = 0; tick <= 4; tick++) {
        double y = c->y_max * tick / 4;
        fprintf(out, "<path d='M%d %.1f H%d' stroke='#ddd'/>\n<text x='%d' y='%.1f' "
                     "text-anchor='end' font-size='12'>", x0, chart_y(c, y), x1, x0 - 6,
                chart_y(c, y) + 4);
        tick_label(out, y);
        fprintf(out, "</text>\n");
    }
    /* Integer ranges (frame counts) get integer ticks; a log scale gets
     * its powers of ten, or of two over a short range. */
    double span = c->x_max - c->x_min;
    double step = span > 10 ? span / 10 : 1;
    double factor = c->x_max / c->x_min > 1000 ? 10 : 2;
    for (double x = c->log_x ? 1 : c->x_min; x <= c->x_max + (c->log_x ? 0 : step / 2);
         x = c->log_x ? x * factor : x + step) {
        if (x < c->x_min)
            continue;
        fprintf(out, "<text x='%.1f' y='%d' text-anchor='middle' font-size='12'>",
                chart_x(c, x), y0 + 18);
        tick_label(out, span > 10 ? x : (double)(long long)x);
        fprintf(out, "</text>\n");
    }
    fprintf(out, "<text x='%d' y='%d' text-anchor='middle' font-size='13'>", (x0 + x1) / 2,
            y0 + 40);
    svg_escape(out, x_label);
    fprintf(out, "</text>\n<text x='18' y='%d' font-size='13' transform='rotate(-90 18 %d)' "
                 "text-anchor='middle'>", (y0 + y1) / 2, (y0 + y1) / 2);
    svg_escape(out, y_label);
    fprintf(out, "</text>\n");
}

/* The legend's entry of series `index`: a name longer than the legend's
 * column is cut, and shown whole on hover. */
static void legend(const struct svg_chart *c, unsigned index, const char *colour,
                   const char *name)
{
    enum { FITS = 19 };
    fprintf(c->out, "<text x='%d' y='%u' fill='%s' font-size='13'>", CHART_W - RIGHT + 12,
            TOP + 18 * index, colour);
    if (strlen(name) <= FITS) {
        svg_escape(c->out, name);
    } else {
        char cut[FITS + 1];
        snprintf(cut, sizeof cut, "%.*s...", FITS - 3, name);
        fputs("<title>", c->out);
        svg_escape(c->out, name);
        fputs("</title>", c->out);
        svg_escape(c->out, cut);
    }
    fputs("</text>\n", c->out);
}

void svg_chart_series(const struct svg_chart *c, unsigned index, const char *name,
                      const double *x, const double *y, size_t count)
{
    const char *colour = colours[index % (sizeof colours / sizeof colours[0])];
    fprintf(c->out, "<polyline fill='none' stroke='%s' stroke-width='2' points='", colour);
    for (size_t i = 0; i < count; i++)
        fprintf(c->out, "%.1f,%.1f ", chart_x(c, x[i]), chart_y(c, y[i]));
    fprintf(c->out, "'/>\n");
    legend(c, index, colour, name);
}

void svg_chart_area(const struct svg_chart *c, unsigned index, const char *name,
                    const double *x, const double *low, const double *high, size_t count,
                    bool grey)
{
    const char *colour = grey ? "#b0b0b0" : colours[index % (sizeof colours / sizeof colours[0])];
    fprintf(c->out, "<polygon fill='%s' fill-opacity='0.85' stroke='%s' points='", colour,
            colour);
    for (size_t i = 0; i < count; i++)
        fprintf(c->out, "%.1f,%.1f ", chart_x(c, x[i]), chart_y(c, high[i]));
    for (size_t i = count; i-- > 0;)
        fprintf(c->out, "%.1f,%.1f ", chart_x(c, x[i]), chart_y(c, low[i]));
    fprintf(c->out, "'><title>");
    svg_escape(c->out, name);
    fprintf(c->out, "</title></polygon>\n");
    legend(c, index, colour, name);
}

void svg_chart_marker(const struct svg_chart *c, double x, double y, const char *label)
{
    double px = chart_x(c, x), py = chart_y(c, y);
    fprintf(c->out, "<circle cx='%.1f' cy='%.1f' r='6' fill='none' stroke='red' "
                    "stroke-width='2'/>\n<text x='%.1f' y='%.1f' fill='red' font-size='12'>",
            px, py, px + 8, py - 8);
    svg_escape(c->out, label);
    fprintf(c->out, "</text>\n");
}

void svg_chart_end(const struct svg_chart *c)
{
    fprintf(c->out, "</svg>\n");
}
