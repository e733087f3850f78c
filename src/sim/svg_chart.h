/* svg_chart.h - line charts as standalone SVG: axes with ticks, one line
 * per series, labelled markers.  Used for sweeps' fault curves and runs'
 * fault timelines. */
#ifndef MMKIT_SIM_SVG_CHART_H
#define MMKIT_SIM_SVG_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The value ranges map onto the plot area: [x_min, x_max] across,
 * [0, y_max] upwards.  log_x: x on a logarithmic scale (x_min > 0). */
struct svg_chart {
    FILE *out;
    double x_min, x_max, y_max;
    bool log_x;
};

/* Start the document: background, title, axes, ticks and labels. */
void svg_chart_begin(struct svg_chart *chart, const char *title, const char *x_label,
                     const char *y_label);
/* Series number index (its colour and place in the legend). */
void svg_chart_series(const struct svg_chart *chart, unsigned index, const char *name,
                      const double *x, const double *y, size_t count);
/* Series number index as a filled band between low and high (stacked
 * areas), named in the legend; names longer than the legend's column are
 * cut there and shown whole on hover.  grey: in grey, for "all the rest",
 * rather than in the series' colour. */
void svg_chart_area(const struct svg_chart *chart, unsigned index, const char *name,
                    const double *x, const double *low, const double *high, size_t count,
                    bool grey);
/* A red ring at (x, y) with a label beside it. */
void svg_chart_marker(const struct svg_chart *chart, double x, double y, const char *label);
void svg_chart_end(const struct svg_chart *chart);

/* Text as the content of an SVG element: <, > and & escaped. */
void svg_escape(FILE *out, const char *text);

#endif
