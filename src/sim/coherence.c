/* coherence.c - MESI, MOESI and MSI on a snooping bus (coherence.h).
 *
 * Each CPU's private caches answer the bus together: a line's state is
 * the same in every one of them that holds it.  A read that none of them
 * holds asks the others (BusRd): one holding it modified (or owned) supplies
 * it, and under MESI and MSI writes it back to memory and keeps it shared,
 * under MOESI keeps it as its owner without writing; one holding it
 * exclusive keeps it shared.  The reader has it exclusive if no one else
 * does (not under MSI), shared otherwise.  A write to a line held shared or
 * owned asks the others to drop theirs (an upgrade); a write to a line not
 * held asks for it and for the others' copies at once (BusRdX), an owner
 * supplying it.  A write to an exclusive line needs no bus. */
#include "cache.h"
#include "coherence.h"

/* cpu's private caches: per_cpu of them from its first. */
static struct cache *private_caches(const struct cache_hierarchy *h, unsigned cpu)
{
    return &h->level[cpu * h->per_cpu];
}

unsigned coherence_state_of(const struct cache_hierarchy *h, unsigned cpu, uint64_t addr)
{
    struct cache *own = private_caches(h, cpu);
    for (unsigned i = 0; i < h->per_cpu; i++) {
        int64_t slot = cache_find(&own[i], addr);
        if (slot >= 0)
            return own[i].state[slot];
    }
    return LINE_INVALID;
}

/* The line at addr takes `state` in every private cache of cpu holding it;
 * LINE_INVALID takes it out of them.  clean: its data went to memory. */
static void set_state(struct cache_hierarchy *h, unsigned cpu, uint64_t addr, unsigned state,
                      bool clean)
{
    struct cache *own = private_caches(h, cpu);
    for (unsigned i = 0; i < h->per_cpu; i++) {
        int64_t slot = cache_find(&own[i], addr);
        if (slot < 0)
            continue;
        if (state == LINE_INVALID)
            cache_drop(&own[i], (uint64_t)slot);
        else
            own[i].state[slot] = (uint8_t)state;
        if (clean)
            own[i].dirty[slot] = 0;
    }
}

/* Another CPU asks to read the line `other` holds in `state`. */
static void snoop_read(struct cache_hierarchy *h, unsigned other, uint64_t addr, unsigned state)
{
    struct sim_coherence_stats *c = &h->coherence;
    if (state == LINE_MODIFIED || state == LINE_OWNED) {
        c->interventions++;
        c->transfers++;
        h->peer_supplies = true;
        if (h->protocol == SIM_MOESI) {
            set_state(h, other, addr, LINE_OWNED, false);
        } else { /* the dirty line goes to memory as it is handed over */
            h->memory_accesses++;
            set_state(h, other, addr, LINE_SHARED, true);
        }
    } else if (state == LINE_EXCLUSIVE) {
        c->interventions++;
        set_state(h, other, addr, LINE_SHARED, false);
    }
}

static unsigned coherence_before(struct cache_hierarchy *h, unsigned cpu, uint64_t addr,
                                 bool write)
{
    unsigned mine = coherence_state_of(h, cpu, addr);
    if (!write && mine != LINE_INVALID)
        return mine;
    if (write && (mine == LINE_MODIFIED || mine == LINE_EXCLUSIVE))
        return LINE_MODIFIED;
    if (write && mine != LINE_INVALID)
        h->coherence.upgrades++;
    bool others = false;
    for (unsigned other = 0; other < h->cpus; other++) {
        unsigned state = other == cpu ? LINE_INVALID : coherence_state_of(h, other, addr);
        if (state == LINE_INVALID)
            continue;
        others = true;
        if (!write) {
            snoop_read(h, other, addr, state);
            continue;
        }
        if (mine == LINE_INVALID && (state == LINE_MODIFIED || state == LINE_OWNED)) {
            h->coherence.interventions++;
            h->coherence.transfers++;
            h->peer_supplies = true;
        }
        h->coherence.invalidations++;
        set_state(h, other, addr, LINE_INVALID, false);
    }
    if (write)
        return LINE_MODIFIED;
    return others || h->protocol == SIM_MSI ? LINE_SHARED : LINE_EXCLUSIVE;
}

static void coherence_after(struct cache_hierarchy *h, unsigned cpu, uint64_t addr,
                            unsigned state)
{
    set_state(h, cpu, addr, state, false);
}

char coherence_state_letter(unsigned state)
{
    return "ISEOM"[state <= LINE_MODIFIED ? state : 0];
}

double coherence_access(struct cache_hierarchy *h, unsigned cpu, uint64_t paddr, uint32_t size,
                        unsigned kind, unsigned *served)
{
    struct cache *entry = kind == SIM_INSTR ? h->instr[cpu] : h->data[cpu];
    bool write = kind == SIM_STORE || kind == SIM_MODIFY;
    if (!entry) /* straight to memory: nothing to keep coherent */
        return cache_access(h, cpu, paddr, size, kind, served);
    size = size ? size : 1;
    /* Each line the access touches (one or two) is asked for on the bus. */
    uint64_t first = paddr >> entry->line_shift, last = (paddr + size - 1) >> entry->line_shift;
    unsigned next[2];
    for (uint64_t line = first; line <= last && line - first < 2; line++)
        next[line - first] = coherence_before(h, cpu, line << entry->line_shift, write);
    double time = cache_access(h, cpu, paddr, size, kind, served);
    for (uint64_t line = first; line <= last && line - first < 2; line++)
        coherence_after(h, cpu, line << entry->line_shift, next[line - first]);
    h->peer_supplies = false;
    return time;
}
