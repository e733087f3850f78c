/*
 * stats_count_other_threads.c - threads_live counts the threads that have
 * a heap, and once the threads involved have finished, the statistics
 * count every free, whichever thread made it: a
 * block allocated by a thread that exited and freed by another, a block of
 * the reading thread freed by a thread that exited, and a block passed
 * between two threads that both exited.  Each case frees everything it
 * allocated, so allocs equal frees in every class afterwards.
 */
#include "test_util.h"

#include <pthread.h>

#include "stats_util.h"

#define COUNT 3000

static void *blocks[COUNT];

static size_t block_size_of(size_t i)
{
    return i % 7 == 0 ? 1 * MiB + i : 1 + i * 13 % 4000;
}

static void *allocate_all(void *unused)
{
    for (size_t i = 0; i < COUNT; i++) {
        blocks[i] = mmkit_malloc(block_size_of(i));
        check(blocks[i] != NULL);
        pattern_fill(blocks[i], block_size_of(i) < 64 ? block_size_of(i) : 64, i);
    }
    return NULL;
}

static void *free_all(void *unused)
{
    for (size_t i = 0; i < COUNT; i++) {
        check(pattern_ok(blocks[i], block_size_of(i) < 64 ? block_size_of(i) : 64, i));
        mmkit_free(blocks[i]);
    }
    return NULL;
}

static void run_in_thread(void *(*fn)(void *))
{
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fn, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
}

static void blocks_of_an_exited_thread_freed_here(void **state)
{
    run_in_thread(allocate_all);
    free_all(NULL);
    assert_all_blocks_freed("allocated by an exited thread, freed by the reader");
}

static void blocks_of_this_thread_freed_by_an_exited_thread(void **state)
{
    allocate_all(NULL);
    run_in_thread(free_all);
    assert_all_blocks_freed("allocated by the reader, freed by an exited thread");
}

static void blocks_passed_between_two_exited_threads(void **state)
{
    run_in_thread(allocate_all);
    run_in_thread(free_all);
    assert_all_blocks_freed("allocated and freed by two exited threads");
}

enum { RUNNERS = 4 };
static pthread_barrier_t started, may_exit;

static void *allocate_and_wait(void *unused)
{
    void *p = mmkit_malloc(100);
    check(p != NULL);
    pthread_barrier_wait(&started);
    pthread_barrier_wait(&may_exit);
    mmkit_free(p);
    return NULL;
}

static void threads_live_counts_running_threads(void **state)
{
    pthread_t t[RUNNERS];
    mmkit_stats before, running, after;
    void *own = mmkit_malloc(10); /* this thread has a heap too */
    assert_non_null(own);
    mmkit_stats_get(&before);
    assert_true(before.threads_live >= 1);
    pthread_barrier_init(&started, NULL, RUNNERS + 1);
    pthread_barrier_init(&may_exit, NULL, RUNNERS + 1);
    for (int i = 0; i < RUNNERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, allocate_and_wait, NULL), 0);
    pthread_barrier_wait(&started);
    mmkit_stats_get(&running);
    pthread_barrier_wait(&may_exit);
    for (int i = 0; i < RUNNERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    mmkit_stats_get(&after);
    pthread_barrier_destroy(&started);
    pthread_barrier_destroy(&may_exit);
    mmkit_free(own);
    print_message("threads_live: %llu before, %llu running, %llu after\n",
                  (unsigned long long)before.threads_live,
                  (unsigned long long)running.threads_live,
                  (unsigned long long)after.threads_live);
    assert_int_equal(running.threads_live, before.threads_live + RUNNERS);
    assert_int_equal(after.threads_live, before.threads_live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_live_counts_running_threads),
        cmocka_unit_test(blocks_of_an_exited_thread_freed_here),
        cmocka_unit_test(blocks_of_this_thread_freed_by_an_exited_thread),
        cmocka_unit_test(blocks_passed_between_two_exited_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
