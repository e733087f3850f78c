/* replay.c - a real program's calls, replayed: each block is named by the
 * address the program got, and a free finds the simulated block by that
 * address in the table of live blocks (heap_blocks.h).  Where the
 * simulated block lies has nothing to do with the program's address: the
 * policy alone decides that.  A free of an address no block has is the
 * trace's (a block from before the trace began, or from a call the trace
 * missed), not the replay's: it is counted and skipped. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "heap_blocks.h"
#include "sim/diag.h"

/* The bytes a block for request takes with its rounding, its header and
 * room to meet alignment; false if that overflows. */
static bool replay_size(const struct freespace_config *c, uint64_t request, uint64_t alignment,
                        uint64_t *size)
{
    uint64_t padding = request % c->align ? c->align - request % c->align : 0;
    uint64_t slide = 0;
    if (alignment > 1) { /* most calls ask for none: they skip the divisions */
        /* Every block starts at a multiple of align when the base and the
         * header are (of 1 otherwise): alignment - that more bytes always
         * hold an address that is a multiple of alignment. */
        uint64_t given = c->base % c->align == 0 && c->header % c->align == 0 ? c->align : 1;
        slide = alignment > given ? alignment - given : 0;
    }
    if (request > UINT64_MAX - padding - slide - c->header)
        return false;
    *size = request + padding + slide + c->header;
    return true;
}

/* A result for the next call, with holes, the holes before it, set:
 * everything up to the merges kept is zeroed, and merged[] is written
 * only as merges are counted, so that a call pays for the fields it
 * reads and not for the whole array. */
static void fresh_result(struct freespace_result *r, const struct freespace_heap *heap)
{
    memset(r, 0, offsetof(struct freespace_result, merged));
    r->holes = heap->stats.holes;
}

/* The operation just done, told in done (if any). */
static void tell(struct freespace_heap *heap, struct freespace_replayed *done,
                 struct freespace_result *r, enum freespace_op_kind kind)
{
    freespace_heap_operation_done(heap);
    if (!done)
        return;
    r->op.kind = kind;
    r->number = heap->stats.operations;
    done->op[done->count++] = *r;
}

static int replay_alloc(struct freespace_heap *heap, uint64_t address, uint64_t request,
                        uint64_t alignment, struct freespace_replayed *done)
{
    bool stale;
    struct addr_slot *slot = addr_table_claim(heap->live, address, &stale);
    if (!slot)
        return SIM_ERR_NOMEM;
    struct freespace_result r;
    struct block b;
    fresh_result(&r, heap);
    int status;
    if (stale) { /* the program freed it without the trace seeing it */
        b = heap_blocks_get(slot);
        if ((status = freespace_heap_release(heap, &b, &r)))
            return status;
        tell(heap, done, &r, FREESPACE_FREE);
        fresh_result(&r, heap);
    }
    uint64_t size;
    request = request ? request : 1; /* malloc(0) gets a block of its own */
    if (replay_size(&heap->config, request, alignment, &size))
        status = freespace_heap_place(heap, request, size, &b, &r);
    else /* more than any heap holds */
        status = freespace_heap_place(heap, request, UINT64_MAX, &b, &r);
    if (status)
        return status;
    heap_blocks_keep(slot, &b);
    r.op.value = request;
    tell(heap, done, &r, FREESPACE_ALLOC);
    return SIM_OK;
}

/* Free the block at address; an address no block has is counted. */
static int replay_free(struct freespace_heap *heap, uint64_t address,
                       struct freespace_replayed *done)
{
    struct addr_slot *slot = addr_table_find(heap->live, address);
    if (!slot) {
        heap->stats.unmatched_frees++;
        if (done)
            done->unmatched = true;
        return SIM_OK;
    }
    struct freespace_result r;
    struct block b = heap_blocks_get(slot);
    fresh_result(&r, heap);
    int status = freespace_heap_release(heap, &b, &r);
    if (status)
        return status;
    addr_table_remove(heap->live, slot);
    tell(heap, done, &r, FREESPACE_FREE);
    return SIM_OK;
}

int freespace_replay(struct freespace_heap *heap, const struct freespace_call *call,
                     struct freespace_replayed *done, struct sim_diag *diag)
{
    if (done) { /* the results are written as operations are done */
        done->count = 0;
        done->unmatched = false;
    }
    if (heap->allocations)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, NULL,
                        "a heap that has run operations cannot replay calls");
    if (!heap->live) {
        heap->live = malloc(sizeof *heap->live);
        if (!heap->live || addr_table_init(heap->live)) {
            free(heap->live);
            heap->live = NULL;
            return diag_set(diag, SIM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        }
    }
    int status = SIM_OK;
    if (call->address == ADDR_TABLE_NO_KEY || call->old_address == ADDR_TABLE_NO_KEY)
        return SIM_OK; /* no program gets such a block: nothing to replay */
    switch (call->kind) {
    case FREESPACE_CALL_ALLOC:
        if (call->address)
            status = replay_alloc(heap, call->address, call->size, call->alignment, done);
        break;
    case FREESPACE_CALL_FREE:
        if (call->address)
            status = replay_free(heap, call->address, done);
        break;
    case FREESPACE_CALL_REALLOC:
        /* A realloc that failed left the old block as it was, unless it
         * was realloc(p, 0), which frees p and may return NULL. */
        if (call->old_address && (call->address || call->size == 0))
            status = replay_free(heap, call->old_address, done);
        if (!status && call->address)
            status = replay_alloc(heap, call->address, call->size, 0, done);
        break;
    }
    return status ? diag_set(diag, status, NULL, 0, NULL, "out of memory") : SIM_OK;
}

void freespace_replay_prefetch(const struct freespace_heap *heap, const struct freespace_call *call)
{
    uint64_t key = call->kind == FREESPACE_CALL_REALLOC ? call->old_address : call->address;
    if (heap->live) /* the table is larger than the caches on a big trace */
        __builtin_prefetch(&heap->live->slot[addr_table_home(heap->live, key)]);
}

/* The fits' heap before it grows. */
#define GROWING_START (64 * 1024)
/* The families' heap: this many times the trace's peak of live bytes, and
 * no less than MIN_FIXED_HEAP. */
#define FIXED_HEAP_FACTOR 4
#define MIN_FIXED_HEAP (16 * 1024 * 1024)

void freespace_trace_heap(struct freespace_config *config, uint64_t peak_live, bool heap_given)
{
    enum fit fit;
    const struct freespace_policy_ops *policy = freespace_policy_find(config, &fit);
    config->grow = !heap_given && policy && !policy->describe;
    if (heap_given)
        return;
    if (config->grow) {
        config->size = GROWING_START;
        return;
    }
    uint64_t size = MIN_FIXED_HEAP;
    while (size / FIXED_HEAP_FACTOR < peak_live && size <= UINT64_MAX / 4)
        size *= 2;
    config->size = size;
}
