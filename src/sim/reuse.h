/* reuse.h - LRU stack (reuse) distances, O(log n) per reference (Bennett
 * and Kruskal, 1975): time slots hold a 1 at each page's last reference,
 * so the pages used since a page's last reference are counted by one
 * prefix sum.  The 1s are bits of 64-slot words, and a Fenwick tree counts
 * them per word, so that the tree is 64 times smaller than the slots and
 * stays in cache.  The word now is in is left out of the tree until now
 * moves past it: a reference then costs one walk of the tree (none when
 * its page's last use is in that word), not three.  Slots are renumbered
 * when they run out, so memory stays proportional to the pages tracked,
 * not to the length of the trace. */
#ifndef MMKIT_SIM_REUSE_H
#define MMKIT_SIM_REUSE_H

#include <stddef.h>
#include <stdint.h>

struct reuse {
    uint64_t *bits;  /* bit s % 64 of bits[s / 64]: slot s is a last use */
    uint32_t *tree;  /* Fenwick tree over the closed words' bit counts, 1-based */
    uint32_t *owner; /* owner[slot]: the page last referenced at that slot */
    uint32_t *last;  /* last[page]: the slot of its last reference, 0 if none */
    size_t cap, now; /* slots (a multiple of 64), and the last one used */
    size_t pages;    /* entries of last */
    uint32_t live;   /* pages tracked: the 1s */
    uint32_t closed; /* the 1s in the closed words: those before now's */
    uint32_t open;   /* the 1s in now's word */
};

int reuse_init(struct reuse *r);
void reuse_free(struct reuse *r);
/* Reference page (an id from page_index): its stack distance, 1 if it is
 * the most recently used page, 0 if it is not tracked (a cold miss).
 * Returns SIM_OK or SIM_ERR_NOMEM. */
int reuse_touch(struct reuse *r, uint32_t page, uint64_t *distance);
/* Start fetching what reuse_touch(r, page) will read first. */
static inline void reuse_prefetch(const struct reuse *r, uint32_t page)
{
    if (page < r->pages)
        __builtin_prefetch(&r->last[page]);
}
/* Stop tracking page (SHARDS dropping it from its sample). */
void reuse_forget(struct reuse *r, uint32_t page);

#endif
