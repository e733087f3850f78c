/*
 * locks.h - every lock of the allocator, in the one order in which they are
 * taken: a thread that holds a lock takes only locks further down the list.
 * fork() takes them all in that order (locks.c), so a fork from any thread,
 * at any moment, finds each structure whole in the child.  Every
 * acquisition checks the order, and aborts with a message if it is broken.
 */
#ifndef MMKIT_LOCKS_H
#define MMKIT_LOCKS_H

#include "platform.h"

typedef enum lock_id {
    LOCK_REPORT,        /* one error report at a time (report.c); prints and symbolizes */
    LOCK_SYMBOLIZER,    /* libdw's one Dwfl, which is not thread-safe (stack.c) */
    /* At fork, the C library's list of open FILEs comes here: the
     * symbolizer opens files, and threads inside stdio allocate. */
    LOCK_TRACE,         /* the allocation trace's buffer and file (trace_write.c) */
    LOCK_QUARANTINE,    /* the ring of freed blocks (quarantine.c) */
    LOCK_LIVE_FIRST,    /* the live list's 32 stripes, taken in index order (leaks.c) */
    LOCK_LIVE_LAST = LOCK_LIVE_FIRST + 31,
    LOCK_GUARDED,       /* the guarded area's slots (guarded.c) */
    LOCK_PRIVATE_HEAP,  /* the allocator's private heap (private_heap.c) */
    LOCK_GLOBAL,        /* heap registry, abandoned segments, huge blocks, secure blocks */
    LOCK_COUNT
} lock_id;

_Static_assert(LOCK_COUNT <= 64, "a thread's held locks fit one 64-bit mask");

void lock_take(lock_id id) INTERNAL;
void lock_release(lock_id id) INTERNAL;

/* Work a module does at fork with every lock held: `before` in the forking
 * thread, then `parent` in the parent or `child` in the child (where it is
 * the only thread).  Any may be NULL.  At start-up only.  The first call
 * installs the fork protocol. */
void fork_hook_register(void (*before)(void), void (*parent)(void), void (*child)(void))
    INTERNAL;

#endif /* MMKIT_LOCKS_H */
