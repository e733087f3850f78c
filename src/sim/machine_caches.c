/* machine_caches.c - what the machine's caches saw, for the reports and
 * the tests (machine_caches.h has the access itself). */
#include "coherence.h"
#include "machine.h"
#include "machine_caches.h"

unsigned sim_machine_caches(const struct sim_machine *m, struct sim_cache_stats *out,
                            unsigned capacity)
{
    for (unsigned i = 0; i < m->caches.count && i < capacity; i++)
        out[i] = cache_stats(&m->caches.level[i]);
    return m->caches.count;
}

void sim_machine_coherence(const struct sim_machine *m, struct sim_coherence_stats *out)
{
    *out = m->caches.coherence;
}

char sim_machine_line_state(const struct sim_machine *m, unsigned cpu, uint64_t paddr)
{
    if (m->caches.cpus < 2 || cpu >= m->caches.cpus)
        return 'I';
    return coherence_state_letter(coherence_state_of(&m->caches, cpu, paddr));
}

uint64_t sim_machine_memory_accesses(const struct sim_machine *m)
{
    return m->caches.memory_accesses;
}
