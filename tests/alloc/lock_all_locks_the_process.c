/*
 * lock_all_locks_the_process.c - MMKIT_OPTIONS=lock=all, through the call
 * start-up makes for it (secure_lock_all): every page the process maps, now
 * and later, is locked in memory; when RLIMIT_MEMLOCK forbids it, one
 * warning names the limit and the program goes on unlocked.
 *
 * Each case runs in a child, since locking is for the process's lifetime.
 */
#include "test_util.h"

#include "child_process.h"
#include "locked_memory.h"
#include "mmkit/mmkit.h"
#include "secure.h"

#define LATER_BLOCK (8 * MiB)

static void lock_all_then_allocate(void *arg)
{
    check(locked_bytes() == 0);
    secure_lock_all();
    size_t locked = locked_bytes();
    check(locked > 0);
    /* a block mapped afterwards is locked as it is mapped */
    void *p = mmkit_malloc(LATER_BLOCK);
    check(p != NULL);
    check(locked_bytes() >= locked + LATER_BLOCK);
    mmkit_free(p);
}

static void lock_all_locks_what_is_mapped_and_what_comes(void **state)
{
    struct rlimit limit;
    assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &limit), 0);
    /* the whole process rarely fits under the usual limit */
    if (geteuid() != 0 && limit.rlim_cur != RLIM_INFINITY)
        skip();
    char err[4096];
    int status = run_in_child(lock_all_then_allocate, NULL, err, sizeof err);
    assert_child_ended(status, 0, err);
    assert_null(strstr(err, "mmkit:"));
}

#define LOCK_LIMIT (64 * KiB)

static void lock_all_under_a_small_limit(void *arg)
{
    limit_locked_memory(LOCK_LIMIT);
    secure_lock_all();
    check(locked_bytes() == 0);
    unsigned char *p = mmkit_malloc(100);
    check(p != NULL);
    pattern_fill(p, 100, 1);
    check(pattern_ok(p, 100, 1));
    mmkit_free(p);
}

static void refused_lock_all_warns_and_goes_on(void **state)
{
    char err[4096], expected[128];
    int status = run_in_child(lock_all_under_a_small_limit, NULL, err, sizeof err);
    assert_child_ended(status, 0, err);
    snprintf(expected, sizeof expected, "RLIMIT_MEMLOCK is %zu bytes, 0 in use", LOCK_LIMIT);
    assert_non_null(strstr(err, "mmkit: warning: lock=all: cannot lock"));
    assert_non_null(strstr(err, expected));
    /* one line, said once */
    assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lock_all_locks_what_is_mapped_and_what_comes),
        cmocka_unit_test(refused_lock_all_warns_and_goes_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
