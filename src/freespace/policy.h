/* policy.h - the interface between the heap and what keeps its holes.
 *
 * The heap (heap.c) keeps the blocks, checks every operation and counts.
 * A policy keeps the holes and makes the decisions: which hole a block is
 * carved from, where a freed block goes in the list, what merges.  The
 * heap never names a policy; policy_registry.c turns a config into one.
 *
 * Invariant: the holes and the live blocks tile [base, base + size)
 * exactly; every byte is in one hole or in one block. */
#ifndef MMKIT_FREESPACE_POLICY_H
#define MMKIT_FREESPACE_POLICY_H

#include <stdint.h>

#include "mmkit/freespace.h"

/* How a search picks among the holes large enough.  Ties go to the one
 * met first in list order. */
enum fit {
    FIT_FIRST, /* the first */
    FIT_BEST,  /* the smallest */
    FIT_WORST, /* the largest */
    FIT_NEXT,  /* the first from the rover: the hole the last block came from
                * (or, if it was used up, the one after it) */
};

struct freespace_policy_ops {
    const char *name; /* the structure: "list", "tree" */
    /* Holes for the heap config describes, which start as one hole of all
     * of it; NULL when out of memory. */
    void *(*create)(const struct freespace_config *config, enum fit fit);
    void (*destroy)(void *state);
    /* Carve a block of at least size bytes: fill result's failed, block,
     * block_size, searched, start, position, hole (after a failure, the
     * first largest hole) and split (its holes, the count of holes, is
     * set). */
    void (*place)(void *state, uint64_t size, struct freespace_result *result);
    /* Take back the block [block, block + size): fill result's position
     * and merges.  0 or SIM_ERR_NOMEM. */
    int (*release)(void *state, uint64_t block, uint64_t size, struct freespace_result *result);
    /* As freespace_heap_holes. */
    size_t (*holes)(const void *state, struct freespace_hole *out, size_t cap);
    uint64_t (*largest)(const void *state); /* the size of the largest hole; 0 if none */
};

extern const struct freespace_policy_ops freespace_policy_list, freespace_policy_tree;

/* The policy config asks for, and its fit; NULL if it names none. */
const struct freespace_policy_ops *freespace_policy_find(const struct freespace_config *config,
                                                         enum fit *fit);

/* How much of a hole of hole_size bytes a block of size bytes takes: all
 * of it when what would stay free is less than min_split. */
static inline uint64_t policy_block_size(uint64_t hole_size, uint64_t size, uint64_t min_split)
{
    return hole_size - size < min_split ? hole_size : size;
}

/* Note in result that absorbed was merged into into. */
static inline void policy_note_merge(struct freespace_result *result, struct freespace_hole into,
                                     struct freespace_hole absorbed)
{
    if (result->merges < FREESPACE_MERGES_KEPT) {
        result->merged[result->merges].into = into;
        result->merged[result->merges].absorbed = absorbed;
    }
    result->merges++;
}

#endif
