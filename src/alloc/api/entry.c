/*
 * entry.c - the mmkit_* allocation calls, and the mode dispatch.  With no
 * checking mode on, each call pays one predictable branch on check_mode_on()
 * and runs the core's fast path inline; otherwise it goes through the
 * checking layer (check.h), after start-up if it has not run yet: until
 * start-up has read the options, check_active sends every call here.
 */
#include <string.h>

#include "api.h"
#include "check.h"
#include "core.h"
#include "lookup.h"
#include "guarded.h"

/* ---- the checking layer, once started ------------------------------------------- */

/* Out of line: the modes' shortcuts that share a function with these
 * calls would otherwise pay for their stack frame. */
static __attribute__((noinline)) void *layer_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
{
    mmkit_init();
    return check_alloc(heap, size, alignment, zero);
}

static __attribute__((noinline)) void *layer_realloc(struct mmkit_heap *heap, void *ptr, size_t size)
{
    mmkit_init();
    return check_realloc(heap, ptr, size);
}

static __attribute__((noinline)) void layer_free(void *ptr)
{
    mmkit_init();
    check_free(ptr);
}

/* ---- allocation --------------------------------------------------------------------- */

/* Hardened and sample mode serve most calls here, with the core's keyed
 * paths. */
void *malloc_by_mode(size_t size)
{
    uint8_t mode = check_mode();
    if (mode == CHECK_HARDENED)
        return heap_malloc(thread_heap, size, true);
    if (mode == CHECK_SAMPLE) {
        if (likely(!check_sample_due()))
            return heap_malloc(thread_heap, size, false);
        return check_alloc_sampled(thread_heap, size, 0, false);
    }
    return layer_alloc(thread_heap, size, 0, false);
}

void *mmkit_malloc(size_t size)
{
    return entry_malloc(size);
}

static bool is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static void *aligned_alloc_by_mode(struct mmkit_heap *heap, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    if (unlikely(check_mode_on()))
        return layer_alloc(heap, size, alignment, false);
    return core_alloc(heap, size, alignment, false);
}

void *mmkit_aligned_alloc(size_t alignment, size_t size)
{
    return aligned_alloc_by_mode(thread_heap, alignment, size);
}

void *mmkit_memalign(size_t alignment, size_t size)
{
    return aligned_alloc_by_mode(thread_heap, alignment, size);
}

int mmkit_posix_memalign(void **result, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    /* A failure leaves errno set too, as glibc's does. */
    void *p = aligned_alloc_by_mode(thread_heap, alignment, size);
    if (!p)
        return errno;
    *result = p;
    return 0;
}

void *mmkit_valloc(size_t size)
{
    return aligned_alloc_by_mode(thread_heap, OS_PAGE_SIZE, size);
}

void *mmkit_pvalloc(size_t size)
{
    size_t rounded = align_up(size, OS_PAGE_SIZE);
    if (rounded < size) {
        errno = ENOMEM;
        return NULL;
    }
    return aligned_alloc_by_mode(thread_heap, OS_PAGE_SIZE, rounded ? rounded : OS_PAGE_SIZE);
}

static void *calloc_by_mode(struct mmkit_heap *heap, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (unlikely(check_mode_on()))
        return layer_alloc(heap, total, 0, true);
    return core_alloc(heap, total, 0, true);
}

void *mmkit_calloc(size_t count, size_t size)
{
    return calloc_by_mode(thread_heap, count, size);
}

size_t mmkit_usable_size(const void *ptr)
{
    if (unlikely(check_mode_on())) {
        mmkit_init();
        return check_usable_size(ptr);
    }
    return core_usable_size(ptr);
}

static void *realloc_by_mode(struct mmkit_heap *heap, void *ptr, size_t size)
{
    if (unlikely(check_mode_on()))
        return layer_realloc(heap, ptr, size);
    return core_realloc(heap, ptr, size);
}

void *mmkit_realloc(void *ptr, size_t size)
{
    return realloc_by_mode(thread_heap, ptr, size);
}

void *mmkit_reallocarray(void *ptr, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc_by_mode(thread_heap, ptr, total);
}

int mmkit_trim(size_t pad)
{
    (void)pad;
    return core_trim();
}

/* ---- free ------------------------------------------------------------------------------ */

/* Sample mode: a block of the guarded pool goes to the layer, any other
 * straight to the core. */
static __attribute__((noinline)) void free_sampled(void *ptr)
{
    if (likely(!guarded_owns(ptr)))
        core_free_inline(ptr, false);
    else
        check_free(ptr);
}

/* Hardened mode's path needs no stack frame either. */
void free_by_mode(void *ptr)
{
    uint8_t mode = check_mode();
    if (mode == CHECK_HARDENED) {
        block_check verdict = block_free_if_live(ptr);
        if (unlikely(verdict != BLOCK_OK) && ptr)
            check_free_refused(ptr, verdict);
    } else if (mode == CHECK_SAMPLE) {
        free_sampled(ptr);
    } else {
        layer_free(ptr);
    }
}

void mmkit_free(void *ptr)
{
    entry_free(ptr);
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

/* ---- heaps (pools) ------------------------------------------------------------------ */

mmkit_heap *mmkit_heap_new(void)
{
    mmkit_init();
    return heap_new_pool();
}

void mmkit_heap_destroy(mmkit_heap *heap)
{
    if (!heap || heap == &empty_heap)
        return;
    if (check_mode_on())
        check_heap_destroyed(heap);
    heap_destroy_pool(heap);
}

void *mmkit_heap_malloc(mmkit_heap *heap, size_t size)
{
    if (unlikely(check_mode_on()))
        return layer_alloc(heap, size, 0, false);
    return heap_malloc(heap, size, false);
}

void *mmkit_heap_calloc(mmkit_heap *heap, size_t count, size_t size)
{
    return calloc_by_mode(heap, count, size);
}

void *mmkit_heap_realloc(mmkit_heap *heap, void *ptr, size_t size)
{
    return realloc_by_mode(heap, ptr, size);
}

void *mmkit_heap_aligned_alloc(mmkit_heap *heap, size_t alignment, size_t size)
{
    return aligned_alloc_by_mode(heap, alignment, size);
}
