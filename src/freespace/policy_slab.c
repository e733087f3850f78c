/* policy_slab.c - the slab allocator (Bonwick, 1994): a cache for each
 * object size, each cache a set of slabs of one page cut into objects of
 * that size, and every slab full, partial or empty.
 *
 * Here the caches are the powers of two from 8 bytes to half a page
 * (--page): a request takes an object of the smallest cache that holds
 * it, from a partial slab if the cache has one, else from an empty one,
 * else from a new slab made of a free page.  Freeing an object makes a
 * full slab partial and a partial slab with one object out empty; an
 * empty slab stays in its cache, ready for the next request, until a new
 * slab or a large block finds no free pages: then every empty slab gives
 * its page back (reaping) and the pages are tried again.  A request
 * larger than half a page takes whole pages of its own.  A slab's
 * bookkeeping is kept outside the heap, and its objects fill it exactly,
 * so the only overhead is the end of a heap too short for a page.  The
 * engine is slab_cache.c. */
#include <inttypes.h>

#include "slab_cache.h"

#define SMALLEST_OBJECT 8

static void *slab_create(const struct freespace_config *config, enum fit fit)
{
    (void)fit;
    struct slab_rules rules = {.page = config->page, .style = SLAB_BONWICK, .slab_word = "slab"};
    for (uint64_t object = SMALLEST_OBJECT; object <= config->page / 2; object *= 2) {
        rules.object_size[rules.caches] = object;
        rules.slab_pages[rules.caches++] = 1;
    }
    return slab_heap_create(config, &rules);
}

static void slab_describe(FILE *out, const struct freespace_config *c)
{
    if (c->page / 2 < SMALLEST_OBJECT) {
        fprintf(out, "slab allocator with no cache (a %" PRIu64 "-byte page holds no two "
                     "objects of %d bytes): every block in pages of its own",
                c->page, SMALLEST_OBJECT);
        return;
    }
    fprintf(out, "slab allocator, caches of %d to %" PRIu64 " bytes in slabs of one %" PRIu64
                 "-byte page, larger blocks in pages of their own",
            SMALLEST_OBJECT, c->page / 2, c->page);
}

const struct freespace_policy_ops freespace_policy_slab = {
    .name = "slab",
    .create = slab_create,
    .destroy = slab_heap_destroy,
    .place = slab_heap_place,
    .release = slab_heap_release,
    .holes = slab_heap_holes,
    .largest = slab_heap_largest,
    .describe = slab_describe,
    .explain = slab_heap_explain,
    .show = slab_heap_show,
    .overhead = slab_heap_overhead,
    .footprint = slab_heap_footprint,
};
