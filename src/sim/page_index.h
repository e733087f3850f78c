/* page_index.h - the pages of a run named by small numbers: each distinct
 * (process, page) pair gets the next id, 0, 1, 2, ... in order of first
 * reference, so that per-page state can live in plain arrays.  Also the
 * walk from trace records to the pages they touch, as the machine makes
 * it.  Used by future.c and the miss-ratio curves (mrc_*.c). */
#ifndef MMKIT_SIM_PAGE_INDEX_H
#define MMKIT_SIM_PAGE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmkit/sim.h"

struct page_slot {
    uint64_t vpn;
    uint32_t pid_plus_one; /* 0 marks an empty slot */
    uint32_t id;
};

struct page_index {
    struct page_slot *slots;
    size_t mask;    /* slots - 1, a power of two minus one */
    uint32_t count; /* ids handed out */
};

/* A well-mixed 64-bit hash of a page: the index places pages by its low
 * bits, SHARDS samples them by its high bits. */
static inline uint64_t page_hash(uint64_t vpn, uint16_t pid)
{
    uint64_t h = vpn ^ ((uint64_t)pid << 52) ^ 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}

/* Start bringing the slot where the page with this hash would be into the
 * cache: a table as large as a big footprint's misses the cache on almost
 * every look-up, and a few look-ups in flight at once hide most of it. */
static inline void page_index_prefetch(const struct page_index *index, uint64_t hash)
{
    __builtin_prefetch(&index->slots[hash & index->mask]);
}

int page_index_init(struct page_index *index);
void page_index_free(struct page_index *index);
/* page_index_id past the page's home slot. */
int page_index_probe(struct page_index *index, uint64_t vpn, uint16_t pid, uint64_t hash,
                     uint32_t *id);

/* The id of the page whose page_hash is hash; a page not seen before gets
 * index->count.  SIM_OK or SIM_ERR_NOMEM.  Most look-ups find the page in
 * its home slot, the first one probed: that case is inline. */
static inline int page_index_id(struct page_index *index, uint64_t vpn, uint16_t pid,
                                uint64_t hash, uint32_t *id)
{
    const struct page_slot *home = &index->slots[hash & index->mask];
    if (home->vpn == vpn && home->pid_plus_one == pid + 1u) {
        *id = home->id;
        return SIM_OK;
    }
    return page_index_probe(index, vpn, pid, hash, id);
}

/* How records become page references: a record is one reference to its
 * page, or two if it straddles a boundary and the machine splits such
 * accesses.  With valid_only, pages beyond the address space (protection
 * faults, which never take a frame) are left out. */
struct page_walk {
    unsigned shift;
    bool split;
    uint64_t max_vpn; /* the last page walked: all of them without valid_only */
};

void page_walk_init(struct page_walk *walk, const struct sim_config *config, bool valid_only);

/* The pages record r touches, into vpns; returns how many (0, 1 or 2).
 * Straight-line code: it runs for every record of a trace. */
static inline unsigned page_walk_record(const struct page_walk *walk, const struct sim_record *r,
                                        uint64_t vpns[2])
{
    uint64_t first = r->addr >> walk->shift;
    vpns[0] = first;
    if (!walk->split)
        return first <= walk->max_vpn;
    uint64_t last = (r->addr + r->size - 1) >> walk->shift;
    if (last < first)
        return 0; /* the access wraps around the address space */
    unsigned n = first <= walk->max_vpn;
    vpns[n] = first + 1;
    return n + (last > first && first + 1 <= walk->max_vpn);
}

/* The page id of every page reference of records, in order: *ids is
 * malloc'ed with *count entries; *footprint is the number of distinct
 * pages.  SIM_OK or SIM_ERR_NOMEM. */
int page_ids_build(const struct page_walk *walk, const struct sim_record *records, size_t count,
                   uint32_t **ids, size_t *references, uint32_t *footprint);

/* future.c: the page ids of a run's page references and, for each, the
 * 1-based time of the next reference to the same page (NEVER if none). */
struct page_future {
    uint32_t *ids;
    uint64_t *next;
    size_t count;
    uint32_t footprint;
};
/* SIM_OK or SIM_ERR_NOMEM. */
int page_future_build(struct page_future *future, const struct sim_config *config,
                      bool valid_only, const struct sim_record *records, size_t count);
void page_future_free(struct page_future *future);

#endif
