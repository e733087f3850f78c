/*
 * block_header.h - what the checking modes keep just before each block:
 *
 *   [track_header]  debug mode and leaks=1: live-list links and stacks
 *   [seal_header]   every mode with headers: the size asked for and a seal
 *   user block      aligned as asked
 *   [canary bytes]  debug mode: to the end of the allocator's block
 *
 * The seal is a keyed hash of the block's address with its state in the
 * low byte and a canary in the high one (the byte before the block), so a
 * pointer that is not a block we handed out (a forged one, a pointer into
 * a block) fails the check, and a freed block says so.  The
 * allocator's free list writes the first word of the allocator's block,
 * which is the header's first word: the seal comes last, so it survives.
 */
#ifndef MMKIT_BLOCK_HEADER_H
#define MMKIT_BLOCK_HEADER_H

#include <stdint.h>

#include "stack.h"

typedef struct seal_header {
    uint64_t size; /* bytes the program asked for */
    uint64_t seal;
} seal_header;

typedef struct track_header {
    struct track_header *prev, *next; /* in the list of live blocks */
    stack_id alloc_stack, free_stack;
    uint64_t unused; /* keeps the size a multiple of 16 */
} track_header;

_Static_assert(sizeof(seal_header) == 16 && sizeof(track_header) == 32,
               "headers keep blocks 16-byte aligned");

static inline seal_header *seal_of(const void *user)
{
    return (seal_header *)user - 1;
}

static inline track_header *track_of(const void *user)
{
    return (track_header *)seal_of(user) - 1;
}

static inline void *user_of_track(const track_header *t)
{
    return (uint8_t *)(t + 1) + sizeof(seal_header);
}

#endif /* MMKIT_BLOCK_HEADER_H */
