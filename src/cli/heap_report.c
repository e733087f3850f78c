/*
 * heap_report.c - `mmkit trace --dump --summary [--json] FILE`: the heap
 * profile as text or as one JSON object: the totals, the peak and the
 * leaks, and four lists of the top sites: by bytes live at the peak, by
 * calls, by temporary allocations and by bytes live at exit.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "heap_profile.h"
#include "json_text.h"

/* A list of the top sites by one measure. */
typedef struct site_list {
    const char *title;      /* text */
    const char *json_name;  /* JSON */
    const char *columns[2]; /* the measure, and a second number beside it */
    uint64_t (*key)(const struct heap_site *);
    uint64_t (*second)(const struct heap_site *);
} site_list;

static uint64_t peak_bytes(const struct heap_site *s) { return s->peak_bytes; }
static uint64_t peak_blocks(const struct heap_site *s) { return s->peak_blocks; }
static uint64_t calls(const struct heap_site *s) { return s->calls; }
static uint64_t bytes(const struct heap_site *s) { return s->bytes; }
static uint64_t temporary(const struct heap_site *s) { return s->temporary; }
static uint64_t leaked_bytes(const struct heap_site *s) { return s->leaked_bytes; }
static uint64_t leaked_blocks(const struct heap_site *s) { return s->leaked_blocks; }

static const site_list lists[] = {
    {"bytes live at the peak, by site", "peak_sites", {"bytes", "blocks"}, peak_bytes,
     peak_blocks},
    {"allocation calls, by site", "call_sites", {"calls", "bytes"}, calls, bytes},
    {"temporary allocations (freed before the next allocation), by site", "temporary_sites",
     {"temporary", "calls"}, temporary, calls},
    {"bytes live at exit (leaked), by site", "leaked_sites", {"bytes", "blocks"}, leaked_bytes,
     leaked_blocks},
};

typedef struct sort_by {
    const struct heap_site *sites;
    const site_list *list;
} sort_by;

static int by_key(const void *a, const void *b, void *context)
{
    const sort_by *by = context;
    const struct heap_site *x = &by->sites[*(const uint32_t *)a];
    const struct heap_site *y = &by->sites[*(const uint32_t *)b];
    uint64_t kx = by->list->key(x), ky = by->list->key(y);
    if (kx != ky)
        return kx < ky ? 1 : -1;
    uint64_t sx = by->list->second(x), sy = by->list->second(y);
    if (sx != sy)
        return sx < sy ? 1 : -1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* The top sites of a list, those with a measure above 0: how many. */
static size_t top_sites(const struct heap_profile *p, const site_list *list, unsigned top,
                        uint32_t *order)
{
    size_t n = 0;
    for (size_t i = 0; i < p->site_count; i++)
        if (list->key(&p->sites[i]))
            order[n++] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, by_key, &(sort_by){p->sites, list});
    return n < top ? n : top;
}

/* "12.3 MiB" */
static const char *human(uint64_t bytes, char *out, size_t size)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    unsigned u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, size, "%" PRIu64 " bytes", bytes);
    else
        snprintf(out, size, "%.1f %s", v, units[u]);
    return out;
}

int heap_report_text(const struct heap_profile *p, unsigned top, FILE *out)
{
    char a[32];
    fprintf(out, "heap profile of %s (process %" PRIu32 ")\n", p->path, p->info.pid);
    fprintf(out, "  run:        %.3f s, %" PRIu64 " allocations (%s asked for), %" PRIu64
                 " frees", (double)p->end_ns / 1e9, p->allocations, human(p->bytes, a, sizeof a),
            p->frees);
    if (p->failed)
        fprintf(out, ", %" PRIu64 " failed", p->failed);
    fprintf(out, "\n  peak:       %" PRIu64 " bytes (%s) live in %" PRIu64 " blocks, at %.3f s\n",
            p->peak_bytes, human(p->peak_bytes, a, sizeof a), p->peak_blocks,
            (double)p->peak_ns / 1e9);
    fprintf(out, "  temporary:  %" PRIu64 " allocations (%.1f%%) freed before the next one\n",
            p->temporary, p->allocations ? 100.0 * (double)p->temporary / (double)p->allocations
                                         : 0.0);
    fprintf(out, "  leaked:     %" PRIu64 " bytes (%s) in %" PRIu64 " blocks live at exit\n",
            p->leaked_bytes, human(p->leaked_bytes, a, sizeof a), p->leaked_blocks);
    if (!p->stacks)
        fprintf(out, "  (no stacks in this trace: it was recorded with trace_stacks=0, without "
                     "libunwind, or by an older libmmkit)\n");

    uint32_t *order = malloc((p->site_count ? p->site_count : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        const site_list *list = &lists[l];
        size_t n = top_sites(p, list, top, order);
        fprintf(out, "\n%s\n", list->title);
        if (n == 0) {
            fprintf(out, "  (none)\n");
            continue;
        }
        fprintf(out, "  %12s %12s  site\n", list->columns[0], list->columns[1]);
        for (size_t i = 0; i < n; i++) {
            const struct heap_site *s = &p->sites[order[i]];
            char site[1200];
            heap_site_text(s, site, sizeof site);
            fprintf(out, "  %12" PRIu64 " %12" PRIu64 "  %s\n", list->key(s), list->second(s),
                    site);
        }
    }
    free(order);
    return ferror(out) ? -1 : 0;
}

static void json_site(FILE *out, const struct heap_site *s)
{
    fputs("{\"function\": ", out);
    json_text(out, s->function);
    fputs(", \"file\": ", out);
    json_text(out, s->file);
    fprintf(out, ", \"line\": %u, \"module\": ", s->line);
    json_text(out, s->module);
    fprintf(out, ", \"module_address\": %" PRIu64 ", \"calls\": %" PRIu64 ", \"bytes\": %" PRIu64
                 ", \"temporary\": %" PRIu64 ", \"peak_bytes\": %" PRIu64
                 ", \"peak_blocks\": %" PRIu64 ", \"leaked_bytes\": %" PRIu64
                 ", \"leaked_blocks\": %" PRIu64 "}",
            s->module_address, s->calls, s->bytes, s->temporary, s->peak_bytes, s->peak_blocks,
            s->leaked_bytes, s->leaked_blocks);
}

int heap_report_json(const struct heap_profile *p, unsigned top, FILE *out)
{
    fputs("{\"trace\": ", out);
    json_text(out, p->path);
    fprintf(out, ", \"pid\": %" PRIu32 ", \"parent_pid\": %" PRIu32 ", \"stacks\": %s"
                 ", \"duration_ns\": %" PRIu64 ", \"allocations\": %" PRIu64
                 ", \"frees\": %" PRIu64 ", \"failed\": %" PRIu64
                 ", \"allocated_bytes\": %" PRIu64 ", \"temporary\": %" PRIu64
                 ",\n \"peak\": {\"bytes\": %" PRIu64 ", \"blocks\": %" PRIu64
                 ", \"time_ns\": %" PRIu64 "},\n \"leaked\": {\"bytes\": %" PRIu64
                 ", \"blocks\": %" PRIu64 "}",
            p->info.pid, p->info.parent_pid, p->stacks ? "true" : "false", p->end_ns,
            p->allocations, p->frees, p->failed, p->bytes, p->temporary, p->peak_bytes,
            p->peak_blocks, p->peak_ns, p->leaked_bytes, p->leaked_blocks);
    uint32_t *order = malloc((p->site_count ? p->site_count : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        size_t n = top_sites(p, &lists[l], top, order);
        fprintf(out, ",\n \"%s\": [", lists[l].json_name);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ",\n  " : "\n  ", out);
            json_site(out, &p->sites[order[i]]);
        }
        fputs("]", out);
    }
    fputs("}\n", out);
    free(order);
    return ferror(out) ? -1 : 0;
}
