/*
 * stats_json_probe.c - holds known blocks live, then prints the statistics
 * as JSON, a line "----", and the same statistics read with mmkit_stats_get
 * as "name value" lines, for check_stats_json.py to compare.
 */
#include <stdio.h>
#include <stdlib.h>

#include <mmkit/mmkit.h>

#define SMALL_COUNT 1000
#define SMALL_SIZE 24
#define LARGE_COUNT 2
#define LARGE_SIZE (3u << 20)

static void print_struct(const mmkit_stats *s)
{
    for (size_t c = 0; c < s->class_count; c++) {
        const mmkit_class_stats *k = &s->classes[c];
        printf("class %zu %llu %llu %llu %llu\n", k->block_size, (unsigned long long)k->allocs,
               (unsigned long long)k->frees, (unsigned long long)k->live_bytes,
               (unsigned long long)k->peak_bytes);
    }
#define FIELD(name) printf(#name " %llu\n", (unsigned long long)s->name)
    FIELD(large_allocs);
    FIELD(large_frees);
    FIELD(large_live_bytes);
    FIELD(large_peak_bytes);
    FIELD(mapped_bytes);
    FIELD(peak_mapped_bytes);
    FIELD(committed_bytes);
    FIELD(peak_committed_bytes);
    FIELD(returned_bytes);
    FIELD(mmap_calls);
    FIELD(munmap_calls);
    FIELD(madvise_calls);
    FIELD(threads_live);
    FIELD(heaps_reclaimed);
#undef FIELD
}

int main(void)
{
    static void *small[SMALL_COUNT];
    void *large[LARGE_COUNT];
    for (int i = 0; i < SMALL_COUNT; i++)
        if (!(small[i] = mmkit_malloc(SMALL_SIZE)))
            return 1;
    for (int i = 0; i < LARGE_COUNT; i++)
        if (!(large[i] = mmkit_malloc(LARGE_SIZE)))
            return 1;
    /* a few freed blocks too, so frees differ from zero */
    for (int i = 0; i < SMALL_COUNT / 10; i++) {
        mmkit_free(small[i]);
        small[i] = NULL;
    }
    mmkit_stats s;
    mmkit_stats_get(&s);
    fflush(stdout);
    mmkit_stats_print_json(stdout);
    fflush(stdout);
    printf("\n----\n");
    printf("small_count %d\nsmall_size %d\nlarge_count %d\nlarge_size %u\n", SMALL_COUNT,
           SMALL_SIZE, LARGE_COUNT, LARGE_SIZE);
    print_struct(&s);
    for (int i = 0; i < SMALL_COUNT; i++)
        mmkit_free(small[i]);
    for (int i = 0; i < LARGE_COUNT; i++)
        mmkit_free(large[i]);
    return 0;
}
