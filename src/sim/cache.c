/* cache.c - set-associative caches, stacked in front of physical memory
 * (cache.h).
 *
 * Choices where hardware differs (docs/SIM.md says them to users):
 *  - A write-back or a write-through goes to the first level below that
 *    holds the line (marking it dirty there, or passing it on if that
 *    level writes through) and otherwise to memory.  It fills no line and
 *    moves no line in its set's order: write buffers absorb it, and its
 *    time is not counted.
 *  - An access that straddles two lines is one access, and one miss if
 *    either line missed, as cachegrind counts it; each missing line is
 *    filled from below on its own.
 *  - Ways are kept in place; lru and fifo order them by a stamp, plru by a
 *    binary tree of bits per set, as hardware does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "diag.h"
#include "random.h"

static unsigned log2_ceil(uint64_t x)
{
    unsigned n = 0;
    while ((1ull << n) < x)
        n++;
    return n;
}

static bool power_of_two(uint64_t x)
{
    return x && !(x & (x - 1));
}

/* ---- configuration ------------------------------------------------------------ */

static int refuse(struct sim_diag *diag, const struct sim_cache_config *k, const char *why)
{
    return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "cache", "cache %s: %s", k->name, why);
}

static int check_geometry(const struct sim_cache_config *k, struct sim_diag *diag)
{
    if (!power_of_two(k->line))
        return refuse(diag, k, "the line size must be a power of two");
    if (k->ways == 0 || k->size < (uint64_t)k->ways * k->line ||
        k->size % ((uint64_t)k->ways * k->line))
        return refuse(diag, k, "the size must be a whole number of sets of ways times lines");
    if (k->replacement == SIM_CACHE_PLRU && !power_of_two(k->ways))
        return refuse(diag, k, "plru needs a power-of-two number of ways (its tree of bits)");
    if (k->ways > 64)
        return refuse(diag, k, "at most 64 ways (use fewer, larger sets' worth of lines)");
    return SIM_OK;
}

int cache_config_check(const struct sim_config *c, struct sim_diag *diag)
{
    unsigned deepest = 0;
    for (unsigned i = 0; i < c->cache_count; i++) {
        const struct sim_cache_config *k = &c->caches[i];
        int status = check_geometry(k, diag);
        if (status)
            return status;
        if (c->cpus > 1 && k->line != c->caches[0].line)
            return refuse(diag, k, "with several CPUs every cache has the same line size "
                                   "(coherence keeps lines)");
        if (k->level > 1 && k->side != SIM_CACHE_UNIFIED)
            return refuse(diag, k, "only level 1 is split into instruction and data caches");
        for (unsigned j = 0; j < i; j++) {
            const struct sim_cache_config *o = &c->caches[j];
            bool clash = o->level == k->level &&
                         (o->side == k->side || o->side == SIM_CACHE_UNIFIED ||
                          k->side == SIM_CACHE_UNIFIED);
            if (clash)
                return refuse(diag, k, "a cache of that level and side is set already");
        }
        if (k->level > deepest)
            deepest = k->level;
    }
    for (unsigned level = 1; level <= deepest; level++) {
        bool found = false;
        for (unsigned i = 0; i < c->cache_count; i++)
            found |= c->caches[i].level == level;
        if (!found)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "cache",
                            "no cache at level %u, between level %u and level %u", level,
                            level - 1, deepest);
    }
    return SIM_OK;
}

/* ---- building ----------------------------------------------------------------- */

/* One cache; `cpus` sizes the list of caches above it and says whether
 * lines have a coherence state. */
static int cache_init(struct cache *cache, const struct sim_cache_config *k, uint64_t seed,
                      unsigned cpus)
{
    *cache = (struct cache){.config = *k, .line_shift = log2_ceil(k->line), .ways = k->ways};
    cache->sets = k->size / ((uint64_t)k->ways * k->line);
    cache->set_mask = power_of_two(cache->sets) ? cache->sets - 1 : 0;
    uint64_t lines = cache->sets * k->ways;
    cache->tags = calloc(lines, sizeof *cache->tags);
    cache->stamps = calloc(lines, sizeof *cache->stamps);
    cache->dirty = calloc(lines, 1);
    if (k->replacement == SIM_CACHE_PLRU)
        cache->tree = calloc(cache->sets, sizeof *cache->tree);
    if (cpus > 1)
        cache->state = calloc(lines, 1);
    cache->above = calloc(2 * cpus, sizeof *cache->above);
    cache->random = seed | 1;
    cache->last_line = UINT64_MAX;
    snprintf(cache->stats.name, sizeof cache->stats.name, "%s", k->name);
    bool ok = cache->tags && cache->stamps && cache->dirty && cache->above &&
              (cpus == 1 || cache->state) && (k->replacement != SIM_CACHE_PLRU || cache->tree);
    return ok ? SIM_OK : SIM_ERR_NOMEM;
}

/* The cache of `level` that serves `side` for `cpu` (a unified one serves
 * both; the shared levels serve every CPU). */
static struct cache *find_level(struct cache_hierarchy *h, unsigned cpu, unsigned level,
                                enum sim_cache_side side)
{
    for (unsigned i = 0; i < h->count; i++) {
        const struct cache *cache = &h->level[i];
        const struct sim_cache_config *k = &cache->config;
        bool serves = cache->stats.cpu < 0 || (unsigned)cache->stats.cpu == cpu;
        if (serves && k->level == level && (k->side == side || k->side == SIM_CACHE_UNIFIED))
            return &h->level[i];
    }
    return NULL;
}

int cache_hierarchy_init(struct cache_hierarchy *h, const struct sim_config *c)
{
    unsigned cpus = c->cpus ? c->cpus : 1, deepest = 0;
    for (unsigned i = 0; i < c->cache_count; i++)
        if (c->caches[i].level > deepest)
            deepest = c->caches[i].level;
    /* With several CPUs the last level is shared, unless it is the only one. */
    bool shares_last = cpus > 1 && deepest > 1;
    unsigned shared = 0;
    for (unsigned i = 0; shares_last && i < c->cache_count; i++)
        shared += c->caches[i].level == deepest;
    *h = (struct cache_hierarchy){.memory_ns = c->cost_memory_ns, .cpus = cpus,
                                  .per_cpu = c->cache_count - shared, .protocol = c->coherence};
    if (!c->cache_count)
        return SIM_OK;
    h->level = calloc(h->per_cpu * cpus + shared, sizeof *h->level);
    h->instr = calloc(cpus, sizeof *h->instr);
    h->data = calloc(cpus, sizeof *h->data);
    if (!h->level || !h->instr || !h->data)
        return SIM_ERR_NOMEM;
    for (unsigned cpu = 0; cpu < cpus; cpu++)
        for (unsigned i = 0; i < c->cache_count; i++) {
            const struct sim_cache_config *k = &c->caches[i];
            if (shares_last && k->level == deepest)
                continue;
            struct cache *cache = &h->level[h->count++];
            int status = cache_init(cache, k, c->seed + h->count, cpus);
            if (status)
                return status;
            cache->stats.cpu = cpus > 1 ? (int)cpu : -1;
            if (cpus > 1)
                snprintf(cache->stats.name, sizeof cache->stats.name, "%s cpu%u", k->name, cpu);
        }
    for (unsigned i = 0; i < c->cache_count; i++)
        if (shares_last && c->caches[i].level == deepest) {
            struct cache *cache = &h->level[h->count++];
            int status = cache_init(cache, &c->caches[i], c->seed + h->count, cpus);
            if (status)
                return status;
            cache->stats.cpu = -1;
            h->transfer_ns = c->caches[i].latency_ns;
        }
    if (!shares_last)
        h->transfer_ns = h->memory_ns;
    for (unsigned i = 0; i < h->count; i++) {
        struct cache *cache = &h->level[i];
        cache->index = i;
        unsigned cpu = cache->stats.cpu < 0 ? 0 : (unsigned)cache->stats.cpu;
        struct cache *below = find_level(h, cpu, cache->config.level + 1, SIM_CACHE_UNIFIED);
        cache->below = below;
        cache->last_private = cpus > 1 && cache->stats.cpu >= 0 && (!below || below->stats.cpu < 0);
        if (below)
            below->above[below->above_count++] = cache;
    }
    for (unsigned cpu = 0; cpu < cpus; cpu++) {
        h->instr[cpu] = find_level(h, cpu, 1, SIM_CACHE_INSTR);
        h->data[cpu] = find_level(h, cpu, 1, SIM_CACHE_DATA);
    }
    return SIM_OK;
}

void cache_hierarchy_free(struct cache_hierarchy *h)
{
    for (unsigned i = 0; i < h->count; i++) {
        free(h->level[i].tags);
        free(h->level[i].stamps);
        free(h->level[i].dirty);
        free(h->level[i].tree);
        free(h->level[i].state);
        free(h->level[i].above);
    }
    free(h->level);
    free(h->instr);
    free(h->data);
    *h = (struct cache_hierarchy){0};
}

/* ---- one cache ------------------------------------------------------------------ */

static uint64_t set_of(const struct cache *cache, uint64_t line)
{
    return cache->set_mask || cache->sets == 1 ? line & cache->set_mask : line % cache->sets;
}

/* The slot holding `line` (sets * ways), or -1. */
static int64_t find(const struct cache *cache, uint64_t line)
{
    uint64_t first = set_of(cache, line) * cache->ways, tag = line + 1;
    for (unsigned way = 0; way < cache->ways; way++)
        if (cache->tags[first + way] == tag)
            return (int64_t)(first + way);
    return -1;
}

/* plru: point every node on the way's path away from it. */
static void tree_touch(struct cache *cache, uint64_t set, unsigned way)
{
    unsigned depth = log2_ceil(cache->ways), node = 1;
    for (unsigned d = depth; d-- > 0;) {
        unsigned branch = (way >> d) & 1;
        if (branch)
            cache->tree[set] &= ~(1ull << node);
        else
            cache->tree[set] |= 1ull << node;
        node = node * 2 + branch;
    }
}

static unsigned tree_victim(const struct cache *cache, uint64_t set)
{
    unsigned node = 1;
    while (node < cache->ways)
        node = node * 2 + (unsigned)((cache->tree[set] >> node) & 1);
    return node - cache->ways;
}

static inline void touch(struct cache *cache, uint64_t slot, bool filled)
{
    switch (cache->config.replacement) {
    case SIM_CACHE_LRU:
        cache->stamps[slot] = ++cache->clock;
        break;
    case SIM_CACHE_FIFO:
        if (filled)
            cache->stamps[slot] = ++cache->clock;
        break;
    case SIM_CACHE_PLRU:
        tree_touch(cache, slot / cache->ways, (unsigned)(slot % cache->ways));
        break;
    case SIM_CACHE_RANDOM:
        break;
    }
}

/* The slot a fill of a line of `set` takes: an empty one, else the policy's. */
static uint64_t victim(struct cache *cache, uint64_t set)
{
    uint64_t first = set * cache->ways;
    for (unsigned way = 0; way < cache->ways; way++)
        if (!cache->tags[first + way])
            return first + way;
    switch (cache->config.replacement) {
    case SIM_CACHE_PLRU:
        return first + tree_victim(cache, set);
    case SIM_CACHE_RANDOM:
        return first + random_next(&cache->random) % cache->ways;
    default: {
        uint64_t oldest = first;
        for (unsigned way = 1; way < cache->ways; way++)
            if (cache->stamps[first + way] < cache->stamps[oldest])
                oldest = first + way;
        return oldest;
    }
    }
}

/* ---- the hierarchy -------------------------------------------------------------- */

/* A write-back or write-through of the line at addr, arriving at `cache`. */
static void write_below(struct cache_hierarchy *h, struct cache *cache, uint64_t addr)
{
    for (; cache; cache = cache->below) {
        int64_t slot = find(cache, addr >> cache->line_shift);
        if (slot < 0)
            continue;
        if (!cache->config.write_through) {
            cache->dirty[slot] = 1;
            return;
        }
        cache->stats.writes_through++;
    }
    h->memory_accesses++;
}

int64_t cache_find(const struct cache *cache, uint64_t addr)
{
    return find(cache, addr >> cache->line_shift);
}

void cache_drop(struct cache *cache, uint64_t slot)
{
    cache->tags[slot] = 0;
    cache->dirty[slot] = 0;
    if (cache->last_slot == slot)
        cache->last_line = UINT64_MAX;
}

/* An inclusive cache evicted the line at addr: the levels above lose it. */
static void take_from_above(struct cache_hierarchy *h, struct cache *cache, uint64_t addr)
{
    for (unsigned i = 0; i < cache->above_count; i++) {
        struct cache *above = cache->above[i];
        int64_t slot = find(above, addr >> above->line_shift);
        if (slot >= 0) {
            if (above->dirty[slot]) {
                above->stats.write_backs++;
                write_below(h, cache->below, addr);
            }
            cache_drop(above, (uint64_t)slot);
            above->stats.inclusion_victims++;
        }
        take_from_above(h, above, addr);
    }
}

static inline double lookup(struct cache_hierarchy *h, struct cache *cache, uint64_t addr,
                            uint32_t size, bool write, unsigned *served);

/* Put the line at addr into `slot`, evicting what was there. */
static void fill(struct cache_hierarchy *h, struct cache *cache, uint64_t slot, uint64_t line)
{
    uint64_t old = cache->tags[slot];
    if (old) {
        uint64_t old_addr = (old - 1) << cache->line_shift;
        if (cache->dirty[slot]) {
            cache->stats.write_backs++;
            write_below(h, cache->below, old_addr);
        }
        if (cache->config.inclusive)
            take_from_above(h, cache, old_addr);
    }
    cache->tags[slot] = line + 1;
    cache->dirty[slot] = 0;
    cache->last_line = line;
    cache->last_slot = slot;
    touch(cache, slot, true);
}

/* A store to a line the cache holds, in `slot`. */
static void write_hit(struct cache_hierarchy *h, struct cache *cache, uint64_t slot)
{
    if (cache->config.write_through) {
        cache->stats.writes_through++;
        write_below(h, cache->below, (cache->tags[slot] - 1) << cache->line_shift);
    } else {
        cache->dirty[slot] = 1;
    }
}

/* One line of an access at `cache`; *served is left alone on a hit.  A
 * miss fills the line (unless a store that does not allocate) and adds the
 * time below. */
static void line_access(struct cache_hierarchy *h, struct cache *cache, uint64_t line, bool write,
                        double *time, unsigned *served)
{
    int64_t slot = find(cache, line);
    uint64_t addr = line << cache->line_shift;
    if (slot >= 0) {
        touch(cache, (uint64_t)slot, false);
        cache->last_line = line; /* the most recent line: hit_one_line relies on it */
        cache->last_slot = (uint64_t)slot;
        if (write)
            write_hit(h, cache, (uint64_t)slot);
        return;
    }
    if (write && cache->config.no_write_allocate) {
        *time += lookup(h, cache->below, addr, 1, true, served);
        return;
    }
    if (cache->last_private && h->peer_supplies) { /* another CPU's cache has it */
        *time += h->transfer_ns;
        *served = CACHE_SERVED_BY_PEER(h);
    } else {
        *time += lookup(h, cache->below, addr, 1u << cache->line_shift, false, served);
    }
    slot = (int64_t)victim(cache, set_of(cache, line));
    fill(h, cache, (uint64_t)slot, line);
    if (write)
        write_hit(h, cache, (uint64_t)slot);
}

/* The common case, kept short: an access within one line the cache holds
 * (often the line of the access before).  Touches it and says true; false
 * if the access needs more (the caller counts the access either way). */
static inline bool hit_one_line(struct cache_hierarchy *h, struct cache *cache, uint64_t addr,
                                uint32_t size, bool write)
{
    uint64_t line = addr >> cache->line_shift;
    if (line != (addr + size - 1) >> cache->line_shift)
        return false;
    uint64_t slot = cache->last_slot;
    /* The line used last is the most recent in its set already: touching
     * it again would change nothing. */
    if (line != cache->last_line) {
        int64_t found = find(cache, line);
        if (found < 0)
            return false;
        slot = (uint64_t)found;
        touch(cache, slot, false);
        cache->last_line = line;
        cache->last_slot = slot;
    }
    if (write)
        write_hit(h, cache, slot);
    return true;
}

/* lookup past its common case: memory, or an access that misses or
 * straddles lines. */
static double lookup_further(struct cache_hierarchy *h, struct cache *cache, uint64_t addr,
                             uint32_t size, bool write, unsigned *served)
{
    if (!cache) {
        h->memory_accesses++;
        *served = h->count;
        return h->memory_ns;
    }
    double time = cache->config.latency_ns;
    uint64_t first = addr >> cache->line_shift, last = (addr + size - 1) >> cache->line_shift;
    bool missed = false;
    unsigned deepest = cache->index;
    for (uint64_t line = first; line <= last; line++) {
        unsigned here = cache->index;
        line_access(h, cache, line, write, &time, &here);
        missed |= here != cache->index;
        if (here > deepest)
            deepest = here;
    }
    if (missed)
        cache->stats.misses++;
    *served = deepest;
    return time;
}

/* An access at `cache` (NULL: memory), counted there: the time it took
 * there and below.  Inline, so that the common hit costs no call. */
static inline double lookup(struct cache_hierarchy *h, struct cache *cache, uint64_t addr,
                            uint32_t size, bool write, unsigned *served)
{
    if (cache) {
        cache->stats.accesses++;
        if (hit_one_line(h, cache, addr, size, write)) {
            *served = cache->index;
            return cache->config.latency_ns;
        }
    }
    return lookup_further(h, cache, addr, size, write, served);
}

struct sim_cache_stats cache_stats(const struct cache *cache)
{
    struct sim_cache_stats s = cache->stats;
    s.hits = s.accesses - s.misses;
    s.time_ns = (double)s.accesses * cache->config.latency_ns;
    return s;
}

double cache_access(struct cache_hierarchy *h, unsigned cpu, uint64_t paddr, uint32_t size,
                    unsigned kind, unsigned *served)
{
    struct cache *entry = kind == SIM_INSTR ? h->instr[cpu] : h->data[cpu];
    bool write = kind == SIM_STORE || kind == SIM_MODIFY;
    return lookup(h, entry, paddr, size ? size : 1, write, served);
}
