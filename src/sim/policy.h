/* policy.h - the page-replacement interface.
 *
 * A policy instance looks after the resident pages of one frame pool (all
 * of memory with global allocation, one process's share with local).  The
 * kernel tells it when a frame is loaded and (if it asks) when a resident
 * page is referenced; on a fault with no free frame it asks for a victim.
 * The MMU never names a policy: it only calls these pointers.
 *
 * Invariant: victim() removes the frame from the policy, and the kernel's
 * next call is loaded() with that same frame (the new page goes where the
 * old one was), which lets clock-like policies keep the slot in place. */
#ifndef MMKIT_SIM_POLICY_H
#define MMKIT_SIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "page_table.h"
#include "shared_pages.h"

#define NEVER UINT64_MAX /* next use of a page that is not used again */

/* One physical frame.  pte is NULL while the frame is free.  A shared
 * page's frame is in every mapping process's table: pte, vpn and pid are
 * the first's, and shared lists them all. */
struct frame {
    uint64_t *pte;
    uint64_t vpn;
    uint16_t pid;
    struct shared_page *shared; /* NULL: one process's page */
};

/* The OR of a bit over every entry mapping the frame, as the kernel reads
 * reference and dirty bits through its reverse map. */
static inline bool frame_bit(const struct frame *frame, uint64_t bit)
{
    if (!frame->shared)
        return *frame->pte & bit;
    for (unsigned i = 0; i < frame->shared->count; i++)
        if (*frame->shared->mapper[i].pte & bit)
            return true;
    return false;
}

static inline bool frame_referenced(const struct frame *frame)
{
    return frame_bit(frame, PTE_ACCESSED);
}

static inline void frame_clear_referenced(const struct frame *frame)
{
    if (!frame->shared) {
        *frame->pte &= ~PTE_ACCESSED;
        return;
    }
    for (unsigned i = 0; i < frame->shared->count; i++)
        *frame->shared->mapper[i].pte &= ~PTE_ACCESSED;
}

static inline bool frame_dirty(const struct frame *frame)
{
    return frame_bit(frame, PTE_DIRTY);
}

/* What a policy is given when created. */
struct policy_env {
    const struct frame *frames; /* the machine's frame table */
    uint64_t frame_count;       /* size of that table (frame ids are below it) */
    uint64_t capacity;          /* frames in this policy's pool */
    uint64_t seed;
    uint64_t tau;               /* working-set window, in references */
};

struct policy_ops {
    const char *name;
    const char *summary;
    bool needs_future; /* wants next_use (opt) */
    /* NULL when out of memory. */
    void *(*create)(const struct policy_env *env);
    void (*destroy)(void *state);
    /* A page was placed in frame at time now; next_use is when it is
     * referenced again (NEVER if unknown or never). */
    void (*loaded)(void *state, uint32_t frame, uint64_t now, uint64_t next_use);
    /* A resident page was referenced (NULL if the policy does not care:
     * the hardware sets the accessed bit anyway). */
    void (*accessed)(void *state, uint32_t frame, uint64_t now, uint64_t next_use);
    /* A clock tick (NULL if not wanted): every config tick references. */
    void (*tick)(void *state);
    /* Choose and remove a victim; only called when the pool is full. */
    uint32_t (*victim)(void *state, uint64_t now);
    /* --explain: the pages victim() is about to choose from, in the order
     * and with the key it decides by, as text (NULL: nothing to show). */
    void (*candidates)(const void *state, char *text, size_t size);
};

/* The policy called name, or NULL. */
const struct policy_ops *policy_find(const char *name);

#endif
