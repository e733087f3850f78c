/* machine.h - the simulated machine's state: processes, frames, frame pools,
 * the TLB, and what --explain needs to tell about one reference.  Read this
 * first; machine.c runs references, kernel.c serves faults, segments.c
 * translates without paging, explain.c tells the story. */
#ifndef MMKIT_SIM_MACHINE_H
#define MMKIT_SIM_MACHINE_H

#include <stdio.h>

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
};

/* Physical memory an exercise gives (memory_image.c). */
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

/* What happened to the reference being explained. */
enum step_outcome { STEP_HIT, STEP_FAULT_SERVED, STEP_PROTECTION_FAULT };

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
    unsigned segment;              /* segmentation: the segment used */
    bool segment_found;
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
    FILE *explain;      /* --explain: the story, as text */
    FILE *explain_json; /* and as the JSON objects of "steps" */
    FILE *steps;        /* and a line a reference, as textbooks draw it */
    bool explaining;    /* either: step is filled */
    uint64_t steps_told; /* JSON objects written */
    struct step step;
    struct timeline timeline;
};

/* kernel.c: serve a fault on page vpn of process p.  Sets *pte to the now
 * present entry and returns 0, returns 1 after counting a protection fault,
 * or SIM_ERR_NOMEM. */
int kernel_page_fault(struct sim_machine *m, struct process *p, uint64_t addr, uint64_t vpn,
                      unsigned kind, uint64_t **pte);
/* kernel.c: count (and keep the first few of) protection faults. */
void kernel_protection_fault(struct sim_machine *m, struct process *p, uint64_t addr,
                             unsigned kind, int segment, const char *reason);
/* kernel.c: the segment addr is in, by range or by its top bits (-1 if
 * none), and *violation why it may not be used (NULL if it may): no
 * segment there, or an offset beyond the limit of the one its bits chose. */
int kernel_segment_select(const struct sim_config *config, uint64_t addr, const char **violation);
/* kernel.c: why segment forbids an access of this kind, or NULL. */
const char *kernel_segment_forbids(const struct sim_segment *segment, unsigned kind);
/* kernel.c: frame pools and policy instances; 0 or an error. */
int kernel_init(struct sim_machine *m, struct sim_diag *diag);
void kernel_free(struct sim_machine *m);

/* memory_image.c: load the image at path (0 or a diag naming it), free
 * it; one reference, its tables walked in the image. */
int memory_image_load(struct memory_image *image, const char *path, uint64_t page_size,
                      struct sim_diag *diag);
void memory_image_free(struct memory_image *image);
void memory_image_access(struct sim_machine *m, struct process *p, uint64_t addr, unsigned kind);

/* segments.c: one reference under segmentation or base-and-bounds. */
void segments_access(struct sim_machine *m, struct process *p, uint64_t addr, unsigned kind);

/* timeline.c: take a sample of the run's counters at reference `now`
 * (when it has reached timeline.next); draw the samples up to `now`, where
 * the counters are `s`, under a heading. */
void timeline_sample(struct timeline *timeline, uint64_t now, const struct sim_stats *s);
void timeline_svg(FILE *out, const struct timeline *timeline, uint64_t now,
                  const struct sim_stats *s, const char *heading);
void timeline_free(struct timeline *timeline);

/* explain.c: tell m->step as text, or as JSON (explain_json.c), or both. */
void explain_step(struct sim_machine *m);
/* explain_json.c: m->step as a JSON object; a context switch as one. */
void explain_step_json(struct sim_machine *m);
void explain_switch_json(struct sim_machine *m, unsigned pid, bool flushed);

/* future.c: next_use for every page reference of records. */
int future_compute(const struct sim_machine *m, const struct sim_record *records, size_t count,
                   uint64_t **next_use, size_t *references);

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
