/*
 * options_probe.c - prints the options in force ("key value" lines), whether
 * a 100 KiB block is mapped on its own, and with inject_mmap_failure set how
 * many of 200 large allocations failed; with a limit, how many of three
 * 2000000-byte blocks past it came back NULL with ENOMEM; then "done".
 * check_options.py runs it under various MMKIT_OPTIONS.
 */
#include <errno.h>
#include <stdio.h>

#include <mmkit/mmkit.h>

static const char *const keys[] = {"mmap_threshold", "purge_delay_ms", "verbose", "stats",
                                   "inject_mmap_failure", "limit", "leaks", "quarantine",
                                   "stats_interval"};

int main(void)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        printf("%s %lld\n", keys[i], mmkit_option_get(keys[i]));

    /* Before anything else allocates, so this is the call past the limit. */
    if (mmkit_option_get("limit") > 0) {
        int refused = 0;
        for (int i = 0; i < 3; i++) {
            errno = 0;
            void *q = mmkit_malloc(2000000);
            refused += q == NULL && errno == ENOMEM;
            mmkit_free(q);
        }
        printf("limit_refused %d\n", refused);
    }

    mmkit_stats before, after;
    mmkit_stats_get(&before);
    void *p = mmkit_malloc(100 * 1024);
    mmkit_stats_get(&after);
    printf("large_100k %d\n", after.large_allocs > before.large_allocs);
    mmkit_free(p);

    if (mmkit_option_get("inject_mmap_failure") > 0) {
        int nulls = 0;
        for (int i = 0; i < 200; i++) {
            void *q = mmkit_malloc((size_t)(2 + i % 3) << 20);
            nulls += q == NULL;
            mmkit_free(q);
        }
        printf("nulls %d\n", nulls);
    }
    printf("done\n");
    return 0;
}
