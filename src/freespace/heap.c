/* heap.c - the simulated heap: its blocks, by allocation number, and the
 * counts the totals are made of.  Every operation is checked here; the
 * policy (policy.h) decides where blocks go. */
#include <stdlib.h>

#include "heap.h"
#include "addr_table.h"
#include "sim/diag.h"

static void measure_holes(struct freespace_heap *heap);

int freespace_heap_create(struct freespace_heap **out, const struct freespace_config *config,
                          struct sim_diag *diag)
{
    *out = NULL;
    struct freespace_config settled = *config;
    int status = freespace_config_finish(&settled, diag);
    if (status)
        return status;
    struct freespace_heap *heap = calloc(1, sizeof *heap);
    if (!heap)
        return SIM_ERR_NOMEM;
    enum fit fit;
    heap->config = settled;
    heap->policy = freespace_policy_find(&settled, &fit);
    heap->holes = heap->policy->create(&settled, fit);
    if (!heap->holes) {
        free(heap);
        return SIM_ERR_NOMEM;
    }
    measure_holes(heap); /* a family may start with several holes, or overhead */
    heap->external_sum = heap->stats.external_worst = 0; /* those count after operations */
    *out = heap;
    return SIM_OK;
}

void freespace_heap_destroy(struct freespace_heap *heap)
{
    if (!heap)
        return;
    heap->policy->destroy(heap->holes);
    if (heap->live)
        addr_table_free(heap->live);
    free(heap->live);
    free(heap->blocks);
    free(heap->scratch);
    free(heap);
}

const struct freespace_config *freespace_heap_config(const struct freespace_heap *heap)
{
    return &heap->config;
}

const char *freespace_heap_structure(const struct freespace_heap *heap)
{
    return heap->policy->name;
}

/* The heap grows by at least this much at a time, as sbrk is called for
 * more than one request needs. */
#define GROW_CHUNK (64 * 1024)

/* Add what size bytes need at the heap's end, as one freed block there
 * (which merges with a hole that ends there if the policy coalesces).
 * false if the heap cannot grow that far. */
static bool grow(struct freespace_heap *heap, uint64_t size)
{
    struct freespace_config *c = &heap->config;
    uint64_t added = size > GROW_CHUNK ? size : GROW_CHUNK;
    added += added % c->align ? c->align - added % c->align : 0;
    if (added > UINT64_MAX - c->base - c->size)
        return false;
    struct freespace_result ignored = {0};
    if (heap->policy->release(heap->holes, c->base + c->size, added, &ignored))
        return false;
    c->size += added;
    return true;
}

int freespace_heap_place(struct freespace_heap *heap, uint64_t request, uint64_t size,
                         struct block *b, struct freespace_result *r)
{
    struct freespace_config *c = &heap->config;
    r->request = request;
    int status = SIM_OK;
    if (size > c->size && !c->grow)
        r->failed = true; /* no policy is asked for more than its heap */
    else
        status = heap->policy->place(heap->holes, size, r);
    uint64_t searched = r->searched;
    if (!status && r->failed && c->grow && grow(heap, size)) {
        r->failed = false;
        status = heap->policy->place(heap->holes, size, r);
        r->searched += searched;
    }
    if (status)
        return status;
    *b = (struct block){r->block, r->block_size, request, r->failed ? BLOCK_FAILED : BLOCK_LIVE};
    struct freespace_stats *s = &heap->stats;
    s->allocations++;
    s->searched_total += r->searched;
    if (r->searched > s->searched_worst)
        s->searched_worst = r->searched;
    if (r->failed) {
        s->failures++;
        return SIM_OK;
    }
    r->address = r->block + c->header;
    heap->allocated += b->size;
    heap->live_headers += c->header;
    heap->live_padding += b->size - c->header - b->request;
    s->live_bytes += b->request;
    if (s->live_bytes > s->peak_live_bytes) {
        s->peak_live_bytes = s->live_bytes;
        s->peak_header_bytes = heap->live_headers;
        s->peak_padding_bytes = heap->live_padding;
    }
    uint64_t footprint = heap->policy->footprint ? heap->policy->footprint(heap->holes)
                                                 : b->addr + b->size - c->base;
    if (footprint > s->peak_footprint)
        s->peak_footprint = footprint;
    return SIM_OK;
}

static int allocate(struct freespace_heap *heap, const struct freespace_op *op,
                    struct freespace_result *r)
{
    if (heap->allocations == heap->capacity) {
        uint64_t capacity = heap->capacity ? heap->capacity * 2 : 64;
        struct block *grown = realloc(heap->blocks, sizeof *grown * capacity);
        if (!grown)
            return SIM_ERR_NOMEM;
        heap->blocks = grown;
        heap->capacity = capacity;
    }
    uint64_t size;
    /* freespace_op_refused made sure that it fits */
    freespace_block_size(&heap->config, op->value, &size);
    return freespace_heap_place(heap, op->value, size, &heap->blocks[heap->allocations++], r);
}

int freespace_heap_release(struct freespace_heap *heap, struct block *b,
                           struct freespace_result *r)
{
    r->request = b->request;
    if (b->state == BLOCK_FAILED) {
        r->failed = true; /* free(NULL): nothing goes back */
    } else {
        r->block = b->addr;
        r->block_size = b->size;
        r->address = b->addr + heap->config.header;
        int status = heap->policy->release(heap->holes, b->addr, b->size, r);
        if (status)
            return status;
        heap->allocated -= b->size;
        heap->live_headers -= heap->config.header;
        heap->live_padding -= b->size - heap->config.header - b->request;
        heap->stats.live_bytes -= b->request;
    }
    b->state = BLOCK_FREED;
    heap->stats.frees++;
    return SIM_OK;
}

/* External fragmentation after an operation. */
static void measure_holes(struct freespace_heap *heap)
{
    struct freespace_stats *s = &heap->stats;
    s->overhead_bytes = heap->policy->overhead ? heap->policy->overhead(heap->holes) : 0;
    s->free_bytes = heap->config.size - heap->allocated - s->overhead_bytes;
    s->holes = heap->policy->holes(heap->holes, NULL, 0);
    s->largest_hole = heap->policy->largest(heap->holes);
    s->external_now = s->free_bytes ? 1 - (double)s->largest_hole / (double)s->free_bytes : 0;
    heap->external_sum += s->external_now;
    if (s->external_now > s->external_worst)
        s->external_worst = s->external_now;
}

void freespace_heap_operation_done(struct freespace_heap *heap)
{
    heap->stats.operations++;
    measure_holes(heap);
}

int freespace_apply(struct freespace_heap *heap, const struct freespace_op *op,
                    struct freespace_result *result, struct sim_diag *diag)
{
    *result = (struct freespace_result){.op = *op, .number = heap->stats.operations + 1,
                                        .holes = heap->stats.holes};
    bool known = op->kind == FREESPACE_FREE && op->value < heap->allocations;
    bool freed = known && heap->blocks[op->value].state == BLOCK_FREED;
    int status = freespace_op_refused(&heap->config, op, result->number, heap->allocations,
                                      freed, diag);
    if (status)
        return status;
    if (op->kind == FREESPACE_ALLOC) {
        result->index = heap->allocations;
        status = allocate(heap, op, result);
    } else {
        result->index = op->value;
        status = freespace_heap_release(heap, &heap->blocks[op->value], result);
    }
    if (status)
        return status;
    freespace_heap_operation_done(heap);
    return SIM_OK;
}

size_t freespace_heap_holes(const struct freespace_heap *heap, struct freespace_hole *holes,
                            size_t cap)
{
    return heap->policy->holes(heap->holes, holes, cap);
}

const struct freespace_hole *freespace_heap_scratch_holes(struct freespace_heap *heap,
                                                          size_t *count)
{
    *count = heap->policy->holes(heap->holes, NULL, 0);
    if (!heap->scratch || *count > heap->scratch_capacity) {
        size_t capacity = *count * 2 + 16;
        struct freespace_hole *grown = realloc(heap->scratch, sizeof *grown * capacity);
        if (!grown)
            return NULL;
        heap->scratch = grown;
        heap->scratch_capacity = capacity;
    }
    heap->policy->holes(heap->holes, heap->scratch, *count);
    return heap->scratch;
}

void freespace_heap_stats(const struct freespace_heap *heap, struct freespace_stats *out)
{
    *out = heap->stats;
    if (out->peak_live_bytes)
        out->fragmentation = (double)out->peak_footprint / (double)out->peak_live_bytes;
    if (out->operations)
        out->external_mean = heap->external_sum / (double)out->operations;
    if (out->allocations)
        out->searched_mean = (double)out->searched_total / (double)out->allocations;
}
