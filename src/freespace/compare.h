/* compare.h - what a comparison keeps (compare.c), for its pictures
 * (compare_svg.c). */
#ifndef MMKIT_FREESPACE_COMPARE_H
#define MMKIT_FREESPACE_COMPARE_H

#include "mmkit/freespace.h"

/* One block's place in the heap and its life, in operations (from 1);
 * freed 0: still live at the end. */
struct block_life {
    uint64_t addr, size;
    uint64_t allocated, freed;
};

struct policy_run {
    char name[16];
    struct freespace_config config; /* as the heap settled it */
    struct freespace_stats stats;
    /* with history only */
    struct block_life *blocks; /* by allocation; size 0: it failed */
    double *external;          /* after each operation */
};

struct freespace_comparison {
    struct policy_run run[FREESPACE_COMPARE_MAX];
    size_t count;
    uint64_t operations, allocations;
};

#endif
