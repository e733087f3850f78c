/* heap_blocks.h - the blocks a replayed trace holds now, by the address
 * the program got for each.  Only live blocks are kept (and failed
 * allocations until they are freed), so the memory follows the program's
 * live set and not the length of its trace.
 *
 * One flat table, open addressing with linear probing and deletion by
 * shifting back (no tombstones): a lookup is a hash and, mostly, one
 * slot. */
#ifndef MMKIT_FREESPACE_HEAP_BLOCKS_H
#define MMKIT_FREESPACE_HEAP_BLOCKS_H

#include <stdint.h>

#include "block.h"

/* No program's block has this address: it marks an empty slot. */
#define HEAP_BLOCKS_NO_KEY UINT64_MAX

struct heap_slot {
    uint64_t key; /* the program's address */
    struct block block;
};

struct heap_blocks {
    struct heap_slot *slot; /* a power of two of them */
    uint64_t mask;          /* slots - 1 */
    uint64_t count;         /* keys held */
};

/* 0 or SIM_ERR_NOMEM. */
int heap_blocks_init(struct heap_blocks *blocks);
void heap_blocks_free(struct heap_blocks *blocks);

static inline uint64_t heap_blocks_home(const struct heap_blocks *blocks, uint64_t key)
{
    /* Fibonacci hashing: addresses that differ only in their low bits
     * (16-byte aligned ones) spread over the whole table. */
    return (key * 0x9e3779b97f4a7c15ull) >> 32 & blocks->mask;
}

/* The slot of key; NULL if there is none. */
static inline struct heap_slot *heap_blocks_find(const struct heap_blocks *blocks, uint64_t key)
{
    for (uint64_t i = heap_blocks_home(blocks, key);; i = (i + 1) & blocks->mask) {
        struct heap_slot *s = &blocks->slot[i];
        if (s->key == key)
            return s;
        if (s->key == HEAP_BLOCKS_NO_KEY)
            return NULL;
    }
}

/* A slot for key, which must not be held, with its key set and its block
 * left to the caller; NULL if out of memory.  Pointers into the table
 * from before the call may no longer be valid. */
struct heap_slot *heap_blocks_add(struct heap_blocks *blocks, uint64_t key);
/* Give back a slot found in the table. */
void heap_blocks_remove(struct heap_blocks *blocks, struct heap_slot *slot);

#endif
