/*
 * pools_and_caches_give_back_only_their_own.c - memory the allocator gives
 * back on its own: a destroyed pool takes only its own blocks with it, even
 * when it needed pages while an exited thread's segment waited for adoption;
 * a huge block that another thread is moving with realloc is not taken by a
 * pool that reuses the struct of the exited thread's heap; and freed huge
 * mappings kept for reuse go back to the OS once purge_delay_ms has passed
 * and the program allocates again.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "mmkit/mmkit.h"

static char *left_by_worker;

static void *leave_a_block(void *arg)
{
    (void)arg;
    left_by_worker = mmkit_malloc(100);
    check(left_by_worker != NULL);
    strcpy(left_by_worker, "still mine");
    return NULL;
}

static void pool_destroy_spares_an_exited_threads_blocks(void **state)
{
    (void)state;
    mmkit_free(mmkit_malloc(8));
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, leave_a_block, NULL), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    /* The worker's segment now waits for adoption; the pool needs pages. */
    mmkit_heap *pool = mmkit_heap_new();
    assert_non_null(pool);
    for (int i = 0; i < 64; i++)
        assert_non_null(mmkit_heap_malloc(pool, i % 2 ? 200000 : 3000));
    mmkit_heap_destroy(pool);
    assert_string_equal(left_by_worker, "still mine");
    mmkit_free(left_by_worker);
}

static void *huge_block;
static atomic_bool resizing_done;

static void *resize_huge_block(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < 200; i++) {
        size_t n = (2 + i % 7) * MiB;
        huge_block = mmkit_realloc(huge_block, n);
        check(huge_block != NULL);
        memset((char *)huge_block + n - 4096, 7, 4096);
    }
    atomic_store(&resizing_done, true);
    return NULL;
}

static void *allocate_huge_and_exit(void *arg)
{
    (void)arg;
    huge_block = mmkit_malloc(2 * MiB);
    check(huge_block != NULL);
    return NULL;
}

static void pool_destroy_spares_a_huge_block_being_moved(void **state)
{
    (void)state;
    pthread_t owner, mover;
    assert_int_equal(pthread_create(&owner, NULL, allocate_huge_and_exit, NULL), 0);
    assert_int_equal(pthread_join(owner, NULL), 0);
    assert_int_equal(pthread_create(&mover, NULL, resize_huge_block, NULL), 0);
    mmkit_stats before, after;
    while (!atomic_load(&resizing_done)) {
        mmkit_stats_get(&before);
        mmkit_heap *pool = mmkit_heap_new();
        assert_non_null(pool);
        mmkit_heap_destroy(pool);
        mmkit_stats_get(&after);
        /* An empty pool frees no huge block. */
        assert_int_equal(after.large_frees - before.large_frees, 0);
    }
    assert_int_equal(pthread_join(mover, NULL), 0);
    mmkit_free(huge_block);
}

static void cached_huge_mappings_go_back_after_the_delay(void **state)
{
    (void)state;
    assert_int_equal(mmkit_option_set("purge_delay_ms", 50), 0);
    enum { BLOCKS = 3 };
    void *blocks[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = mmkit_malloc(20 * MiB);
        assert_non_null(blocks[i]);
        memset(blocks[i], 1, 20 * MiB);
    }
    size_t live = rss_bytes();
    for (int i = 0; i < BLOCKS; i++)
        mmkit_free(blocks[i]);
    nanosleep(&(struct timespec){.tv_nsec = 150 * 1000 * 1000}, NULL);
    /* Allocating again, beyond the current pages, runs the slow path. */
    static void *small[20000];
    for (size_t i = 0; i < 20000; i++)
        assert_non_null(small[i] = mmkit_malloc(16 + i % 200));
    size_t later = rss_bytes();
    for (size_t i = 0; i < 20000; i++)
        mmkit_free(small[i]);
    assert_true(later + 50 * MiB < live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_destroy_spares_an_exited_threads_blocks),
        cmocka_unit_test(pool_destroy_spares_a_huge_block_being_moved),
        cmocka_unit_test(cached_huge_mappings_go_back_after_the_delay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
