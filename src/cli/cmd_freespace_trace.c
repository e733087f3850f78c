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
#include "heap_profile.h"
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

/* What is told of each call as it is replayed: --explain, --svg. */
struct replay_watch {
    FILE *explain;
    struct freespace_picture *picture;
    const uint8_t *site_of_stack; /* --colour-by call: each stack's site in the picture */
    size_t stacks;
    uint64_t calls;
};

/* "call 7: malloc(24) = 0x55d0a8c0", and what the replay did with it. */
static void explain_call(FILE *out, struct freespace_heap *heap, uint64_t number,
                         const struct mmkit_alloc_record *r, const struct freespace_replayed *done)
{
    fprintf(out, "call %" PRIu64 ": %s(", number, mmkit_alloc_op_name(r->op));
    if (r->op == MMKIT_ALLOC_REALLOC)
        fprintf(out, "%#" PRIx64 ", ", r->old_address);
    if (r->op == MMKIT_ALLOC_FREE)
        fprintf(out, "%#" PRIx64 ")", r->address);
    else if (r->op == MMKIT_ALLOC_ALIGNED)
        fprintf(out, "%" PRIu64 ", aligned to %" PRIu64 ") = %#" PRIx64, r->size, r->alignment,
                r->address);
    else
        fprintf(out, "%" PRIu64 ") = %#" PRIx64, r->size, r->address);
    if (r->op != MMKIT_ALLOC_FREE && !r->address)
        fprintf(out, ": failed in the program, not replayed");
    else if (done->unmatched)
        fprintf(out, "%s: no live block has that address; counted, skipped",
                r->op == MMKIT_ALLOC_REALLOC ? " (the old block)" : "");
    else if (r->op == MMKIT_ALLOC_FREE && !r->address)
        fprintf(out, ": nothing to free");
    fputc('\n', out);
    freespace_explain_replayed(out, heap, done);
    fputc('\n', out);
}

/* A record read, and the call the heap replays for it. */
struct read_call {
    struct mmkit_alloc_record record;
    struct freespace_call call;
};

/* Replay one call, and tell it as watch asks: 0, or 1 after a message. */
static int replay_call(struct freespace_heap *heap, const struct read_call *c,
                       struct replay_watch *watch)
{
    struct sim_diag diag; /* written whole on an error, and read only then */
    struct freespace_replayed done;
    bool told = watch && (watch->explain || watch->picture);
    if (freespace_replay(heap, &c->call, told ? &done : NULL, &diag))
        return cli_run_error(&diag, SIM_ERR_NOMEM);
    if (!told)
        return 0;
    const struct mmkit_alloc_record *r = &c->record;
    watch->calls++;
    if (watch->explain)
        explain_call(watch->explain, heap, watch->calls, r, &done);
    unsigned site = r->stack < watch->stacks ? watch->site_of_stack[r->stack] : UINT8_MAX;
    if (watch->picture && freespace_picture_call(watch->picture, heap, &done, site))
        return cli_run_error(&diag, SIM_ERR_NOMEM);
    return 0;
}

/* Calls read and not yet replayed, at most; a power of two. */
#define REPLAY_AHEAD 16

/* Every record of the trace at path through heap (NULL: only read them),
 * told as watch asks (NULL: not told): 0, or 1 after a message. */
static int replay_file(const char *path, struct freespace_heap *heap, struct replay_watch *watch,
                       uint64_t *records)
{
    char error[700];
    struct mmkit_alloc_trace *trace = mmkit_alloc_trace_open(path, error, sizeof error);
    if (!trace) {
        fprintf(stderr, "mmkit: %s\n", error);
        return 1;
    }
    /* A call is replayed REPLAY_AHEAD calls after it is read: the heap
     * fetches its block from the table of live blocks, far larger than the
     * caches on a big trace, while the calls before it are replayed. */
    struct read_call c[REPLAY_AHEAD];
    int got, status = 0;
    *records = 0;
    while (!status && (got = mmkit_alloc_trace_next(trace, &c[*records % REPLAY_AHEAD].record)) == 1) {
        struct read_call *read = &c[*records % REPLAY_AHEAD];
        if (heap) {
            read->call = call_of(&read->record);
            freespace_replay_prefetch(heap, &read->call);
            if (*records >= REPLAY_AHEAD - 1)
                status = replay_call(heap, &c[(*records + 1) % REPLAY_AHEAD], watch);
        }
        (*records)++;
    }
    uint64_t waiting = *records < REPLAY_AHEAD - 1 ? *records : REPLAY_AHEAD - 1;
    for (uint64_t i = *records - waiting; !status && got == 0 && heap && i < *records; i++)
        status = replay_call(heap, &c[i % REPLAY_AHEAD], watch);
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
                         struct replay_watch *watch, struct freespace_heap **out)
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
    if (!status && watch && watch->picture)
        status = freespace_picture_add(watch->picture, *out);
    if (status)
        return cli_run_error(&diag, status);
    if (watch && watch->explain)
        freespace_explain_start(watch->explain, *out);
    double start = seconds_now();
    uint64_t records;
    if ((status = replay_file(a->trace, *out, watch, &records)))
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
    int status = replay_policy(a, config, "first", 0, -1, NULL, &heap);
    struct freespace_stats s = {0};
    if (!status)
        freespace_heap_stats(heap, &s);
    *peak_live = s.peak_live_bytes;
    freespace_heap_destroy(heap);
    return status;
}

/* --colour-by call: the call sites that held the most bytes at once (as
 * the heap profile's picture stacks them), named, and each stack's site
 * among them (PICTURE's "others" past the last): 0, or 1 after a
 * message. */
static int name_call_sites(const char *path, struct replay_watch *watch,
                           struct freespace_picture **picture)
{
    enum { SITES_NAMED = 8 };
    struct heap_profile profile;
    char error[700];
    if (heap_profile_read(&profile, path, SITES_NAMED, true, error, sizeof error)) {
        fprintf(stderr, "mmkit: %s\n", error);
        return 1;
    }
    int status = 0;
    if (!profile.stacks) {
        fprintf(stderr, "mmkit: %s: the trace has no call stacks to colour by (it was recorded "
                        "without them)\n", path);
        status = 1;
    }
    const uint32_t *top = profile.timeline.site;
    size_t named = profile.timeline.sites;
    char names[SITES_NAMED][96];
    const char *name_of[SITES_NAMED];
    for (size_t k = 0; k < named; k++) {
        heap_site_text(&profile.sites[top[k]], names[k], sizeof names[k]);
        name_of[k] = names[k];
    }
    uint8_t *site_of_stack = status ? NULL : malloc(profile.stack_capacity + 1);
    for (size_t stack = 0; site_of_stack && stack < profile.stack_capacity; stack++) {
        site_of_stack[stack] = UINT8_MAX;
        for (size_t k = 0; k < named; k++)
            if (profile.stack[stack].site == top[k] + 1)
                site_of_stack[stack] = (uint8_t)k;
    }
    if (!status && !site_of_stack) {
        fprintf(stderr, "mmkit: out of memory\n");
        status = 1;
    }
    watch->site_of_stack = site_of_stack;
    watch->stacks = profile.stack_capacity;
    if (!status && !(*picture = freespace_picture_create(name_of, named))) {
        fprintf(stderr, "mmkit: out of memory\n");
        status = 1;
    }
    heap_profile_free(&profile);
    return status;
}

/* --svg: the picture into its file: 0 or 1. */
static int write_picture(const struct freespace_args *a, struct freespace_picture *picture)
{
    struct output_file svg;
    const char *inputs[] = {a->trace};
    if (output_file_open(&svg, a->svg, inputs, 1))
        return 1;
    freespace_picture_svg(svg.file, picture);
    return output_file_commit(&svg);
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
        if (replay_file(a->trace, NULL, NULL, &records))
            return 1;
        reading = seconds_now() - start;
        fprintf(stderr, "reading the trace: %" PRIu64 " records in %.3f s\n", records, reading);
    }
    struct replay_watch watch = {.explain = a->explain ? stdout : NULL};
    int status = 0;
    if (a->svg && a->colour_by_call)
        status = name_call_sites(a->trace, &watch, &watch.picture);
    else if (a->svg && !(watch.picture = freespace_picture_create(NULL, 0)))
        status = cli_run_error(&diag, SIM_ERR_NOMEM);
    if (!status)
        status = trace_peak_live(a, config, names, count, &peak_live);
    struct freespace_comparison *c = freespace_comparison_create();
    struct freespace_heap *heap = NULL;
    if (!c)
        status = cli_run_error(&diag, SIM_ERR_NOMEM);
    for (size_t i = 0; i < count && !status; i++) {
        freespace_heap_destroy(heap);
        heap = NULL;
        watch.calls = 0;
        if (!(status = replay_policy(a, config, names[i], peak_live, reading, &watch, &heap)))
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
        if (watch.picture)
            status = write_picture(a, watch.picture);
        if (fflush(stdout) || ferror(stdout)) {
            fprintf(stderr, "mmkit: cannot write the standard output\n");
            status = 1;
        }
    }
    freespace_heap_destroy(heap);
    freespace_comparison_destroy(c);
    freespace_picture_destroy(watch.picture);
    free((void *)watch.site_of_stack);
    return status;
}
