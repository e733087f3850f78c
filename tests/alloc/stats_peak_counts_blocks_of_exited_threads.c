/*
 * stats_peak_counts_blocks_of_exited_threads.c - a class's peak is at
 * least the most blocks that were live at once, also when the threads
 * that allocated them have exited, as in a server whose short-lived
 * worker threads hand their results to others.
 */
#include "test_util.h"

#include <pthread.h>

#include <mmkit/mmkit.h>

enum { THREADS = 200, BLOCK = 64 };

static void *kept[THREADS];

static void *allocate_one(void *slot)
{
    *(void **)slot = mmkit_malloc(BLOCK);
    return NULL;
}

static size_t class_of(const mmkit_stats *s, size_t n)
{
    for (size_t c = 0; c < s->class_count; c++)
        if (s->classes[c].block_size >= n)
            return c;
    return s->class_count;
}

static void peak_counts_blocks_whose_threads_exited(void **state)
{
    (void)state;
    static mmkit_stats before, after;
    mmkit_stats_get(&before);
    size_t c = class_of(&before, BLOCK);
    uint64_t b = before.classes[c].block_size;
    /* One thread at a time: each allocates a block and exits, so that
     * every block outlives the heap it came from. */
    for (size_t i = 0; i < THREADS; i++) {
        pthread_t thread;
        assert_int_equal(pthread_create(&thread, NULL, allocate_one, &kept[i]), 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(peak_counts_blocks_whose_threads_exited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
