/* live_table.h - the blocks live at a point of an allocation trace, by
 * address: each with its size and a number of the caller's (the site that
 * allocated it, say).  Open addressing with linear probing. */
#ifndef MMKIT_CLI_LIVE_TABLE_H
#define MMKIT_CLI_LIVE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmkit/alloc_trace.h"

typedef struct live_table {
    uint64_t *address; /* 0: an empty slot */
    uint64_t *size;
    uint32_t *tag;
    size_t capacity;   /* a power of two */
    size_t count;
} live_table;

/* false if out of memory (then live_table_free it all the same). */
bool live_table_init(live_table *t, size_t capacity);
void live_table_free(live_table *t);
/* Add or replace a block; false if out of memory. */
bool live_table_put(live_table *t, uint64_t address, uint64_t size, uint32_t tag);
/* Remove a block: true, with its size and tag, if it was there. */
bool live_table_take(live_table *t, uint64_t address, uint64_t *size, uint32_t *tag);

/* What a record does to the live blocks: the block it frees (a free, or a
 * realloc that moved or freed its block) and the one it makes live. */
struct live_change {
    uint64_t freed;     /* 0: none */
    uint64_t allocated; /* 0: none */
};
struct live_change live_change_of(const struct mmkit_alloc_record *r);

#endif
