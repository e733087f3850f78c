/* mmkit/mrc.h - whole miss-ratio curves in one pass over a workload: page
 * faults at every memory size from 1 frame to the footprint, without one
 * simulation per size (docs/MRC.md).
 *
 *   sim_mrc_lru     exact LRU (Mattson's stack algorithm, reuse distances
 *                   counted in a Fenwick tree: O(log n) per reference)
 *   sim_mrc_opt     exact OPT (Belady's MIN is a stack algorithm too; its
 *                   stack is ordered by next use: O(depth) per reference)
 *   sim_mrc_shards  LRU estimated from a spatially hashed sample of the
 *                   pages (SHARDS, Waldspurger et al., FAST 2015)
 *   sim_mrc_lru_traces  both, streamed from traces of any length
 *   sim_mrc_mini    any policy, by miniature simulation of a sample
 *   sim_working_set Denning's working set: mean size and faults against
 *                   the window
 *
 * The curves count what `mmkit sim` counts with the same machine under
 * global allocation: a page is a (process, page number) pair, records
 * straddling pages touch two when the machine splits them, and references
 * beyond the address space are protection faults, not page faults. */
#ifndef MMKIT_MRC_H
#define MMKIT_MRC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mmkit/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sim_mrc {
    char name[40];       /* "lru", "opt", "lru, SHARDS 1%" */
    uint64_t references; /* page references of the workload */
    uint64_t footprint;  /* distinct pages (an estimate when sampled) */
    double *faults;      /* faults[f]: page faults with f frames, f = 0..footprint */
    double sample_rate;  /* 1 when exact; when sampled, the rate at the end */
};

/* The machine's settings a curve depends on, checked: paging, global
 * allocation, no segments.  SIM_OK or SIM_ERR_CONFIG with diag set. */
int sim_mrc_check_config(const struct sim_config *config, struct sim_diag *diag);

int sim_mrc_lru(struct sim_mrc *curve, const struct sim_config *config,
                const struct sim_workload *workload, struct sim_diag *diag);
/* Frame counts above max_frames (0: no limit) are left out, which bounds
 * the cost at O(max_frames) per reference. */
int sim_mrc_opt(struct sim_mrc *curve, const struct sim_config *config,
                const struct sim_workload *workload, uint64_t max_frames, struct sim_diag *diag);
/* rate in (0, 1]: pages whose hash falls below rate are followed; with
 * max_pages > 0, at most that many pages are followed at once and the
 * rate drops to make room (fixed-size SHARDS). */
int sim_mrc_shards(struct sim_mrc *curve, const struct sim_config *config,
                   const struct sim_workload *workload, double rate, uint64_t max_pages,
                   struct sim_diag *diag);
/* The LRU curves of traces in one pass, streamed: memory for their pages,
 * not for their references.  One curve per sample: rate 1 and max_pages 0
 * is the exact curve.  *skipped counts malformed lines (with skip_bad). */
struct sim_mrc_sample {
    double rate;
    uint64_t max_pages;
};
int sim_mrc_lru_traces(struct sim_mrc *curves, const struct sim_mrc_sample *samples, size_t count,
                       const struct sim_config *config, const char *const *paths,
                       size_t path_count, const struct sim_trace_options *options,
                       uint64_t *skipped, struct sim_diag *diag);
/* Miniature simulation (Waldspurger et al., USENIX ATC 2017): any policy's
 * curve estimated by simulating the references to the pages sampled at
 * `rate` (0: about 8192 pages' worth, 1 when the footprint is smaller) in
 * memories `rate` times smaller, at `sizes` (increasing; NULL: 64 sizes
 * spread on a log scale up to the footprint), on `threads` threads.
 * Between the sizes the curve is drawn straight. */
int sim_mrc_mini(struct sim_mrc *curve, const struct sim_config *config,
                 const struct sim_workload *workload, const char *policy, double rate,
                 const uint64_t *sizes, size_t count, unsigned threads, struct sim_diag *diag);
void sim_mrc_free(struct sim_mrc *curve);

/* Faults and miss ratio with `frames` frames (the footprint's beyond it). */
double sim_mrc_faults(const struct sim_mrc *curve, uint64_t frames);
double sim_mrc_miss_ratio(const struct sim_mrc *curve, uint64_t frames);
/* The fewest frames at which the curve is an estimate: 1 for an exact
 * curve, 1 / R for one from a sample at rate R, where each page followed
 * stands for 1 / R pages.  Below it a sample cannot tell sizes apart (on
 * real programs, whose hottest pages take most of the references, the
 * true curve falls steeply there), so the reports print no figure. */
uint64_t sim_mrc_resolution(const struct sim_mrc *curve);
/* The knee: the fewest frames, from the resolution up, that get `share`
 * (0.9) of the hits that the footprint gets. */
uint64_t sim_mrc_knee(const struct sim_mrc *curve, double share);
/* Mean absolute difference of the miss ratios at 1..the footprint of
 * `exact`. */
double sim_mrc_error(const struct sim_mrc *estimate, const struct sim_mrc *exact);

/* Powers of two below the largest footprint, then the footprint; *sizes
 * is malloc'ed.  SIM_OK or SIM_ERR_NOMEM. */
int sim_mrc_default_sizes(const struct sim_mrc *curves, size_t count, uint64_t **sizes,
                          size_t *size_count);
/* Faults and miss ratio of each curve at each size. */
void sim_mrc_text(FILE *out, const struct sim_mrc *curves, size_t count, const uint64_t *sizes,
                  size_t size_count);
void sim_mrc_csv(FILE *out, const struct sim_mrc *curves, size_t count, const uint64_t *sizes,
                 size_t size_count);
void sim_mrc_json(FILE *out, const struct sim_mrc *curves, size_t count, const uint64_t *sizes,
                  size_t size_count);
/* Miss ratio against frames at every frame count, the knee and the
 * footprint of the first curve marked; log_x: frames on a log scale. */
void sim_mrc_svg(FILE *out, const struct sim_mrc *curves, size_t count, const char *title,
                 bool log_x);

/* ---- working set ----------------------------------------------------- */

/* For each window tau (in references of the whole workload): the mean
 * number of distinct pages among the last tau references, and the faults
 * of a memory that keeps exactly those pages (the references whose page
 * was not referenced in the tau references before). */
struct sim_working_set {
    uint64_t references;
    size_t count;
    uint64_t *tau;
    double *mean_size;
    uint64_t *faults;
};

/* taus in increasing order. */
int sim_working_set(struct sim_working_set *ws, const struct sim_config *config,
                    const struct sim_workload *workload, const uint64_t *taus, size_t count,
                    struct sim_diag *diag);
void sim_working_set_free(struct sim_working_set *ws);
void sim_working_set_text(FILE *out, const struct sim_working_set *ws);
void sim_working_set_csv(FILE *out, const struct sim_working_set *ws);
void sim_working_set_json(FILE *out, const struct sim_working_set *ws);

#ifdef __cplusplus
}
#endif

#endif
