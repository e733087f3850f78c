/*
 * heap_svg.c - `mmkit trace --dump --heap OUT.svg FILE`: the live bytes
 * over the run with the top sites stacked, the largest at the bottom and
 * all the others on top, as massif's and heaptrack's charts show a heap.
 * Each span of time is drawn at its highest point (heap_profile.c keeps
 * it), so a short spike still shows.
 */
#include <stdlib.h>

#include "heap_profile.h"
#include "svg_chart.h"

int heap_timeline_svg(const struct heap_profile *p, FILE *out)
{
    const struct heap_timeline *t = &p->timeline;
    size_t layers = t->sites + 1;
    double *low = calloc(HEAP_POINTS, sizeof *low), *high = calloc(HEAP_POINTS, sizeof *high);
    if (!low || !high) {
        free(low);
        free(high);
        return -1;
    }
    double highest = 1;
    for (size_t i = 0; i < HEAP_POINTS; i++) {
        double sum = 0;
        for (size_t k = 0; k < layers; k++)
            sum += t->bytes[i * layers + k];
        highest = sum > highest ? sum : highest;
    }
    bool mib = highest >= 10.0 * 1024 * 1024;
    double unit = mib ? 1024.0 * 1024 : 1024.0;
    struct svg_chart chart = {out, 0, (double)(p->end_ns ? p->end_ns : 1) / 1e6,
                              highest / unit, false};
    char title[600];
    snprintf(title, sizeof title, "Live bytes by allocating site: %s", p->path);
    svg_chart_begin(&chart, title, "time (ms)",
                    mib ? "live MiB (highest of each span)" : "live KiB (highest of each span)");
    for (size_t k = 0; k < layers; k++) {
        for (size_t i = 0; i < HEAP_POINTS; i++) {
            low[i] = high[i];
            high[i] += t->bytes[i * layers + k] / unit;
        }
        char name[1200];
        if (k < t->sites)
            heap_site_text(&p->sites[t->site[k]], name, sizeof name);
        else
            snprintf(name, sizeof name, "%s", t->sites ? "all other sites" : "all sites");
        svg_chart_area(&chart, (unsigned)k, name, t->x, low, high, HEAP_POINTS, k == t->sites);
    }
    svg_chart_end(&chart);
    free(low);
    free(high);
    return ferror(out) ? -1 : 0;
}
