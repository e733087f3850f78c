/*
 * standard_calls_conform.c - the standard allocation calls keep their
 * contract: aligned blocks at least as large as asked, unique malloc(0),
 * calloc zeroes, realloc keeps contents across size classes and across the
 * mmap threshold, every power-of-two alignment works.
 *
 * Built three ways (see alloc_calls.h): through the mmkit_* API, through the
 * standard names on libmmkit, and on the C library's malloc as a reference.
 */
#include "test_util.h"

#include "alloc_calls.h"

#define MIN_ALIGN 16

/* Sizes 0..4 KiB one by one, then about 5% apart with their neighbours up to
 * a little over 2 MiB.  Returns how many were written to out[]. */
static size_t conformance_sizes(size_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t s = 0; s <= 4 * KiB && n < cap; s++)
        out[n++] = s;
    for (size_t s = 4 * KiB; s <= 2 * MiB + 64 * KiB && n + 3 <= cap; s += s / 20) {
        out[n++] = s - 1;
        out[n++] = s;
        out[n++] = s + 1;
    }
    return n;
}

#define MAX_SIZES 8192

static void blocks_are_aligned_and_large_enough(void **state)
{
    static size_t sizes[MAX_SIZES];
    size_t count = conformance_sizes(sizes, MAX_SIZES);
    for (size_t i = 0; i < count; i++) {
        size_t n = sizes[i];
        unsigned char *p = T_malloc(n);
        assert_non_null(p);
        assert_true(is_aligned(p, MIN_ALIGN));
        size_t usable = T_usable_size(p);
        assert_true(usable >= n);
        memset(p, 0xa5, usable); /* every usable byte is the caller's */
        T_free(p);
    }
}

/* Blocks that are live at once never share a byte: each keeps its own
 * pattern while the others are written. */
static void live_blocks_do_not_overlap(void **state)
{
    enum { LIVE = 3000 };
    static void *blocks[LIVE];
    static size_t lens[LIVE];
    uint64_t rng = 12345;
    for (size_t i = 0; i < LIVE; i++) {
        lens[i] = i < 1000 ? i : rng_block_size(&rng, 1 * MiB);
        blocks[i] = T_malloc(lens[i]);
        assert_non_null(blocks[i]);
        pattern_fill(blocks[i], lens[i], i);
    }
    for (size_t i = 0; i < LIVE; i++)
        assert_int_equal(pattern_mismatch(blocks[i], lens[i], i), lens[i]);
    for (size_t i = 0; i < LIVE; i += 2)
        T_free(blocks[i]);
    for (size_t i = 0; i < LIVE; i += 2) {
        blocks[i] = T_malloc(lens[i]);
        assert_non_null(blocks[i]);
        pattern_fill(blocks[i], lens[i], i + LIVE);
    }
    for (size_t i = 0; i < LIVE; i++)
        assert_true(pattern_ok(blocks[i], lens[i], i % 2 ? i : i + LIVE));
    for (size_t i = 0; i < LIVE; i++)
        T_free(blocks[i]);
}

/* Blocks grown in place by realloc must not grow into a neighbour: grow
 * every other block of a row of medium and large ones, in steps, and check
 * that every block, grown or not, still holds its own bytes. */
static void realloc_growth_leaves_neighbours_alone(void **state)
{
    enum { ROW = 96 };
    static unsigned char *blocks[ROW];
    static size_t lens[ROW];
    uint64_t rng = 4242;
    for (size_t i = 0; i < ROW; i++) {
        lens[i] = 100 * KiB + rng_below(&rng, 900 * KiB);
        blocks[i] = T_malloc(lens[i]);
        assert_non_null(blocks[i]);
        pattern_fill(blocks[i], lens[i], i);
    }
    for (size_t i = 1; i < ROW; i += 4) { /* free some, so there is room to grow */
        T_free(blocks[i]);
        blocks[i] = NULL;
    }
    for (int step = 0; step < 4; step++) {
        for (size_t i = 0; i < ROW; i += 2) {
            size_t n = lens[i] + lens[i] / 3 + 4096;
            unsigned char *p = T_realloc(blocks[i], n);
            assert_non_null(p);
            assert_true(pattern_ok(p, lens[i], i));
            pattern_fill(p, n, i);
            blocks[i] = p;
            lens[i] = n;
        }
        for (size_t i = 0; i < ROW; i++)
            if (blocks[i])
                assert_int_equal(pattern_mismatch(blocks[i], lens[i], i), lens[i]);
    }
    for (size_t i = 0; i < ROW; i++)
        T_free(blocks[i]);
}

static int compare_pointers(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return (x > y) - (x < y);
}

static void malloc_zero_returns_unique_freeable_pointers(void **state)
{
    enum { COUNT = 1000 };
    static void *blocks[COUNT];
    for (size_t i = 0; i < COUNT; i++) {
        blocks[i] = T_malloc(0);
        assert_non_null(blocks[i]);
        assert_true(is_aligned(blocks[i], MIN_ALIGN));
    }
    qsort(blocks, COUNT, sizeof blocks[0], compare_pointers);
    for (size_t i = 1; i < COUNT; i++)
        assert_ptr_not_equal(blocks[i - 1], blocks[i]);
    for (size_t i = 0; i < COUNT; i++)
        T_free(blocks[i]);

    /* the other calls asked for nothing answer the same way */
    void *zero[6] = {T_calloc(0, 8), T_calloc(8, 0), T_aligned_alloc(64, 0), T_realloc(NULL, 0),
                     T_memalign(4096, 0), NULL};
    assert_int_equal(T_posix_memalign(&zero[5], 256, 0), 0);
    for (size_t i = 0; i < 6; i++) {
        assert_non_null(zero[i]);
        for (size_t j = 0; j < i; j++)
            assert_ptr_not_equal(zero[i], zero[j]);
    }
    assert_true(is_aligned(zero[2], 64));
    assert_true(is_aligned(zero[4], 4096));
    assert_true(is_aligned(zero[5], 256));
    for (size_t i = 0; i < 6; i++)
        T_free(zero[i]);
}

/* Freed blocks are dirtied first, so a calloc that reuses one must clear it. */
static void calloc_zeroes_reused_memory(void **state)
{
    static const size_t sizes[] = {1,    8,    16,   24,     48,     100,    256,   1000,
                                   4096, 5000, 8192, 32768,  65536,  100000, 262144,
                                   1 * MiB - 1,     1 * MiB, 1 * MiB + 1, 3 * MiB};
    enum { ROUNDS = 64 };
    static void *dirty[ROUNDS];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        for (size_t r = 0; r < ROUNDS; r++) {
            dirty[r] = T_malloc(n);
            assert_non_null(dirty[r]);
            memset(dirty[r], 0xff, T_usable_size(dirty[r]));
        }
        for (size_t r = 0; r < ROUNDS; r++)
            T_free(dirty[r]);
        for (size_t r = 0; r < ROUNDS; r++) {
            dirty[r] = T_calloc(1, n);
            assert_non_null(dirty[r]);
            assert_true(all_zero(dirty[r], n));
            memset(dirty[r], 0xee, n);
        }
        for (size_t r = 0; r < ROUNDS; r++)
            T_free(dirty[r]);
        /* count * size, with the element size not a power of two */
        unsigned char *p = T_calloc(n / 3 + 1, 3);
        assert_non_null(p);
        assert_true(all_zero(p, (n / 3 + 1) * 3));
        T_free(p);
    }
}

/* Large blocks freed dirty may come back for smaller or larger requests;
 * calloc clears whatever it hands out. */
static void calloc_zeroes_recycled_large_blocks(void **state)
{
    enum { DIRTY = 8 };
    static const size_t dirty_sizes[] = {6 * MiB, 1 * MiB + 1, 2 * MiB, 12 * MiB};
    static const size_t wanted[] = {1 * MiB + 4096, 2 * MiB - 1, 5 * MiB, 600 * KiB,
                                    3 * MiB + 17, 1 * MiB + 1, 12 * MiB};
    for (size_t d = 0; d < sizeof dirty_sizes / sizeof dirty_sizes[0]; d++) {
        void *blocks[DIRTY];
        for (size_t i = 0; i < DIRTY; i++) {
            blocks[i] = T_malloc(dirty_sizes[d]);
            assert_non_null(blocks[i]);
            memset(blocks[i], 0xdd, T_usable_size(blocks[i]));
        }
        for (size_t i = 0; i < DIRTY; i++)
            T_free(blocks[i]);
        for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++) {
            unsigned char *p = T_calloc(wanted[w], 1);
            assert_non_null(p);
            assert_true(all_zero(p, wanted[w]));
            memset(p, 0xcc, wanted[w]);
            T_free(p);
        }
    }
}

/* Grow one byte to 4 MiB and back in uneven steps: every size class, and
 * past the mmap threshold both ways.  The bytes both sizes share survive. */
static void realloc_keeps_contents_across_size_classes(void **state)
{
    size_t len = 1;
    uint64_t seed = 1;
    unsigned char *p = T_malloc(len);
    assert_non_null(p);
    pattern_fill(p, len, seed);
    size_t up = 1;
    for (int pass = 0; pass < 2; pass++) {
        for (;;) {
            size_t next = pass == 0 ? len + up : len - up;
            if (pass == 0 && next > 4 * MiB)
                break;
            if (pass == 1 && (up >= len || next < 1))
                break;
            p = T_realloc(p, next);
            assert_non_null(p);
            assert_true(is_aligned(p, MIN_ALIGN));
            assert_true(T_usable_size(p) >= next);
            size_t kept = next < len ? next : len;
            assert_int_equal(pattern_mismatch(p, kept, seed), kept);
            len = next;
            pattern_fill(p, len, ++seed);
            up = pass == 0 ? up + up / 3 + 7 : len / 4 + 1;
        }
    }
    T_free(p);
}

static void realloc_null_is_malloc_and_zero_frees(void **state)
{
    unsigned char *p = T_realloc(NULL, 300);
    assert_non_null(p);
    assert_true(T_usable_size(p) >= 300);
    pattern_fill(p, 300, 7);
#if MMKIT_PROMISE
    mmkit_stats before, after;
    mmkit_stats_get(&before);
#endif
    assert_null(T_realloc(p, 0));
#if MMKIT_PROMISE
    mmkit_stats_get(&after);
    uint64_t freed = 0;
    for (size_t c = 0; c < after.class_count; c++)
        freed += after.classes[c].frees - before.classes[c].frees;
    assert_int_equal(freed, 1);
#endif
}

#if MMKIT_PROMISE
/* Above the threshold a block is mapped on its own, and realloc carries the
 * contents into such a block and back out of it. */
static void realloc_moves_into_and_out_of_mapped_blocks(void **state)
{
    size_t threshold = (size_t)mmkit_option_get("mmap_threshold");
    assert_true(threshold >= 4 * KiB);
    mmkit_stats s0, s1, s2;
    unsigned char *p = T_malloc(threshold - 100);
    assert_non_null(p);
    pattern_fill(p, threshold - 100, 11);
    mmkit_stats_get(&s0);
    p = T_realloc(p, threshold + 100);
    assert_non_null(p);
    mmkit_stats_get(&s1);
    assert_int_equal(s1.large_allocs - s0.large_allocs, 1);
    assert_true(pattern_ok(p, threshold - 100, 11));
    pattern_fill(p, threshold + 100, 12);
    p = T_realloc(p, threshold / 2);
    assert_non_null(p);
    mmkit_stats_get(&s2);
    assert_int_equal(s2.large_frees - s1.large_frees, 1);
    assert_true(pattern_ok(p, threshold / 2, 12));
    T_free(p);

    /* exactly the threshold is still a size-class block */
    mmkit_stats_get(&s0);
    p = T_malloc(threshold);
    assert_non_null(p);
    mmkit_stats_get(&s1);
    assert_int_equal(s1.large_allocs, s0.large_allocs);
    T_free(p);
}
#endif

/* Blocks mapped on their own, grown and shrunk in steps large and small,
 * keep every byte they share with the new size. */
static void realloc_of_mapped_blocks_keeps_contents(void **state)
{
    static const size_t steps[] = {2 * MiB,  2 * MiB + 1, 8 * MiB,  8 * MiB - 4096,
                                   3 * MiB,  32 * MiB,    5 * MiB + 7, 1 * MiB + 1,
                                   33 * MiB, 4 * MiB,     100};
    size_t len = 1 * MiB + 100;
    unsigned char *p = T_malloc(len);
    assert_non_null(p);
    pattern_fill(p, len, 1000);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        p = T_realloc(p, steps[i]);
        assert_non_null(p);
        size_t usable = T_usable_size(p);
        assert_true(usable >= steps[i]);
        size_t kept = steps[i] < len ? steps[i] : len;
        assert_int_equal(pattern_mismatch(p, kept, 1000 + i), kept);
        memset(p + steps[i], 0x77, usable - steps[i]); /* the slack is usable too */
        len = steps[i];
        pattern_fill(p, len, 1000 + i + 1);
    }
    T_free(p);
}

/* A block from an aligned call reallocates like any other. */
static void realloc_of_aligned_blocks_keeps_contents(void **state)
{
    for (size_t a = 32; a <= 4 * MiB; a *= 4) {
        const size_t sizes[] = {1, 100, 5000, 300000, 3 * MiB};
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            unsigned char *p = T_aligned_alloc(a, n);
            assert_non_null(p);
            pattern_fill(p, n, a + n);
            unsigned char *q = T_realloc(p, n * 3 + 1);
            assert_non_null(q);
            assert_true(pattern_ok(q, n, a + n));
            pattern_fill(q, n * 3 + 1, a + n + 1);
            q = T_realloc(q, n / 2 + 1);
            assert_non_null(q);
            assert_true(pattern_ok(q, n / 2 + 1, a + n + 1));
            assert_true(is_aligned(q, MIN_ALIGN));
            T_free(q);
        }
    }
}

#if MMKIT_PROMISE
/* A block that shrinks by less than half stays where it is. */
static void realloc_shrinking_by_less_than_half_stays(void **state)
{
    const size_t sizes[] = {48, 100, 1000, 5000, 70000, 600000, 1 * MiB, 3 * MiB, 20 * MiB};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        unsigned char *p = T_malloc(n);
        assert_non_null(p);
        pattern_fill(p, n, n);
        unsigned char *q = T_realloc(p, n - n / 3);
        assert_ptr_equal(q, p);
        assert_true(pattern_ok(q, n - n / 3, n));
        T_free(q);
    }
}
#endif

static void reallocarray_keeps_contents(void **state)
{
    unsigned char *p = T_reallocarray(NULL, 10, 7);
    assert_non_null(p);
    pattern_fill(p, 70, 3);
    p = T_reallocarray(p, 1000, 7);
    assert_non_null(p);
    assert_true(T_usable_size(p) >= 7000);
    assert_true(pattern_ok(p, 70, 3));
    pattern_fill(p, 7000, 4);
    p = T_reallocarray(p, 300000, 7);
    assert_non_null(p);
    assert_true(pattern_ok(p, 7000, 4));
    p = T_reallocarray(p, 5, 7);
    assert_non_null(p);
    assert_true(pattern_ok(p, 35, 4));
    T_free(p);
}

static void check_aligned_block(void *p, size_t alignment, size_t size)
{
    assert_non_null(p);
    assert_true(is_aligned(p, alignment > MIN_ALIGN ? alignment : MIN_ALIGN));
    size_t usable = T_usable_size(p);
    assert_true(usable >= size);
    memset(p, 0x3c, usable);
}

/* Every power of two from 1 byte to 8 MiB, with sizes below, at and above
 * the alignment, through all three aligned calls. */
static void every_power_of_two_alignment_works(void **state)
{
    for (size_t a = 1; a <= 8 * MiB; a *= 2) {
        const size_t sizes[] = {1, 24, a / 2 + 1, a, a + 1, 3 * a + 5};
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            void *p = T_aligned_alloc(a, n);
            check_aligned_block(p, a, n);
            void *q = T_memalign(a, n);
            check_aligned_block(q, a, n);
            void *r = NULL;
            if (a >= sizeof(void *)) {
                assert_int_equal(T_posix_memalign(&r, a, n), 0);
                check_aligned_block(r, a, n);
            }
            T_free(p);
            T_free(q);
            T_free(r);
        }
    }
}

static void valloc_and_pvalloc_are_page_aligned(void **state)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t sizes[] = {0, 1, 100, 4095, 4096, 4097, 100000, 3 * MiB};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        void *v = T_valloc(n);
        check_aligned_block(v, page, n);
        void *pv = T_pvalloc(n);
        size_t rounded = (n + page - 1) / page * page;
        check_aligned_block(pv, page, rounded ? rounded : 1);
        T_free(v);
        T_free(pv);
    }
}

static void free_null_does_nothing(void **state)
{
    T_free(NULL);
    assert_int_equal(T_usable_size(NULL), 0);
#if MMKIT_PROMISE
    T_free_sized(NULL, 0);
    T_free_aligned_sized(NULL, 64, 0);
#endif
    void *p = T_malloc(10);
    assert_non_null(p);
    T_free(p);
}

#if MMKIT_PROMISE
static uint64_t total_frees(void)
{
    mmkit_stats s;
    mmkit_stats_get(&s);
    uint64_t frees = s.large_frees;
    for (size_t c = 0; c < s.class_count; c++)
        frees += s.classes[c].frees;
    return frees;
}

static void sized_frees_release_blocks(void **state)
{
    const size_t sizes[] = {0, 1, 17, 1000, 70000, 2 * MiB};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        uint64_t before = total_frees();
        void *p = T_malloc(n);
        assert_non_null(p);
        T_free_sized(p, n);
        void *q = T_aligned_alloc(256, n);
        assert_non_null(q);
        T_free_aligned_sized(q, 256, n);
        assert_int_equal(total_frees() - before, 2);
    }
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocks_are_aligned_and_large_enough),
        cmocka_unit_test(live_blocks_do_not_overlap),
        cmocka_unit_test(realloc_growth_leaves_neighbours_alone),
        cmocka_unit_test(malloc_zero_returns_unique_freeable_pointers),
        cmocka_unit_test(calloc_zeroes_reused_memory),
        cmocka_unit_test(calloc_zeroes_recycled_large_blocks),
        cmocka_unit_test(realloc_keeps_contents_across_size_classes),
        cmocka_unit_test(realloc_null_is_malloc_and_zero_frees),
#if MMKIT_PROMISE
        cmocka_unit_test(realloc_moves_into_and_out_of_mapped_blocks),
        cmocka_unit_test(sized_frees_release_blocks),
        cmocka_unit_test(realloc_shrinking_by_less_than_half_stays),
#endif
        cmocka_unit_test(realloc_of_mapped_blocks_keeps_contents),
        cmocka_unit_test(realloc_of_aligned_blocks_keeps_contents),
        cmocka_unit_test(reallocarray_keeps_contents),
        cmocka_unit_test(every_power_of_two_alignment_works),
        cmocka_unit_test(valloc_and_pvalloc_are_page_aligned),
        cmocka_unit_test(free_null_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
