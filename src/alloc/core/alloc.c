/*
 * alloc.c - the core's allocation calls beyond the fast path (core.h):
 * aligned and zeroed blocks, realloc, usable sizes, and trimming.
 */
#include <string.h>

#include "core.h"

static void *heap_aligned_core(struct mmkit_heap *heap, size_t alignment, size_t size)
{
    if (alignment <= MIN_BLOCK_SIZE)
        return heap_malloc(heap, size, true);
    if (size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    /* A class whose size is a multiple of the alignment has every block
     * aligned, since pages start on slice boundaries: rounding the size up
     * to the alignment always lands on such a class (classes are k * 2^j
     * with k in 4..8, and 2^j >= alignment once the size is 4 alignments
     * or more; below that the size is 1, 2 or 3 alignments, all classes). */
    size_t rounded = align_up(size, alignment);
    if (rounded == 0)
        rounded = alignment;
    if (alignment <= SLICE_SIZE && rounded <= mmkit_options.mmap_threshold)
        return heap_malloc(heap, rounded, true);
    return huge_alloc(heap, size, alignment, false);
}

static void *heap_zeroed(struct mmkit_heap *heap, size_t total)
{
    if (total > mmkit_options.mmap_threshold)
        return huge_alloc(heap, total, 0, true);
    void *p = heap_malloc(heap, total, true);
    if (p)
        memset(p, 0, total);
    return p;
}

size_t core_usable_size(const void *ptr)
{
    segment *seg = segment_of(ptr);
    if (!seg)
        return 0;
    page *pg = page_of(seg, ptr);
    if (seg->kind == SEGMENT_HUGE)
        return seg->huge_usable;
    return pg->block_size;
}

void *core_realloc(struct mmkit_heap *heap, void *ptr, size_t size)
{
    if (!ptr)
        return heap_malloc(heap, size, true);
    if (size == 0) {
        /* glibc's documented behaviour: free the block, return NULL. */
        core_free(ptr);
        return NULL;
    }
    if (size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    segment *seg = segment_of(ptr);
    if (!seg) {
        errno = EINVAL;
        return NULL;
    }
    size_t usable = core_usable_size(ptr);
    if (size <= usable && size >= usable / 2)
        return ptr; /* shrinking by less than half: keep the block */
    page *pg = page_of(seg, ptr);
    if (pg->large && size > usable && size <= mmkit_options.mmap_threshold &&
        thread_is_current(atomic_load_explicit(&seg->thread_id, memory_order_relaxed)) &&
        heap_large_grow(pg, size))
        return ptr; /* grown into the free slices after it */
    if (seg->kind == SEGMENT_HUGE) {
        if (size > mmkit_options.mmap_threshold) {
            void *resized = huge_resize(seg, size);
            if (resized)
                return resized;
        }
    }
    void *moved = heap_malloc(heap, size, true);
    if (!moved)
        return NULL;
    memcpy(moved, ptr, size < usable ? size : usable);
    core_free(ptr);
    return moved;
}

void *core_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
{
    if (alignment > MIN_BLOCK_SIZE) {
        void *p = heap_aligned_core(heap, alignment, size);
        if (p && zero)
            memset(p, 0, size);
        return p;
    }
    return zero ? heap_zeroed(heap, size) : heap_malloc(heap, size, true);
}

int core_trim(void)
{
    uint64_t before = atomic_load_explicit(&os_stats.returned, memory_order_relaxed);
    struct mmkit_heap *heap = heap_collect_pending();
    if (heap)
        heap_trim(heap);
    huge_trim();
    return atomic_load_explicit(&os_stats.returned, memory_order_relaxed) != before;
}
