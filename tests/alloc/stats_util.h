/*
 * stats_util.h - checks on mmkit's statistics shared by the tests that use
 * the mmkit_* API.  Include after test_util.h.
 */
#ifndef MMKIT_TEST_STATS_UTIL_H
#define MMKIT_TEST_STATS_UTIL_H

#include <mmkit/mmkit.h>

/* Every block ever allocated has been freed: in each class and among the
 * large blocks, allocs equal frees and nothing is live.  A failure names
 * each class that is off, prefixed with `what`. */
static inline void assert_all_blocks_freed(const char *what)
{
    mmkit_stats s;
    mmkit_stats_get(&s);
    bool ok = s.large_allocs == s.large_frees && s.large_live_bytes == 0;
    if (!ok)
        print_error("%s: large blocks: %llu allocs, %llu frees\n", what,
                    (unsigned long long)s.large_allocs, (unsigned long long)s.large_frees);
    for (size_t c = 0; c < s.class_count; c++) {
        const mmkit_class_stats *k = &s.classes[c];
        if (k->allocs != k->frees || k->live_bytes != 0) {
            print_error("%s: class %zu: %llu allocs, %llu frees, %llu live bytes\n", what,
                        k->block_size, (unsigned long long)k->allocs,
                        (unsigned long long)k->frees, (unsigned long long)k->live_bytes);
            ok = false;
        }
    }
    assert_true(ok);
}

#endif /* MMKIT_TEST_STATS_UTIL_H */
