/*
 * quarantine.h - freed blocks wait here, first in first out, before they go
 * back to the allocator, so a use after free finds the block still poisoned
 * and a late double free still finds it freed.  Bounded by bytes.
 */
#ifndef MMKIT_QUARANTINE_H
#define MMKIT_QUARANTINE_H

#include <stdbool.h>
#include <stddef.h>

#include "platform.h"

/* Hold up to max_bytes of freed blocks.  False if the OS refuses memory
 * for the queue (the quarantine then stays off). */
bool quarantine_init(size_t max_bytes) INTERNAL;

/* Queue a freed block of `bytes`; `release` is called (outside any lock)
 * for every block that leaves the queue to make room. */
void quarantine_push(void *block, size_t bytes, void (*release)(void *block)) INTERNAL;

/* Take out of the queue the first block at or after *cursor (a place in
 * the queue, oldest first; start at 0) for which `pick` says true, and
 * move *cursor past it; NULL when none is left.  A block taken is never
 * released: the caller keeps it. */
void *quarantine_take_if(size_t *cursor, bool (*pick)(void *block)) INTERNAL;

/* Drop the queued blocks for which `doomed` says true, without releasing
 * them (their memory is going away at once: a pool being destroyed). */
void quarantine_drop_if(bool (*doomed)(void *block, void *arg), void *arg) INTERNAL;

#endif /* MMKIT_QUARANTINE_H */
