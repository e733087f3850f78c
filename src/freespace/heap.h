/* heap.h - the simulated heap's state, shared by the files that run it
 * (heap.c), check what it is asked (ops.c) and tell what it did
 * (explain.c, report.c).  Start reading here.
 *
 * Invariants:
 * - every allocation has an entry in blocks[], by its number, whether it
 *   is live, freed or failed; only live ones hold bytes of the heap;
 * - allocated = the sum of the live blocks' sizes, and the policy's holes
 *   add up to config.size - allocated;
 * - stats.live_bytes <= allocated: a block also holds its header and
 *   padding. */
#ifndef MMKIT_FREESPACE_HEAP_H
#define MMKIT_FREESPACE_HEAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "block.h"
#include "mmkit/freespace.h"
#include "policy.h"


struct addr_table;

struct freespace_heap {
    struct freespace_config config;
    const struct freespace_policy_ops *policy;
    void *holes; /* the policy's state */
    struct block *blocks;           /* operations: by allocation number */
    uint64_t allocations, capacity; /* entries of blocks[] used and allocated */
    struct addr_table *live;        /* a trace's calls: the live blocks by the
                                     * program's address (heap_blocks.h) */
    uint64_t allocated;             /* bytes the live blocks take */
    uint64_t live_headers, live_padding;
    struct freespace_stats stats;
    double external_sum;            /* for stats.external_mean */
    struct freespace_hole *scratch; /* the holes, for printing */
    size_t scratch_capacity;
};

/* The bytes a block for request takes before any rest of a hole is added
 * (the request rounded up, and the header); false if the heap could never
 * hold that many. */
bool freespace_block_size(const struct freespace_config *config, uint64_t request,
                          uint64_t *size);
/* SIM_ERR_PARSE, with diag naming the op, if op (number `number`, after
 * `allocations` allocations) cannot run: freed says whether the block it
 * frees was freed already.  0 if it can. */
int freespace_op_refused(const struct freespace_config *config, const struct freespace_op *op,
                         uint64_t number, uint64_t allocations, bool freed,
                         struct sim_diag *diag);

/* Carve a block of size bytes (request, rounded up, with its header and
 * any alignment) into *b and r, growing the heap first if config.grow
 * says it may and no hole holds it, and count it: an allocation, and a
 * failure if it failed.  0 or SIM_ERR_NOMEM. */
int freespace_heap_place(struct freespace_heap *heap, uint64_t request, uint64_t size,
                         struct block *b, struct freespace_result *r);
/* Give b's bytes back, if it holds any, and count a free. */
int freespace_heap_release(struct freespace_heap *heap, struct block *b,
                           struct freespace_result *r);
/* After an operation: count it, and measure the holes for the totals. */
void freespace_heap_operation_done(struct freespace_heap *heap);

/* The holes in list order, in heap->scratch; how many; NULL if out of
 * memory. */
const struct freespace_hole *freespace_heap_scratch_holes(struct freespace_heap *heap,
                                                          size_t *count);

/* "best fit, free list by address, no coalescing" */
void freespace_describe_policy(FILE *out, const struct freespace_config *config);
/* "100 bytes at 1000, 4-byte headers, requests rounded up to a multiple
 * of 4" */
void freespace_describe_heap(FILE *out, const struct freespace_config *config);
/* The op as the user wrote it: "+10", "-3". */
void freespace_op_text(char *text, size_t size, const struct freespace_op *op);

/* --explain: each operation (the heap before the first: mmkit/freespace.h). */
void freespace_explain_op(FILE *out, struct freespace_heap *heap,
                          const struct freespace_result *result);

/* The JSON document freespace_run writes. */
void freespace_json_start(FILE *out, const struct freespace_heap *heap);
void freespace_json_op(FILE *out, struct freespace_heap *heap,
                       const struct freespace_result *result);
void freespace_json_end(FILE *out, const struct freespace_heap *heap);
/* The totals as one JSON object, its lines indented by indent. */
void freespace_json_totals(FILE *out, const struct freespace_stats *stats, const char *indent);

#endif
