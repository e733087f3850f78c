/* explain.c - --explain: each operation as a worked answer to the textbook
 * exercise.  What the program asked and got, the block the request
 * became, which hole the policy chose and why, what was split or merged,
 * and the free list after. */
#include <inttypes.h>
#include <stdint.h>

#include "heap.h"

/* The free list after an operation: the first `shown` holes of it. */
static void print_free_list(FILE *out, struct freespace_heap *heap, size_t shown)
{
    if (heap->policy->show) {
        heap->policy->show(heap->holes, out);
        return;
    }
    size_t count;
    const struct freespace_hole *holes = freespace_heap_scratch_holes(heap, &count);
    if (!holes) {
        fprintf(out, "  free list: (out of memory to show it)\n");
        return;
    }
    if (!count) {
        fprintf(out, "  free list: empty\n");
        return;
    }
    fprintf(out, "  free list (%zu hole%s):", count, count == 1 ? "" : "s");
    freespace_print_some_holes(out, holes, count, shown);
    fputc('\n', out);
}

void freespace_explain_start(FILE *out, struct freespace_heap *heap)
{
    fprintf(out, "heap: ");
    freespace_describe_heap(out, &heap->config);
    fprintf(out, "\npolicy: ");
    freespace_describe_policy(out, &heap->config);
    fputc('\n', out);
    print_free_list(out, heap, SIZE_MAX);
    fputc('\n', out);
}

/* "block: 3 bytes rounded up to 4, and a 4-byte header: 8 bytes", when the
 * block is not simply the request. */
static void explain_block(FILE *out, const struct freespace_config *c, uint64_t request,
                          uint64_t size)
{
    uint64_t rounded = size - c->header;
    if (rounded == request && !c->header)
        return;
    fprintf(out, "  block: %" PRIu64 " bytes", request);
    if (rounded != request)
        fprintf(out, " rounded up to %" PRIu64, rounded);
    if (c->header)
        fprintf(out, "%s a %" PRIu64 "-byte header: %" PRIu64 " bytes",
                rounded != request ? ", and" : " and", c->header, size);
    fputc('\n', out);
}

/* Why the policy took the hole it took. */
static void explain_choice(FILE *out, const struct freespace_config *c,
                           const struct freespace_result *r, uint64_t size)
{
    enum fit fit;
    freespace_policy_find(c, &fit);
    fprintf(out, "  %s fit: ", c->policy);
    if (fit == FIT_NEXT)
        fprintf(out, "from hole %" PRIu64 " of %" PRIu64 "%s, ", r->start + 1, r->holes,
                r->position < r->start ? " and around" : "");
    freespace_print_hole(out, r->hole);
    fprintf(out, ", hole %" PRIu64 " of %" PRIu64 ", is ", r->position + 1, r->holes);
    if (fit == FIT_BEST)
        fprintf(out, "the smallest that holds %" PRIu64 " bytes\n", size);
    else if (fit == FIT_WORST)
        fprintf(out, "the largest\n");
    else
        fprintf(out, "the first that holds %" PRIu64 " bytes\n", size);
}

static void explain_split(FILE *out, const struct freespace_config *c,
                          const struct freespace_result *r, uint64_t size)
{
    uint64_t rest = r->hole.size - size;
    if (r->split) {
        fprintf(out, "  split: the block takes %" PRIu64 "..%" PRIu64 "; ", r->block,
                r->block + r->block_size - 1);
        freespace_print_hole(out, (struct freespace_hole){r->block + r->block_size, rest});
        fprintf(out, " stays free\n");
    } else if (rest == 0) {
        fprintf(out, "  no split: the hole is just the size of the block, and leaves the list\n");
    } else {
        fprintf(out, "  no split: the %" PRIu64 " bytes left would be fewer than the %" PRIu64
                     " a split must leave, so the block takes all %" PRIu64 "\n",
                rest, c->min_split, r->block_size);
    }
}

/* What the policy did for an allocation, after the line that tells it. */
static void explain_placement(FILE *out, const struct freespace_heap *heap,
                              const struct freespace_result *r)
{
    const struct freespace_config *c = &heap->config;
    uint64_t size;
    freespace_block_size(c, r->request, &size);
    explain_block(out, c, r->request, size);
    if (heap->policy->explain) {
        heap->policy->explain(heap->holes, out, r);
    } else if (!r->failed) {
        explain_choice(out, c, r, size);
        explain_split(out, c, r, size);
    } else if (r->hole.size) {
        fprintf(out, "  no hole holds %" PRIu64 " bytes: the largest is ", size);
        freespace_print_hole(out, r->hole);
        fputc('\n', out);
    } else {
        fprintf(out, "  no hole holds %" PRIu64 " bytes: there are none\n", size);
    }
}

static void explain_alloc(FILE *out, const struct freespace_heap *heap,
                          const struct freespace_result *r)
{
    fprintf(out, "op %" PRIu64 ": ptr[%" PRIu64 "] = alloc(%" PRIu64 ") ", r->number, r->index,
            r->request);
    if (r->failed)
        fprintf(out, "failed");
    else
        fprintf(out, "returned %" PRIu64, r->address);
    if (!r->failed && heap->config.header)
        fprintf(out, " (block at %" PRIu64 ")", r->block);
    fprintf(out, ", searched %" PRIu64 " hole%s\n", r->searched, r->searched == 1 ? "" : "s");
    explain_placement(out, heap, r);
}

static const char *const order_goes[] = {
    "in by address", "in by size, smallest first", "in by size, largest first",
    "to the front", "to the back",
};

/* Where a block given back went, after the line that tells it. */
static void explain_return(FILE *out, const struct freespace_heap *heap,
                           const struct freespace_result *r)
{
    if (heap->policy->explain) {
        heap->policy->explain(heap->holes, out, r);
        return;
    }
    fprintf(out, "  it goes %s, as hole %" PRIu64 " of %" PRIu64 "\n",
            order_goes[heap->config.order], r->position + 1, r->holes + 1);
    freespace_explain_merges(out, r);
}

static void explain_free(FILE *out, const struct freespace_heap *heap,
                         const struct freespace_result *r)
{
    fprintf(out, "op %" PRIu64 ": free(ptr[%" PRIu64 "]) ", r->number, r->index);
    if (r->failed) {
        fprintf(out, "gives nothing back: its allocation failed\n");
        return;
    }
    fprintf(out, "gives back ");
    freespace_print_hole(out, (struct freespace_hole){r->block, r->block_size});
    fputc('\n', out);
    explain_return(out, heap, r);
}

void freespace_explain_op(FILE *out, struct freespace_heap *heap,
                          const struct freespace_result *result)
{
    if (result->op.kind == FREESPACE_ALLOC)
        explain_alloc(out, heap, result);
    else
        explain_free(out, heap, result);
    print_free_list(out, heap, SIZE_MAX);
    fputc('\n', out);
}

/* A trace's heap keeps thousands of holes: the list after each call is
 * cut to its first few. */
#define REPLAY_HOLES_SHOWN 8

void freespace_explain_replayed(FILE *out, struct freespace_heap *heap,
                                const struct freespace_replayed *done)
{
    for (size_t i = 0; i < done->count; i++) {
        const struct freespace_result *r = &done->op[i];
        if (r->op.kind == FREESPACE_FREE && r->failed) {
            fprintf(out, "  its block gives nothing back: its allocation failed\n");
        } else if (r->op.kind == FREESPACE_FREE) {
            fprintf(out, "  gives back ");
            freespace_print_hole(out, (struct freespace_hole){r->block, r->block_size});
            fputc('\n', out);
            explain_return(out, heap, r);
        } else {
            if (r->failed)
                fprintf(out, "  no block: ");
            else
                fprintf(out, "  placed at %" PRIu64 ", ", r->block);
            fprintf(out, "searched %" PRIu64 " hole%s\n", r->searched,
                    r->searched == 1 ? "" : "s");
            explain_placement(out, heap, r);
        }
    }
    if (done->count)
        print_free_list(out, heap, REPLAY_HOLES_SHOWN);
}
