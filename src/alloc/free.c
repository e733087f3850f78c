/*
 * free.c - giving blocks back.  The owner thread pushes onto the page's
 * local list with no atomics; any other thread pushes onto the page's
 * thread_free list with one CAS, and the owner collects it later.
 */
#include "check.h"
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
    free_remote(seg, pg, b);
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

void mmkit_free(void *ptr)
{
    if (unlikely(check_active)) {
        check_free(ptr);
        return;
    }
    free_inline(ptr, false);
}

void core_free(void *ptr)
{
    free_inline(ptr, true);
}

void free_remote(segment *seg, page *pg, block *b)
{
    if (seg->kind == SEGMENT_HUGE) {
        huge_free(seg);
        return;
    }
    /* Nothing of the page may be touched after the push: the block may be
     * the page's last, and the owner may retire the page at once. */
    block *head = atomic_load_explicit(&pg->thread_free, memory_order_relaxed);
    do {
        b->next = block_link(pg, head, true);
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
