/* live_table.c - the live blocks of a trace, by address (live_table.h). */
#include <stdlib.h>

#include "live_table.h"

static size_t home_of(const live_table *t, uint64_t address)
{
    return (size_t)((address >> 4) * 0x9e3779b97f4a7c15ull) & (t->capacity - 1);
}

static size_t next_slot(const live_table *t, size_t i)
{
    return (i + 1) & (t->capacity - 1);
}

static size_t slot_of(const live_table *t, uint64_t address)
{
    size_t i = home_of(t, address);
    while (t->address[i] && t->address[i] != address)
        i = next_slot(t, i);
    return i;
}

bool live_table_init(live_table *t, size_t capacity)
{
    *t = (live_table){calloc(capacity, sizeof(uint64_t)), calloc(capacity, sizeof(uint64_t)),
                      calloc(capacity, sizeof(uint32_t)), capacity, 0};
    return t->address && t->size && t->tag;
}

void live_table_free(live_table *t)
{
    free(t->address);
    free(t->size);
    free(t->tag);
    *t = (live_table){0};
}

static bool table_grow(live_table *t)
{
    live_table bigger;
    if (!live_table_init(&bigger, t->capacity * 2)) {
        live_table_free(&bigger);
        return false;
    }
    for (size_t i = 0; i < t->capacity; i++)
        if (t->address[i])
            live_table_put(&bigger, t->address[i], t->size[i], t->tag[i]);
    live_table_free(t);
    *t = bigger;
    return true;
}

bool live_table_put(live_table *t, uint64_t address, uint64_t size, uint32_t tag)
{
    if ((t->count + 1) * 2 > t->capacity && !table_grow(t))
        return false;
    size_t i = slot_of(t, address);
    t->count += t->address[i] == 0;
    t->address[i] = address;
    t->size[i] = size;
    t->tag[i] = tag;
    return true;
}

bool live_table_take(live_table *t, uint64_t address, uint64_t *size, uint32_t *tag)
{
    size_t hole = slot_of(t, address);
    if (!t->address[hole])
        return false;
    *size = t->size[hole];
    *tag = t->tag[hole];
    /* Shift later entries of the probe run back, so none becomes
     * unreachable: an entry moves if its home is not between the hole
     * and where it sits. */
    for (size_t j = next_slot(t, hole); t->address[j]; j = next_slot(t, j)) {
        size_t home = home_of(t, t->address[j]);
        bool stays = hole < j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            t->address[hole] = t->address[j];
            t->size[hole] = t->size[j];
            t->tag[hole] = t->tag[j];
            hole = j;
        }
    }
    t->address[hole] = 0;
    t->count--;
    return true;
}

struct live_change live_change_of(const struct mmkit_alloc_record *r)
{
    struct live_change c = {0};
    if (r->op == MMKIT_ALLOC_FREE)
        c.freed = r->address;
    else if (r->op == MMKIT_ALLOC_REALLOC && (r->address || r->size == 0))
        c.freed = r->old_address; /* a failed realloc leaves its block live;
                                     realloc(p, 0) frees p and returns NULL */
    if (r->op != MMKIT_ALLOC_FREE)
        c.allocated = r->address;
    return c;
}
