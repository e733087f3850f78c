/* mmkit/partition.h - partitioning physical memory among process jobs,
 * simulated (docs/FREESPACE.md, "Partitioning").  Each job arrives at a
 * tick, needs a contiguous region of SIZE bytes, and must stay resident
 * for DURATION ticks; jobs that cannot start wait in a first-come,
 * first-served queue.  Memory is cut into fixed partitions (equal, or of
 * given sizes) or into dynamic ones placed by a free-space policy (first,
 * best, worst or next fit, as mmkit/freespace.h runs them), with
 * compaction and whole-process swapping as options.
 *
 * The flow: describe memory (partition_config_*), read the jobs
 * (partition_jobs_parse or partition_jobs_load), check them against memory
 * (partition_jobs_check), run them (partition_run), and report
 * (partition_report_text, partition_svg).  Errors as in mmkit/sim.h: 0 or
 * a negative enum sim_status, with where and why in a struct sim_diag. */
#ifndef MMKIT_PARTITION_H
#define MMKIT_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mmkit/freespace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- memory and how it is partitioned ---------------------------------- */

#define PARTITION_FIXED_MAX 256         /* fixed partitions at the most */
#define PARTITION_TICKS_MAX 1000000000u /* the latest arrival, the longest duration */

struct partition_config {
    /* base and size: the memory; policy and structure: how dynamic
     * partitions are placed (always in address order, coalescing) */
    struct freespace_config heap;
    bool memory_given;         /* size was set, not left to the partitions */
    size_t fixed;              /* fixed partitions: how many; 0: dynamic */
    size_t equal;              /* "--partitions N" waiting for the memory's size */
    uint64_t fixed_size[PARTITION_FIXED_MAX];
    bool compact;              /* dynamic: slide jobs together when only that helps */
    bool swap;                 /* swap a resident job out for a waiting one */
};

/* Dynamic partitions in memory at 0 of no size yet, best fit, no
 * compaction, no swapping. */
void partition_config_default(struct partition_config *config);
/* Set one setting by name: "memory", "partitions" (a count, or sizes
 * "100,200,300"), "compact", "swap" (yes or no), and of the heap's
 * settings those that apply: "policy", "base", "structure". */
int partition_config_set(struct partition_config *config, const char *key, const char *value,
                         struct sim_diag *diag);
/* Every setting's name, NULL-terminated. */
extern const char *const partition_config_names[];
/* Check that the settings go together and settle the partitions' sizes. */
int partition_config_finish(struct partition_config *config, struct sim_diag *diag);
/* The address of fixed partition i's first byte. */
uint64_t partition_fixed_address(const struct partition_config *config, size_t i);

/* ---- jobs ---------------------------------------------------------------- */

struct partition_job {
    uint64_t arrive;    /* the tick it joins the queue */
    uint64_t size;      /* bytes of contiguous memory it needs */
    uint64_t duration;  /* ticks it must be resident to finish */
    unsigned long line; /* where the input gave it */
};

/* Lines of "arrive size duration", '#' starting a comment, in order of
 * arrival; in the inline form (inline_form) a ';' ends a line too.  source
 * names the input in messages ("jobs.txt", "--jobs-inline").  *jobs is
 * malloc'ed. */
int partition_jobs_parse(const char *text, size_t length, const char *source, bool inline_form,
                         struct partition_job **jobs, size_t *count, struct sim_diag *diag);
/* The same, read from the file at path. */
int partition_jobs_load(const char *path, struct partition_job **jobs, size_t *count,
                        struct sim_diag *diag);
/* Refuse a job that memory could never hold: larger than memory, or than
 * the largest fixed partition; diag names source, its line and "size". */
int partition_jobs_check(const struct partition_config *config, const struct partition_job *jobs,
                         size_t count, const char *source, struct sim_diag *diag);

/* ---- a run --------------------------------------------------------------- */

/* What became of one job. */
struct partition_job_result {
    uint64_t start;  /* the tick it was first placed */
    uint64_t finish; /* the tick it left */
    uint64_t wait;   /* ticks in the queue: finish - arrive - duration */
    uint64_t swaps;  /* times it was swapped out */
};

/* A stretch of time one job spent at one place: [addr, addr + size) from
 * tick from to tick to; held >= size is what it took (a whole fixed
 * partition).  A job has one span per placement. */
struct partition_span {
    size_t job; /* index into the jobs */
    uint64_t addr, size, held, from, to;
};

struct partition_totals {
    uint64_t jobs;
    uint64_t first_arrival, end; /* the run's time: from the first arrival to the last finish */
    double wait_mean;
    uint64_t wait_worst;
    double utilisation;            /* bytes jobs used / memory, averaged over the run's time */
    double internal_mean;          /* bytes held but not used (fixed partitions), over time */
    uint64_t internal_worst;       /* the most at once */
    double external_mean;          /* 1 - largest hole / free bytes, over time */
    double external_worst;
    uint64_t compactions, compaction_bytes; /* bytes of jobs moved */
    uint64_t swaps_out, swaps_in, swap_bytes; /* bytes written and read back */
};

struct partition_outcome {
    struct partition_job_result *jobs; /* one per job, in input order */
    struct partition_span *spans;      /* in the order they ended */
    size_t span_count;
    struct partition_totals totals;
};

struct partition_run_options {
    FILE *explain; /* every event, and the memory map after each tick (NULL: none) */
    FILE *json;    /* one JSON document: memory, events, jobs, totals */
};

/* Run the jobs, which partition_jobs_check accepted, on the memory config
 * describes (settled by partition_config_finish). */
int partition_run(const struct partition_config *config, const struct partition_job *jobs,
                  size_t count, const struct partition_run_options *options,
                  struct partition_outcome *outcome, struct sim_diag *diag);
void partition_outcome_free(struct partition_outcome *outcome);

/* Memory, its partitions and the totals, for people. */
void partition_report_text(FILE *out, const struct partition_config *config,
                           const struct partition_outcome *outcome);
/* Memory over time as an SVG: address down, time across, one colour per
 * job. */
void partition_svg(FILE *out, const struct partition_config *config,
                   const struct partition_outcome *outcome, size_t job_count);

#ifdef __cplusplus
}
#endif

#endif
