/* cache.h - the caches in front of physical memory (cache.c).
 *
 * A reference enters at level 1 (the instruction cache for a fetch, the
 * data cache otherwise) with its physical address.  A level that misses
 * fills the line from the level below, and so on to memory; the victim of
 * a fill, when dirty, is written below.  An inclusive level that evicts a
 * line takes it out of the levels above it too. */
#ifndef MMKIT_SIM_CACHE_H
#define MMKIT_SIM_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmkit/sim.h"

struct cache {
    struct sim_cache_config config;
    unsigned index;          /* in the hierarchy's level array */
    unsigned line_shift, ways;
    uint64_t sets, set_mask; /* set_mask when sets is a power of two, else 0 */
    uint64_t *tags;          /* sets * ways: the line's address >> line_shift, plus 1; 0: empty */
    uint64_t *stamps;        /* lru: last use; fifo: fill */
    uint8_t *dirty;
    uint64_t *tree;          /* plru: a set's tree of ways - 1 bits */
    uint64_t clock, random;
    uint64_t last_line, last_slot; /* the line found last, and where (UINT64_MAX: none) */
    uint8_t *state;          /* several CPUs: each line's coherence state (coherence.h) */
    bool last_private;       /* several CPUs: a CPU's own, and the level below is shared */
    struct cache *below;     /* NULL: memory */
    struct cache **above;    /* the caches that fill from this one */
    unsigned above_count;
    struct sim_cache_stats stats; /* counted as it goes: accesses, misses and the rest */
};

struct cache_hierarchy {
    struct cache *level;        /* each CPU's own caches in turn, then the shared ones */
    unsigned count;
    unsigned cpus, per_cpu;     /* per_cpu: the caches each CPU has of its own */
    struct cache **instr, **data; /* per CPU: where fetches and data enter; NULL: memory */
    double memory_ns;           /* a fill from memory */
    double transfer_ns;         /* a line from another CPU's cache */
    uint64_t memory_accesses;   /* fills from memory and writes to it */
    enum sim_coherence protocol;
    struct sim_coherence_stats coherence;
    bool peer_supplies;         /* the access under way has its line from another CPU */
};

/* *served for a line another CPU's cache gave. */
#define CACHE_SERVED_BY_PEER(h) ((h)->count + 1)

/* Build the caches c describes (none if it has none): 0 or SIM_ERR_NOMEM. */
int cache_hierarchy_init(struct cache_hierarchy *h, const struct sim_config *c);
void cache_hierarchy_free(struct cache_hierarchy *h);

/* An access of `size` bytes at paddr, of enum sim_kind `kind`, by `cpu`:
 * the time it took; *served is the index of the level that had it (count:
 * memory; CACHE_SERVED_BY_PEER: another CPU's cache).  With several CPUs,
 * coherence_access wraps it. */
double cache_access(struct cache_hierarchy *h, unsigned cpu, uint64_t paddr, uint32_t size,
                    unsigned kind, unsigned *served);

/* For coherence.c: the slot of the line holding addr in `cache`, or -1. */
int64_t cache_find(const struct cache *cache, uint64_t addr);
/* Take the line in slot out of `cache` (its data goes nowhere). */
void cache_drop(struct cache *cache, uint64_t slot);

/* What the cache saw, hits and time included. */
struct sim_cache_stats cache_stats(const struct cache *cache);

/* Check what config_finish cannot see alone: each cache's geometry and
 * that the levels stack (config.c calls it). */
int cache_config_check(const struct sim_config *c, struct sim_diag *diag);

#endif
