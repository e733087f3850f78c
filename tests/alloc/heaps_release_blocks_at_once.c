/*
 * heaps_release_blocks_at_once.c - heaps (memory pools): their blocks obey
 * the same contract as malloc's, any thread can free one with mmkit_free,
 * and destroying a heap releases every block at once without touching other
 * heaps' blocks.
 */
#include "test_util.h"

#include <pthread.h>

#include <mmkit/mmkit.h>

static uint64_t live_class_bytes(const mmkit_stats *s)
{
    uint64_t live = 0;
    for (size_t c = 0; c < s->class_count; c++)
        live += s->classes[c].live_bytes;
    return live;
}

static void heap_blocks_keep_the_malloc_contract(void **state)
{
    mmkit_heap *h = mmkit_heap_new();
    assert_non_null(h);
    for (size_t n = 0; n < 3 * MiB; n = n * 5 / 4 + 1) {
        unsigned char *p = mmkit_heap_malloc(h, n);
        assert_non_null(p);
        assert_true(is_aligned(p, 16));
        assert_true(mmkit_usable_size(p) >= n);
        pattern_fill(p, n, n);
        p = mmkit_heap_realloc(h, p, n * 2 + 10);
        assert_non_null(p);
        assert_true(pattern_ok(p, n, n));
        mmkit_free(p);

        unsigned char *z = mmkit_heap_calloc(h, n + 1, 1);
        assert_non_null(z);
        assert_true(all_zero(z, n + 1));
        memset(z, 0xff, n + 1);
        mmkit_free(z);
        z = mmkit_heap_calloc(h, 1, n + 1);
        assert_non_null(z);
        assert_true(all_zero(z, n + 1));
        mmkit_free(z);
    }
    for (size_t a = 1; a <= 2 * MiB; a *= 2) {
        void *p = mmkit_heap_aligned_alloc(h, a, a + 3);
        assert_non_null(p);
        assert_true(is_aligned(p, a < 16 ? 16 : a));
        memset(p, 1, a + 3);
        mmkit_free(p);
    }
    void *r = mmkit_heap_realloc(h, NULL, 40);
    assert_non_null(r);
    assert_null(mmkit_heap_realloc(h, r, 0));
    mmkit_heap_destroy(h);
}

static void heap_bad_input_sets_errno(void **state)
{
    mmkit_heap *h = mmkit_heap_new();
    assert_non_null(h);
    errno = 0;
    assert_null(mmkit_heap_malloc(h, opaque_size((size_t)PTRDIFF_MAX + 1)));
    assert_int_equal(errno, ENOMEM);
    errno = 0;
    assert_null(mmkit_heap_calloc(h, opaque_size(SIZE_MAX / 2 + 1), 2));
    assert_int_equal(errno, ENOMEM);
    errno = 0;
    assert_null(mmkit_heap_aligned_alloc(h, opaque_size(24), 16));
    assert_int_equal(errno, EINVAL);
    void *p = mmkit_heap_malloc(h, 10);
    assert_non_null(p);
    errno = 0;
    assert_null(mmkit_heap_realloc(h, p, opaque_size(SIZE_MAX)));
    assert_int_equal(errno, ENOMEM);
    mmkit_free(p);
    mmkit_heap_destroy(h);
}

#define MANY 20000

/* 20000 small blocks and a few large ones, all left live, go at once. */
static void destroy_releases_every_block(void **state)
{
    static void *blocks[MANY];
    mmkit_stats s0, s1, s2;
    mmkit_stats_get(&s0);
    mmkit_heap *h = mmkit_heap_new();
    assert_non_null(h);
    for (size_t i = 0; i < MANY; i++) {
        blocks[i] = mmkit_heap_malloc(h, 16 + i % 2000);
        assert_non_null(blocks[i]);
        memset(blocks[i], 0x42, 16 + i % 2000);
    }
    for (size_t i = 0; i < 4; i++)
        assert_non_null(mmkit_heap_malloc(h, 2 * MiB));
    mmkit_stats_get(&s1);
    uint64_t small_bytes = live_class_bytes(&s1) - live_class_bytes(&s0);
    assert_true(small_bytes >= (size_t)MANY * 16);
    assert_true(s1.large_live_bytes - s0.large_live_bytes >= 8 * MiB);

    mmkit_heap_destroy(h);
    (void)mmkit_trim(0);
    mmkit_stats_get(&s2);
    assert_int_equal(live_class_bytes(&s2), live_class_bytes(&s0));
    assert_int_equal(s2.large_live_bytes, s0.large_live_bytes);
    uint64_t grown = s1.committed_bytes - s0.committed_bytes;
    assert_true(s1.committed_bytes - s2.committed_bytes >= grown * 3 / 4);

    /* a new heap works after */
    mmkit_heap *again = mmkit_heap_new();
    assert_non_null(again);
    for (size_t i = 0; i < 1000; i++) {
        blocks[i] = mmkit_heap_malloc(again, i);
        assert_non_null(blocks[i]);
        pattern_fill(blocks[i], i, i);
    }
    for (size_t i = 0; i < 1000; i++)
        assert_true(pattern_ok(blocks[i], i, i));
    mmkit_heap_destroy(again);
}

static void destroy_leaves_other_blocks_alone(void **state)
{
    enum { COUNT = 2000 };
    static void *mine[COUNT], *theirs[COUNT], *plain[COUNT];
    mmkit_heap *a = mmkit_heap_new(), *b = mmkit_heap_new();
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    for (size_t i = 0; i < COUNT; i++) {
        size_t n = 1 + i * 37 % 3000;
        mine[i] = mmkit_heap_malloc(a, n);
        theirs[i] = mmkit_heap_malloc(b, n);
        plain[i] = mmkit_malloc(n);
        assert_non_null(mine[i]);
        assert_non_null(theirs[i]);
        assert_non_null(plain[i]);
        pattern_fill(mine[i], n, i);
        pattern_fill(theirs[i], n, i + COUNT);
        pattern_fill(plain[i], n, i + 2 * COUNT);
    }
    mmkit_heap_destroy(a);
    /* reuse whatever a gave back, then check b's and malloc's blocks */
    for (size_t i = 0; i < COUNT; i++) {
        size_t n = 1 + i * 37 % 3000;
        mine[i] = mmkit_malloc(n);
        assert_non_null(mine[i]);
        memset(mine[i], 0, n);
    }
    for (size_t i = 0; i < COUNT; i++) {
        size_t n = 1 + i * 37 % 3000;
        assert_true(pattern_ok(theirs[i], n, i + COUNT));
        assert_true(pattern_ok(plain[i], n, i + 2 * COUNT));
        mmkit_free(mine[i]);
        mmkit_free(plain[i]);
    }
    mmkit_heap_destroy(b);
}

struct remote_free {
    void **blocks;
    size_t count;
};

static void *free_blocks(void *arg)
{
    struct remote_free *job = arg;
    for (size_t i = 0; i < job->count; i++)
        mmkit_free(job->blocks[i]);
    return NULL;
}

/* Other threads free a heap's blocks; the heap then reuses and destroys. */
static void other_threads_free_heap_blocks(void **state)
{
    enum { THREADS = 3, PER_THREAD = 5000 };
    static void *blocks[THREADS][PER_THREAD];
    mmkit_stats s0, s1;
    mmkit_stats_get(&s0);
    mmkit_heap *h = mmkit_heap_new();
    assert_non_null(h);
    for (int round = 0; round < 3; round++) {
        pthread_t tid[THREADS];
        struct remote_free jobs[THREADS];
        for (int t = 0; t < THREADS; t++) {
            for (size_t i = 0; i < PER_THREAD; i++) {
                blocks[t][i] = mmkit_heap_malloc(h, 8 + (i % 64) * 8);
                assert_non_null(blocks[t][i]);
                memset(blocks[t][i], t, 8 + (i % 64) * 8);
            }
            jobs[t] = (struct remote_free){blocks[t], PER_THREAD};
        }
        for (int t = 0; t < THREADS; t++)
            assert_int_equal(pthread_create(&tid[t], NULL, free_blocks, &jobs[t]), 0);
        for (int t = 0; t < THREADS; t++)
            assert_int_equal(pthread_join(tid[t], NULL), 0);
    }
    void *keep = mmkit_heap_malloc(h, 100);
    assert_non_null(keep);
    mmkit_heap_destroy(h);
    mmkit_stats_get(&s1);
    assert_int_equal(live_class_bytes(&s1), live_class_bytes(&s0));
}

/* Several threads at once each own heaps, let a helper free half of the
 * blocks, check the rest and destroy the heap. */
enum { OWNERS = 4, OWNED = 4000 };

static void *own_heaps(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    void **mine = calloc(OWNED, sizeof *mine);
    void **theirs = calloc(OWNED / 2, sizeof *theirs);
    check(mine && theirs);
    for (int round = 0; round < 5; round++) {
        mmkit_heap *h = mmkit_heap_new();
        check(h != NULL);
        for (size_t i = 0; i < OWNED; i++) {
            size_t n = 1 + (i * 31 + id) % 5000;
            mine[i] = i % 97 ? mmkit_heap_malloc(h, n) : mmkit_heap_aligned_alloc(h, 4096, n);
            check(mine[i] != NULL);
            pattern_fill(mine[i], n < 64 ? n : 64, i + id * OWNED);
        }
        for (size_t i = 0; i < OWNED / 2; i++)
            theirs[i] = mine[2 * i];
        struct remote_free job = {theirs, OWNED / 2};
        pthread_t helper;
        check(pthread_create(&helper, NULL, free_blocks, &job) == 0);
        check(pthread_join(helper, NULL) == 0);
        for (size_t i = 1; i < OWNED; i += 2) {
            size_t n = 1 + (i * 31 + id) % 5000;
            check(pattern_ok(mine[i], n < 64 ? n : 64, i + id * OWNED));
        }
        mmkit_heap_destroy(h);
    }
    free(mine);
    free(theirs);
    return NULL;
}

static void heaps_in_many_threads_at_once(void **state)
{
    mmkit_stats s0, s1;
    mmkit_stats_get(&s0);
    pthread_t t[OWNERS];
    for (uintptr_t i = 0; i < OWNERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, own_heaps, (void *)i), 0);
    for (int i = 0; i < OWNERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    mmkit_stats_get(&s1);
    assert_int_equal(live_class_bytes(&s1), live_class_bytes(&s0));
    assert_int_equal(s1.large_live_bytes, s0.large_live_bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heap_blocks_keep_the_malloc_contract),
        cmocka_unit_test(heap_bad_input_sets_errno),
        cmocka_unit_test(destroy_releases_every_block),
        cmocka_unit_test(destroy_leaves_other_blocks_alone),
        cmocka_unit_test(other_threads_free_heap_blocks),
        cmocka_unit_test(heaps_in_many_threads_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
