/*
 * large_blocks_reuse_cached_mappings.c - a block above the mmap threshold,
 * freed, waits in a small cache; a later large request takes it even when
 * it is several times bigger (up to 16 MiB more), instead of mapping and
 * faulting in every page afresh; much bigger than that, it is left for a
 * request it fits better.  (malloc-large, in the mimalloc-bench suite,
 * allocates 5 to 25 MiB blocks in a loop.)
 */
#include "test_util.h"

#include <sys/resource.h>

#include <mmkit/mmkit.h>

static long page_faults(void)
{
    struct rusage usage;
    assert_int_equal(getrusage(RUSAGE_SELF, &usage), 0);
    return usage.ru_minflt;
}

/* Free a touched block of `cached` bytes, then ask for `wanted` and write
 * it all: did its pages fault in afresh (at least half of them)? */
static bool request_faults_afresh(size_t cached, size_t wanted)
{
    mmkit_trim(0); /* an empty cache to start from */
    char *big = mmkit_malloc(cached);
    assert_non_null(big);
    memset(big, 1, cached);
    mmkit_free(big);
    long before = page_faults();
    char *p = mmkit_malloc(wanted);
    assert_non_null(p);
    memset(p, 2, wanted);
    bool afresh = page_faults() - before >= (long)(wanted / 4096 / 2);
    mmkit_free(p);
    return afresh;
}

static void a_cached_mapping_serves_a_request_four_times_smaller(void **state)
{
    (void)state;
    assert_true(mmkit_option_get("purge_delay_ms") > 0);
    assert_false(request_faults_afresh(20 * MiB, 5 * MiB));  /* 15 MiB to spare */
    assert_false(request_faults_afresh(20 * MiB, 12 * MiB)); /* within twice */
}

static void a_much_bigger_mapping_is_left_in_the_cache(void **state)
{
    (void)state;
    assert_true(request_faults_afresh(30 * MiB, 2 * MiB)); /* 28 MiB to spare */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_cached_mapping_serves_a_request_four_times_smaller),
        cmocka_unit_test(a_much_bigger_mapping_is_left_in_the_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
