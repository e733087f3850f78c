/* mrc_profile.h - the LRU curve built as records stream by: exact, or
 * estimated from a spatial sample of the pages (SHARDS, Waldspurger, Park,
 * Garthwaite and Ahmad, FAST 2015).  Memory grows with the pages followed,
 * never with the length of the trace.
 *
 * A page is followed when its hash falls below a threshold T out of 2^24,
 * a rate R = T / 2^24 (R = 1 follows every page: the exact curve).  Every
 * reference to a followed page is seen, and the followed pages used since
 * its page's last use, divided by R, estimate all the pages used since;
 * each sampled reference stands for 1 / R references.
 *
 * Fixed size: at most max_pages pages are followed; when one more comes,
 * the page with the largest hash is dropped and T falls to that hash, so
 * the rate adapts to the trace.
 *
 * The published correction: the sample holds N R references only on
 * average; the difference from the trace's true count N is credited to the
 * smallest distance, which removes most of the bias of a sample that
 * happens to hold a few hot pages too many or too few. */
#ifndef MMKIT_SIM_MRC_PROFILE_H
#define MMKIT_SIM_MRC_PROFILE_H

#include "mrc_histogram.h"
#include "page_index.h"
#include "reuse.h"

#define SHARDS_BITS 24
#define SHARDS_MODULUS (1u << SHARDS_BITS)

/* The followed pages as a max-heap on their hash (fixed size only;
 * mrc_followed.c). */
struct followed {
    uint64_t *hash;
    uint32_t *id;
    size_t count;
};
void followed_push(struct followed *heap, uint64_t hash, uint32_t id);
void followed_pop(struct followed *heap);

struct lru_profile {
    struct page_walk walk;
    struct page_index index;
    struct reuse reuse;
    struct mrc_histogram histogram;
    struct followed heap;
    uint64_t threshold, max_pages;
    uint64_t references;
    double weight; /* the sampled references, each weighed 1 / R at its time */
    /* The page referenced last and whether it passed the sampling filter:
     * references to it again (most of a real trace's) need no hash. */
    uint64_t last_vpn, last_hash;
    uint16_t last_pid;
    bool last_passed;
    /* Whether the page sampled last is still followed: references to it
     * again are at distance 1 and need no look-up. */
    bool last_followed;
    double repeats; /* their weight */
};

/* rate in (0, 1]; max_pages 0: no limit.  SIM_OK or SIM_ERR_NOMEM. */
int lru_profile_open(struct lru_profile *p, const struct sim_config *config, double rate,
                     uint64_t max_pages);
int lru_profile_feed(struct lru_profile *p, const struct sim_record *records, size_t count);
/* As lru_profile_feed, of count words of a binary trace (schedule_words). */
int lru_profile_feed_words(struct lru_profile *p, const unsigned char *words, size_t count);
/* The curve, named; the profile is freed either way. */
int lru_profile_finish(struct lru_profile *p, struct sim_mrc *curve);
void lru_profile_free(struct lru_profile *p);

#endif
