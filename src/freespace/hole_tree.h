/* hole_tree.h - holes in a balanced search tree (AVL), ordered by address,
 * or by size and then address.  Each node also knows, for the holes of
 * its subtree, how many there are and the size of the largest: with the
 * first, the rank of a hole (its position in an address-ordered list) is
 * found in O(log n); with the second, the lowest hole that holds a size.
 *
 * Nodes live in one array and name each other by index (0 is "none"), so
 * a tree is one allocation that grows by doubling. */
#ifndef MMKIT_FREESPACE_HOLE_TREE_H
#define MMKIT_FREESPACE_HOLE_TREE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmkit/freespace.h"

enum { LOWER, HIGHER }; /* the sides of a node */

struct hole_node {
    uint64_t addr, size;
    uint64_t largest;  /* the largest size in this subtree */
    uint32_t child[2]; /* LOWER and HIGHER; 0: none */
    uint32_t count;    /* holes in this subtree */
    int32_t height;    /* of this subtree: 1 for a leaf */
};

struct hole_tree {
    struct hole_node *node; /* node[0] stands for "none": an empty subtree,
                             * with count, largest and height 0 */
    uint32_t root;
    uint32_t used;     /* node[1 .. used] have been handed out */
    uint32_t capacity; /* of node[] */
    uint32_t spare;    /* nodes given back, chained through child[LOWER] */
    bool by_size;      /* ordered by (size, addr); else by addr */
};

/* 0 or SIM_ERR_NOMEM. */
int hole_tree_init(struct hole_tree *tree, bool by_size);
void hole_tree_free(struct hole_tree *tree);
/* 0 or SIM_ERR_NOMEM.  The hole must not be in the tree. */
int hole_tree_insert(struct hole_tree *tree, struct freespace_hole hole);
/* The hole must be in the tree.  Returns how many holes sorted before
 * it: its rank, which the walk to it finds on the way. */
uint64_t hole_tree_remove(struct hole_tree *tree, struct freespace_hole hole);
/* Address order only: give the hole at addr a new start and size that
 * keep it between the same neighbours.  Returns its rank, as
 * hole_tree_remove. */
uint64_t hole_tree_reshape(struct hole_tree *tree, uint64_t addr, struct freespace_hole now);

static inline uint64_t hole_tree_count(const struct hole_tree *tree)
{
    return tree->node[tree->root].count;
}

static inline uint64_t hole_tree_largest_size(const struct hole_tree *tree)
{
    return tree->node[tree->root].largest;
}

/* Address order: the lowest hole at or above from that holds size bytes,
 * and its rank (how many holes lie below it); false if there is none. */
bool hole_tree_first_fit(const struct hole_tree *tree, uint64_t size, uint64_t from,
                         struct freespace_hole *found, uint64_t *rank);
/* Size order: the smallest hole that holds size bytes, the lowest of those
 * if several; false if there is none. */
bool hole_tree_best_fit(const struct hole_tree *tree, uint64_t size,
                        struct freespace_hole *found);
/* Address order: how many holes lie below addr. */
uint64_t hole_tree_rank(const struct hole_tree *tree, uint64_t addr);
/* Address order, in one walk down: how many holes lie below addr, the
 * highest of them and the lowest hole at or above addr (around may be
 * NULL).  What a freed block needs to know to go in and merge. */
struct hole_around {
    bool has_below, has_above;
    struct freespace_hole below, above;
};
uint64_t hole_tree_around(const struct hole_tree *tree, uint64_t addr, struct hole_around *around);
/* Address order: the highest hole below addr; false if none. */
bool hole_tree_below(const struct hole_tree *tree, uint64_t addr, struct freespace_hole *found);
/* Address order: the lowest hole at or above addr; false if none. */
bool hole_tree_at_or_above(const struct hole_tree *tree, uint64_t addr,
                           struct freespace_hole *found);
/* Address order: the lowest of the largest holes; size 0 if there is none. */
struct freespace_hole hole_tree_largest_hole(const struct hole_tree *tree);
/* The holes in tree order: the first cap into out; returns how many. */
size_t hole_tree_list(const struct hole_tree *tree, struct freespace_hole *out, size_t cap);

#endif
