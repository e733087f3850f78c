/* heap_blocks.c - the table of live blocks: it doubles when three slots in
 * four are taken, and a removal shifts back the slots after the emptied
 * one that would no longer be found past it. */
#include <stdlib.h>

#include "heap_blocks.h"
#include "mmkit/sim.h"

#define FIRST_SLOTS 64

static struct heap_slot *empty_slots(uint64_t count)
{
    struct heap_slot *slot = malloc(sizeof *slot * count);
    for (uint64_t i = 0; slot && i < count; i++)
        slot[i].key = HEAP_BLOCKS_NO_KEY;
    return slot;
}

int heap_blocks_init(struct heap_blocks *blocks)
{
    *blocks = (struct heap_blocks){.slot = empty_slots(FIRST_SLOTS), .mask = FIRST_SLOTS - 1};
    return blocks->slot ? SIM_OK : SIM_ERR_NOMEM;
}

void heap_blocks_free(struct heap_blocks *blocks)
{
    free(blocks->slot);
    blocks->slot = NULL;
}

static struct heap_slot *slot_for(struct heap_blocks *blocks, uint64_t key)
{
    uint64_t i = heap_blocks_home(blocks, key);
    while (blocks->slot[i].key != HEAP_BLOCKS_NO_KEY)
        i = (i + 1) & blocks->mask;
    return &blocks->slot[i];
}

static int grow(struct heap_blocks *blocks)
{
    struct heap_blocks bigger = {.mask = blocks->mask * 2 + 1, .count = blocks->count};
    if (bigger.mask < blocks->mask || !(bigger.slot = empty_slots(bigger.mask + 1)))
        return SIM_ERR_NOMEM;
    for (uint64_t i = 0; i <= blocks->mask; i++)
        if (blocks->slot[i].key != HEAP_BLOCKS_NO_KEY)
            *slot_for(&bigger, blocks->slot[i].key) = blocks->slot[i];
    free(blocks->slot);
    *blocks = bigger;
    return SIM_OK;
}

struct heap_slot *heap_blocks_add(struct heap_blocks *blocks, uint64_t key)
{
    if ((blocks->count + 1) * 4 > (blocks->mask + 1) * 3 && grow(blocks))
        return NULL;
    struct heap_slot *s = slot_for(blocks, key);
    s->key = key;
    blocks->count++;
    return s;
}

void heap_blocks_remove(struct heap_blocks *blocks, struct heap_slot *slot)
{
    uint64_t hole = (uint64_t)(slot - blocks->slot);
    for (uint64_t i = (hole + 1) & blocks->mask; blocks->slot[i].key != HEAP_BLOCKS_NO_KEY;
         i = (i + 1) & blocks->mask) {
        /* The slot at i may move into the hole unless its home lies
         * (cyclically) after the hole and up to i. */
        uint64_t home = heap_blocks_home(blocks, blocks->slot[i].key);
        if (((i - home) & blocks->mask) >= ((i - hole) & blocks->mask)) {
            blocks->slot[hole] = blocks->slot[i];
            hole = i;
        }
    }
    blocks->slot[hole].key = HEAP_BLOCKS_NO_KEY;
    blocks->count--;
}
