/* reuse.h - LRU stack (reuse) distances, O(log n) per reference (Bennett
 * and Kruskal, 1975): time slots hold a 1 at each page's last reference,
 * so the pages used since a page's last reference are counted by one
 * prefix sum.  The 1s are bits of 64-slot words, and a Fenwick tree counts
 * them per word, so that the tree is 64 times smaller than the slots and
 * stays in cache.  The most recent words are left out of the tree, their
 * 1s counted in a byte each: a reference whose page was last used in one
 * of them (most references of a program with locality) sums a few bytes
 * and walks no tree, any other walks it once, not three times.  Slots are
 * renumbered when they run out, so memory stays proportional to the pages
 * tracked, not to the length of the trace. */
#ifndef MMKIT_SIM_REUSE_H
#define MMKIT_SIM_REUSE_H

#include <stddef.h>
#include <stdint.h>

/* The words kept out of the tree: now's and those just before it. */
#define REUSE_RECENT 32

struct reuse {
    uint64_t *bits;     /* bit s % 64 of bits[s / 64]: slot s is a last use */
    uint8_t *word_ones; /* the 1s of each word */
    uint32_t *tree;     /* Fenwick tree over the closed words' 1s, 1-based */
    uint32_t *owner; /* owner[slot]: the page last referenced at that slot */
    uint32_t *last;  /* last[page]: the slot of its last reference, 0 if none */
    size_t cap, now; /* slots (a multiple of 64), and the last one used */
    size_t pages;    /* entries of last */
    uint32_t live;   /* pages tracked: the 1s */
    uint32_t closed; /* the 1s in the closed words */
    uint32_t recent; /* the 1s in the recent words */
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
