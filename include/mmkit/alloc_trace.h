/*
 * alloc_trace.h - reading the allocation traces libmmkit writes with
 * MMKIT_OPTIONS=trace=FILE: every malloc, calloc, realloc, aligned
 * allocation and free of a process, in the order they were made, and the
 * call stack of each allocation.  docs/ALLOC-TRACE.md describes the file
 * format.
 *
 *   char error[512];
 *   struct mmkit_alloc_trace *t = mmkit_alloc_trace_open(path, error, sizeof error);
 *   struct mmkit_alloc_record r;
 *   while (mmkit_alloc_trace_next(t, &r) == 1) {
 *       struct mmkit_alloc_frame f;
 *       if (r.stack && mmkit_alloc_trace_frame(t, r.stack, 0, &f) >= 0)
 *           printf("%s at %s:%u\n", f.function, f.file, f.line);
 *   }
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
    uint32_t stack;       /* the call's stack, for mmkit_alloc_trace_stack and _frame;
                             0: none recorded (frees, traces without stacks) */
};

/* One frame of a stack, named from the debug info of the file its code was
 * mapped from, as far as that file is still there (and is the same build). */
struct mmkit_alloc_frame {
    uint64_t pc;             /* the return address */
    const char *function;    /* "" if unknown */
    const char *file;        /* source file; "" without debug info */
    unsigned line;           /* 0 if unknown */
    const char *module;      /* the file the code was mapped from; "" if unknown */
    uint64_t module_address; /* pc in the module's own addresses (what addr2line takes) */
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

/* The frames of a stack as return addresses, innermost first, from the
 * program's call into the allocator: how many it has (0 if `stack` is not
 * defined yet, or 0), of which the first `max` are copied to pcs.  A stack
 * is defined by the time a record naming it has been read. */
MMKIT_API size_t mmkit_alloc_trace_stack(const struct mmkit_alloc_trace *trace, uint32_t stack,
                                         uint64_t *pcs, size_t max);

/* Frame `index` of a stack, named: 1 if its code lies in a recorded
 * mapping (function, file and line are filled as far as the file's symbols
 * and debug info tell; libdw is loaded for it, if installed), 0 if not
 * (only pc is known), -1 if there is no such frame.  The strings live
 * until the trace is closed. */
MMKIT_API int mmkit_alloc_trace_frame(struct mmkit_alloc_trace *trace, uint32_t stack,
                                      size_t index, struct mmkit_alloc_frame *frame);

/* "malloc", "calloc", "realloc", "aligned", "free"; "?" for others. */
MMKIT_API const char *mmkit_alloc_op_name(enum mmkit_alloc_op op);

MMKIT_API void mmkit_alloc_trace_close(struct mmkit_alloc_trace *trace);

#ifdef __cplusplus
}
#endif

#endif /* MMKIT_ALLOC_TRACE_H */
