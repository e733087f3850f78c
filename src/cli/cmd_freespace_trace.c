/* cmd_freespace_trace.c - `mmkit freespace --trace FILE.mmat`: a real
 * program's allocation trace replayed on the simulated heap, with one
 * policy (the totals) or with each of --compare (one table).  The trace
 * is read again for every policy, a record at a time, so that a replay
 * holds only the live blocks and the holes, however long the trace.  A
 * file that is no trace, or a record that cannot be read, exits 1 with
 * the reader's message, which names the file, before anything is
 * printed.  --timing tells on the standard error how fast each policy
 * replayed, in CPU time, for bench/freespace_replay.py. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "freespace_args.h"
#include "mmkit/alloc_trace.h"
#include "mmkit/freespace.h"

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now); /* steady while others share the machine */
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* A record as the replay takes it. */
static struct freespace_call call_of(const struct mmkit_alloc_record *r)
{
    struct freespace_call call = {.address = r->address, .size = r->size};
    if (r->op == MMKIT_ALLOC_FREE) {
        call.kind = FREESPACE_CALL_FREE;
    } else if (r->op == MMKIT_ALLOC_REALLOC) {
        call.kind = FREESPACE_CALL_REALLOC;
        call.old_address = r->old_address;
    } else {
        call.kind = FREESPACE_CALL_ALLOC;
        call.alignment = r->alignment;
    }
    return call;
}

/* Every record of the trace at path through heap (NULL: only read them):
 * 0, or 1 after a message. */
static int replay_file(const char *path, struct freespace_heap *heap, uint64_t *records)
{
    char error[700];
    struct mmkit_alloc_trace *trace = mmkit_alloc_trace_open(path, error, sizeof error);
    if (!trace) {
        fprintf(stderr, "mmkit: %s\n", error);
        return 1;
    }
    struct mmkit_alloc_record r;
    struct sim_diag diag = {0};
    int got, status = 0;
    *records = 0;
    /* A call is replayed once the next one is read, whose block the heap
     * can fetch in the meantime. */
    struct freespace_call call, next;
    bool pending = false;
    while (!status && (got = mmkit_alloc_trace_next(trace, &r)) == 1) {
        next = call_of(&r);
        (*records)++;
        if (heap)
            freespace_replay_prefetch(heap, &next);
        if (heap && pending && freespace_replay(heap, &call, &diag))
            status = cli_run_error(&diag, SIM_ERR_NOMEM);
        call = next;
        pending = true;
    }
    if (!status && got == 0 && heap && pending && freespace_replay(heap, &call, &diag))
        status = cli_run_error(&diag, SIM_ERR_NOMEM);
    if (!status && got < 0) {
        fprintf(stderr, "mmkit: %s\n", mmkit_alloc_trace_error(trace));
        status = 1;
    }
    mmkit_alloc_trace_close(trace);
    return status;
}

/* Whether the command line gave the setting `key`. */
static bool given(const struct freespace_args *a, const char *key)
{
    for (size_t i = 0; i < a->setting_count; i++)
        if (!strcmp(a->settings[i].key, key))
            return true;
    return false;
}

/* The trace replayed on a heap for `policy` sized as freespace_trace_heap
 * says, into *out; 0, or 1 after a message.  With --timing, tell how
 * fast it went, reading (the seconds reading the trace takes) taken off,
 * unless reading is negative. */
static int replay_policy(const struct freespace_args *a, const struct freespace_config *config,
                         const char *policy, uint64_t peak_live, double reading,
                         struct freespace_heap **out)
{
    struct freespace_config c = *config;
    /* A program's heap: 16-byte rounding, as malloc's, at an aligned base,
     * and coalescing. */
    if (!given(a, "align"))
        c.align = 16;
    if (!given(a, "base"))
        c.base = 0x10000;
    if (!given(a, "coalesce")) /* as every real allocator does, and Johnstone and Wilson */
        c.coalesce = true;
    if (!given(a, "page")) /* settled for the default heap: settled again for this one */
        c.page = 0;
    snprintf(c.policy, sizeof c.policy, "%s", policy);
    freespace_trace_heap(&c, peak_live, given(a, "heap"));
    struct sim_diag diag = {0};
    int status = freespace_heap_create(out, &c, &diag);
    if (status)
        return cli_run_error(&diag, status);
    double start = seconds_now();
    uint64_t records;
    if ((status = replay_file(a->trace, *out, &records)))
        return status;
    double spent = seconds_now() - start - reading;
    struct freespace_stats s;
    freespace_heap_stats(*out, &s);
    if (a->timing && reading >= 0)
        fprintf(stderr, "%s: %" PRIu64 " operations replayed in %.3f s: %.1f M/s\n", policy,
                s.operations, spent, spent > 0 ? (double)s.operations / spent / 1e6 : 0.0);
    return 0;
}

/* The most bytes the trace's blocks held at once, which the families'
 * heap is sized by, as a first fit on a heap that grows finds it (every
 * policy sees the same calls); not needed when every policy of names
 * grows its heap.  0 or 1. */
static int trace_peak_live(const struct freespace_args *a, const struct freespace_config *config,
                           char names[][16], size_t count, uint64_t *peak_live)
{
    bool needed = false;
    for (size_t i = 0; i < count; i++) {
        struct freespace_config probe = *config;
        snprintf(probe.policy, sizeof probe.policy, "%s", names[i]);
        freespace_trace_heap(&probe, 0, given(a, "heap"));
        needed |= !probe.grow && !given(a, "heap");
    }
    *peak_live = 0;
    if (!needed)
        return 0;
    struct freespace_heap *heap = NULL;
    int status = replay_policy(a, config, "first", 0, -1, &heap);
    struct freespace_stats s = {0};
    if (!status)
        freespace_heap_stats(heap, &s);
    *peak_live = s.peak_live_bytes;
    freespace_heap_destroy(heap);
    return status;
}

int freespace_trace_command(const struct freespace_args *a, const struct freespace_config *config)
{
    char names[FREESPACE_COMPARE_MAX][16];
    size_t count = 1;
    struct sim_diag diag = {0};
    snprintf(names[0], sizeof names[0], "%s", config->policy);
    if (a->compare && freespace_compare_parse(a->compare, names, &count, &diag))
        return cli_usage_error("--compare: %s", diag.message);
    double reading = 0;
    uint64_t records, peak_live = 0;
    if (a->timing) { /* what reading the trace alone costs, taken off each replay's time */
        double start = seconds_now();
        if (replay_file(a->trace, NULL, &records))
            return 1;
        reading = seconds_now() - start;
        fprintf(stderr, "reading the trace: %" PRIu64 " records in %.3f s\n", records, reading);
    }
    int status = trace_peak_live(a, config, names, count, &peak_live);
    struct freespace_comparison *c = freespace_comparison_create();
    struct freespace_heap *heap = NULL;
    if (!c)
        status = cli_run_error(&diag, SIM_ERR_NOMEM);
    for (size_t i = 0; i < count && !status; i++) {
        freespace_heap_destroy(heap);
        heap = NULL;
        if (!(status = replay_policy(a, config, names[i], peak_live, reading, &heap)))
            freespace_comparison_add(c, heap);
    }
    if (!status) {
        if (a->compare && a->json)
            freespace_compare_json(stdout, c);
        else if (a->compare)
            freespace_compare_text(stdout, c);
        else if (a->json)
            freespace_report_json(stdout, heap);
        else
            freespace_report_text(stdout, heap);
        if (fflush(stdout) || ferror(stdout)) {
            fprintf(stderr, "mmkit: cannot write the standard output\n");
            status = 1;
        }
    }
    freespace_heap_destroy(heap);
    freespace_comparison_destroy(c);
    return status;
}
