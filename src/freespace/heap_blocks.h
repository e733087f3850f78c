/* heap_blocks.h - the blocks a replayed trace holds now, by the address
 * the program got for each, in an addr_table.  Only live blocks are kept
 * (and failed allocations until they are freed), so the memory follows
 * the program's live set and not the length of its trace. */
#ifndef MMKIT_FREESPACE_HEAP_BLOCKS_H
#define MMKIT_FREESPACE_HEAP_BLOCKS_H

#include "addr_table.h"
#include "block.h"

/* The live or failed block a slot holds.  A live block takes at least a
 * byte, so a size of 0 marks a failed one, whose address and size are
 * never used. */
static inline struct block heap_blocks_get(const struct addr_slot *slot)
{
    return (struct block){slot->value.block.addr, slot->value.block.size,
                          slot->value.block.request,
                          slot->value.block.size ? BLOCK_LIVE : BLOCK_FAILED};
}

/* Keep b, just placed, in slot. */
static inline void heap_blocks_keep(struct addr_slot *slot, const struct block *b)
{
    slot->value.block.addr = b->addr;
    slot->value.block.size = b->state == BLOCK_FAILED ? 0 : b->size;
    slot->value.block.request = b->request;
}

#endif
