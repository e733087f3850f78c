/*
 * free.c - giving blocks back (the fast path is core_free_inline in
 * core.h): frees by other threads, and hardened mode's vetting of a
 * pointer before it is freed.
 */
#include "core.h"

/* ---- hardened frees ---------------------------------------------------------- */

/* index = offset / block_size as a multiply: for offsets below 2^22 and
 * blocks up to 128 KiB, (offset * ceil(2^40 / size)) >> 40 is exact. */
static uint64_t class_reciprocal[CLASS_COUNT];

void core_checks_init(void)
{
    for (size_t c = 0; c < CLASS_COUNT; c++)
        class_reciprocal[c] = ((uint64_t)1 << 40) / class_block_size[c] + 1;
}

static block_check check_in_page(const page *pg, uintptr_t a)
{
    if (a < (uintptr_t)pg->start)
        return BLOCK_NOT_OURS; /* the segment's metadata */
    uint64_t offset = a - (uintptr_t)pg->start;
    uint64_t index = pg->large ? (offset ? 1 : 0) : (offset * class_reciprocal[pg->class_index]) >> 40;
    if (index >= pg->capacity)
        return BLOCK_NOT_OURS;
    if (index * pg->block_size != offset)
        return BLOCK_INSIDE;
    /* A free block's link leads into its own page or ends its list; a live
     * block's first word was cleared when it was handed out, and what the
     * program writes there decodes into the block's own segment only by a
     * 1 in 2^42 chance, as the key is random. */
    uintptr_t n = (uintptr_t)block_next(pg, (const block *)a, true);
    if (n == 0 || ((n ^ a) >> SEGMENT_SHIFT) == 0)
        return BLOCK_FREED;
    return BLOCK_OK;
}

static block_check check_pointer(const void *ptr, segment **seg_out)
{
    uintptr_t a = (uintptr_t)ptr;
    uint8_t kind = segment_map_kind(a);
    segment *seg = kind == MAP_SEGMENT_AT_GRANULE ? (segment *)(a & ~SEGMENT_MASK)
                                                  : segment_of_huge_aligned(a, kind);
    if (!seg)
        return BLOCK_NOT_OURS;
    *seg_out = seg;
    page *pg = page_of(seg, ptr);
    if (seg->kind == SEGMENT_HUGE) {
        if ((uint8_t *)ptr != pg->start)
            return (uint8_t *)ptr > pg->start ? BLOCK_INSIDE : BLOCK_NOT_OURS;
        return pg->used ? BLOCK_OK : BLOCK_FREED;
    }
    if (!pg || pg->slice_count == 0) {
        /* A large block's page goes back to its segment when the block is
         * freed: only such a block started at a free slice's start. */
        bool slice_start = (a & (SLICE_SIZE - 1)) == 0 && (a & SEGMENT_MASK) != 0;
        return slice_start ? BLOCK_FREED : BLOCK_NOT_OURS;
    }
    return check_in_page(pg, a);
}

block_check core_check_block(const void *ptr)
{
    segment *seg;
    return check_pointer(ptr, &seg);
}

block_check core_free_checked(void *ptr)
{
    segment *seg;
    block_check verdict = check_pointer(ptr, &seg);
    if (verdict == BLOCK_OK)
        core_free_block(seg, ptr, true);
    return verdict;
}




void core_free(void *ptr)
{
    core_free_inline(ptr, true);
}

void free_remote(segment *seg, page *pg, block *b, bool keyed)
{
    if (seg->kind == SEGMENT_HUGE) {
        huge_free(seg);
        return;
    }
    /* Nothing of the page may be touched after the push: the block may be
     * the page's last, and the owner may retire the page at once. */
    block *head = atomic_load_explicit(&pg->thread_free, memory_order_relaxed);
    do {
        b->next = block_link(pg, head, keyed);
    } while (!atomic_compare_exchange_weak_explicit(&pg->thread_free, &head, b, memory_order_release,
                                                    memory_order_relaxed));
}


