/*
 * exited_threads_blocks_share_pages.c - short-lived threads that each
 * leave a block behind (a server's workers handing on their results,
 * mimalloc-bench's mleak) fill the pages the threads before them left,
 * instead of each taking a fresh page: the blocks stay dense and the
 * process maps no more than their bytes need.
 */
#include "test_util.h"

#include <pthread.h>

#include <mmkit/mmkit.h>

enum { THREADS = 300, BLOCK = 128 };

static void *kept[THREADS];

static void *leave_a_block(void *slot)
{
    *(void **)slot = mmkit_malloc(BLOCK);
    return NULL;
}

static void blocks_left_by_exited_threads_share_pages(void **state)
{
    (void)state;
    static mmkit_stats before, after;
    mmkit_stats_get(&before);
    for (size_t i = 0; i < THREADS; i++) { /* one at a time, each exits */
        pthread_t thread;
        assert_int_equal(pthread_create(&thread, NULL, leave_a_block, &kept[i]), 0);
        assert_int_equal(pthread_join(thread, NULL), 0);
        assert_non_null(kept[i]);
    }
    mmkit_stats_get(&after);
    /* 300 blocks of 128 bytes fill 38 KiB: one 4 MiB segment holds them
     * many times over, where a page of 64 KiB for each thread would take
     * 300 pages, five segments. */
    uint64_t mapped = after.mapped_bytes - before.mapped_bytes;
    if (mapped > ((uint64_t)4 << 20))
        fail_msg("%d threads leaving a %d-byte block each mapped %llu more bytes", THREADS,
                 BLOCK, (unsigned long long)mapped);
    for (size_t i = 0; i < THREADS; i++)
        mmkit_free(kept[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocks_left_by_exited_threads_share_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
