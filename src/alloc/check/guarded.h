/*
 * guarded.h - blocks on pages of their own with an inaccessible guard page
 * after them (Electric Fence style), so the first access past a block
 * faults.  Used for every block with guard=all, for one allocation in
 * sample_rate with mode=sample (GWP-ASan style, from a fixed pool of slots),
 * and in debug mode for blocks of up to a page while a budget of them
 * lasts.  Freed blocks become inaccessible and wait in a quarantine (in
 * debug mode, for good), so a later use faults too.  A fault in the guarded
 * area is reported through report_error as a heap overflow, underflow or
 * use after free.
 */
#ifndef MMKIT_GUARDED_H
#define MMKIT_GUARDED_H

#include <stdbool.h>
#include <stddef.h>

#include "platform.h"
#include "stack.h"

/* With guard=all and no quarantine option: the address space freed slots
 * hold before reuse. */
#define GUARDED_ALL_QUARANTINE_DEFAULT ((size_t)64 << 20)

typedef enum guarded_kind {
    GUARDED_ALL,   /* guard=all: any block; a freed slot serves again after the quarantine */
    GUARDED_POOL,  /* sample mode: `count` slots of up to 64 KiB, half of them in quarantine */
    GUARDED_SMALL, /* debug mode: `count` blocks of up to a page, live or freed: a freed
                      block's slot stays inaccessible for good, its memory given back */
} guarded_kind;

/* Reserve the guarded area (fault.h's handler reports its faults).  count
 * is unused for GUARDED_ALL.  False, with a message on stderr, if it
 * cannot. */
bool guarded_init(guarded_kind kind, size_t count) INTERNAL;

/* Debug mode's area: how many blocks `bytes` of address space hold, slots
 * and the tables that describe them. */
size_t guarded_small_blocks_in(size_t bytes) INTERNAL;

/* A block of `size` bytes aligned to `alignment` (a power of two, or 0 for
 * the default 16), ending as near the guard page as alignment allows; the
 * bytes between its end and the guard hold a pattern checked on free.
 * NULL if the block is too big for the area's slots, the pool is full, the
 * budget spent (said once on stderr) or the OS refuses: the caller then
 * falls back to the normal allocator; errno is left alone. */
void *guarded_alloc(size_t size, size_t alignment, stack_id alloc_stack) INTERNAL;

/* Debug mode's area: is the block one of up to a page, and the budget not
 * spent yet?  Other areas: true.  (No lock: a hint, that spares a caller
 * the stack it would capture for guarded_alloc.) */
bool guarded_may_take(size_t size, size_t alignment) INTERNAL;

/* Is p anywhere in the guarded area?  (One range check.) */
bool guarded_owns(const void *p) INTERNAL;

/* Free a block of the guarded area: reports a double free, an invalid free
 * (not the start of a live block) or a heap overflow/underflow found in
 * the pattern around the block. */
void guarded_free(void *p, stack_id free_stack) INTERNAL;

/* A realloc of p, which guarded_size says is no live block: report a
 * realloc of a freed block (with its stacks) or an invalid realloc. */
void guarded_realloc_refused(const void *p) INTERNAL;

/* Report a fault at `address` (fault.c) if it is in the guarded area, and
 * abort; false if it is not.  access: "read", "write" or "read or write". */
bool guarded_fault(const void *address, const char *access) INTERNAL;

/* Is p a live block?  Then *size is the size it was allocated with. */
bool guarded_size(const void *p, size_t *size) INTERNAL;

/* The leak report's view.  guarded_freeze holds the area as it is, no
 * block allocated or freed, until guarded_thaw: its live blocks stay
 * readable while they are scanned.  Meanwhile guarded_live calls visit
 * (unless NULL) for each live block and returns how many there are. */
void guarded_freeze(void) INTERNAL;
size_t guarded_live(void (*visit)(void *arg, uintptr_t block, size_t size, stack_id alloc_stack),
                    void *arg) INTERNAL;
void guarded_thaw(void) INTERNAL;

/* Is p in the area's own memory: its region, or the tables that describe
 * its slots (which point at every block)?  None of it is a root of the
 * leak report's scan. */
bool guarded_bookkeeping(const void *p) INTERNAL;

#endif /* MMKIT_GUARDED_H */
