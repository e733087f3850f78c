/*
 * alloc_trace.h - reading the allocation traces libmmkit writes with
 * MMKIT_OPTIONS=trace=FILE: every malloc, calloc, realloc, aligned
 * allocation and free of a process, in the order they were made.
 * docs/ALLOC-TRACE.md describes the file format.
 *
 *   char error[512];
 *   struct mmkit_alloc_trace *t = mmkit_alloc_trace_open(path, error, sizeof error);
 *   struct mmkit_alloc_record r;
 *   while (mmkit_alloc_trace_next(t, &r) == 1) ...
 *   mmkit_alloc_trace_close(t);
 */
#ifndef MMKIT_ALLOC_TRACE_H
#define MMKIT_ALLOC_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "mmkit/mmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mmkit_alloc_op {
    MMKIT_ALLOC_MALLOC = 1,
    MMKIT_ALLOC_CALLOC = 2,  /* size is count * size */
    MMKIT_ALLOC_REALLOC = 3,
    MMKIT_ALLOC_ALIGNED = 4, /* aligned_alloc, memalign, posix_memalign, valloc, ... */
    MMKIT_ALLOC_FREE = 5,
};

struct mmkit_alloc_record {
    enum mmkit_alloc_op op;
    uint32_t thread;      /* 0, 1, 2, ... in the order of each thread's first call */
    uint32_t tid;         /* the thread's id in the OS */
    uint64_t time_ns;     /* since the trace started */
    uint64_t address;     /* the block returned (0: the call failed) or freed */
    uint64_t size;        /* bytes asked for; UINT64_MAX for a calloc whose product overflows */
    uint64_t alignment;   /* MMKIT_ALLOC_ALIGNED only; else 0 */
    uint64_t old_address; /* MMKIT_ALLOC_REALLOC only: the block passed in; else 0 */
};

/* What the header tells about the traced process. */
struct mmkit_alloc_trace_info {
    uint32_t pid, parent_pid;
    uint64_t start_monotonic_ns; /* CLOCK_MONOTONIC when the trace started */
    uint64_t start_realtime_ns;  /* and the wall clock, ns since 1970 */
};

struct mmkit_alloc_trace;

/* Open a trace and check its header; NULL with the reason, naming the file,
 * in error (e.g. "FILE: not an mmkit allocation trace"). */
MMKIT_API struct mmkit_alloc_trace *mmkit_alloc_trace_open(const char *path, char *error,
                                                           size_t error_size);

MMKIT_API const struct mmkit_alloc_trace_info *mmkit_alloc_trace_info(
    const struct mmkit_alloc_trace *trace);

/* The next record: 1 if one was read, 0 at the end of the trace, -1 on a
 * malformed record (then mmkit_alloc_trace_error says which, by offset, and
 * every later call returns -1 too). */
MMKIT_API int mmkit_alloc_trace_next(struct mmkit_alloc_trace *trace,
                                     struct mmkit_alloc_record *record);

/* "FILE: offset N: truncated record", ...; "" if there was no error. */
MMKIT_API const char *mmkit_alloc_trace_error(const struct mmkit_alloc_trace *trace);

/* "malloc", "calloc", "realloc", "aligned", "free"; "?" for others. */
MMKIT_API const char *mmkit_alloc_op_name(enum mmkit_alloc_op op);

MMKIT_API void mmkit_alloc_trace_close(struct mmkit_alloc_trace *trace);

#ifdef __cplusplus
}
#endif

#endif /* MMKIT_ALLOC_TRACE_H */
