/* freespace_policy_list.c - the textbook free list: an array of holes in list order,
 * searched from the front one hole at a time, as OSTEP's malloc.py does.
 *
 * Its rules, which the counts and lists of the exercises depend on:
 * - a search counts every hole it looks at: first and next fit stop at the
 *   hole they take, best and worst fit look at them all;
 * - a split hole keeps its place in the list, even when the list is kept
 *   by size and the smaller rest belongs elsewhere: only a free sorts;
 * - a free puts the block at the front or the back, or at the back and
 *   then sorts the whole list, stably (equal sizes keep their order);
 * - coalescing is one pass over the list after each free, merging a hole
 *   into the one before it in the list when they touch in that order.  In
 *   address order that merges every pair of neighbours; in the other
 *   orders only holes that happen to sit next to each other in the list. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

struct list {
    struct freespace_hole *hole; /* in list order */
    size_t count, capacity;
    enum fit fit;
    enum freespace_order order;
    bool coalesce;
    uint64_t min_split;
    bool has_rover; /* false until a block is placed, and when the list empties */
    uint64_t rover; /* address of the hole next fit starts at */
};

#define NONE SIZE_MAX

static void *list_create(const struct freespace_config *config, enum fit fit)
{
    struct list *l = calloc(1, sizeof *l);
    if (!l || !(l->hole = malloc(sizeof *l->hole * 16))) {
        free(l);
        return NULL;
    }
    l->capacity = 16;
    l->hole[0] = (struct freespace_hole){config->base, config->size};
    l->count = 1;
    l->fit = fit;
    l->order = config->order;
    l->coalesce = config->coalesce;
    l->min_split = config->min_split;
    return l;
}

static void list_destroy(void *state)
{
    struct list *l = state;
    if (l)
        free(l->hole);
    free(l);
}

static size_t position_of(const struct list *l, uint64_t addr)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->hole[i].addr == addr)
            return i;
    return NONE;
}

/* The first of the largest holes; size 0 if there is none. */
static struct freespace_hole largest_hole(const struct list *l)
{
    struct freespace_hole largest = {0, 0};
    for (size_t i = 0; i < l->count; i++)
        if (l->hole[i].size > largest.size)
            largest = l->hole[i];
    return largest;
}

/* The hole fit picks for size bytes, or NONE; *searched counts the holes
 * looked at and *start is where the search began. */
static size_t search(const struct list *l, uint64_t size, uint64_t *searched, uint64_t *start)
{
    size_t chosen = NONE, first = 0;
    if (l->fit == FIT_NEXT && l->has_rover)
        first = position_of(l, l->rover); /* the rover is always a hole's address */
    *start = first;
    for (size_t k = 0; k < l->count; k++) {
        size_t i = (first + k) % l->count;
        const struct freespace_hole *h = &l->hole[i];
        ++*searched;
        if (h->size < size)
            continue;
        if (l->fit == FIT_FIRST || l->fit == FIT_NEXT)
            return i;
        if (chosen == NONE || (l->fit == FIT_BEST && h->size < l->hole[chosen].size) ||
            (l->fit == FIT_WORST && h->size > l->hole[chosen].size))
            chosen = i;
    }
    return chosen;
}

static int list_place(void *state, uint64_t size, struct freespace_result *r)
{
    struct list *l = state;
    size_t i = search(l, size, &r->searched, &r->start);
    if (i == NONE) {
        r->failed = true;
        r->hole = largest_hole(l);
        return SIM_OK;
    }
    struct freespace_hole *h = &l->hole[i];
    r->position = i;
    r->hole = *h;
    r->block = h->addr;
    r->block_size = policy_block_size(h->size, size, l->min_split);
    r->split = r->block_size < h->size;
    if (r->split) {
        h->addr += r->block_size;
        h->size -= r->block_size;
        l->has_rover = true;
        l->rover = h->addr;
        return SIM_OK;
    }
    memmove(h, h + 1, sizeof *h * (l->count - i - 1));
    l->count--;
    l->has_rover = l->count > 0;
    if (l->has_rover)
        l->rover = l->hole[i < l->count ? i : 0].addr;
    return SIM_OK;
}

/* Whether a belongs before b in a list kept sorted by order. */
static bool sorts_before(enum freespace_order order, const struct freespace_hole *a,
                         const struct freespace_hole *b)
{
    if (order == FREESPACE_BY_ADDRESS)
        return a->addr < b->addr;
    if (order == FREESPACE_BY_SIZE_UP)
        return a->size < b->size;
    return a->size > b->size;
}

/* Insertion sort: stable, and quick on a list that is nearly sorted, which
 * is what a free leaves (one new hole, and the holes splits shrank). */
static void sort_list(struct list *l)
{
    for (size_t i = 1; i < l->count; i++) {
        struct freespace_hole moving = l->hole[i];
        size_t j = i;
        for (; j > 0 && sorts_before(l->order, &moving, &l->hole[j - 1]); j--)
            l->hole[j] = l->hole[j - 1];
        l->hole[j] = moving;
    }
}

/* One pass that merges each hole into the one before it in the list when
 * the first ends where the second begins. */
static void coalesce_list(struct list *l, struct freespace_result *r)
{
    size_t kept = 0;
    for (size_t i = 1; i < l->count; i++) {
        struct freespace_hole *into = &l->hole[kept];
        if (into->addr + into->size != l->hole[i].addr) {
            l->hole[++kept] = l->hole[i];
            continue;
        }
        policy_note_merge(r, *into, l->hole[i]);
        if (l->has_rover && l->rover == l->hole[i].addr)
            l->rover = into->addr;
        into->size += l->hole[i].size;
    }
    l->count = kept + 1;
}

static int list_release(void *state, uint64_t block, uint64_t size, struct freespace_result *r)
{
    struct list *l = state;
    if (l->count == l->capacity) {
        struct freespace_hole *grown = realloc(l->hole, sizeof *grown * l->capacity * 2);
        if (!grown)
            return SIM_ERR_NOMEM;
        l->hole = grown;
        l->capacity *= 2;
    }
    struct freespace_hole freed = {block, size};
    if (l->order == FREESPACE_AT_FRONT) {
        memmove(l->hole + 1, l->hole, sizeof *l->hole * l->count);
        l->hole[0] = freed;
    } else {
        l->hole[l->count] = freed;
    }
    l->count++;
    if (l->order != FREESPACE_AT_FRONT && l->order != FREESPACE_AT_BACK)
        sort_list(l);
    r->position = position_of(l, block);
    if (l->coalesce)
        coalesce_list(l, r);
    return SIM_OK;
}

static uint64_t list_largest(const void *state)
{
    return largest_hole(state).size;
}

static size_t list_holes(const void *state, struct freespace_hole *out, size_t cap)
{
    const struct list *l = state;
    if (cap)
        memcpy(out, l->hole, sizeof *out * (cap < l->count ? cap : l->count));
    return l->count;
}

const struct freespace_policy_ops freespace_policy_list = {
    .name = "list",
    .create = list_create,
    .destroy = list_destroy,
    .place = list_place,
    .release = list_release,
    .holes = list_holes,
    .largest = list_largest,
};
