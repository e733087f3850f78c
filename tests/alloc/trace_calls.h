/*
 * trace_calls.h - a known sequence of calls to the allocation trace writer,
 * for the tests of the trace format: call i of test thread t, and the
 * record the reader must give back for it.  Addresses are made up (the
 * writer records them as they are); thread t's lie in a range of their own,
 * so switching threads moves the address far up or down.
 *
 * Include after test_util.h, in a program linked with mmkit_api.
 */
#ifndef MMKIT_TRACE_CALLS_H
#define MMKIT_TRACE_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "mmkit/alloc_trace.h"
#include "trace_write.h"

static inline uint64_t trace_call_address(unsigned t, unsigned i)
{
    return ((uint64_t)(t + 1) << 40) + (uint64_t)i * 48;
}

#define AS_POINTER(a) ((void *)(uintptr_t)(a))

/* The record of call i of thread t (thread and time left 0); with `make`,
 * also make the call. */
static inline struct mmkit_alloc_record trace_call(unsigned t, unsigned i, bool make)
{
    uint64_t a = trace_call_address(t, i), before = trace_call_address(t, i - 1);
    struct mmkit_alloc_record r = {.op = MMKIT_ALLOC_MALLOC, .address = a, .size = i};
    switch (i % 10) {
    case 0: /* sizes of several varint bytes */
        r.size = (uint64_t)i * 4097;
        if (make)
            trace_malloc(AS_POINTER(a), r.size, 0);
        break;
    case 1:
        r.op = MMKIT_ALLOC_CALLOC;
        r.size = 3 * (uint64_t)i;
        if (make)
            trace_calloc(AS_POINTER(a), i, 3);
        break;
    case 2:
        r.op = MMKIT_ALLOC_REALLOC;
        r.old_address = before;
        if (make)
            trace_realloc(AS_POINTER(before), AS_POINTER(a), i);
        break;
    case 3:
        r.op = MMKIT_ALLOC_ALIGNED;
        r.alignment = (uint64_t)1 << (i % 13);
        if (make)
            trace_malloc(AS_POINTER(a), i, r.alignment);
        break;
    case 4:
        r.op = MMKIT_ALLOC_FREE;
        r.size = 0;
        if (make)
            trace_free(AS_POINTER(a));
        break;
    case 5: /* free(NULL) */
        r = (struct mmkit_alloc_record){.op = MMKIT_ALLOC_FREE};
        if (make)
            trace_free(NULL);
        break;
    case 6: /* count * size overflows: the call failed */
        r = (struct mmkit_alloc_record){.op = MMKIT_ALLOC_CALLOC, .size = UINT64_MAX};
        if (make)
            trace_calloc(NULL, SIZE_MAX, i);
        break;
    case 7: /* realloc(NULL, n) */
        r.op = MMKIT_ALLOC_REALLOC;
        if (make)
            trace_realloc(NULL, AS_POINTER(a), i);
        break;
    case 8: /* a failed realloc */
        r = (struct mmkit_alloc_record){.op = MMKIT_ALLOC_REALLOC, .old_address = before,
                                        .size = (uint64_t)1 << 62};
        if (make)
            trace_realloc(AS_POINTER(before), NULL, r.size);
        break;
    case 9: /* the top of the address space */
        r.address = UINT64_MAX - 15 - i;
        if (make)
            trace_malloc(AS_POINTER(r.address), i, 0);
        break;
    }
    return r;
}

#endif /* MMKIT_TRACE_CALLS_H */
