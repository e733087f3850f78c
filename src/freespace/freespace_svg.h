/* freespace_svg.h - what the pictures of a comparison (compare_svg.c) and
 * of a replay (replay_picture_svg.c) share: the page's geometry, the
 * colours of the policies' lines, a panel's frame and the chart of
 * external fragmentation over time (freespace_svg.c). */
#ifndef MMKIT_FREESPACE_SVG_H
#define MMKIT_FREESPACE_SVG_H

#include <stddef.h>
#include <stdio.h>

#define SVG_WIDTH 960
#define SVG_LEFT 110 /* room for the policy's name */
#define SVG_RIGHT 20
#define SVG_PANEL 110 /* height of a heap picture */
#define SVG_GAP 24
#define SVG_CHART 160 /* height of the fragmentation chart */

/* The colour of the i-th policy's line, or of the i-th call site. */
const char *svg_line_colour(size_t i);

/* x of the point `at` of `points` spread across the panel. */
double svg_x(double at, double points);

/* A heap panel's background and its policy's name, at top. */
void svg_panel_frame(FILE *out, const char *name, double top);

/* The chart: each of count policies' external fragmentation, points
 * values each, spread across the page. */
void svg_fragmentation_chart(FILE *out, double top, size_t count, const char *const *names,
                             const double *const *series, size_t points);

#endif
