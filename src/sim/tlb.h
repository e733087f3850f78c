/* tlb.h - a set-associative translation lookaside buffer.
 *
 * An entry caches a pointer to its page-table entry, so that a hit can set
 * the accessed and dirty bits the way a hardware walker writes them back.
 * Its own replacement within a set is lru, fifo or random. */
#ifndef MMKIT_SIM_TLB_H
#define MMKIT_SIM_TLB_H

#include <stdbool.h>
#include <stdint.h>

#define TLB_INVALID_VPN UINT64_MAX /* no page number is this large */

struct tlb_entry {
    uint64_t vpn;   /* TLB_INVALID_VPN when empty */
    uint64_t *pte;
    uint64_t stamp; /* lru: last use; fifo: insertion */
    uint16_t asid;
};

enum tlb_replacement { TLB_LRU, TLB_FIFO, TLB_RANDOM };

/* Invariant: sets is a power of two and sets * ways entries exist; a page
 * (asid, vpn) is in at most one entry, in set vpn & (sets - 1). */
struct tlb {
    unsigned sets, ways;
    enum tlb_replacement replacement;
    struct tlb_entry *entries;
    /* The entry hit or filled last, which holds the largest stamp.  Most
     * references touch the page the previous one did, so lookups try it
     * first; re-stamping it would not change the order, so they do not. */
    struct tlb_entry *last;
    uint64_t clock;
    uint64_t random_state;
};

/* entries == 0 makes an absent TLB (sets == 0). Returns 0 or SIM_ERR_NOMEM. */
int tlb_init(struct tlb *tlb, unsigned entries, unsigned ways,
             enum tlb_replacement replacement, uint64_t seed);
void tlb_free(struct tlb *tlb);
/* Parse "lru", "fifo" or "random". */
bool tlb_replacement_parse(const char *name, enum tlb_replacement *out);

static inline struct tlb_entry *tlb_lookup(struct tlb *tlb, uint16_t asid, uint64_t vpn)
{
    if (tlb->last->vpn == vpn && tlb->last->asid == asid)
        return tlb->last;
    struct tlb_entry *set = &tlb->entries[(vpn & (tlb->sets - 1)) * tlb->ways];
    for (unsigned way = 0; way < tlb->ways; way++) {
        if (set[way].vpn == vpn && set[way].asid == asid) {
            if (tlb->replacement == TLB_LRU)
                set[way].stamp = ++tlb->clock;
            return tlb->last = &set[way];
        }
    }
    return NULL;
}

/* Cache a translation, replacing an entry of its set if the set is full. */
void tlb_insert(struct tlb *tlb, uint16_t asid, uint64_t vpn, uint64_t *pte);
/* Drop the translation of one page (after its eviction). */
void tlb_invalidate(struct tlb *tlb, uint16_t asid, uint64_t vpn);
void tlb_flush(struct tlb *tlb);

#endif
