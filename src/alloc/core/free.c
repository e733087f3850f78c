/*
 * free.c - giving blocks back (the fast path is core_free_inline in
 * core.h): frees by other threads.
 */
#include "core.h"

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
