/* machine_caches.h - the machine's side of its caches: an access goes
 * through them (coherently, with several CPUs) and is told to the
 * observers.  Inline: it is on the path of every reference. */
#ifndef MMKIT_SIM_MACHINE_CACHES_H
#define MMKIT_SIM_MACHINE_CACHES_H

#include <stdbool.h>
#include <stdint.h>

#include "coherence.h"
#include "machine.h"

/* An access of `size` bytes at paddr by process p (a page-table walk's
 * read if walk) through the caches, which the caller knows there are. */
static inline void machine_cache_access(struct sim_machine *m, struct process *p,
                                        uint64_t paddr, uint32_t size, unsigned kind, bool walk)
{
    unsigned served;
    p->stats.cache_ns += m->caches.cpus > 1
                             ? coherence_access(&m->caches, p->cpu, paddr, size, kind, &served)
                             : cache_access(&m->caches, p->cpu, paddr, size, kind, &served);
    if (machine_observed(m))
        machine_announce(m, &(struct sim_event){.kind = EVENT_CACHE, .reads = served,
                                                .walk_read = walk, .paddr = paddr});
}

#endif
