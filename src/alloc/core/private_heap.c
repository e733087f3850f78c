/*
 * private_heap.c - the allocator's own allocations (core.h).  Libraries the
 * checking modes call (the unwinder, the symbolizer) allocate with malloc;
 * between private_heap_enter and leave, the calling thread's allocations
 * come from this heap instead, so they are neither checked nor reported as
 * leaks, and cannot recurse into the checks.
 *
 * The heap is shared by every thread inside: each allocation from it runs
 * under LOCK_PRIVATE_HEAP.  It is owned by no thread, so every free of its
 * blocks, by any thread at any time, is a remote push: safe without it.
 */
#include "core.h"
#include "lookup.h"
#include "locks.h"

/* An id no thread has (thread pointers are aligned): the heap's owner, so
 * that every thread frees into it remotely. */
#define NO_OWNER_THREAD ((uintptr_t)1)

static __thread unsigned depth; /* enter and leave nest */
static __thread bool inside;

/* Published with release: private_heap_owns reads it without the lock. */
static struct mmkit_heap *heap;

/* Under LOCK_PRIVATE_HEAP: threads inside, and who hears when the first
 * enters and the last leaves. */
static unsigned threads_inside;
static void (*on_first_in)(void), (*on_last_out)(void);

void private_heap_set_hooks(void (*first_in)(void), void (*last_out)(void))
{
    on_first_in = first_in;
    on_last_out = last_out;
}

bool private_heap_inside(void)
{
    return inside;
}

void private_heap_enter(void)
{
    if (depth++ > 0)
        return;
    inside = true;
    lock_take(LOCK_PRIVATE_HEAP);
    if (threads_inside++ == 0 && on_first_in)
        on_first_in();
    if (!heap) {
        struct mmkit_heap *fresh = heap_new_pool();
        if (fresh) {
            fresh->thread_id = NO_OWNER_THREAD;
            __atomic_store_n(&heap, fresh, __ATOMIC_RELEASE);
        }
    }
    lock_release(LOCK_PRIVATE_HEAP);
}

void private_heap_leave(void)
{
    if (--depth > 0)
        return;
    lock_take(LOCK_PRIVATE_HEAP);
    if (--threads_inside == 0 && on_last_out)
        on_last_out();
    lock_release(LOCK_PRIVATE_HEAP);
    inside = false;
}

/* A fork child has one thread: only it may still be inside. */
static void after_fork_child(void)
{
    threads_inside = inside ? 1 : 0;
    if (threads_inside == 0 && on_last_out)
        on_last_out();
}

void private_heap_init(void)
{
    fork_hook_register(NULL, NULL, after_fork_child);
}

void *private_heap_alloc(size_t size, size_t alignment, bool zero)
{
    lock_take(LOCK_PRIVATE_HEAP);
    void *p = heap ? core_alloc(heap, size, alignment, zero) : NULL;
    lock_release(LOCK_PRIVATE_HEAP);
    if (!p)
        errno = ENOMEM;
    return p;
}

void *private_heap_realloc(void *ptr, size_t size)
{
    bool entered = !inside;
    if (entered)
        private_heap_enter();
    lock_take(LOCK_PRIVATE_HEAP);
    void *moved = heap ? core_realloc(heap, ptr, size) : NULL;
    lock_release(LOCK_PRIVATE_HEAP);
    if (entered)
        private_heap_leave();
    return moved;
}

bool private_heap_owns(const void *ptr)
{
    struct mmkit_heap *own = __atomic_load_n(&heap, __ATOMIC_ACQUIRE);
    block_info b = block_lookup(ptr);
    return own && b.place == PLACE_BLOCK && segment_heap(b.segment) == own;
}
