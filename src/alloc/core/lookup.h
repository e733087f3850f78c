/*
 * lookup.h - the one answer to "what is this pointer to the allocator?":
 * the segment, page and block that hold an address, and, for hardened
 * frees, whether a block's start is live.  The layers above the core ask
 * here (only the fault handler asks segment_guard_at, of guard pages); the
 * core's own fast paths, which know they hold a block's start, read the
 * segment map themselves: segment_of and page_of, which core_free_inline
 * spells out so that its common case takes one branch.  Inline, so that a
 * hardened free costs no more than the vetting itself.
 */
#ifndef MMKIT_LOOKUP_H
#define MMKIT_LOOKUP_H

#include "core.h"

typedef enum block_place {
    PLACE_NOT_OURS,   /* no segment of ours holds it, or a segment's metadata */
    PLACE_FREE_SLICE, /* a slice of one of our segments that no page covers */
    PLACE_BLOCK,      /* inside a block carved from a page in use, or a huge block */
} block_place;

typedef struct block_info {
    block_place place;
    segment *segment;   /* PLACE_FREE_SLICE, PLACE_BLOCK */
    page *page;         /* PLACE_BLOCK */
    uint8_t *start;     /* PLACE_BLOCK: the block's first byte */
    size_t usable;      /* PLACE_BLOCK: its usable bytes */
} block_info;

typedef enum block_check {
    BLOCK_OK,        /* a live block's start */
    BLOCK_FREED,     /* a block already freed */
    BLOCK_INSIDE,    /* inside a block, not at its start */
    BLOCK_NOT_OURS,  /* not in the heap at all */
} block_check;

/* The block of a page in use that holds address a, if any. */
static inline bool place_in_page(block_info *b, page *pg, uintptr_t a)
{
    if (a < (uintptr_t)pg->start)
        return false; /* the segment's metadata */
    uint64_t offset = a - (uintptr_t)pg->start;
    uint64_t index = pg->large ? (offset >= pg->block_size)
                               : (offset * class_reciprocal[pg->class_index]) >> 40;
    if (index >= page_capacity(pg))
        return false;
    b->start = pg->start + index * pg->block_size;
    b->usable = pg->block_size;
    return true;
}

/* A freed block's first word is its link, encoded with its page's key: it
 * leads into its own segment or ends its list.  A live block's first word
 * was cleared when it was handed out, and what the program writes there
 * decodes into the block's own segment only by a 1 in 2^42 chance, as the
 * key is random.  Meaningful on keyed pages (hardened and debug mode). */
static inline bool link_says_freed(const page *pg, uintptr_t a)
{
    uintptr_t n = (uintptr_t)block_next(pg, (const block *)a, true);
    return n == 0 || ((n ^ a) >> SEGMENT_SHIFT) == 0;
}

/* Does the segment map mark the 4 MiB granule that holds address a as
 * ours: a segment's, or a huge block's? */
static inline bool granule_is_ours(uintptr_t a)
{
    return segment_map_kind(a) != MAP_NONE;
}

static inline block_info block_lookup(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    block_info b = {.place = PLACE_NOT_OURS};
    segment *seg = segment_containing(a);
    if (!seg)
        return b;
    b.segment = seg;
    if (seg->kind == SEGMENT_HUGE) {
        /* Its block may reach far beyond the segment's 64 slices. */
        page *pg = &seg->pages[0];
        uintptr_t offset = a - (uintptr_t)pg->start;
        /* A block of 0 bytes (an aligned one may be huge) still has its start. */
        if (a < (uintptr_t)pg->start || (offset > 0 && offset >= seg->huge_usable))
            return b;
        b.place = PLACE_BLOCK;
        b.page = pg;
        b.start = pg->start;
        b.usable = seg->huge_usable;
        return b;
    }
    page *pg = page_of(seg, p);
    if (!pg || pg->slice_count == 0) {
        size_t slice = (a & SEGMENT_MASK) >> SLICE_SHIFT;
        if (slice > 0)
            b.place = PLACE_FREE_SLICE;
        return b;
    }
    if (!place_in_page(&b, pg, a))
        return b;
    b.place = PLACE_BLOCK;
    b.page = pg;
    return b;
}

static inline block_check verdict_of(const block_info *b, const void *p)
{
    if (b->place == PLACE_FREE_SLICE)
        /* A large block's page goes back to its segment when the block is
         * freed: only such a block started at a free slice's start. */
        return ((uintptr_t)p & (SLICE_SIZE - 1)) == 0 ? BLOCK_FREED : BLOCK_NOT_OURS;
    if (b->place != PLACE_BLOCK)
        return BLOCK_NOT_OURS;
    if (b->start != (const uint8_t *)p)
        return BLOCK_INSIDE;
    /* Asked only of a pointer passed to free or realloc: the block's first
     * word is then the caller's to read, as it is no other thread's. */
    bool freed = b->segment->kind == SEGMENT_HUGE ? b->page->used == 0
                                                  : link_says_freed(b->page, (uintptr_t)p);
    return freed ? BLOCK_FREED : BLOCK_OK;
}

/* Hardened frees, without headers: what a pointer passed to free is. */
static inline block_check block_verdict(const void *ptr)
{
    block_info b = block_lookup(ptr);
    return verdict_of(&b, ptr);
}

/* Free ptr if block_verdict says BLOCK_OK; return what it said. */
static inline block_check block_free_if_live(void *ptr)
{
    block_info b = block_lookup(ptr);
    block_check verdict = verdict_of(&b, ptr);
    if (verdict == BLOCK_OK)
        core_free_block(b.segment, b.page, ptr, true);
    return verdict;
}

#endif /* MMKIT_LOOKUP_H */
