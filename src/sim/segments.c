/* segments.c - translation without paging: segmentation (each segment a
 * base, a limit, a growth direction and protection bits, placed at a
 * physical address) and base-and-bounds (dynamic relocation: physical =
 * base + virtual, if virtual < bounds).  No TLB, no page faults: an address
 * outside every segment or beyond the bounds is a protection fault. */
#include "kernel.h"
#include "machine.h"
#include "machine_caches.h"
#include "segments.h"

/* Physical address of addr inside segment s.  A segment that grows down
 * has its physical address at its top, as its base is. */
static uint64_t segment_physical(const struct sim_segment *s, uint64_t addr)
{
    return s->grows_down ? s->physical - (s->base - addr) : s->physical + (addr - s->base);
}

static const char *segment_check(const struct sim_machine *m, uint64_t addr, unsigned kind,
                                 uint64_t *paddr, int *segment)
{
    const char *violation;
    *segment = kernel_segment_select(&m->config, addr, &violation);
    if (violation)
        return violation;
    const struct sim_segment *s = &m->config.segments[*segment];
    const char *forbidden = kernel_segment_forbids(s, kind);
    if (!forbidden)
        *paddr = segment_physical(s, addr);
    return forbidden;
}

void segments_access(struct sim_machine *m, struct process *p, uint64_t addr, uint32_t size,
                     unsigned kind)
{
    uint64_t now = ++m->now;
    p->stats.references++;
    bool observed = machine_observed(m);
    if (observed)
        machine_announce(m, &(struct sim_event){.kind = EVENT_REFERENCE, .reference = now,
                                                .addr = addr, .pid = m->current_pid,
                                                .access = (uint8_t)kind});
    uint64_t paddr = 0;
    int segment = -1;
    const char *fault;
    if (m->config.translation == SIM_BASE_BOUNDS) {
        fault = addr >= m->config.bounds ? "address beyond the bounds register" : NULL;
        paddr = m->config.base + addr;
    } else {
        fault = segment_check(m, addr, kind, &paddr, &segment);
    }
    if (fault)
        kernel_protection_fault(m, p, addr, kind, segment, fault);
    else if (m->caches.count)
        machine_cache_access(m, p, paddr, size, kind, false);
    if (observed) {
        machine_announce(m, &(struct sim_event){.kind = EVENT_SEGMENT, .segment = segment});
        machine_announce(m, &(struct sim_event){.kind = EVENT_DONE, .paddr = paddr});
    }
}
