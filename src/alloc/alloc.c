/*
 * alloc.c - the allocation entry points of the mmkit_* API.  The fast path
 * pops the first free block of the thread's direct page for the class.
 */
#include <string.h>

#include "check.h"
#include "internal.h"

/* keyed: see block_link(); false only behind the check_active branch. */
static inline void *heap_malloc_keyed(struct mmkit_heap *heap, size_t size, bool keyed)
{
    if (likely(size <= SMALL_DIRECT_MAX)) {
        size_t i = (size + 15) >> 4;
        page *pg = heap->direct_small[i];
        if (likely(pg->free))
            return page_pop(pg, keyed);
        return heap_malloc_slow(heap, small_class_of[i]);
    }
    if (unlikely(size > mmkit_options.mmap_threshold))
        return huge_alloc(heap, size, 0, false);
    if (unlikely(size > MEDIUM_PAGE_BLOCK_MAX))
        return heap_malloc_large(heap, size);
    size_t class_index = class_of(size);
    page *pg = heap->direct[class_index];
    if (likely(pg->free))
        return page_pop(pg, keyed);
    return heap_malloc_slow(heap, class_index);
}

static inline void *heap_malloc_inline(struct mmkit_heap *heap, size_t size)
{
    return heap_malloc_keyed(heap, size, true);
}

/* Out of line, so the fast path below tests check_active once. */
static __attribute__((noinline)) void *malloc_checked(size_t size)
{
    if (check_active == CHECK_HARDENED)
        return heap_malloc_keyed(thread_heap, size, true);
    if (check_active == CHECK_SAMPLE) {
        if (likely(!check_sample_due()))
            return heap_malloc_keyed(thread_heap, size, false);
        return check_alloc_sampled(thread_heap, size, 0, false);
    }
    return check_alloc(thread_heap, size, 0, false);
}

void *mmkit_malloc(size_t size)
{
    if (unlikely(check_active))
        return malloc_checked(size);
    return heap_malloc_keyed(thread_heap, size, false);
}

static bool is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static void *heap_aligned_core(struct mmkit_heap *heap, size_t alignment, size_t size);

static void *heap_aligned_alloc(struct mmkit_heap *heap, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    if (unlikely(check_active))
        return check_alloc(heap, size, alignment, false);
    return heap_aligned_core(heap, alignment, size);
}

static void *heap_aligned_core(struct mmkit_heap *heap, size_t alignment, size_t size)
{
    if (alignment <= MIN_BLOCK_SIZE)
        return heap_malloc_inline(heap, size);
    if (size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    /* A class whose size is a multiple of the alignment has every block
     * aligned, since pages start on slice boundaries: rounding the size up
     * to the alignment always lands on such a class (classes are k * 2^j
     * with k in 4..8, and 2^j >= alignment once the size is 4 alignments
     * or more; below that the size is 1, 2 or 3 alignments, all classes). */
    size_t rounded = (size + alignment - 1) & ~(alignment - 1);
    if (rounded == 0)
        rounded = alignment;
    if (alignment <= SLICE_SIZE && rounded <= mmkit_options.mmap_threshold)
        return heap_malloc_inline(heap, rounded);
    return huge_alloc(heap, size, alignment, false);
}

void *mmkit_aligned_alloc(size_t alignment, size_t size)
{
    return heap_aligned_alloc(thread_heap, alignment, size);
}

void *mmkit_memalign(size_t alignment, size_t size)
{
    return heap_aligned_alloc(thread_heap, alignment, size);
}

int mmkit_posix_memalign(void **result, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    /* A failure leaves errno set too, as glibc's does. */
    void *p = heap_aligned_alloc(thread_heap, alignment, size);
    if (!p)
        return errno;
    *result = p;
    return 0;
}

void *mmkit_valloc(size_t size)
{
    return heap_aligned_alloc(thread_heap, OS_PAGE_SIZE, size);
}

void *mmkit_pvalloc(size_t size)
{
    size_t rounded = (size + OS_PAGE_SIZE - 1) & ~(OS_PAGE_SIZE - 1);
    if (rounded < size) {
        errno = ENOMEM;
        return NULL;
    }
    return heap_aligned_alloc(thread_heap, OS_PAGE_SIZE, rounded ? rounded : OS_PAGE_SIZE);
}

static void *heap_zeroed(struct mmkit_heap *heap, size_t total);

static void *heap_calloc(struct mmkit_heap *heap, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (unlikely(check_active))
        return check_alloc(heap, total, 0, true);
    return heap_zeroed(heap, total);
}

static void *heap_zeroed(struct mmkit_heap *heap, size_t total)
{
    if (total > mmkit_options.mmap_threshold)
        return huge_alloc(heap, total, 0, true);
    void *p = heap_malloc_inline(heap, total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *mmkit_calloc(size_t count, size_t size)
{
    return heap_calloc(thread_heap, count, size);
}

size_t mmkit_usable_size(const void *ptr)
{
    if (unlikely(check_active))
        return check_usable_size(ptr);
    return core_usable_size(ptr);
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

static void *heap_realloc(struct mmkit_heap *heap, void *ptr, size_t size)
{
    if (unlikely(check_active))
        return check_realloc(heap, ptr, size);
    return core_realloc(heap, ptr, size);
}

void *core_realloc(struct mmkit_heap *heap, void *ptr, size_t size)
{
    if (!ptr)
        return heap_malloc_inline(heap, size);
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
        atomic_load_explicit(&seg->thread_id, memory_order_relaxed) == current_thread_id() &&
        heap_large_grow(pg, size))
        return ptr; /* grown into the free slices after it */
    if (seg->kind == SEGMENT_HUGE) {
        if (size > mmkit_options.mmap_threshold) {
            void *resized = huge_resize(seg, size);
            if (resized)
                return resized;
        }
    }
    void *moved = heap_malloc_inline(heap, size);
    if (!moved)
        return NULL;
    memcpy(moved, ptr, size < usable ? size : usable);
    core_free(ptr);
    return moved;
}

void *mmkit_realloc(void *ptr, size_t size)
{
    return heap_realloc(thread_heap, ptr, size);
}

void *mmkit_reallocarray(void *ptr, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return heap_realloc(thread_heap, ptr, total);
}

int mmkit_trim(size_t pad)
{
    (void)pad;
    uint64_t before = atomic_load_explicit(&os_stats.returned, memory_order_relaxed);
    struct mmkit_heap *heap = heap_collect_pending();
    if (heap)
        heap_trim(heap);
    huge_trim();
    return atomic_load_explicit(&os_stats.returned, memory_order_relaxed) != before;
}

void *core_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
{
    if (alignment > MIN_BLOCK_SIZE) {
        void *p = heap_aligned_core(heap, alignment, size);
        if (p && zero)
            memset(p, 0, size);
        return p;
    }
    return zero ? heap_zeroed(heap, size) : heap_malloc_inline(heap, size);
}

bool core_block_of(const void *p, uint8_t **start, size_t *usable)
{
    segment *seg = segment_containing((uintptr_t)p);
    if (!seg)
        return false;
    if (seg->kind == SEGMENT_HUGE) {
        /* Its block may reach far beyond the segment's 64 slices. */
        *start = seg->pages[0].start;
        *usable = seg->huge_usable;
        return (uint8_t *)p >= *start && (uint8_t *)p < *start + seg->huge_usable;
    }
    page *pg = page_of(seg, p);
    if (!pg || pg->slice_count == 0 || (uint8_t *)p < pg->start)
        return false;
    uint32_t index = (uint32_t)((uintptr_t)p - (uintptr_t)pg->start) / pg->block_size;
    if (index >= pg->capacity)
        return false;
    *start = pg->start + (size_t)index * pg->block_size;
    *usable = pg->block_size;
    return true;
}

bool core_in_free_slice(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (segment_map_kind(a) != MAP_SEGMENT_AT_GRANULE)
        return false;
    const segment *seg = (const segment *)(a & ~SEGMENT_MASK);
    size_t slice = (a - (uintptr_t)seg) >> SLICE_SHIFT;
    return seg->kind == SEGMENT_NORMAL && slice > 0 && ((seg->free_slices >> slice) & 1);
}

/* ---- heap (pool) entry points --------------------------------------------- */

void *mmkit_heap_malloc(mmkit_heap *heap, size_t size)
{
    if (unlikely(check_active))
        return check_alloc(heap, size, 0, false);
    return heap_malloc_keyed(heap, size, false);
}

void *mmkit_heap_calloc(mmkit_heap *heap, size_t count, size_t size)
{
    return heap_calloc(heap, count, size);
}

void *mmkit_heap_realloc(mmkit_heap *heap, void *ptr, size_t size)
{
    return heap_realloc(heap, ptr, size);
}

void *mmkit_heap_aligned_alloc(mmkit_heap *heap, size_t alignment, size_t size)
{
    return heap_aligned_alloc(heap, alignment, size);
}
