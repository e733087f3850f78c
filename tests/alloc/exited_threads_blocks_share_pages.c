/*
 * exited_threads_blocks_share_pages.c - short-lived threads that each
 * leave a block behind (a server's workers handing on their results,
 * mimalloc-bench's mleak) fill the pages the threads before them left,
 * instead of each taking a fresh page: the blocks stay dense and the
 * process maps no more than their bytes need.  A thread adopts what exited
 * threads left only when its own segments are full, so that one thread
 * does not take every segment while the others map new ones.
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

/* libmmkit's segments: 4 MiB, aligned to their size. */
#define SEGMENT_BYTES ((uintptr_t)4 << 20)
enum { LEAVERS = 4, CLASSES = 20 };

static pthread_barrier_t all_allocated;

static void *leave_a_segment(void *slot)
{
    *(void **)slot = mmkit_malloc(BLOCK);
    pthread_barrier_wait(&all_allocated); /* each one maps its own */
    return NULL;
}

static void *blocks_of_many_classes(void *segments)
{
    void *blocks[CLASSES];
    uintptr_t first = 0;
    size_t *spanned = segments;
    for (size_t i = 0; i < CLASSES; i++) {
        blocks[i] = mmkit_malloc((size_t)16 << (i % 9) | (i / 9) * 8);
        uintptr_t segment = (uintptr_t)blocks[i] & ~(SEGMENT_BYTES - 1);
        if (i == 0)
            first = segment;
        *spanned += segment != first;
    }
    for (size_t i = 0; i < CLASSES; i++)
        mmkit_free(blocks[i]);
    return NULL;
}

static void a_thread_with_room_adopts_no_more_segments(void **state)
{
    (void)state;
    void *left[LEAVERS];
    pthread_t thread[LEAVERS];
    assert_int_equal(pthread_barrier_init(&all_allocated, NULL, LEAVERS), 0);
    for (size_t i = 0; i < LEAVERS; i++)
        assert_int_equal(pthread_create(&thread[i], NULL, leave_a_segment, &left[i]), 0);
    for (size_t i = 0; i < LEAVERS; i++)
        assert_int_equal(pthread_join(thread[i], NULL), 0);
    pthread_barrier_destroy(&all_allocated);
    /* The segments of the threads that left wait; a new thread adopts one
     * for its first page and cuts its other pages from it. */
    size_t elsewhere = 0;
    pthread_t newcomer;
    assert_int_equal(pthread_create(&newcomer, NULL, blocks_of_many_classes, &elsewhere), 0);
    assert_int_equal(pthread_join(newcomer, NULL), 0);
    if (elsewhere)
        fail_msg("%zu of %d blocks of different classes lay outside the first one's segment",
                 elsewhere, CLASSES);
    for (size_t i = 0; i < LEAVERS; i++)
        mmkit_free(left[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocks_left_by_exited_threads_share_pages),
        cmocka_unit_test(a_thread_with_room_adopts_no_more_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
