/* addr_table.c - the table keyed by address: it doubles when three slots
 * in four are taken, and a removal shifts back the slots after the
 * emptied one that would no longer be found past it. */
#include <stdlib.h>
#include <sys/mman.h>

#include "addr_table.h"
#include "mmkit/sim.h"

#define FIRST_SLOTS 64
#define CACHE_LINE 64

_Static_assert(sizeof(struct addr_slot) == 32 && CACHE_LINE % sizeof(struct addr_slot) == 0,
               "slots tile cache lines, and FIRST_SLOTS of them fill whole lines");

/* A table this large is laid on huge pages where the system gives them
 * on request: every lookup lands on a page of its own, and with small
 * pages nearly every one would also miss the TLB. */
#define HUGE_PAGE (2u << 20)

static struct addr_slot *empty_slots(uint64_t count)
{
    size_t bytes = sizeof(struct addr_slot) * count;
    struct addr_slot *slot = aligned_alloc(bytes >= HUGE_PAGE ? HUGE_PAGE : CACHE_LINE, bytes);
    if (slot && bytes >= HUGE_PAGE)
        madvise(slot, bytes, MADV_HUGEPAGE); /* a hint: without it, small pages */
    for (uint64_t i = 0; slot && i < count; i++)
        slot[i].key = ADDR_TABLE_NO_KEY;
    return slot;
}

int addr_table_init(struct addr_table *table)
{
    *table = (struct addr_table){.slot = empty_slots(FIRST_SLOTS), .mask = FIRST_SLOTS - 1};
    return table->slot ? SIM_OK : SIM_ERR_NOMEM;
}

void addr_table_free(struct addr_table *table)
{
    free(table->slot);
    table->slot = NULL;
}

static struct addr_slot *slot_for(struct addr_table *table, uint64_t key)
{
    uint64_t i = addr_table_home(table, key);
    while (table->slot[i].key != ADDR_TABLE_NO_KEY)
        i = (i + 1) & table->mask;
    return &table->slot[i];
}

static int grow(struct addr_table *table)
{
    struct addr_table bigger = {.mask = table->mask * 2 + 1, .count = table->count};
    if (bigger.mask < table->mask || !(bigger.slot = empty_slots(bigger.mask + 1)))
        return SIM_ERR_NOMEM;
    for (uint64_t i = 0; i <= table->mask; i++)
        if (table->slot[i].key != ADDR_TABLE_NO_KEY)
            *slot_for(&bigger, table->slot[i].key) = table->slot[i];
    free(table->slot);
    *table = bigger;
    return SIM_OK;
}

struct addr_slot *addr_table_claim(struct addr_table *table, uint64_t key, bool *held)
{
    if ((table->count + 1) * 4 > (table->mask + 1) * 3 && grow(table))
        return NULL;
    uint64_t i = addr_table_home(table, key);
    for (; table->slot[i].key != key; i = (i + 1) & table->mask) {
        if (table->slot[i].key == ADDR_TABLE_NO_KEY) {
            table->slot[i].key = key;
            table->count++;
            *held = false;
            return &table->slot[i];
        }
    }
    *held = true;
    return &table->slot[i];
}

void addr_table_remove(struct addr_table *table, struct addr_slot *slot)
{
    uint64_t emptied = (uint64_t)(slot - table->slot);
    for (uint64_t i = (emptied + 1) & table->mask; table->slot[i].key != ADDR_TABLE_NO_KEY;
         i = (i + 1) & table->mask) {
        /* The slot at i may move into the emptied one unless its home lies
         * (cyclically) after the emptied slot and up to i. */
        uint64_t home = addr_table_home(table, table->slot[i].key);
        if (((i - home) & table->mask) >= ((i - emptied) & table->mask)) {
            table->slot[emptied] = table->slot[i];
            emptied = i;
        }
    }
    table->slot[emptied].key = ADDR_TABLE_NO_KEY;
    table->count--;
}
