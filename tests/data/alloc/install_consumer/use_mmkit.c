/* use_mmkit.c - a program built against an installed libmmkit: its malloc
 * and the mmkit_* API are the same allocator. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include <mmkit/mmkit.h>

int main(void)
{
    mmkit_stats before, after;
    mmkit_stats_get(&before);
    char *p = malloc(1000);
    mmkit_stats_get(&after);
    uint64_t allocs = 0;
    for (size_t c = 0; c < after.class_count; c++)
        allocs += after.classes[c].allocs - before.classes[c].allocs;
    if (!p || allocs != 1 || mmkit_usable_size(p) != malloc_usable_size(p)) {
        fprintf(stderr, "malloc is not mmkit's (%llu allocs counted)\n",
                (unsigned long long)allocs);
        return 1;
    }
    free(p);
    printf("ok: built against mmkit %d.%d.%d\n", MMKIT_VERSION_MAJOR, MMKIT_VERSION_MINOR,
           MMKIT_VERSION_PATCH);
    return 0;
}
