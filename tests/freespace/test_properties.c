/* test_properties.c - what holds for any operations, checked on seeded
 * random ones, for every policy, order and coalescing, with and without
 * headers, rounding and a minimum split:
 * - the live blocks and the holes tile the heap: no two overlap, and every
 *   byte is live, free or overhead (a header, padding, or the policy's
 *   own: the end of a slab too short for an object);
 * - a block is at least the request rounded up plus the header, and lies
 *   in the hole it was carved from; with the free list a split leaves at
 *   least the minimum;
 * - the tree gives the list's answers to the byte and to the search count;
 * - freeing everything with coalescing in address order leaves one hole,
 *   the whole heap (in the other orders malloc.py's coalescing merges only
 *   list neighbours, so it need not); with the other families it leaves
 *   the holes the heap started with, or, for the slab allocator and
 *   libmmkit's pages, which keep empty slabs for reuse, no byte in use;
 * - the totals agree with the blocks and holes. */
#include "freespace_test.h"

#define HEAP_BASE 4096
#define HEAP_SIZE 1024
#define MMKIT_HEAP_SIZE (4 << 16) /* four of its 64K slices */
#define OPS 400
#define MAX_HOLES 20000

static uint64_t lcg(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}

/* Random operations: mostly small requests, now and then a large one
 * that may fail; frees of random earlier allocations not freed yet (some
 * of which failed). */
static size_t random_ops(uint64_t seed, struct freespace_op *ops)
{
    uint64_t state = seed, live[OPS], live_count = 0, allocations = 0;
    size_t n = 0;
    while (n < OPS) {
        if (live_count && lcg(&state) % 100 < 45) {
            uint64_t pick = lcg(&state) % live_count;
            ops[n++] = (struct freespace_op){FREESPACE_FREE, live[pick]};
            live[pick] = live[--live_count];
        } else {
            uint64_t size = lcg(&state) % 10 == 0 ? 1 + lcg(&state) % 300 : 1 + lcg(&state) % 40;
            ops[n++] = (struct freespace_op){FREESPACE_ALLOC, size};
            live[live_count++] = allocations++;
        }
    }
    return n;
}

struct shape {
    uint64_t header, align, min_split;
};

static const struct shape shapes[] = {{0, 1, 1}, {4, 4, 1}, {2, 8, 12}};

static struct freespace_config config_of(const char *policy, enum freespace_order order,
                                         bool coalesce, const struct shape *shape,
                                         enum freespace_structure structure)
{
    struct freespace_config config = test_config(policy, order, coalesce, structure);
    config.base = HEAP_BASE;
    config.size = strcmp(policy, "mmkit") ? HEAP_SIZE : MMKIT_HEAP_SIZE;
    config.header = shape->header;
    config.align = shape->align;
    config.min_split = shape->min_split;
    return config;
}

/* Whether the policy is one of the free list's fits. */
static bool is_free_list(const char *policy)
{
    return !strcmp(policy, "first") || !strcmp(policy, "best") || !strcmp(policy, "worst") ||
           !strcmp(policy, "next");
}

/* The live blocks (by allocation, size 0 if not live) and the holes cover
 * every byte of the heap once, but for the policy's overhead; the totals
 * agree with them. */
static void check_tiling(const struct freespace_heap *heap, const struct freespace_hole *blocks,
                         uint64_t allocations)
{
    const struct freespace_config *c = freespace_heap_config(heap);
    unsigned char *owner = calloc(c->size, 1);
    static struct freespace_hole holes[MAX_HOLES];
    size_t hole_count = freespace_heap_holes(heap, holes, MAX_HOLES);
    assert_true(owner && hole_count <= MAX_HOLES);
    uint64_t free_bytes = 0, largest = 0, allocated = 0, uncovered = 0;
    for (size_t i = 0; i < hole_count + allocations; i++) {
        struct freespace_hole h = i < hole_count ? holes[i] : blocks[i - hole_count];
        if (i < hole_count) {
            assert_true(h.size > 0);
            assert_true(i == 0 || holes[i - 1].addr < h.addr || is_free_list(c->policy));
            free_bytes += h.size;
            largest = h.size > largest ? h.size : largest;
        } else {
            allocated += h.size;
        }
        assert_true(h.addr >= c->base && h.addr + h.size <= c->base + c->size);
        for (uint64_t a = h.addr; a < h.addr + h.size; a++)
            assert_int_equal(owner[a - c->base]++, 0);
    }
    for (size_t a = 0; a < c->size; a++)
        uncovered += owner[a] == 0;
    free(owner);
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    assert_int_equal(uncovered, s.overhead_bytes);
    assert_int_equal(s.free_bytes, free_bytes);
    assert_int_equal(s.free_bytes + allocated + s.overhead_bytes, c->size);
    assert_int_equal(s.holes, hole_count);
    assert_int_equal(s.largest_hole, largest);
    assert_true(s.external_now >= 0 && s.external_now < 1);
    assert_true(s.live_bytes <= s.peak_live_bytes && s.peak_footprint <= c->size);
}

/* What one allocation's result must say of itself. */
static void check_allocation(const struct freespace_config *c, const struct freespace_op *op,
                             const struct freespace_result *r)
{
    uint64_t rounded = (op->value + c->align - 1) / c->align * c->align;
    if (!is_free_list(c->policy)) {
        if (r->failed)
            return;
        assert_int_equal(r->address, r->block + c->header);
        assert_true(r->block_size >= rounded + c->header);
        assert_true(r->block >= r->hole.addr &&
                    r->block + r->block_size <= r->hole.addr + r->hole.size);
        return;
    }
    assert_true(r->searched <= r->holes);
    if (!strcmp(c->policy, "best") || !strcmp(c->policy, "worst") || r->failed)
        assert_int_equal(r->searched, r->holes);
    if (r->failed)
        return;
    assert_int_equal(r->address, r->block + c->header);
    assert_true(r->block_size >= rounded + c->header);
    assert_true(r->block_size <= r->hole.size && r->block == r->hole.addr);
    if (r->split)
        assert_true(r->hole.size - r->block_size >= c->min_split);
    else
        assert_true(r->block_size == r->hole.size &&
                    r->hole.size - (rounded + c->header) < c->min_split);
}

static void assert_same_result(const struct freespace_result *a, const struct freespace_result *b)
{
    assert_int_equal(a->failed, b->failed);
    assert_int_equal(a->block, b->block);
    assert_int_equal(a->block_size, b->block_size);
    assert_int_equal(a->searched, b->searched);
    assert_int_equal(a->start, b->start);
    assert_int_equal(a->position, b->position);
    assert_int_equal(a->hole.addr, b->hole.addr);
    assert_int_equal(a->hole.size, b->hole.size);
    assert_int_equal(a->split, b->split);
    assert_int_equal(a->merges, b->merges);
}

/* Run ops on the heap (and in step on a second heap, if given, which must
 * agree), checking after every operation; then free what is left. */
static void run_checked(struct freespace_heap *heap, struct freespace_heap *twin,
                        const struct freespace_op *ops, size_t count)
{
    static struct freespace_hole blocks[OPS];
    bool live[OPS] = {false};
    uint64_t allocations = 0;
    const struct freespace_config *c = freespace_heap_config(heap);
    for (size_t i = 0; i < count + OPS; i++) {
        struct freespace_op op;
        if (i < count)
            op = ops[i];
        else if (i - count < allocations && live[i - count])
            op = (struct freespace_op){FREESPACE_FREE, i - count};
        else
            continue;
        struct freespace_result r = test_apply(heap, &op);
        if (twin) {
            struct freespace_result t = test_apply(twin, &op);
            assert_same_result(&r, &t);
        }
        if (op.kind == FREESPACE_ALLOC) {
            check_allocation(c, &op, &r);
            live[allocations] = !r.failed;
            blocks[allocations++] = r.failed ? (struct freespace_hole){HEAP_BASE, 0}
                                             : (struct freespace_hole){r.block, r.block_size};
        } else {
            live[op.value] = false;
            blocks[op.value].size = 0;
        }
        check_tiling(heap, blocks, allocations);
    }
    if (twin) {
        char a[8192], b[8192];
        test_free_list(heap, a, sizeof a);
        test_free_list(twin, b, sizeof b);
        assert_string_equal(a, b);
    }
}

static void every_policy_keeps_the_heap_tiled(void **state)
{
    struct freespace_op ops[OPS];
    uint64_t seed = 1;
    for (const char *const *policy = freespace_policy_names; *policy; policy++)
        for (unsigned order = 0; order <= (is_free_list(*policy) ? FREESPACE_AT_BACK : 0);
             order++)
            for (int coalesce = 0; coalesce < 2; coalesce++)
                for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                    size_t count = random_ops(seed++, ops);
                    struct freespace_config config =
                        config_of(*policy, order, coalesce, &shapes[s], FREESPACE_LIST);
                    struct freespace_heap *heap = test_heap(&config);
                    run_checked(heap, NULL, ops, count);
                    freespace_heap_destroy(heap);
                }
}

static void the_tree_answers_as_the_list_does(void **state)
{
    struct freespace_op ops[OPS];
    uint64_t seed = 1000;
    for (const char *const *policy = freespace_policy_names; is_free_list(*policy); policy++)
        for (int coalesce = 0; coalesce < 2; coalesce++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                for (int run = 0; run < 4; run++) {
                    size_t count = random_ops(seed++, ops);
                    struct freespace_config list = config_of(
                        *policy, FREESPACE_BY_ADDRESS, coalesce, &shapes[s], FREESPACE_LIST);
                    struct freespace_config tree = list;
                    tree.structure = FREESPACE_TREE;
                    struct freespace_heap *a = test_heap(&list), *b = test_heap(&tree);
                    assert_string_equal(freespace_heap_structure(b), "tree");
                    run_checked(a, b, ops, count);
                    freespace_heap_destroy(a);
                    freespace_heap_destroy(b);
                }
}

static void freeing_everything_with_coalescing_in_address_order_leaves_one_hole(void **state)
{
    struct freespace_op ops[OPS];
    uint64_t seed = 5000;
    for (const char *const *policy = freespace_policy_names; is_free_list(*policy); policy++)
        for (int structure = FREESPACE_LIST; structure <= FREESPACE_TREE; structure++) {
            size_t count = random_ops(seed++, ops);
            struct freespace_config config =
                config_of(*policy, FREESPACE_BY_ADDRESS, true, &shapes[1], structure);
            struct freespace_heap *heap = test_heap(&config);
            run_checked(heap, NULL, ops, count);
            char list[64];
            test_free_list(heap, list, sizeof list);
            assert_string_equal(list, "4096:1024");
            freespace_heap_destroy(heap);
        }
}

static void freeing_everything_leaves_every_family_as_it_started(void **state)
{
    struct freespace_op ops[OPS];
    uint64_t seed = 7000;
    for (const char *const *policy = freespace_policy_names; *policy; policy++) {
        if (is_free_list(*policy))
            continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            size_t count = random_ops(seed++, ops);
            struct freespace_config config =
                config_of(*policy, FREESPACE_BY_ADDRESS, true, &shapes[s], FREESPACE_ANY);
            bool keeps_empty_slabs = !strcmp(*policy, "slab") || !strcmp(*policy, "mmkit");
            struct freespace_heap *heap = test_heap(&config);
            char before[8192], after[8192];
            if (!keeps_empty_slabs)
                test_free_list(heap, before, sizeof before);
            run_checked(heap, NULL, ops, count);
            struct freespace_stats st;
            freespace_heap_stats(heap, &st);
            assert_int_equal(st.live_bytes, 0);
            assert_int_equal(st.free_bytes + st.overhead_bytes, config.size);
            if (!keeps_empty_slabs) {
                test_free_list(heap, after, sizeof after);
                assert_string_equal(after, before);
            }
            freespace_heap_destroy(heap);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_policy_keeps_the_heap_tiled),
        cmocka_unit_test(the_tree_answers_as_the_list_does),
        cmocka_unit_test(freeing_everything_with_coalescing_in_address_order_leaves_one_hole),
        cmocka_unit_test(freeing_everything_leaves_every_family_as_it_started),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
