/* cmd_mrc.c - `mmkit mrc`: miss-ratio curves (or working-set curves) of
 * traces or a reference string, each in one pass over the references.  The
 * command line is read in mrc_args.c. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "mmkit/mrc.h"
#include "mrc_args.h"

#define MAX_CURVES 19 /* lru, opt, 16 miniature ones and --check's */

/* What --svg draws. */
struct drawing {
    const struct sim_mrc *curves;
    size_t count;
    bool log_x;
};

static void draw_curves(FILE *out, const void *what, const char *title)
{
    const struct drawing *d = what;
    sim_mrc_svg(out, d->curves, d->count, title, d->log_x);
}

static int report_curves(const struct mrc_args *a, const struct sim_mrc *curves, size_t count)
{
    uint64_t *sizes = (uint64_t *)a->sizes;
    size_t size_count = a->size_count;
    if (!size_count && sim_mrc_default_sizes(curves, count, &sizes, &size_count)) {
        struct sim_diag diag = {0};
        return cli_run_error(&diag, SIM_ERR_NOMEM);
    }
    if (a->sim.json)
        sim_mrc_json(stdout, curves, count, sizes, size_count);
    else if (a->sim.csv)
        sim_mrc_csv(stdout, curves, count, sizes, size_count);
    else
        sim_mrc_text(stdout, curves, count, sizes, size_count);
    if (sizes != a->sizes)
        free(sizes);
    if (a->check)
        fprintf(a->sim.json || a->sim.csv ? stderr : stdout,
                "%s: mean absolute error %.5f against the exact curve\n", curves[0].name,
                sim_mrc_error(&curves[0], &curves[count - 1]));
    if (!a->sim.svg)
        return 0;
    struct drawing drawing = {curves, count, !a->linear};
    return sim_input_draw(&a->sim, a->sim.svg, "miss-ratio curve", draw_curves, &drawing);
}

/* The curves asked for: LRU (exact or sampled) first, then OPT, the
 * miniature simulations, and last the exact LRU curve that --check
 * compares the sample with. */
static int compute_curves(const struct mrc_args *a, const struct sim_config *config,
                          const struct sim_workload *workload, struct sim_mrc *curves,
                          size_t *count, struct sim_diag *diag)
{
    bool sampled = a->sample > 0 || a->sample_size > 0;
    uint64_t largest = a->size_count ? a->sizes[a->size_count - 1] : 0;
    int status = 0;
    *count = 0;
    if (sampled && a->lru)
        status = sim_mrc_shards(&curves[(*count)++], config, workload,
                                a->sample > 0 ? a->sample : 1, a->sample_size, diag);
    else if (a->lru)
        status = sim_mrc_lru(&curves[(*count)++], config, workload, diag);
    if (!status && a->opt)
        status = sim_mrc_opt(&curves[(*count)++], config, workload, largest, diag);
    for (size_t i = 0; !status && i < a->mini_count; i++)
        status = sim_mrc_mini(&curves[(*count)++], config, workload, a->mini[i], a->sample,
                              a->size_count ? a->sizes : NULL, a->size_count, a->sim.threads,
                              diag);
    if (!status && sampled && a->lru && a->check)
        status = sim_mrc_lru(&curves[(*count)++], config, workload, diag);
    return status;
}

/* The same LRU curves streamed from the traces, in one pass, without
 * holding the trace in memory. */
static int stream_curves(const struct mrc_args *a, const struct sim_config *config,
                         struct sim_mrc *curves, size_t *count, uint64_t *skipped,
                         struct sim_diag *diag)
{
    bool sampled = a->sample > 0 || a->sample_size > 0;
    struct sim_mrc_sample samples[2];
    size_t n = 0;
    if (sampled)
        samples[n++] = (struct sim_mrc_sample){a->sample > 0 ? a->sample : 1, a->sample_size};
    if (!sampled || a->check)
        samples[n++] = (struct sim_mrc_sample){1, 0};
    *count = n;
    return sim_mrc_lru_traces(curves, samples, n, config, a->sim.traces, a->sim.trace_count,
                              &a->sim.run.trace, skipped, diag);
}

static int run_working_set(const struct mrc_args *a, const struct sim_config *config,
                           const struct sim_workload *workload)
{
    uint64_t taus[64];
    const uint64_t *windows = a->sizes;
    size_t count = a->size_count;
    if (!count) {
        /* Powers of two up to the trace's length. */
        for (uint64_t tau = 1; count < 64 && (tau <= workload->count || !count); tau *= 2)
            taus[count++] = tau;
        windows = taus;
    }
    struct sim_working_set ws;
    struct sim_diag diag = {0};
    int status = sim_working_set(&ws, config, workload, windows, count, &diag);
    if (status)
        return cli_run_error(&diag, status);
    if (a->sim.json)
        sim_working_set_json(stdout, &ws);
    else if (a->sim.csv)
        sim_working_set_csv(stdout, &ws);
    else
        sim_working_set_text(stdout, &ws);
    sim_working_set_free(&ws);
    return 0;
}

int cmd_mrc(int argc, char **argv)
{
    static struct mrc_args a; /* its size list is large */
    int status = mrc_args_parse(argc, argv, &a);
    if (!status && a.sim.help) {
        fputs(mrc_usage, stdout);
        return 0;
    }
    struct sim_config config;
    if (status || (status = sim_args_config(&a.sim, &config)))
        return status;
    struct sim_diag diag = {0};
    if ((status = sim_mrc_check_config(&config, &diag)))
        return cli_usage_error("mrc: %s", diag.message);
    /* LRU curves alone stream from the traces; OPT, miniature simulations,
     * the working set and reference strings take the workload in memory. */
    struct sim_mrc curves[MAX_CURVES] = {0};
    size_t count = 0;
    struct sim_workload workload = {0};
    uint64_t skipped = 0;
    if (a.sim.trace_count && !a.opt && !a.mini_count && !a.working_set) {
        status = stream_curves(&a, &config, curves, &count, &skipped, &diag);
    } else {
        if ((status = sim_input_load(&a.sim, &config, &workload)))
            return status;
        skipped = workload.skipped;
        if (!a.working_set)
            status = compute_curves(&a, &config, &workload, curves, &count, &diag);
    }
    if (skipped)
        fprintf(stderr, "mmkit: skipped %llu malformed trace lines\n", (unsigned long long)skipped);
    if (status)
        status = cli_run_error(&diag, status);
    else
        status = a.working_set ? run_working_set(&a, &config, &workload)
                               : report_curves(&a, curves, count);
    for (size_t i = 0; i < MAX_CURVES; i++)
        sim_mrc_free(&curves[i]);
    sim_workload_free(&workload);
    return status;
}
