/* freespace_policy_tree.c - the free list kept in address order, held in balanced
 * trees instead of an array: every fit in O(log n) holes, with the answers
 * of freespace_policy_list.c to the byte and to the search count.
 *
 * - first fit: the address tree's largest-size augmentation leads down to
 *   the lowest hole that holds the block; its rank is the position a list
 *   search would stop at.
 * - next fit: the same from the rover's address, then from the bottom.
 * - worst fit: the lowest hole of the root's largest size.
 * - best fit: a second tree, by size then address, gives the smallest
 *   hole that holds the block, the lowest of equals, as a list search
 *   keeping the first smallest would.  Best and worst fit look at every
 *   hole of a list, so they count them all.
 * - coalescing merges a freed block with its address neighbours: in
 *   address order the list's pass merges nothing else, since no two holes
 *   touch between frees. */
#include <stdlib.h>

#include "hole_tree.h"
#include "policy.h"

struct tree {
    struct hole_tree by_address;
    struct hole_tree by_size; /* best fit only */
    enum fit fit;
    bool coalesce;
    uint64_t min_split;
    bool has_rover; /* as in freespace_policy_list.c */
    uint64_t rover;
};

static void tree_destroy(void *state)
{
    struct tree *t = state;
    if (!t)
        return;
    hole_tree_free(&t->by_address);
    hole_tree_free(&t->by_size);
    free(t);
}

/* Put hole into the trees, or into neither: 0 or SIM_ERR_NOMEM. */
static int add_hole(struct tree *t, struct freespace_hole hole)
{
    if (hole_tree_insert(&t->by_address, hole))
        return SIM_ERR_NOMEM;
    if (t->fit == FIT_BEST && hole_tree_insert(&t->by_size, hole)) {
        hole_tree_remove(&t->by_address, hole);
        return SIM_ERR_NOMEM;
    }
    return SIM_OK;
}

static void *tree_create(const struct freespace_config *config, enum fit fit)
{
    struct tree *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    *t = (struct tree){.fit = fit, .coalesce = config->coalesce, .min_split = config->min_split};
    if (hole_tree_init(&t->by_address, false) || hole_tree_init(&t->by_size, true) ||
        add_hole(t, (struct freespace_hole){config->base, config->size})) {
        tree_destroy(t);
        return NULL;
    }
    return t;
}

/* The hole fit picks for size bytes into r->hole, with r->searched and
 * r->start as a list search would count them; false if none holds it.
 * Its position in the list is found as it is split or taken out. */
static bool search(const struct tree *t, uint64_t size, struct freespace_result *r)
{
    uint64_t holes = r->holes, rank;
    bool found = false;
    r->searched = holes;
    switch (t->fit) {
    case FIT_FIRST:
        if ((found = hole_tree_first_fit(&t->by_address, size, 0, &r->hole, &rank)))
            r->searched = rank + 1;
        break;
    case FIT_NEXT: {
        uint64_t from = t->has_rover ? t->rover : 0;
        found = hole_tree_first_fit(&t->by_address, size, from, &r->hole, &rank);
        /* The rank the search starts at, the rover's: the search's own
         * when it took the rover hole, as next fit mostly does (it carves
         * on from one hole), else a walk of its own. */
        r->start = found && r->hole.addr == from ? rank : hole_tree_rank(&t->by_address, from);
        if (found)
            r->searched = rank - r->start + 1;
        else if ((found = hole_tree_first_fit(&t->by_address, size, 0, &r->hole, &rank)))
            r->searched = holes - r->start + rank + 1; /* wrapped around */
        break;
    }
    case FIT_BEST:
        found = hole_tree_best_fit(&t->by_size, size, &r->hole);
        break;
    case FIT_WORST:
        found = hole_tree_largest_size(&t->by_address) >= size &&
                hole_tree_first_fit(&t->by_address, hole_tree_largest_size(&t->by_address), 0,
                                    &r->hole, &rank);
        break;
    }
    return found;
}

static int tree_place(void *state, uint64_t size, struct freespace_result *r)
{
    struct tree *t = state;
    if (!search(t, size, r)) {
        r->failed = true;
        r->hole = hole_tree_largest_hole(&t->by_address);
        r->position = 0;
        return SIM_OK;
    }
    struct freespace_hole hole = r->hole;
    r->block = hole.addr;
    r->block_size = policy_block_size(hole.size, size, t->min_split);
    r->split = r->block_size < hole.size;
    if (t->fit == FIT_BEST)
        hole_tree_remove(&t->by_size, hole);
    if (r->split) {
        struct freespace_hole rest = {hole.addr + r->block_size, hole.size - r->block_size};
        r->position = hole_tree_reshape(&t->by_address, hole.addr, rest);
        if (t->fit == FIT_BEST)
            hole_tree_insert(&t->by_size, rest); /* cannot fail: it takes the node just freed */
        t->has_rover = true;
        t->rover = rest.addr;
        return SIM_OK;
    }
    r->position = hole_tree_remove(&t->by_address, hole);
    struct freespace_hole next;
    t->has_rover = hole_tree_at_or_above(&t->by_address, hole.addr, &next) ||
                   hole_tree_at_or_above(&t->by_address, 0, &next);
    t->rover = next.addr;
    return SIM_OK;
}

/* Replace old by now in the trees, when now keeps old's place in address
 * order. */
static void grow_hole(struct tree *t, struct freespace_hole old, struct freespace_hole now)
{
    hole_tree_reshape(&t->by_address, old.addr, now);
    if (t->fit == FIT_BEST) {
        hole_tree_remove(&t->by_size, old);
        hole_tree_insert(&t->by_size, now); /* cannot fail: it takes the node just freed */
    }
    if (t->has_rover && t->rover == old.addr)
        t->rover = now.addr;
}

static int tree_release(void *state, uint64_t block, uint64_t size, struct freespace_result *r)
{
    struct tree *t = state;
    struct freespace_hole freed = {block, size};
    struct hole_around around;
    r->position = hole_tree_around(&t->by_address, block, &around);
    struct freespace_hole below = around.below, above = around.above;
    bool merge_below = t->coalesce && around.has_below && below.addr + below.size == block;
    bool merge_above = t->coalesce && around.has_above && above.addr == block + size;
    if (!merge_below && !merge_above)
        return add_hole(t, freed);
    if (merge_below) {
        policy_note_merge(r, below, freed);
        freed = (struct freespace_hole){below.addr, below.size + size};
    }
    if (merge_above) {
        policy_note_merge(r, freed, above);
        freed.size += above.size;
    }
    if (merge_below && merge_above) {
        hole_tree_remove(&t->by_address, above);
        if (t->fit == FIT_BEST)
            hole_tree_remove(&t->by_size, above);
        if (t->has_rover && t->rover == above.addr)
            t->rover = below.addr;
    }
    grow_hole(t, merge_below ? below : above, freed);
    return SIM_OK;
}

static uint64_t tree_largest(const void *state)
{
    const struct tree *t = state;
    return hole_tree_largest_size(&t->by_address);
}

static size_t tree_holes(const void *state, struct freespace_hole *out, size_t cap)
{
    const struct tree *t = state;
    return hole_tree_list(&t->by_address, out, cap);
}

const struct freespace_policy_ops freespace_policy_tree = {
    .name = "tree",
    .create = tree_create,
    .destroy = tree_destroy,
    .place = tree_place,
    .release = tree_release,
    .holes = tree_holes,
    .largest = tree_largest,
};
