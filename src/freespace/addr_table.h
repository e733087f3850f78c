/* addr_table.h - a flat hash table keyed by address: the live blocks of a
 * replayed trace by the address the program got for each (heap_blocks.h),
 * the boundary tags of the holes of a heap kept by class (hole_tags.h),
 * and the colour of each block a replay's picture draws (replay_picture.h).
 *
 * Open addressing with linear probing and deletion by shifting back (no
 * tombstones): a lookup is a hash and, mostly, one slot.  A slot is 32
 * bytes, two to a cache line and never across two: the table of a large
 * trace's live blocks is far larger than the caches, and nearly every
 * lookup is a miss, so its size is what a lookup costs. */
#ifndef MMKIT_FREESPACE_ADDR_TABLE_H
#define MMKIT_FREESPACE_ADDR_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No key is this address: it marks an empty slot. */
#define ADDR_TABLE_NO_KEY UINT64_MAX

struct addr_slot {
    uint64_t key;
    union { /* what the key stands for, as the table's user reads it */
        struct {
            uint64_t addr, size, request; /* heap_blocks.h */
        } block;
        struct {
            uint64_t starting, ending; /* hole_tags.h */
        } tags;
        uint64_t colour; /* replay_picture.h */
    } value;
};

struct addr_table {
    struct addr_slot *slot; /* a power of two of them */
    uint64_t mask;          /* slots - 1 */
    uint64_t count;         /* keys held */
};

/* 0 or SIM_ERR_NOMEM. */
int addr_table_init(struct addr_table *table);
void addr_table_free(struct addr_table *table);

static inline uint64_t addr_table_home(const struct addr_table *table, uint64_t key)
{
    /* Fibonacci hashing: addresses that differ only in their low bits
     * (16-byte aligned ones) spread over the whole table. */
    return (key * 0x9e3779b97f4a7c15ull) >> 32 & table->mask;
}

/* The slot of key; NULL if there is none. */
static inline struct addr_slot *addr_table_find(const struct addr_table *table, uint64_t key)
{
    for (uint64_t i = addr_table_home(table, key);; i = (i + 1) & table->mask) {
        struct addr_slot *s = &table->slot[i];
        if (s->key == key)
            return s;
        if (s->key == ADDR_TABLE_NO_KEY)
            return NULL;
    }
}

/* The slot of key, taken for it if it had none (then *held is false and
 * its value is left to the caller): one walk whether or not key is held.
 * NULL if out of memory.  Pointers into the table from before the call
 * may no longer be valid. */
struct addr_slot *addr_table_claim(struct addr_table *table, uint64_t key, bool *held);
/* Give back a slot found in the table. */
void addr_table_remove(struct addr_table *table, struct addr_slot *slot);

#endif
