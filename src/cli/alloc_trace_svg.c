/*
 * alloc_trace_svg.c - `mmkit trace --dump --svg OUT FILE`: the bytes a
 * program held over its run, drawn from its allocation trace.  Each free
 * subtracts the size its block was allocated with, found in the table of
 * the live blocks (live_table.h).  The run is cut into POINTS spans of time and
 * each span drawn at its peak, so a short spike still shows.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "alloc_trace_svg.h"
#include "live_table.h"
#include "svg_chart.h"

#define POINTS 600

/* The live bytes after one record. */
static bool apply(live_table *t, const struct mmkit_alloc_record *r, uint64_t *live)
{
    struct live_change c = live_change_of(r);
    uint64_t size;
    uint32_t tag;
    if (c.freed && live_table_take(t, c.freed, &size, &tag))
        *live -= size;
    if (c.allocated) {
        if (!live_table_put(t, c.allocated, r->size, 0))
            return false;
        *live += r->size;
    }
    return true;
}

int alloc_trace_svg(const char *path, FILE *out, char *error, size_t error_size)
{
    /* First pass: how long the run was, to cut it into spans. */
    struct mmkit_alloc_trace *trace = mmkit_alloc_trace_open(path, error, error_size);
    if (!trace)
        return -1;
    struct mmkit_alloc_record r;
    uint64_t end_ns = 1;
    int got;
    while ((got = mmkit_alloc_trace_next(trace, &r)) == 1)
        end_ns = r.time_ns > end_ns ? r.time_ns : end_ns;
    mmkit_alloc_trace_close(trace);

    static double x[POINTS], peak[POINTS];
    for (size_t i = 0; i < POINTS; i++)
        x[i] = (double)end_ns * (double)(i + 1) / POINTS / 1e6;
    trace = mmkit_alloc_trace_open(path, error, error_size);
    live_table table;
    if (!trace || !live_table_init(&table, 1024)) {
        snprintf(error, error_size, "%s: out of memory", path);
        mmkit_alloc_trace_close(trace);
        return -1;
    }
    uint64_t live = 0, highest = 1;
    size_t span = 0;
    while ((got = mmkit_alloc_trace_next(trace, &r)) == 1 && apply(&table, &r, &live)) {
        span = (size_t)((double)r.time_ns / (double)end_ns * (POINTS - 1));
        peak[span] = (double)live > peak[span] ? (double)live : peak[span];
        highest = live > highest ? live : highest;
    }
    if (got < 0)
        snprintf(error, error_size, "%s", mmkit_alloc_trace_error(trace));
    /* A span without a call holds what the one before it ended with. */
    for (size_t i = 1; i < POINTS; i++)
        if (peak[i] == 0)
            peak[i] = peak[i - 1];
    for (size_t i = 0; i < POINTS; i++)
        peak[i] /= 1024.0;
    mmkit_alloc_trace_close(trace);
    live_table_free(&table);
    if (got == 1) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -1;
    }

    struct svg_chart chart = {out, 0, (double)end_ns / 1e6, (double)highest / 1024.0, false};
    char title[600];
    snprintf(title, sizeof title, "Live bytes of %s", path);
    svg_chart_begin(&chart, title, "time (ms)", "live KiB (peak of each span)");
    svg_chart_series(&chart, 0, "live", x, peak, POINTS);
    svg_chart_end(&chart);
    return got < 0 ? -1 : 0;
}
