/* partition.h - the partitioning simulation's state, shared by the files
 * that run it (partition.c: the clock, the queue, compaction and
 * swapping; partition_memory.c: where a job goes) and tell what it did
 * (partition_explain.c, partition_json.c, partition_report.c,
 * partition_svg.c).  Start reading here.
 *
 * Invariants:
 * - a job is in one state at a time: not arrived yet, waiting in the
 *   queue, resident, or done;
 * - memory's regions are the resident jobs, by address, and no two
 *   overlap; with dynamic partitions they and the policy's holes tile
 *   memory, with fixed ones each region is one whole partition;
 * - a resident job finishes at span_from + left. */
#ifndef MMKIT_FREESPACE_PARTITION_H
#define MMKIT_FREESPACE_PARTITION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mmkit/partition.h"
#include "policy.h"

/* array, which has room for *capacity items of item_size bytes, if that
 * is at least needed; else a larger copy, with *capacity updated; NULL
 * if out of memory, array left as it was. */
static inline void *partition_room(void *array, size_t *capacity, size_t needed,
                                   size_t item_size)
{
    if (array && needed <= *capacity)
        return array;
    size_t larger = needed * 2 + 16;
    void *grown = realloc(array, larger * item_size);
    if (grown)
        *capacity = larger;
    return grown;
}

/* ---- memory: where jobs go (partition_memory.c) -------------------------- */

/* A resident job's place: [addr, addr + held). */
struct region {
    uint64_t addr, held;
    size_t job;
};

struct partition_memory {
    const struct partition_config *config;
    const struct freespace_policy_ops *policy; /* dynamic: the holes and the fit */
    enum fit fit;
    void *holes;
    bool busy[PARTITION_FIXED_MAX]; /* fixed: partition i holds a job */
    struct region *regions;         /* by address */
    size_t region_count, region_capacity;
    uint64_t held;                  /* bytes the regions take */
    struct freespace_hole *scratch; /* the holes, for reading */
    size_t scratch_capacity;
};

/* Where a job went, or why it did not. */
struct placement {
    bool placed;
    uint64_t addr, held;
    size_t partition;           /* fixed: which one, from 0 */
    uint64_t searched;          /* holes (dynamic) or free partitions (fixed) looked at */
    struct freespace_hole hole; /* the hole or partition taken; else the largest */
};

int memory_init(struct partition_memory *memory, const struct partition_config *config);
void memory_fini(struct partition_memory *memory);
/* Find job a place for size bytes, as the policy (dynamic) or the rule
 * for fixed partitions says, and take it if there is one.  0 or
 * SIM_ERR_NOMEM. */
int memory_place(struct partition_memory *memory, size_t job, uint64_t size,
                 struct placement *placement);
/* Give back job's region.  0 or SIM_ERR_NOMEM. */
int memory_release(struct partition_memory *memory, size_t job);
/* Dynamic: slide every region down to the bottom of memory, keeping their
 * order.  0 or SIM_ERR_NOMEM. */
int memory_compact(struct partition_memory *memory);
/* The holes (dynamic) or free partitions (fixed) by address, in scratch;
 * NULL if out of memory. */
const struct freespace_hole *memory_holes(struct partition_memory *memory, size_t *count);
uint64_t memory_largest(const struct partition_memory *memory);
uint64_t memory_free(const struct partition_memory *memory);
/* The largest job that would find a place if regions[i] were empty (and,
 * compacting, the rest slid together). */
uint64_t memory_room_without(struct partition_memory *memory, size_t i, bool compacting);

/* ---- the run (partition.c) ----------------------------------------------- */

enum job_state { JOB_COMING, JOB_WAITING, JOB_RESIDENT, JOB_DONE };

struct job_run {
    enum job_state state;
    uint64_t addr, held; /* resident: where */
    uint64_t since;      /* resident: the tick it came into memory */
    uint64_t span_from;  /* resident: the tick it came to addr (since, or a compaction) */
    uint64_t left;       /* ticks it still has to run, as of span_from */
    bool swapped_out;    /* waiting to come back from the backing store */
};

struct partition_sim {
    const struct partition_config *config;
    const struct partition_job *jobs;
    size_t count;
    struct job_run *run;
    size_t *queue; /* a ring of count entries: the waiting jobs, first come first */
    size_t queue_front, queue_length;
    size_t arrived; /* jobs that have arrived */
    uint64_t now;
    struct partition_memory memory;
    struct partition_outcome *outcome;
    size_t span_capacity;
    FILE *explain, *json;
    size_t events;      /* told so far */
    size_t tick_events; /* told in this tick */
    /* the measures now, and their sums over time (value x ticks) */
    uint64_t used, internal;
    double external;
    double used_sum, internal_sum, external_sum;
};

/* One thing that happened. */
enum event_kind {
    EVENT_ARRIVE,
    EVENT_START,    /* placed: first, or back from the backing store */
    EVENT_WAIT,     /* the job at the queue's front found no place */
    EVENT_END,
    EVENT_COMPACT,
    EVENT_SWAP_OUT,
};

struct partition_event {
    enum event_kind kind;
    size_t job;
    const struct placement *placement; /* START */
    bool swap_in;                      /* START: back from the backing store */
    size_t for_job;                    /* SWAP_OUT, COMPACT: the job it makes room for */
    uint64_t moved_jobs, moved_bytes;  /* COMPACT */
};

/* ---- telling (partition_explain.c, partition_json.c, partition_report.c) - */

void partition_explain_start(FILE *out, const struct partition_sim *sim);
void partition_explain_event(FILE *out, struct partition_sim *sim,
                             const struct partition_event *event);
/* The memory map after a tick. */
void partition_explain_map(FILE *out, struct partition_sim *sim);

void partition_json_start(FILE *out, const struct partition_sim *sim);
void partition_json_event(FILE *out, const struct partition_sim *sim,
                          const struct partition_event *event);
void partition_json_end(FILE *out, const struct partition_sim *sim);

/* "1000 bytes at 0, dynamic partitions, best fit, compaction, no swapping" */
void partition_describe(FILE *out, const struct partition_config *config);
/* The totals as JSON members, indented by indent. */
void partition_totals_json(FILE *out, const struct partition_totals *totals, const char *indent);

#endif
