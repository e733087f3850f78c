/* mrc_svg.c - miss ratio against frames, one line per curve (a sampled
 * one from its resolution on), with the first curve's knee and footprint
 * marked. */
#include <math.h>
#include <stdlib.h>

#include "mmkit/mrc.h"
#include "svg_chart.h"

/* A line of at most this many points: every frame count on small curves,
 * evenly spread ones (on the axis's scale) on large ones. */
#define SVG_POINTS 1000

/* The frame count of point i of n between 1 and last. */
static uint64_t point_frames(size_t i, size_t n, uint64_t last, bool log_x)
{
    if (n <= 1)
        return 1;
    double t = (double)i / (double)(n - 1);
    double f = log_x ? exp(t * log((double)last)) : 1 + t * (double)(last - 1);
    return (uint64_t)llround(f);
}

void sim_mrc_svg(FILE *out, const struct sim_mrc *curves, size_t count, const char *title,
                 bool log_x)
{
    uint64_t last = 2;
    struct svg_chart chart = {.out = out, .x_min = 1, .log_x = log_x};
    for (size_t c = 0; c < count; c++) {
        if (curves[c].footprint > last)
            last = curves[c].footprint;
        double first = sim_mrc_miss_ratio(&curves[c], sim_mrc_resolution(&curves[c]));
        if (first > chart.y_max)
            chart.y_max = first;
    }
    chart.x_max = (double)last;
    size_t n = last < SVG_POINTS ? (size_t)last : SVG_POINTS;
    double *x = malloc(sizeof *x * n), *y = malloc(sizeof *y * n);
    if (!x || !y) {
        free(x);
        free(y);
        return;
    }
    char heading[300];
    snprintf(heading, sizeof heading, "Miss ratio by memory size: %s", title);
    svg_chart_begin(&chart, heading, log_x ? "frames (log scale)" : "frames", "miss ratio");
    for (size_t c = 0; c < count; c++) {
        uint64_t resolution = sim_mrc_resolution(&curves[c]);
        size_t points = 0; /* from the curve's resolution on */
        for (size_t i = 0; i < n; i++) {
            uint64_t frames = point_frames(i, n, last, log_x);
            if (frames < resolution)
                continue;
            x[points] = (double)frames;
            y[points++] = sim_mrc_miss_ratio(&curves[c], frames);
        }
        svg_chart_series(&chart, (unsigned)c, curves[c].name, x, y, points);
    }
    if (count) {
        char label[96];
        uint64_t knee = sim_mrc_knee(&curves[0], 0.9);
        snprintf(label, sizeof label, "90%% of the achievable hits at %llu frames",
                 (unsigned long long)knee);
        svg_chart_marker(&chart, (double)knee, sim_mrc_miss_ratio(&curves[0], knee), label);
        uint64_t footprint = curves[0].footprint ? curves[0].footprint : 1;
        snprintf(label, sizeof label, "footprint: %llu pages", (unsigned long long)footprint);
        svg_chart_marker(&chart, (double)footprint, sim_mrc_miss_ratio(&curves[0], footprint),
                         label);
    }
    svg_chart_end(&chart);
    free(x);
    free(y);
}
