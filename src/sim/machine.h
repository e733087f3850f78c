/* machine.h - the simulated machine's state: processes, frames, frame pools,
 * the TLB, an exercise's memory image, and the observers its events go to
 * with what they keep.  Read this first; machine_run.c makes the machine
 * and runs references (the MMU), kernel.c serves faults, segments.c
 * translates without paging, memory_image.c walks an exercise's tables,
 * story.c and timeline.c hear what happens.  Each declares its functions
 * in its own header. */
#ifndef MMKIT_SIM_MACHINE_H
#define MMKIT_SIM_MACHINE_H

#include <stdio.h>

#include "cache.h"
#include "events.h"
#include "mmkit/sim.h"
#include "page_table.h"
#include "policy.h"
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
    uint16_t cpu; /* where it runs: its pid mod the CPUs */
};

/* Physical memory's bytes. */
struct memory_image {
    uint8_t *bytes;
    size_t size, capacity;
};

/* A walk of the tables in the memory image: each entry read. */
struct image_entry {
    uint64_t index, addr, raw, pfn;
    bool valid;
};
struct image_walk {
    unsigned reads;
    struct image_entry entry[SIM_MAX_LEVELS];
    uint64_t paddr;
    bool has_value; /* the byte at paddr is in the image */
    uint8_t value;
};

/* What happened to one reference, assembled from the machine's events
 * (story.c) for the writers that tell it. */
struct step {
    uint64_t reference; /* 1-based */
    uint64_t addr, vpn;
    uint16_t pid;
    uint8_t kind;
    bool tlb_hit;
    bool walked;
    unsigned walk_reads;   /* levels read before finding the entry or a hole */
    bool was_present;      /* the walk found a present entry */
    bool page_fault;       /* the kernel brought the page in */
    bool from_swap;        /* ... from swap (else zero-filled) */
    bool victim_taken;     /* the frame was taken from another page */
    bool victim_dirty;
    uint16_t victim_pid;
    uint64_t victim_vpn;
    uint64_t frame;
    uint64_t pte; /* the entry after the reference */
    uint64_t paddr;
    const char *protection_reason; /* set for a protection fault */
    int protection_segment;        /* the segment it broke; -1: none */
    struct image_walk image_walk;  /* with a memory image */
    char candidates[400];          /* a victim's choice: the policy's view */
    char second_chances[200];      /* pages whose reference bits it cleared */
    char caches[160];              /* the level that had each access, the walk's first */
    unsigned segment;              /* segmentation: the segment used */
    bool segment_found;
};

/* The story of the run: where each writer tells it (NULL: not told). */
struct story {
    FILE *text;      /* --explain */
    FILE *json;      /* the JSON objects of "steps" */
    FILE *steps;     /* --steps, a line a reference */
    uint64_t json_told;
    struct step step; /* the reference being told */
};

/* Cumulative faults sampled every `interval` references while enabled
 * (next is UINT64_MAX otherwise).  When full, every other sample goes and
 * the interval doubles, so any run keeps at most TIMELINE_POINTS samples. */
#define TIMELINE_POINTS 1024
struct timeline {
    uint64_t *references, *page_faults, *protection_faults;
    size_t count;
    uint64_t interval, next;
};

struct sim_machine {
    struct sim_config config;
    unsigned page_shift;
    uint64_t max_vpn; /* the last page of the address space */
    unsigned processes;
    struct process *process;
    uint16_t current_pid; /* the process of the reference being run */

    struct frame *frames;
    struct shared_pages shared; /* pages of shared and file-backed segments */
    struct frame_pool *pools;
    unsigned pool_count;
    const struct policy_ops *policy;
    unsigned cpus;
    struct tlb *tlbs;   /* one per CPU, all alike */
    uint16_t *running;  /* the process each CPU runs */
    struct cache_hierarchy caches;
    uint64_t tables_base; /* where the page tables lie in physical memory */

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

/* "fetch", "load", "store" or "modify": an enum sim_kind in words. */
static inline const char *sim_kind_name(unsigned kind)
{
    static const char *const names[] = {"fetch", "load", "store", "modify"};
    return names[kind & 3];
}

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

/* machine_run.c: add the observer (once), or take it away. */
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
