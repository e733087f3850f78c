/* slab_cache.h - caches of objects of one size, kept in slabs cut from
 * pages of the heap: the engine of the slab allocator (policy_slab.c) and
 * of libmmkit's size classes and pages (policy_mmkit.c), which differ only
 * in their rules.
 *
 * The heap is cut into pages; the pages no slab holds are runs of free
 * pages, kept by address and taken first fit (freespace_policy_tree).  A
 * cache serves requests up to its object size: it takes an object from
 * one of its slabs with a free one, or makes a new slab from free pages.
 * A request larger than every cache takes whole pages of its own.  A
 * slab is full, partial or empty by the objects it has out; when the free
 * pages cannot make a slab, the empty slabs of every cache give their
 * pages back (Bonwick's reaping) and the slab is tried again.
 *
 * The holes are the free page runs and the free objects.  The bytes at
 * the end of a slab too few for one more object, and the end of the heap
 * too short for a page, are overhead. */
#ifndef MMKIT_FREESPACE_SLAB_CACHE_H
#define MMKIT_FREESPACE_SLAB_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"

#define SLAB_MAX_CACHES 64

enum slab_style {
    SLAB_BONWICK,      /* take an object from a partial slab first; keep every
                        * empty slab until the pages run out */
    SLAB_CURRENT_PAGE, /* libmmkit: take from the page the cache last took from
                        * first; an empty page goes back at once unless it
                        * is that one */
};

struct slab_rules {
    uint64_t page;                                /* bytes of a page */
    size_t caches;                                /* object sizes, ascending */
    uint64_t object_size[SLAB_MAX_CACHES];
    uint64_t slab_pages[SLAB_MAX_CACHES];         /* pages of each cache's slabs */
    enum slab_style style;
    const char *slab_word;                        /* "slab", "page" */
};

enum slab_list { SLAB_FULL, SLAB_PARTIAL, SLAB_EMPTY, SLAB_LISTS, SLAB_NONE = SLAB_LISTS };

struct slab {
    uint64_t addr, size;      /* its pages */
    size_t cache;             /* SLAB_MAX_CACHES: a large block's own pages */
    uint64_t capacity, used;  /* objects */
    uint64_t *free_bits;      /* a bit set for each free object */
    uint32_t prev, next;      /* in its cache's list; also chains spare records */
    enum slab_list list;
};

/* What the last operation did, for --explain. */
struct slab_event {
    size_t cache;            /* SLAB_MAX_CACHES: a large block */
    uint64_t slab_addr, slab_size, used, capacity; /* the slab, after */
    enum slab_list from, to; /* SLAB_NONE: a new slab; one given back */
    uint64_t reaped;         /* empty slabs given back to make room */
    bool no_pages;           /* no run of free pages held a new slab */
};

struct slab_heap {
    struct slab_rules rules;
    uint64_t base, pages;   /* whole pages in the heap */
    uint64_t heap_tail;     /* bytes after the last whole page */
    void *runs;             /* the free pages: freespace_policy_tree's state */
    uint32_t *slab_at;      /* per page, 1 + the record of the slab holding it; 0: free */
    struct slab *slab;
    uint32_t slab_count, slab_capacity, spare;
    struct {
        uint32_t head[SLAB_LISTS];
        uint32_t current; /* the slab it last took an object from */
    } cache[SLAB_MAX_CACHES];
    uint64_t free_objects, overhead, footprint;
    struct slab_event last;
};

/* A slab heap for config by rules: NULL when out of memory or when it
 * would need more than 2^32 pages. */
struct slab_heap *slab_heap_create(const struct freespace_config *config,
                                   const struct slab_rules *rules);

/* The policy ops, the same for every set of rules. */
void slab_heap_destroy(void *state);
int slab_heap_place(void *state, uint64_t size, struct freespace_result *result);
int slab_heap_release(void *state, uint64_t block, uint64_t size, struct freespace_result *result);
size_t slab_heap_holes(const void *state, struct freespace_hole *out, size_t cap);
uint64_t slab_heap_largest(const void *state);
void slab_heap_explain(const void *state, FILE *out, const struct freespace_result *result);
void slab_heap_show(const void *state, FILE *out);
uint64_t slab_heap_overhead(const void *state);
uint64_t slab_heap_footprint(const void *state);

#endif
