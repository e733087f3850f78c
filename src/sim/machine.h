/* machine.h - the simulated machine's state: processes, frames, frame pools,
 * the TLB, and the observers its events go to.  Read this first; machine.c
 * runs references, kernel.c serves faults, segments.c translates without
 * paging, memory_image.c walks an exercise's tables, story.c and
 * timeline.c hear what happens. */
#ifndef MMKIT_SIM_MACHINE_H
#define MMKIT_SIM_MACHINE_H

#include <stdio.h>

#include "events.h"
#include "memory_image.h"
#include "mmkit/sim.h"
#include "page_table.h"
#include "policy.h"
#include "story.h"
#include "timeline.h"
#include "tlb.h"

/* A set of frames managed by one policy instance.  Frames first..first+count-1
 * belong to it; the first `used` of them have been handed out (frames are
 * never freed, only reused through eviction). */
struct frame_pool {
    uint64_t first, count, used;
    void *policy_state;
};

struct process {
    struct page_table page_table; /* paging only */
    struct sim_stats stats;
    struct frame_pool *pool;
    uint16_t asid;
};

struct sim_machine {
    struct sim_config config;
    unsigned page_shift;
    uint64_t max_vpn; /* the last page of the address space */
    unsigned processes;
    struct process *process;
    uint16_t current_pid;

    struct frame *frames;
    struct frame_pool *pools;
    unsigned pool_count;
    const struct policy_ops *policy;
    struct tlb tlb;

    uint64_t now;       /* references so far, the clock of every policy */
    uint64_t next_tick; /* when policy->tick runs next */

    /* opt: next_use[i] is the time of the next reference to the page of
     * reference i + 1 (NEVER if none); future_count entries. */
    uint64_t *next_use;
    size_t future_count;

    struct sim_protection_fault faults[SIM_FAULTS_KEPT];
    size_t fault_count;

    bool table_given;   /* the page tables are an exercise's: no demand paging */
    struct memory_image image; /* and, if it has bytes, they are in it */

    /* who hears the events (events.h): the story and the timeline */
    struct sim_observer observers[2];
    unsigned observer_count;
    struct story story;
    struct timeline timeline;
};

/* Tell every observer of event e; the callers build e only when
 * machine_observed says someone listens. */
static inline bool machine_observed(const struct sim_machine *m)
{
    return m->observer_count != 0;
}

static inline void machine_announce(struct sim_machine *m, const struct sim_event *e)
{
    for (unsigned i = 0; i < m->observer_count; i++)
        m->observers[i].event(m, m->observers[i].context, e);
}

/* machine.c: add the observer (once), or take it away. */
void machine_observe(struct sim_machine *m, struct sim_observer observer, bool listening);

/* The next use of the page of the reference being run (opt's future). */
static inline uint64_t machine_next_use(const struct sim_machine *m)
{
    return m->now <= m->future_count ? m->next_use[m->now - 1] : NEVER;
}

/* The pages a record touches: 1, or 2 if it straddles a page boundary and
 * the machine splits such accesses. */
static inline unsigned record_pages(const struct sim_machine *m, const struct sim_record *r,
                                    uint64_t *first_vpn)
{
    *first_vpn = r->addr >> m->page_shift;
    if (!m->config.split_straddling)
        return 1;
    uint64_t last = (r->addr + r->size - 1) >> m->page_shift;
    return last != *first_vpn ? 2 : 1;
}

#endif
