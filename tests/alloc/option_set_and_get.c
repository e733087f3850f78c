/*
 * option_set_and_get.c - options can be changed while the program runs:
 * set/get round trips, unknown keys, bad values and options read only at
 * start-up are refused with EINVAL and change nothing, and mmap_threshold
 * decides which blocks are mapped on their own.
 */
#include "test_util.h"

#include <mmkit/mmkit.h>

static void unknown_keys_are_refused(void **state)
{
    const char *const unknown[] = {"no_such_option", "", "MMAP_THRESHOLD", "mmap_threshold ",
                                   "verbose=1"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        errno = 0;
        assert_int_equal(mmkit_option_set(unknown[i], 1), -1);
        assert_int_equal(errno, EINVAL);
    }
}

static void set_then_get_round_trips(void **state)
{
    static const struct {
        const char *key;
        long long value;
    } cases[] = {
        {"mmap_threshold", 64 * 1024}, {"mmap_threshold", 256 * 1024},
        {"purge_delay_ms", 0},         {"purge_delay_ms", 1500},
        {"stats", 0},                  {"stats", 2},
        {"abort_on_error", 1},         {"shuffle", 16},
        {"error_exitcode", 9},         {"error_exitcode", 0},
        {"limit", 1LL << 40},          {"limit", 0},
        {"inject_mmap_failure", 0},    {"inject_mmap_failure", 1000000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long long old = mmkit_option_get(cases[i].key);
        assert_int_equal(mmkit_option_set(cases[i].key, cases[i].value), 0);
        assert_int_equal(mmkit_option_get(cases[i].key), cases[i].value);
        assert_int_equal(mmkit_option_set(cases[i].key, old), 0);
        assert_int_equal(mmkit_option_get(cases[i].key), old);
    }
}

/* Options read once, at start-up, would change nothing later: setting one
 * is refused, with a value in its range. */
static void start_up_options_are_refused(void **state)
{
    const char *const keys[] = {"verbose", "mode", "leaks", "zero_on_free", "guard", "quarantine",
                                "sample_rate", "sample_slots", "stack_depth", "lock", "trace",
                                "log_file", "children", "trace_stacks"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        long long old = mmkit_option_get(keys[i]);
        errno = 0;
        assert_int_equal(mmkit_option_set(keys[i], 1), -1);
        assert_int_equal(errno, EINVAL);
        assert_int_equal(mmkit_option_get(keys[i]), old);
    }
}

static void negative_values_are_refused(void **state)
{
    const char *const keys[] = {"mmap_threshold", "purge_delay_ms", "inject_mmap_failure"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        long long old = mmkit_option_get(keys[i]);
        errno = 0;
        assert_int_equal(mmkit_option_set(keys[i], -1), -1);
        assert_int_equal(errno, EINVAL);
        assert_int_equal(mmkit_option_get(keys[i]), old);
    }
}

static bool mapped_on_its_own(size_t n)
{
    mmkit_stats before, after;
    mmkit_stats_get(&before);
    void *p = mmkit_malloc(n);
    assert_non_null(p);
    memset(p, 9, n);
    mmkit_stats_get(&after);
    mmkit_free(p);
    return after.large_allocs - before.large_allocs == 1;
}

static void mmap_threshold_decides_what_is_mapped_on_its_own(void **state)
{
    long long old = mmkit_option_get("mmap_threshold");
    assert_int_equal(old, 1 * MiB);
    assert_false(mapped_on_its_own(1 * MiB));
    assert_true(mapped_on_its_own(1 * MiB + 1));
    assert_false(mapped_on_its_own(100 * KiB));

    assert_int_equal(mmkit_option_set("mmap_threshold", 64 * 1024), 0);
    assert_true(mapped_on_its_own(64 * KiB + 1));
    assert_true(mapped_on_its_own(100 * KiB));
    assert_false(mapped_on_its_own(32 * KiB));

    assert_int_equal(mmkit_option_set("mmap_threshold", old), 0);
    assert_false(mapped_on_its_own(100 * KiB));
    assert_true(mapped_on_its_own(2 * MiB));
}

/* Up to 1 KiB blocks always come from size classes and above the largest
 * class (1 MiB) every block is mapped on its own: the threshold is clamped
 * to that range. */
static void mmap_threshold_is_clamped_to_the_classes(void **state)
{
    long long old = mmkit_option_get("mmap_threshold");
    assert_int_equal(mmkit_option_set("mmap_threshold", 100), 0);
    assert_int_equal(mmkit_option_get("mmap_threshold"), 1024);
    assert_false(mapped_on_its_own(1000));
    assert_true(mapped_on_its_own(1025));
    assert_int_equal(mmkit_option_set("mmap_threshold", 0), 0);
    assert_int_equal(mmkit_option_get("mmap_threshold"), 1024);
    assert_int_equal(mmkit_option_set("mmap_threshold", 64LL << 20), 0);
    assert_int_equal(mmkit_option_get("mmap_threshold"), 1 * MiB);
    assert_true(mapped_on_its_own(1 * MiB + 1));
    assert_int_equal(mmkit_option_set("mmap_threshold", old), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_keys_are_refused),
        cmocka_unit_test(set_then_get_round_trips),
        cmocka_unit_test(start_up_options_are_refused),
        cmocka_unit_test(negative_values_are_refused),
        cmocka_unit_test(mmap_threshold_decides_what_is_mapped_on_its_own),
        cmocka_unit_test(mmap_threshold_is_clamped_to_the_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
