/*
 * cmd_trace_dump.c - `mmkit trace --dump FILE`: an allocation trace as
 * text, one line per call, as JSON, one object per line, or as a picture
 * of the live bytes over the run (--svg); with --summary, --flame, --heap
 * or --folded, the heap profile: who allocated what (heap_profile.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alloc_trace_svg.h"
#include "cli.h"
#include "heap_profile.h"
#include "mmkit/alloc_trace.h"

/* An address as text: NULL or hex. */
static const char *address_text(uint64_t address, char *out, size_t size)
{
    if (!address)
        return "NULL";
    snprintf(out, size, "0x%" PRIx64, address);
    return out;
}

/*   1234567 t0  realloc 0x7f0000001000 -> 0x7f0000002000 48 */
static void print_text(const struct mmkit_alloc_record *r)
{
    char address[24], old[24];
    printf("%12" PRIu64 " t%-3" PRIu32 " %-7s ", r->time_ns, r->thread, mmkit_alloc_op_name(r->op));
    if (r->op == MMKIT_ALLOC_REALLOC)
        printf("%s -> ", address_text(r->old_address, old, sizeof old));
    printf("%s", address_text(r->address, address, sizeof address));
    if (r->op != MMKIT_ALLOC_FREE)
        printf(" %" PRIu64, r->size);
    if (r->op == MMKIT_ALLOC_ALIGNED)
        printf(" align %" PRIu64, r->alignment);
    if (r->stack)
        printf(" stack %" PRIu32, r->stack);
    putchar('\n');
}

/* Addresses are numbers (0 for NULL), like sizes. */
static void print_json(const struct mmkit_alloc_record *r)
{
    printf("{\"time_ns\": %" PRIu64 ", \"thread\": %" PRIu32 ", \"tid\": %" PRIu32
           ", \"op\": \"%s\", \"address\": %" PRIu64,
           r->time_ns, r->thread, r->tid, mmkit_alloc_op_name(r->op), r->address);
    if (r->op != MMKIT_ALLOC_FREE)
        printf(", \"size\": %" PRIu64, r->size);
    if (r->op == MMKIT_ALLOC_ALIGNED)
        printf(", \"alignment\": %" PRIu64, r->alignment);
    if (r->op == MMKIT_ALLOC_REALLOC)
        printf(", \"old_address\": %" PRIu64, r->old_address);
    if (r->stack)
        printf(", \"stack\": %" PRIu32, r->stack);
    printf("}\n");
}

static void print_info(const struct mmkit_alloc_trace_info *info)
{
    time_t seconds = (time_t)(info->start_realtime_ns / 1000000000u);
    struct tm tm;
    char when[64] = "?";
    if (gmtime_r(&seconds, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("# mmkit allocation trace of process %" PRIu32 " (parent %" PRIu32 "), started %s\n"
           "# time_ns thread op address size\n",
           info->pid, info->parent_pid, when);
}

/* --svg: the picture instead of the text. */
static int draw(const char *path, const char *svg_path)
{
    struct output_file out;
    if (output_file_open(&out, svg_path, &path, 1))
        return 1;
    char error[700];
    if (alloc_trace_svg(path, out.file, error, sizeof error)) {
        output_file_discard(&out);
        fprintf(stderr, "mmkit: %s\n", error);
        return 1;
    }
    return output_file_commit(&out);
}

/* The profile's pictures, each to a file of its own. */
struct picture {
    const char *path;
    int (*write)(struct heap_profile *, FILE *);
    struct output_file file;
};

static int write_timeline(struct heap_profile *p, FILE *out)
{
    return heap_timeline_svg(p, out);
}

/* --summary, --flame, --heap, --folded: every output is opened before the
 * trace is read (an output that is the input is refused), and all are
 * written whole, or none. */
static int profile(const struct trace_args *a)
{
    struct picture pictures[] = {
        {a->flame, heap_flame_svg, {0}},
        {a->heap, write_timeline, {0}},
        {a->folded, heap_folded, {0}},
    };
    size_t count = sizeof pictures / sizeof pictures[0], opened = 0;
    int status = 0;
    for (; opened < count && !status; opened++)
        if (pictures[opened].path)
            status = output_file_open(&pictures[opened].file, pictures[opened].path, &a->in, 1);
    struct heap_profile p = {0};
    char error[700];
    if (!status && heap_profile_read(&p, a->in, a->top, a->heap != NULL, error, sizeof error)) {
        fprintf(stderr, "mmkit: %s\n", error);
        status = 1;
    }
    if (!status && a->summary &&
        (a->json ? heap_report_json(&p, a->top, stdout) : heap_report_text(&p, a->top, stdout))) {
        fprintf(stderr, "mmkit: trace --dump: cannot write the output\n");
        status = 1;
    }
    for (size_t i = 0; i < count && !status; i++)
        if (pictures[i].path && pictures[i].write(&p, pictures[i].file.file)) {
            fprintf(stderr, "mmkit: %s: cannot write it\n", pictures[i].path);
            status = 1;
        }
    for (size_t i = 0; i < count && !status; i++)
        if (pictures[i].path)
            status = output_file_commit(&pictures[i].file);
    for (size_t i = 0; i < opened; i++)
        if (pictures[i].path)
            output_file_discard(&pictures[i].file);
    heap_profile_free(&p);
    if (!status && fflush(stdout) != 0) {
        fprintf(stderr, "mmkit: trace --dump: cannot write the output\n");
        status = 1;
    }
    return status;
}

int cmd_trace_dump(const struct trace_args *a)
{
    const char *path = a->in;
    bool json = a->json;
    if (a->summary || a->flame || a->heap || a->folded) {
        int status = profile(a);
        return status ? status : a->svg ? draw(path, a->svg) : 0;
    }
    if (a->svg)
        return draw(path, a->svg);

    char error[700];
    struct mmkit_alloc_trace *trace = mmkit_alloc_trace_open(path, error, sizeof error);
    if (!trace) {
        fprintf(stderr, "mmkit: %s\n", error);
        return 1;
    }
    if (!json)
        print_info(mmkit_alloc_trace_info(trace));
    struct mmkit_alloc_record r;
    int got;
    while ((got = mmkit_alloc_trace_next(trace, &r)) == 1)
        (json ? print_json : print_text)(&r);
    if (got < 0)
        fprintf(stderr, "mmkit: %s\n", mmkit_alloc_trace_error(trace));
    mmkit_alloc_trace_close(trace);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "mmkit: trace --dump: cannot write the output\n");
        return 1;
    }
    return got < 0;
}
