/*
 * limit_and_lock_options_apply.c - two options read at start-up, run with
 * MMKIT_OPTIONS set by the test's environment:
 *   limit  (limit=64M): allocations beyond the budget fail with ENOMEM and
 *          the allocator serves again once memory is freed
 *   lock   (lock=all):  the whole process is locked in memory
 */
#include "test_util.h"
#include "locked_memory.h"

#include <mmkit/mmkit.h>

#define BUDGET (64 * MiB)
#define BLOCK (MiB + 1) /* above the largest class: one mapping each */

static void allocations_fail_beyond_the_limit(void **state)
{
    (void)state;
    static void *blocks[200];
    size_t n = 0;
    errno = 0;
    while (n < 200 && (blocks[n] = mmkit_malloc(BLOCK)) != NULL)
        n++;
    assert_int_equal(errno, ENOMEM);
    /* Some of the budget goes to the segments of small blocks. */
    assert_true(n * BLOCK <= BUDGET);
    assert_true(n * BLOCK >= BUDGET / 2);
    errno = 0;
    assert_null(mmkit_malloc(BLOCK));
    assert_int_equal(errno, ENOMEM);
    for (size_t i = 0; i < n; i++)
        mmkit_free(blocks[i]);
    mmkit_trim(0);
    void *again = mmkit_malloc(BLOCK);
    assert_non_null(again);
    mmkit_free(again);
}

static void the_process_is_locked(void **state)
{
    (void)state;
    void *p = mmkit_malloc(100);
    assert_non_null(p);
    struct rlimit limit;
    assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &limit), 0);
    /* Without privilege a finite RLIMIT_MEMLOCK may refuse: then mmkit
     * warns and runs on, which this test cannot tell from failure. */
    if (geteuid() == 0 || limit.rlim_cur == RLIM_INFINITY)
        assert_true(locked_bytes() > 0);
    mmkit_free(p);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest limit[] = {cmocka_unit_test(allocations_fail_beyond_the_limit)};
    const struct CMUnitTest lock[] = {cmocka_unit_test(the_process_is_locked)};
    if (argc == 2 && !strcmp(argv[1], "limit"))
        return cmocka_run_group_tests(limit, NULL, NULL);
    if (argc == 2 && !strcmp(argv[1], "lock"))
        return cmocka_run_group_tests(lock, NULL, NULL);
    fprintf(stderr, "usage: limit_and_lock_options_apply limit|lock\n");
    return 2;
}
