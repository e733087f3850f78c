/*
 * free.c - giving blocks back.  The owner thread pushes onto the page's
 * local list with no atomics; any other thread pushes onto the page's
 * thread_free list with one CAS, and the owner collects it later.
 */
#include "check.h"
#include "guarded.h"
#include "internal.h"

static inline void free_block(segment *seg, void *ptr, bool keyed)
{
    page *pg = page_of(seg, ptr);
    block *b = ptr;
    if (likely(atomic_load_explicit(&seg->thread_id, memory_order_relaxed) == current_thread_id())) {
        b->next = block_link(pg, pg->local_free, keyed);
        pg->local_free = b;
        counter_add(&pg->counters->frees, 1);
        if (unlikely(--pg->used == 0) || unlikely(pg->in_full))
            heap_page_freed_slow(pg);
        return;
    }
    free_remote(seg, pg, b, keyed);
}

static inline void free_inline(void *ptr, bool keyed)
{
    uintptr_t a = (uintptr_t)ptr;
    uint8_t kind = segment_map_kind(a);
    if (likely(kind == MAP_SEGMENT_AT_GRANULE)) {
        free_block((segment *)(a & ~SEGMENT_MASK), ptr, keyed);
        return;
    }
    segment *seg = segment_of_huge_aligned(a, kind);
    if (seg)
        free_block(seg, ptr, keyed);
    /* else NULL, or not a block of ours */
}

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
        free_block(seg, ptr, true);
    return verdict;
}

/* Sample mode: a block of the guarded pool goes to the layer, any other
 * straight to the core. */
static __attribute__((noinline)) void free_sampled(void *ptr)
{
    if (likely(!guarded_owns(ptr)))
        free_inline(ptr, false);
    else
        check_free(ptr);
}

/* Out of line, so the fast path below tests check_active once and needs
 * no stack frame; hardened mode's path needs none either. */
static __attribute__((noinline)) void free_checked(void *ptr)
{
    if (check_active == CHECK_HARDENED) {
        block_check verdict = core_free_checked(ptr);
        if (unlikely(verdict != BLOCK_OK) && ptr)
            check_free_refused(ptr, verdict);
    } else if (check_active == CHECK_SAMPLE) {
        free_sampled(ptr);
    } else {
        check_free(ptr);
    }
}

void mmkit_free(void *ptr)
{
    if (unlikely(check_active)) {
        free_checked(ptr);
        return;
    }
    free_inline(ptr, false);
}

void core_free(void *ptr)
{
    free_inline(ptr, true);
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

void mmkit_free_sized(void *ptr, size_t size)
{
    (void)size;
    mmkit_free(ptr);
}

void mmkit_free_aligned_sized(void *ptr, size_t alignment, size_t size)
{
    (void)alignment;
    (void)size;
    mmkit_free(ptr);
}
