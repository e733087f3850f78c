/* mrc_mini.c - miniature simulation (Waldspurger, Park, Garthwaite and
 * Ahmad, USENIX ATC 2017): the curve of any policy, estimated by running
 * the simulator on the references to the pages SHARDS would follow at rate
 * R, with memories R times smaller.  A sample of 1 page in 100 in 1% of the
 * frames behaves, in miss ratio, much as the whole trace in all of them.
 * The sizes run as one sweep, on several threads; between them the curve
 * is drawn straight. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mrc_profile.h"

/* How many pages the automatic rate aims to follow. */
#define MINI_PAGES 8192
#define MINI_SIZES 64

/* The records whose (first) page passes the threshold, into sample;
 * *references: page references of the whole workload, *pages: distinct
 * pages followed. */
static int sample_records(const struct sim_config *config, const struct sim_workload *workload,
                          uint64_t threshold, struct sim_workload *sample, uint64_t *references,
                          uint32_t *pages)
{
    struct page_walk walk;
    page_walk_init(&walk, config, true);
    struct page_index index;
    *sample = (struct sim_workload){.processes = workload->processes};
    sample->records = malloc(sizeof *sample->records * (workload->count ? workload->count : 1));
    if (!sample->records || page_index_init(&index)) {
        free(sample->records);
        return SIM_ERR_NOMEM;
    }
    *references = 0;
    for (size_t i = 0; i < workload->count; i++) {
        const struct sim_record *r = &workload->records[i];
        uint64_t vpns[2];
        unsigned n = page_walk_record(&walk, r, vpns);
        *references += n;
        uint64_t hash = n ? page_hash(vpns[0], r->pid) : 0;
        uint32_t id;
        if (!n || hash >> (64 - SHARDS_BITS) >= threshold)
            continue;
        if (page_index_id(&index, vpns[0], r->pid, hash, &id)) {
            page_index_free(&index);
            sim_workload_free(sample);
            return SIM_ERR_NOMEM;
        }
        sample->records[sample->count++] = *r;
    }
    *pages = index.count;
    page_index_free(&index);
    return SIM_OK;
}

/* The distinct pages of the workload, for the automatic rate. */
static int footprint(const struct sim_config *config, const struct sim_workload *workload,
                     uint64_t *pages)
{
    struct sim_workload all;
    uint64_t references;
    uint32_t count;
    int status = sample_records(config, workload, SHARDS_MODULUS, &all, &references, &count);
    sim_workload_free(&all);
    *pages = count;
    return status;
}

/* The miniature frame counts of the sizes (MINI_SIZES spread on a log
 * scale up to the footprint when none are given), increasing, no repeats. */
static int mini_frames(struct sim_sweep *sweep, const uint64_t *sizes, size_t count,
                       uint64_t full_footprint, double rate)
{
    size_t n = sizes ? count : MINI_SIZES;
    sweep->frames = malloc(sizeof *sweep->frames * (n ? n : 1));
    if (!sweep->frames)
        return SIM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        double size = sizes ? (double)sizes[i]
                            : pow((double)full_footprint, (double)i / (double)(n - 1));
        uint64_t frames = (uint64_t)llround(size * rate);
        frames = frames ? frames : 1;
        if (!sweep->count || frames > sweep->frames[sweep->count - 1])
            sweep->frames[sweep->count++] = frames;
    }
    sweep->frames_min = sweep->frames[0];
    sweep->frames_max = sweep->frames[sweep->count - 1];
    return SIM_OK;
}

/* faults[0..footprint] from the miss ratios at the swept sizes, straight
 * between them (and from every reference faulting with no frames).  A
 * miniature's faults stand for 1 / R faults each, whatever the number of
 * references the sample happened to hold: SHARDS' correction, which
 * takes what the sample holds beyond or short of N R for hits. */
static int fill_curve(struct sim_mrc *curve, const struct sim_sweep *sweep, double rate)
{
    curve->faults = malloc(sizeof *curve->faults * (curve->footprint + 1));
    if (!curve->faults)
        return SIM_ERR_NOMEM;
    double n = (double)curve->references;
    double x0 = 0, y0 = n;
    uint64_t f = 0;
    for (uint64_t i = 0; i <= sweep->count; i++) {
        /* At the footprint and beyond, every policy faults the same: once
         * per page. */
        double x1 = i < sweep->count ? (double)sweep->frames[i] / rate : (double)curve->footprint;
        if (x1 > (double)curve->footprint)
            x1 = (double)curve->footprint;
        double y1 = i < sweep->count ? fmin((double)sweep->faults[i] / rate, n) : y0;
        for (; f <= curve->footprint && (double)f <= x1; f++)
            curve->faults[f] = x1 > x0 ? y0 + (y1 - y0) * ((double)f - x0) / (x1 - x0) : y1;
        x0 = x1;
        y0 = y1;
    }
    for (; f <= curve->footprint; f++)
        curve->faults[f] = y0;
    curve->faults[0] = n;
    return SIM_OK;
}

int sim_mrc_mini(struct sim_mrc *curve, const struct sim_config *config,
                 const struct sim_workload *workload, const char *policy, double rate,
                 const uint64_t *sizes, size_t count, unsigned threads, struct sim_diag *diag)
{
    *curve = (struct sim_mrc){0};
    int status = sim_mrc_check_config(config, diag);
    if (status)
        return status;
    uint64_t full_footprint;
    if (footprint(config, workload, &full_footprint))
        return SIM_ERR_NOMEM;
    if (rate <= 0)
        rate = full_footprint > MINI_PAGES ? (double)MINI_PAGES / (double)full_footprint : 1;
    uint64_t threshold = (uint64_t)llround(rate * SHARDS_MODULUS);
    threshold = threshold ? threshold : 1;
    rate = (double)threshold / SHARDS_MODULUS;

    struct sim_workload sample;
    uint32_t pages;
    if (sample_records(config, workload, threshold, &sample, &curve->references, &pages))
        return SIM_ERR_NOMEM;
    struct sim_sweep sweep = {.policy_count = 1, .policies = {policy}};
    struct sim_config mini = *config;
    mini.tlb_entries = 0; /* page faults do not depend on it */
    mini.memory_bytes = 0;
    snprintf(mini.policy, sizeof mini.policy, "%s", policy);
    status = mini_frames(&sweep, sizes, count, full_footprint, rate);
    if (!status && sample.count)
        status = sim_sweep_run(&sweep, &mini, &sample, threads, diag);
    curve->sample_rate = rate;
    curve->footprint = rate < 1 ? (uint64_t)llround(pages / rate) : pages;
    if (rate < 1)
        snprintf(curve->name, sizeof curve->name, "%s, mini %.3g%%", policy, rate * 100);
    else
        snprintf(curve->name, sizeof curve->name, "%s", policy); /* simulated whole */
    if (!status && sample.count)
        status = fill_curve(curve, &sweep, rate);
    else if (!status)
        status = fill_curve(curve, &(struct sim_sweep){0}, rate);
    sim_sweep_free(&sweep);
    sim_workload_free(&sample);
    return status;
}
