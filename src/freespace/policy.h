/* policy.h - the interface between the heap and what keeps its holes.
 *
 * The heap (heap.c) keeps the blocks, checks every operation and counts.
 * A policy keeps the holes and makes the decisions: which hole a block is
 * carved from, where a freed block goes in the list, what merges.  The
 * heap never names a policy; policy_registry.c turns a config into one.
 *
 * Invariant: every byte of [base, base + size) is in one hole, in one live
 * block, or in the policy's overhead (bytes no block can use, such as the
 * end of a slab too short for one more object). */
#ifndef MMKIT_FREESPACE_POLICY_H
#define MMKIT_FREESPACE_POLICY_H

#include <stdint.h>
#include <stdio.h>

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
    const char *name; /* the structure: "list", "tree", or the family: "buddy" */
    /* Holes for the heap config describes, which start as one hole of all
     * of it; NULL when out of memory. */
    void *(*create)(const struct freespace_config *config, enum fit fit);
    void (*destroy)(void *state);
    /* Carve a block of at least size bytes: fill result's failed, block,
     * block_size, searched, start, position, hole (after a failure, the
     * first largest hole) and split (its holes, the count of holes, is
     * set).  0 or SIM_ERR_NOMEM. */
    int (*place)(void *state, uint64_t size, struct freespace_result *result);
    /* Take back the block [block, block + size): fill result's position
     * and merges.  0 or SIM_ERR_NOMEM. */
    int (*release)(void *state, uint64_t block, uint64_t size, struct freespace_result *result);
    /* As freespace_heap_holes. */
    size_t (*holes)(const void *state, struct freespace_hole *out, size_t cap);
    uint64_t (*largest)(const void *state); /* the size of the largest hole; 0 if none */

    /* The families beyond the free list (size classes, buddies, slabs,
     * pages) tell their own story: these are NULL in the list and the
     * tree, whose story explain.c tells.  Their holes are listed by
     * address. */
    /* The policy in a phrase, for the heading. */
    void (*describe)(FILE *out, const struct freespace_config *config);
    /* What the last place or release did, as lines of --explain. */
    void (*explain)(const void *state, FILE *out, const struct freespace_result *result);
    /* Its structures now (the lists by class, the caches), as lines. */
    void (*show)(const void *state, FILE *out);
    /* Bytes now neither in a hole nor in a live block; NULL: none. */
    uint64_t (*overhead)(const void *state);
    /* Bytes from the base to the end of the highest slab or page it has
     * ever set aside, used or not; NULL: it sets aside blocks only. */
    uint64_t (*footprint)(const void *state);
};

extern const struct freespace_policy_ops freespace_policy_list, freespace_policy_tree;
/* The other families, one file each (policy_NAME.c). */
extern const struct freespace_policy_ops freespace_policy_segregated, freespace_policy_tlsf,
    freespace_policy_buddy, freespace_policy_slab, freespace_policy_mmkit;

/* The policy config asks for, and its fit; NULL if it names none. */
const struct freespace_policy_ops *freespace_policy_find(const struct freespace_config *config,
                                                         enum fit *fit);

/* How much of a hole of hole_size bytes a block of size bytes takes: all
 * of it when what would stay free is less than min_split. */
static inline uint64_t policy_block_size(uint64_t hole_size, uint64_t size, uint64_t min_split)
{
    return hole_size - size < min_split ? hole_size : size;
}

/* "[1000, 8]": a hole, in the story and in JSON alike (hole_text.c). */
void freespace_print_hole(FILE *out, struct freespace_hole hole);
/* " [1000, 8] [1040, 16] (and 3 more)": the first `shown` of count holes,
 * each after a space, and how many more there are. */
void freespace_print_some_holes(FILE *out, const struct freespace_hole *holes, size_t count,
                                size_t shown);
/* "  coalesced: [1000, 8] + [1008, 4] = [1000, 12]", a line for each of
 * result's merges (hole_text.c). */
void freespace_explain_merges(FILE *out, const struct freespace_result *result);

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
