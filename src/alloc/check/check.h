/*
 * check.h - the checking modes (hardened, debug, sample, and the leak,
 * trace and valgrind features), a layer between the mmkit_* entry points
 * and the core allocator.  In fast mode the layer is off and costs each
 * entry point one predictable branch on check_mode_on().
 */
#ifndef MMKIT_CHECK_H
#define MMKIT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lookup.h"
#include "platform.h"

struct mmkit_heap;

/* Nonzero while calls must go through check_*: from load until start-up
 * has read the options, and for good in any mode but plain fast.
 * CHECK_HARDENED: hardened mode and nothing more, whose commonest calls
 * (malloc, free) the entry points serve themselves, with the core's keyed
 * paths.  CHECK_SAMPLE: the same for sample mode, whose entry points send
 * only the sampled allocations, and frees of guarded blocks, to the layer. */
enum { CHECK_OFF, CHECK_HARDENED, CHECK_SAMPLE, CHECK_ON };
extern uint8_t check_active INTERNAL;

/* check_active as the calls read it: an atomic load, because the private
 * heap's hooks change it while other threads call in. */
static inline uint8_t check_mode(void)
{
    return __atomic_load_n(&check_active, __ATOMIC_RELAXED);
}

/* Is any checking on?  The entry points' one branch. */
static inline bool check_mode_on(void)
{
    return !byte_equals(&check_active, CHECK_OFF);
}

/* Sample mode: allocations of this thread until the next guarded one
 * (0: not drawn yet). */
extern __thread uint64_t sample_countdown INTERNAL;
bool check_sample_next(void) INTERNAL;

/* Sample mode: is this allocation of the thread one to guard? */
static inline bool check_sample_due(void)
{
    if (__builtin_expect(sample_countdown > 1, 1)) {
        sample_countdown--;
        return false;
    }
    return check_sample_next();
}

/* Sample mode: a guarded block, or a plain one when the pool is full or
 * the block too big for it. */
void *check_alloc_sampled(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
    INTERNAL;

/* Called once by start-up, after the options are read and before anything
 * can allocate: decides the mode and prepares what it needs. */
void check_init(void) INTERNAL;

/* The checked twins of the core calls.  alignment 0: the default. */
void *check_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero) INTERNAL;
void check_free(void *ptr) INTERNAL;
/* Hardened mode: the core refused to free ptr (block_free_if_live said
 * `verdict`); report it. */
void check_free_refused(void *ptr, block_check verdict) INTERNAL;
void *check_realloc(struct mmkit_heap *heap, void *ptr, size_t size) INTERNAL;
size_t check_usable_size(const void *ptr) INTERNAL;
/* A pool is destroyed: forget its blocks (quarantine, live list). */
void check_heap_destroyed(struct mmkit_heap *heap) INTERNAL;

#endif /* MMKIT_CHECK_H */
