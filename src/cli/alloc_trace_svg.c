/*
 * alloc_trace_svg.c - `mmkit trace --dump --svg OUT FILE`: the bytes a
 * program held over its run, drawn from its allocation trace.  Each free
 * subtracts the size its block was allocated with, found in a table of the
 * live blocks by address.  The run is cut into POINTS spans of time and
 * each span drawn at its peak, so a short spike still shows.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "alloc_trace_svg.h"
#include "svg_chart.h"

#define POINTS 600

/* Live blocks: open addressing (linear probing) on the address. */
typedef struct live_table {
    uint64_t *address; /* 0: an empty slot */
    uint64_t *size;
    size_t capacity;   /* a power of two */
    size_t count;
} live_table;

static size_t home_of(const live_table *t, uint64_t address)
{
    return (size_t)((address >> 4) * 0x9e3779b97f4a7c15ull) & (t->capacity - 1);
}

static size_t next_slot(const live_table *t, size_t i)
{
    return (i + 1) & (t->capacity - 1);
}

static size_t slot_of(const live_table *t, uint64_t address)
{
    size_t i = home_of(t, address);
    while (t->address[i] && t->address[i] != address)
        i = next_slot(t, i);
    return i;
}

static bool table_init(live_table *t, size_t capacity)
{
    *t = (live_table){calloc(capacity, sizeof(uint64_t)), calloc(capacity, sizeof(uint64_t)),
                      capacity, 0};
    return t->address && t->size;
}

static void table_free(live_table *t)
{
    free(t->address);
    free(t->size);
}

static bool table_put(live_table *t, uint64_t address, uint64_t size);

static bool table_grow(live_table *t)
{
    live_table bigger;
    if (!table_init(&bigger, t->capacity * 2)) {
        table_free(&bigger);
        return false;
    }
    for (size_t i = 0; i < t->capacity; i++)
        if (t->address[i])
            table_put(&bigger, t->address[i], t->size[i]);
    table_free(t);
    *t = bigger;
    return true;
}

static bool table_put(live_table *t, uint64_t address, uint64_t size)
{
    if ((t->count + 1) * 2 > t->capacity && !table_grow(t))
        return false;
    size_t i = slot_of(t, address);
    t->count += t->address[i] == 0;
    t->address[i] = address;
    t->size[i] = size;
    return true;
}

/* Remove a block; its size, or 0 if the trace never showed it allocated. */
static uint64_t table_take(live_table *t, uint64_t address)
{
    size_t hole = slot_of(t, address);
    if (!t->address[hole])
        return 0;
    uint64_t size = t->size[hole];
    /* Shift later entries of the probe run back, so none becomes
     * unreachable: an entry moves if its home is not between the hole
     * and where it sits. */
    for (size_t j = next_slot(t, hole); t->address[j]; j = next_slot(t, j)) {
        size_t home = home_of(t, t->address[j]);
        bool stays = hole < j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            t->address[hole] = t->address[j];
            t->size[hole] = t->size[j];
            hole = j;
        }
    }
    t->address[hole] = 0;
    t->count--;
    return size;
}

/* The live bytes after one record. */
static bool apply(live_table *t, const struct mmkit_alloc_record *r, uint64_t *live)
{
    if (r->op == MMKIT_ALLOC_FREE || r->op == MMKIT_ALLOC_REALLOC) {
        uint64_t old = r->op == MMKIT_ALLOC_FREE ? r->address : r->old_address;
        if (old && (r->op == MMKIT_ALLOC_FREE || r->address))
            *live -= table_take(t, old);
    }
    if (r->op != MMKIT_ALLOC_FREE && r->address) {
        if (!table_put(t, r->address, r->size))
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
    if (!trace || !table_init(&table, 1024)) {
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
    table_free(&table);
    if (got == 1) {
        snprintf(error, error_size, "%s: out of memory", path);
        return -1;
    }

    struct svg_chart chart = {out, 0, (double)end_ns / 1e6, (double)highest / 1024.0};
    char title[600];
    snprintf(title, sizeof title, "Live bytes of %s", path);
    svg_chart_begin(&chart, title, "time (ms)", "live KiB (peak of each span)");
    svg_chart_series(&chart, 0, "live", x, peak, POINTS);
    svg_chart_end(&chart);
    return got < 0 ? -1 : 0;
}
