/* policy_mmkit.c - libmmkit's own size classes and pages, so that its
 * footprint can be set beside the textbook policies' on the same
 * operations.  The numbers are those of the allocator (src/alloc/core:
 * types.h and the class table of page.c), written out again here since
 * the simulator does not link it:
 * - 64 KiB slices; a page of blocks of one class is 1 slice for blocks up
 *   to 8 KiB, 8 slices for blocks up to 128 KiB;
 * - the classes: multiples of 16 up to 128 bytes, then four per doubling
 *   (5/4, 6/4, 7/4 and 8/4 of each power of two) up to 128 KiB;
 * - a larger block takes a page of its own, of just enough slices;
 * - a class takes a block from the page it last took one from while that
 *   page has room, then from another of its pages with room, then from a
 *   new page; an empty page goes back to the free slices at once, unless
 *   it is that last page (so that a program that allocates and frees one
 *   block in a loop does not take and give back a page each time).
 * The simulation leaves out what the heap cannot show: the first slice
 * of every 4 MiB segment, which holds the segment's own bookkeeping; the
 * separate mappings of blocks over 1 MiB, which here take slices like a
 * large block; and the threads, each with its own pages.  The engine is
 * slab_cache.c. */
#include "slab_cache.h"

#define SLICE ((uint64_t)64 << 10)
#define ONE_SLICE_BLOCK_MAX ((uint64_t)8 << 10)
#define LARGEST_CLASS ((uint64_t)128 << 10)
#define SLICES_OF_LARGER_PAGES 8

static void *mmkit_create(const struct freespace_config *config, enum fit fit)
{
    (void)fit;
    struct slab_rules rules = {.page = SLICE, .style = SLAB_CURRENT_PAGE, .slab_word = "page"};
    for (uint64_t size = 16; size <= 128; size += 16)
        rules.object_size[rules.caches++] = size;
    for (uint64_t power = 128; power < LARGEST_CLASS; power *= 2)
        for (uint64_t quarters = 5; quarters <= 8; quarters++)
            rules.object_size[rules.caches++] = power / 4 * quarters;
    for (size_t c = 0; c < rules.caches; c++)
        rules.slab_pages[c] = rules.object_size[c] <= ONE_SLICE_BLOCK_MAX ? 1
                                                                          : SLICES_OF_LARGER_PAGES;
    return slab_heap_create(config, &rules); /* in a heap under a slice, every request fails */
}

static void mmkit_describe(FILE *out, const struct freespace_config *c)
{
    (void)c;
    fprintf(out, "libmmkit's 48 size classes up to 128K, in pages of one or eight 64K slices, "
                 "larger blocks in slices of their own");
}

const struct freespace_policy_ops freespace_policy_mmkit = {
    .name = "mmkit",
    .create = mmkit_create,
    .destroy = slab_heap_destroy,
    .place = slab_heap_place,
    .release = slab_heap_release,
    .holes = slab_heap_holes,
    .largest = slab_heap_largest,
    .describe = mmkit_describe,
    .explain = slab_heap_explain,
    .show = slab_heap_show,
    .overhead = slab_heap_overhead,
    .footprint = slab_heap_footprint,
};
