/* reuse.c - the Fenwick tree of reuse.h and its renumbering. */
#include <stdlib.h>
#include <string.h>

#include "mmkit/sim.h"
#include "reuse.h"

int reuse_init(struct reuse *r)
{
    *r = (struct reuse){.cap = 1024, .pages = 1024};
    r->tree = calloc(r->cap + 1, sizeof *r->tree);
    r->owner = calloc(r->cap + 1, sizeof *r->owner);
    r->last = calloc(r->pages, sizeof *r->last);
    if (r->tree && r->owner && r->last)
        return SIM_OK;
    reuse_free(r);
    return SIM_ERR_NOMEM;
}

void reuse_free(struct reuse *r)
{
    free(r->tree);
    free(r->owner);
    free(r->last);
    *r = (struct reuse){0};
}

static void tree_add(struct reuse *r, size_t slot, uint32_t delta)
{
    for (; slot <= r->cap; slot += slot & -slot)
        r->tree[slot] += delta;
}

static uint32_t tree_prefix(const struct reuse *r, size_t slot)
{
    uint32_t sum = 0;
    for (; slot; slot -= slot & -slot)
        sum += r->tree[slot];
    return sum;
}

/* The slots run out: give the tracked pages slots 1..live in the order of
 * their last references (which keeps every distance), doubling the slots
 * first if more than half of them would stay taken. */
static int renumber(struct reuse *r)
{
    if ((size_t)r->live * 2 > r->cap) {
        size_t cap = r->cap * 2;
        uint32_t *tree = realloc(r->tree, sizeof *tree * (cap + 1));
        if (tree)
            r->tree = tree;
        uint32_t *owner = realloc(r->owner, sizeof *owner * (cap + 1));
        if (owner)
            r->owner = owner;
        if (!tree || !owner)
            return SIM_ERR_NOMEM;
        r->cap = cap;
    }
    size_t taken = 0;
    for (size_t slot = 1; slot <= r->now; slot++) {
        uint32_t page = r->owner[slot];
        if (r->last[page] == slot) {
            r->owner[++taken] = page;
            r->last[page] = (uint32_t)taken;
        }
    }
    /* A tree of 1s in slots 1..taken: each node covers (i - lowbit, i]. */
    for (size_t i = 1; i <= r->cap; i++) {
        size_t low = i - (i & -i);
        r->tree[i] = i <= taken ? (uint32_t)(i - low) : low < taken ? (uint32_t)(taken - low) : 0;
    }
    r->now = taken;
    return SIM_OK;
}

static int grow_pages(struct reuse *r, uint32_t page)
{
    size_t pages = r->pages;
    while (pages <= page)
        pages *= 2;
    uint32_t *last = realloc(r->last, sizeof *last * pages);
    if (!last)
        return SIM_ERR_NOMEM;
    memset(last + r->pages, 0, sizeof *last * (pages - r->pages));
    r->last = last;
    r->pages = pages;
    return SIM_OK;
}

int reuse_touch(struct reuse *r, uint32_t page, uint64_t *distance)
{
    if (page >= r->pages && grow_pages(r, page))
        return SIM_ERR_NOMEM;
    if (r->now && r->last[page] == r->now) {
        *distance = 1; /* already the most recent: nothing moves */
        return SIM_OK;
    }
    if (r->now == r->cap && renumber(r))
        return SIM_ERR_NOMEM;
    size_t slot = r->last[page];
    if (slot) {
        /* Every 1 after the page's slot is a page used since. */
        *distance = r->live - tree_prefix(r, slot) + 1ull;
        tree_add(r, slot, (uint32_t)-1);
    } else {
        *distance = 0;
        r->live++;
    }
    r->now++;
    tree_add(r, r->now, 1);
    r->owner[r->now] = page;
    r->last[page] = (uint32_t)r->now;
    return SIM_OK;
}

void reuse_forget(struct reuse *r, uint32_t page)
{
    if (page >= r->pages || !r->last[page])
        return;
    tree_add(r, r->last[page], (uint32_t)-1);
    r->last[page] = 0;
    r->live--;
}
