/* policy_buddy.c - the binary buddy system (Knowlton, 1965).
 *
 * Every block is 2^k bytes (of order k), at an offset from the base that
 * is a multiple of its size.  A request takes the smallest order that
 * holds it; if no block of that order is free, a free block of the next
 * order up that has one is split in halves, and halves again, keeping the
 * lower half each time and freeing the upper one, its buddy.  A freed
 * block merges with its buddy (the block whose offset differs in bit k
 * only) when that is free and whole, and the merged block with its own
 * buddy, and so on up.  What a block holds beyond its request is
 * internal fragmentation, counted as padding.
 *
 * A heap whose size is no power of two starts as the powers of two of
 * its size, largest first (100 bytes: 64, 32, 4), which never merge with
 * each other.  --min-split is the smallest block: a block is split only
 * if its halves are at least that large. */
#include <inttypes.h>

#include "class_lists.h"
#include "heap.h"

#define ORDERS 64

struct buddy {
    struct class_lists lists; /* first: class_lists.h */
    uint64_t base, size, min_split;
    struct { /* what the last allocation did, for --explain */
        unsigned wanted, found; /* the order it needed, the order it found free */
    } last;
};

static size_t order_of(uint64_t size)
{
    return class_log2(size);
}

/* "32 (order 5)" */
static void print_order(FILE *out, size_t order)
{
    fprintf(out, "%" PRIu64 " (order %zu)", (uint64_t)1 << order, order);
}

static void *buddy_create(const struct freespace_config *config, enum fit fit)
{
    (void)fit;
    struct freespace_hole start[ORDERS]; /* the powers of two of the size, largest first */
    size_t count = 0;
    for (uint64_t at = config->base, order = ORDERS; order-- > 0;) {
        uint64_t size = (uint64_t)1 << order;
        if (config->size & size) {
            start[count++] = (struct freespace_hole){at, size};
            at += size;
        }
    }
    struct buddy *b = class_lists_create(sizeof *b, ORDERS, order_of, print_order, start, count);
    if (b) {
        b->base = config->base;
        b->size = config->size;
        b->min_split = config->min_split;
    }
    return b;
}

/* The smallest order whose blocks hold size bytes: 64 if none does. */
static unsigned order_holding(uint64_t size)
{
    return size <= 1 ? 0 : class_log2(size - 1) + 1;
}

static int buddy_place(void *state, uint64_t size, struct freespace_result *r)
{
    struct buddy *b = state;
    b->last.wanted = order_holding(size);
    b->last.found = (unsigned)class_lists_next(&b->lists, b->last.wanted);
    if (b->last.found == ORDERS) {
        r->failed = true;
        r->hole = class_lists_largest_hole(&b->lists);
        return SIM_OK;
    }
    r->searched = 1;
    r->hole = class_lists_first(&b->lists, b->last.found);
    class_lists_remove(&b->lists, r->hole);
    unsigned order = b->last.found;
    while (order > b->last.wanted && ((uint64_t)1 << (order - 1)) >= b->min_split) {
        order--;
        uint64_t half = (uint64_t)1 << order;
        if (class_lists_add(&b->lists, (struct freespace_hole){r->hole.addr + half, half}))
            return SIM_ERR_NOMEM;
    }
    r->block = r->hole.addr;
    r->block_size = (uint64_t)1 << order;
    r->split = order < b->last.found;
    return SIM_OK;
}

/* The block of the same order that the block at addr merges with. */
static uint64_t buddy_of(const struct buddy *b, uint64_t addr, unsigned order)
{
    return b->base + ((addr - b->base) ^ ((uint64_t)1 << order));
}

static int buddy_release(void *state, uint64_t block, uint64_t size, struct freespace_result *r)
{
    struct buddy *b = state;
    unsigned order = (unsigned)order_of(size);
    struct freespace_hole freed = {block, size}, buddy;
    while (order + 1 < ORDERS && class_lists_at(&b->lists, buddy_of(b, freed.addr, order), &buddy) &&
           buddy.size == freed.size) {
        class_lists_remove(&b->lists, buddy);
        bool below = buddy.addr < freed.addr;
        policy_note_merge(r, below ? buddy : freed, below ? freed : buddy);
        freed = (struct freespace_hole){below ? buddy.addr : freed.addr, freed.size * 2};
        order++;
    }
    return class_lists_add(&b->lists, freed);
}

static void buddy_describe(FILE *out, const struct freespace_config *c)
{
    fprintf(out, "binary buddy system, blocks of 2^k bytes split in halves and merged "
                 "with their buddies");
    if (c->min_split > 1)
        fprintf(out, ", none below %" PRIu64 " bytes", c->min_split);
}

static void explain_alloc(FILE *out, const struct buddy *b, const struct freespace_result *r)
{
    if (b->last.found == ORDERS) {
        fprintf(out, "  no free block of order %u or above\n", b->last.wanted);
        return;
    }
    if (b->last.found > b->last.wanted) {
        fprintf(out, "  no free block of order %u", b->last.wanted);
        if (b->last.found > b->last.wanted + 1)
            fprintf(out, " to %u", b->last.found - 1);
        fprintf(out, "; the first of order %u is ", b->last.found);
    } else {
        fprintf(out, "  the first free block of order %u is ", b->last.found);
    }
    freespace_print_hole(out, r->hole);
    fputc('\n', out);
    for (uint64_t size = r->hole.size; size > r->block_size; size /= 2) {
        fprintf(out, "  split ");
        freespace_print_hole(out, (struct freespace_hole){r->block, size});
        fprintf(out, " into ");
        freespace_print_hole(out, (struct freespace_hole){r->block, size / 2});
        fprintf(out, " and its buddy ");
        freespace_print_hole(out, (struct freespace_hole){r->block + size / 2, size / 2});
        fprintf(out, ", which is free\n");
    }
    fprintf(out, "  the block is ");
    freespace_print_hole(out, (struct freespace_hole){r->block, r->block_size});
    fprintf(out, ": %" PRIu64 " bytes more than the request\n", r->block_size - r->request);
}

static void buddy_explain(const void *state, FILE *out, const struct freespace_result *r)
{
    const struct buddy *b = state;
    if (r->op.kind == FREESPACE_ALLOC) {
        explain_alloc(out, b, r);
        return;
    }
    struct freespace_hole block = {r->block, r->block_size};
    for (size_t i = 0; i < r->merges; i++) {
        uint64_t buddy = buddy_of(b, block.addr, (unsigned)order_of(block.size));
        fprintf(out, "  its buddy ");
        freespace_print_hole(out, (struct freespace_hole){buddy, block.size});
        fprintf(out, " is free: merged into ");
        block = (struct freespace_hole){buddy < block.addr ? buddy : block.addr, block.size * 2};
        freespace_print_hole(out, block);
        fputc('\n', out);
    }
    uint64_t buddy = buddy_of(b, block.addr, (unsigned)order_of(block.size));
    fprintf(out, "  ");
    freespace_print_hole(out, block);
    fprintf(out, " is free, as a block of order %zu: its buddy ", order_of(block.size));
    if (buddy < b->base || buddy - b->base >= b->size || b->size - (buddy - b->base) < block.size) {
        fprintf(out, "would lie past the end of the heap\n");
        return;
    }
    freespace_print_hole(out, (struct freespace_hole){buddy, block.size});
    fprintf(out, " is not free as a whole\n");
}

const struct freespace_policy_ops freespace_policy_buddy = {
    .name = "buddy",
    .create = buddy_create,
    .destroy = class_lists_destroy,
    .place = buddy_place,
    .release = buddy_release,
    .holes = class_lists_holes,
    .largest = class_lists_largest,
    .describe = buddy_describe,
    .explain = buddy_explain,
    .show = class_lists_show,
};
