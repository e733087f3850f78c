/*
 * api.h - the top layer: start-up (init.c), the mmkit_* entry points and
 * their dispatch by mode (entry.c), and the standard names (override.c).
 */
#ifndef MMKIT_API_H
#define MMKIT_API_H

#include "check.h"
#include "core.h"
#include "platform.h"

/* Runs once, before the first allocation is served; cheap afterwards. */
void mmkit_init(void) INTERNAL;

/* malloc and free in a checking mode, and before start-up (entry.c).  Out
 * of line, so that the fast paths below test the mode once and need no
 * stack frame. */
__attribute__((noinline)) void *malloc_by_mode(size_t size) INTERNAL;
__attribute__((noinline)) void free_by_mode(void *ptr) INTERNAL;

/* The bodies of mmkit_malloc and mmkit_free, inlined into them and into
 * the standard names (override.c), so that malloc and free run the fast
 * path themselves rather than jump to it. */
static inline void *entry_malloc(size_t size)
{
    if (unlikely(check_mode_on()))
        return malloc_by_mode(size);
    return heap_malloc(thread_heap, size, false);
}

static inline void entry_free(void *ptr)
{
    if (unlikely(check_mode_on())) {
        free_by_mode(ptr);
        return;
    }
    core_free_inline(ptr, false);
}

#endif /* MMKIT_API_H */
