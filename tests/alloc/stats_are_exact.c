/*
 * stats_are_exact.c - in a single thread the statistics count exactly:
 * every block in its size class, blocks above the mmap threshold as large,
 * live and peak bytes, mapped and committed bytes that cover what is live.
 * A class's peak also counts the blocks of threads that have exited.
 */
#include "test_util.h"

#include <pthread.h>

#include <mmkit/mmkit.h>

static mmkit_stats before, after;

/* The class a block of n bytes belongs to: the smallest that holds it. */
static size_t class_of(const mmkit_stats *s, size_t n)
{
    for (size_t c = 0; c < s->class_count; c++)
        if (s->classes[c].block_size >= n)
            return c;
    return s->class_count;
}

static void classes_are_ordered_and_end_at_the_threshold(void **state)
{
    mmkit_stats_get(&before);
    assert_true(before.class_count > 0);
    assert_true(before.class_count <= MMKIT_MAX_CLASSES);
    assert_true(before.classes[0].block_size >= 16);
    for (size_t c = 1; c < before.class_count; c++)
        assert_true(before.classes[c].block_size > before.classes[c - 1].block_size);
    /* the default threshold is the largest class: 1 MiB */
    assert_int_equal(mmkit_option_get("mmap_threshold"), 1 * MiB);
    assert_int_equal(before.classes[before.class_count - 1].block_size, 1 * MiB);
}

/* Blocks of exactly a class's size, and one byte more than the class
 * below, land in that class and nowhere else. */
static void each_class_counts_its_blocks(void **state)
{
    enum { COUNT = 10 };
    void *blocks[COUNT];
    mmkit_stats_get(&before);
    size_t classes = before.class_count;
    for (size_t c = 0; c < classes; c++) {
        size_t b = before.classes[c].block_size;
        size_t lo = c ? before.classes[c - 1].block_size + 1 : 1;
        const size_t probes[] = {lo, b};
        for (size_t k = 0; k < 2; k++) {
            mmkit_stats_get(&before);
            for (size_t i = 0; i < COUNT; i++) {
                blocks[i] = mmkit_malloc(probes[k]);
                assert_non_null(blocks[i]);
                assert_true(mmkit_usable_size(blocks[i]) >= probes[k]);
            }
            mmkit_stats_get(&after);
            for (size_t d = 0; d < classes; d++) {
                const mmkit_class_stats *x = &before.classes[d], *y = &after.classes[d];
                uint64_t expect = d == c ? COUNT : 0;
                assert_int_equal(y->allocs - x->allocs, expect);
                assert_int_equal(y->frees, x->frees);
                assert_int_equal(y->live_bytes - x->live_bytes, expect * x->block_size);
                assert_true(y->peak_bytes >= y->live_bytes);
                assert_int_equal(y->live_bytes, (y->allocs - y->frees) * y->block_size);
            }
            assert_int_equal(after.large_allocs, before.large_allocs);
            for (size_t i = 0; i < COUNT; i++)
                mmkit_free(blocks[i]);
            mmkit_stats_get(&after);
            assert_int_equal(after.classes[c].frees - before.classes[c].frees, COUNT);
            assert_int_equal(after.classes[c].live_bytes, before.classes[c].live_bytes);
            assert_true(after.classes[c].peak_bytes >=
                        before.classes[c].live_bytes + COUNT * before.classes[c].block_size);
        }
    }
}

static void calloc_realloc_and_aligned_blocks_are_counted(void **state)
{
    mmkit_stats_get(&before);
    size_t c100 = class_of(&before, 100), c5000 = class_of(&before, 5000);
    void *p = mmkit_calloc(10, 10);
    assert_non_null(p);
    p = mmkit_realloc(p, 5000);
    assert_non_null(p);
    mmkit_stats_get(&after);
    assert_int_equal(after.classes[c100].allocs - before.classes[c100].allocs, 1);
    assert_int_equal(after.classes[c100].frees - before.classes[c100].frees, 1);
    assert_int_equal(after.classes[c5000].allocs - before.classes[c5000].allocs, 1);
    mmkit_free(p);
    mmkit_stats_get(&after);
    assert_int_equal(after.classes[c5000].frees - before.classes[c5000].frees, 1);

    uint64_t allocs0 = 0, allocs1 = 0;
    for (size_t c = 0; c < before.class_count; c++)
        allocs0 += after.classes[c].allocs;
    allocs0 += after.large_allocs;
    void *a = mmkit_aligned_alloc(4096, 100);
    assert_non_null(a);
    mmkit_stats_get(&after);
    for (size_t c = 0; c < after.class_count; c++)
        allocs1 += after.classes[c].allocs;
    allocs1 += after.large_allocs;
    assert_int_equal(allocs1 - allocs0, 1);
    mmkit_free(a);
}

static void large_blocks_are_counted_and_mapped(void **state)
{
    const size_t sizes[] = {1 * MiB + 1, 3 * MiB, 17 * MiB};
    void *blocks[3];
    mmkit_stats_get(&before);
    size_t total = 0;
    for (size_t i = 0; i < 3; i++) {
        blocks[i] = mmkit_malloc(sizes[i]);
        assert_non_null(blocks[i]);
        memset(blocks[i], 1, sizes[i]);
        total += sizes[i];
    }
    mmkit_stats_get(&after);
    assert_int_equal(after.large_allocs - before.large_allocs, 3);
    assert_int_equal(after.large_frees, before.large_frees);
    assert_true(after.large_live_bytes - before.large_live_bytes >= total);
    assert_true(after.large_peak_bytes >= after.large_live_bytes);
    assert_true(after.mapped_bytes - before.mapped_bytes >= total);
    assert_true(after.committed_bytes - before.committed_bytes >= total);
    assert_true(after.mmap_calls - before.mmap_calls >= 3);
    assert_true(after.peak_mapped_bytes >= after.mapped_bytes);
    assert_true(after.committed_bytes <= after.mapped_bytes);
    for (size_t c = 0; c < after.class_count; c++)
        assert_int_equal(after.classes[c].allocs, before.classes[c].allocs);

    mmkit_stats peak = after;
    for (size_t i = 0; i < 3; i++)
        mmkit_free(blocks[i]);
    mmkit_stats_get(&after);
    assert_int_equal(after.large_frees - before.large_frees, 3);
    assert_int_equal(after.large_live_bytes, before.large_live_bytes);
    assert_true(after.large_peak_bytes >= peak.large_live_bytes);
    /* a trim at the latest gives the pages back */
    (void)mmkit_trim(0);
    mmkit_stats_get(&after);
    assert_true(after.committed_bytes <= peak.committed_bytes - total);
    assert_true(after.returned_bytes - before.returned_bytes >= total);
    assert_true(after.munmap_calls + after.madvise_calls >
                before.munmap_calls + before.madvise_calls);
}

static void live_and_peak_follow_a_rise_and_fall(void **state)
{
    enum { COUNT = 5000 };
    static void *blocks[COUNT];
    mmkit_stats_get(&before);
    size_t c = class_of(&before, 64);
    uint64_t b = before.classes[c].block_size;
    for (size_t i = 0; i < COUNT; i++)
        assert_non_null(blocks[i] = mmkit_malloc(64));
    for (size_t i = 0; i < COUNT / 2; i++)
        mmkit_free(blocks[i]);
    mmkit_stats_get(&after);
    assert_int_equal(after.classes[c].live_bytes - before.classes[c].live_bytes, COUNT / 2 * b);
    assert_true(after.classes[c].peak_bytes >= before.classes[c].live_bytes + COUNT * b);
    for (size_t i = COUNT / 2; i < COUNT; i++)
        mmkit_free(blocks[i]);
    mmkit_stats_get(&after);
    assert_int_equal(after.classes[c].live_bytes, before.classes[c].live_bytes);
    assert_int_equal(after.classes[c].allocs - after.classes[c].frees,
                     before.classes[c].allocs - before.classes[c].frees);
    assert_true(after.threads_live >= 1);
}

/* A size the other tests leave few blocks of: the main thread's own peak
 * in its class stays far below THREADS. */
enum { HANDED_OVER = 96 };

static void *allocate_handed_over(void *slot)
{
    *(void **)slot = mmkit_malloc(HANDED_OVER);
    return NULL;
}

/* As in a server whose short-lived worker threads hand their results to
 * others: every block outlives the heap it came from. */
static void peak_counts_blocks_whose_threads_exited(void **state)
{
    enum { THREADS = 200 };
    static void *kept[THREADS];
    mmkit_stats_get(&before);
    size_t c = class_of(&before, HANDED_OVER);
    uint64_t b = before.classes[c].block_size;
    for (size_t i = 0; i < THREADS; i++) { /* one thread at a time */
        pthread_t thread;
        assert_int_equal(pthread_create(&thread, NULL, allocate_handed_over, &kept[i]), 0);
        assert_int_equal(pthread_join(thread, NULL), 0);
        assert_non_null(kept[i]);
    }
    mmkit_stats_get(&after);
    assert_int_equal(after.classes[c].live_bytes - before.classes[c].live_bytes, THREADS * b);
    for (size_t i = 0; i < THREADS; i++)
        mmkit_free(kept[i]);
    mmkit_stats_get(&after);
    assert_int_equal(after.classes[c].live_bytes, before.classes[c].live_bytes);
    if (after.classes[c].peak_bytes < before.classes[c].live_bytes + THREADS * b)
        fail_msg("class of %llu bytes: peak %llu bytes, below the %llu live at once",
                 (unsigned long long)b, (unsigned long long)after.classes[c].peak_bytes,
                 (unsigned long long)(before.classes[c].live_bytes + THREADS * b));
}

static void stats_print_writes_a_table(void **state)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    mmkit_stats_print(f);
    long text = ftell(f);
    fclose(f);
    assert_true(text > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classes_are_ordered_and_end_at_the_threshold),
        cmocka_unit_test(each_class_counts_its_blocks),
        cmocka_unit_test(calloc_realloc_and_aligned_blocks_are_counted),
        cmocka_unit_test(large_blocks_are_counted_and_mapped),
        cmocka_unit_test(live_and_peak_follow_a_rise_and_fall),
        cmocka_unit_test(peak_counts_blocks_whose_threads_exited),
        cmocka_unit_test(stats_print_writes_a_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
