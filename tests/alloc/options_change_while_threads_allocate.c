/*
 * options_change_while_threads_allocate.c - a program may change options
 * (as mallopt does) while other threads allocate: the blocks keep their
 * contents, and the change is free of data races (checked by the TSan
 * build).
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#include "stats_util.h"

enum { WORKERS = 3, ROUNDS = 20000 };

static atomic_int finished;

static void *allocate_rounds(void *arg)
{
    uint64_t rng = (uintptr_t)arg;
    void *kept[16] = {0};
    size_t lens[16] = {0};
    for (long round = 0; round < ROUNDS; round++) {
        size_t k = rng_below(&rng, 16);
        if (kept[k]) {
            check(edges_ok(kept[k], lens[k], k));
            mmkit_free(kept[k]);
        }
        /* sizes that consult the threshold without ever crossing it, so
         * that no lock orders the workers after the changes */
        lens[k] = 1025 + rng_below(&rng, 8 * KiB);
        kept[k] = mmkit_malloc(lens[k]);
        check(kept[k] != NULL);
        edges_fill(kept[k], lens[k], k);
    }
    for (size_t k = 0; k < 16; k++) {
        if (kept[k])
            check(edges_ok(kept[k], lens[k], k));
        mmkit_free(kept[k]);
    }
    atomic_fetch_add(&finished, 1);
    return NULL;
}

static void change_options_while_workers_run(long long threshold)
{
    pthread_t t[WORKERS];
    atomic_store(&finished, 0);
    for (uintptr_t i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, allocate_rounds, (void *)(i + 1)), 0);
    /* change options for as long as the workers run */
    for (long i = 0; atomic_load(&finished) < WORKERS; i++) {
        assert_int_equal(mmkit_option_set("mmap_threshold", i % 2 ? 64 * 1024 : threshold), 0);
        assert_int_equal(mmkit_option_set("purge_delay_ms", i % 3 ? 0 : 50), 0);
        (void)mmkit_option_get("mmap_threshold");
    }
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
}

/* A few times over, so that a race shows in most runs of the TSan build. */
static void options_change_under_allocating_threads(void **state)
{
    long long threshold = mmkit_option_get("mmap_threshold");
    long long delay = mmkit_option_get("purge_delay_ms");
    for (int round = 0; round < 3; round++)
        change_options_while_workers_run(threshold);
    assert_int_equal(mmkit_option_set("mmap_threshold", threshold), 0);
    assert_int_equal(mmkit_option_set("purge_delay_ms", delay), 0);
    assert_all_blocks_freed("after the threads finished");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_change_under_allocating_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
