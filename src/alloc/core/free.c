/*
 * free.c - giving blocks back beyond the fast path (core_free_inline in
 * core.h): core_free, its out-of-line copy for the callers above, and
 * free_remote, for a block the running thread does not own: a push on its
 * page's list of other threads' frees (a huge block, which no thread owns,
 * goes to huge_free).
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
