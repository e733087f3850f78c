/* sweep_svg.c - the fault curve of a sweep: one line per policy, and a
 * marked, labelled point wherever more frames gave more faults (Belady's
 * anomaly). */
#include <stdlib.h>

#include "mmkit/sim.h"
#include "svg_chart.h"

void sim_sweep_svg(FILE *out, const struct sim_sweep *sweep, const char *title)
{
    uint64_t width = sweep->count;
    struct svg_chart chart = {.out = out, .x_min = (double)sweep->frames_min,
                              .x_max = (double)sweep->frames_max};
    for (uint64_t i = 0; i < sweep->policy_count * width; i++)
        if ((double)sweep->faults[i] > chart.y_max)
            chart.y_max = (double)sweep->faults[i];
    double *x = malloc(sizeof *x * width), *y = malloc(sizeof *y * width);
    if (!x || !y) {
        free(x);
        free(y);
        return;
    }
    char heading[300];
    snprintf(heading, sizeof heading, "Page faults by memory size: %s", title);
    svg_chart_begin(&chart, heading, "frames", "page faults");
    for (unsigned p = 0; p < sweep->policy_count; p++) {
        const uint64_t *faults = &sweep->faults[p * width];
        for (uint64_t i = 0; i < width; i++) {
            x[i] = (double)sweep->frames[i];
            y[i] = (double)faults[i];
        }
        svg_chart_series(&chart, p, sweep->policies[p], x, y, width);
        for (uint64_t i = 0; i + 1 < width; i++) {
            char label[64];
            snprintf(label, sizeof label, "Belady's anomaly (%s)", sweep->policies[p]);
            if (faults[i + 1] > faults[i])
                svg_chart_marker(&chart, x[i + 1], y[i + 1], label);
        }
    }
    svg_chart_end(&chart);
    free(x);
    free(y);
}
