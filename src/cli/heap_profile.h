/*
 * heap_profile.h - who allocated what, from an allocation trace with stacks:
 * the peak of the live bytes and the sites (the allocating frames) behind
 * it, the sites by calls, by temporary allocations and by what they leaked,
 * and the bytes each stack allocated.  `mmkit trace --dump --summary`
 * prints it (heap_report.c); --flame, --folded (flame_svg.c) and --heap
 * (heap_svg.c) draw it.
 */
#ifndef MMKIT_CLI_HEAP_PROFILE_H
#define MMKIT_CLI_HEAP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mmkit/alloc_trace.h"

/* Where allocations were made: the first frame of their stacks outside
 * libmmkit, the C library and the standard allocation functions. */
struct heap_site {
    const char *function, *file, *module; /* "" if unknown */
    unsigned line;
    uint64_t module_address; /* of the frame, when nothing names it */
    /* over the run */
    uint64_t calls, bytes; /* allocation calls, bytes they asked for */
    uint64_t temporary;    /* allocations freed before any other allocation was made */
    uint64_t live, live_max;
    /* at the peak and at the end */
    uint64_t peak_bytes, peak_blocks;
    uint64_t leaked_bytes, leaked_blocks;
};

/* The heap over time with the top sites apart (--heap). */
#define HEAP_POINTS 240
struct heap_timeline {
    size_t sites;          /* the top sites drawn, at most --top */
    uint32_t *site;        /* their indices in heap_profile.sites */
    double x[HEAP_POINTS]; /* time, ms */
    double *bytes;         /* [point * (sites + 1) + k]: site k, then all the others */
};

struct heap_profile {
    const char *path;
    struct mmkit_alloc_trace *trace; /* open: names the stacks' frames */
    struct mmkit_alloc_trace_info info;
    bool stacks;                     /* some allocation had a stack */
    uint64_t records, allocations, frees, failed, bytes, temporary;
    uint64_t end_ns;
    uint64_t peak_bytes, peak_blocks, peak_ns, peak_record;
    uint64_t leaked_bytes, leaked_blocks;
    struct heap_site *sites;
    size_t site_count, sites_capacity;
    /* by stack id (0: allocations without one) */
    struct heap_stack {
        uint32_t site;  /* the site's index + 1; 0: not yet known */
        uint32_t cut;   /* frames in the allocator, before the site's */
        uint64_t bytes; /* allocated */
    } *stack;
    size_t stack_capacity;
    struct heap_timeline timeline;
    /* the site table by its key */
    uint32_t *site_index;
    size_t site_index_capacity;
};

/* Read the trace at `path` (twice: once for the totals, then up to the peak
 * for the sites behind it, and with `timeline` also the heap over time of
 * the `top` sites).  0, or -1 with a message naming the file in `error`. */
int heap_profile_read(struct heap_profile *profile, const char *path, unsigned top,
                      bool timeline, char *error, size_t error_size);
void heap_profile_free(struct heap_profile *profile);

/* A site as text: "function at file:line", "function (module+0x1f)", ... */
void heap_site_text(const struct heap_site *site, char *out, size_t size);

/* Frame `index` of a stack as flame graphs name it: the function, or the
 * module and address. */
void heap_frame_name(struct heap_profile *profile, uint32_t stack, size_t index, char *out,
                     size_t size);

/* The outputs (heap_report.c, flame_svg.c, heap_svg.c); each returns 0, or
 * -1 if writing failed. */
int heap_report_text(const struct heap_profile *profile, unsigned top, FILE *out);
int heap_report_json(const struct heap_profile *profile, unsigned top, FILE *out);
int heap_flame_svg(struct heap_profile *profile, FILE *out);
int heap_folded(struct heap_profile *profile, FILE *out);
int heap_timeline_svg(const struct heap_profile *profile, FILE *out);

#endif
