/* cmd_freespace_jobs.c - `mmkit freespace --jobs FILE` (or --jobs-inline
 * TEXT): process jobs on partitioned memory.  Memory and its partitions
 * come from the command line (a wrong one exits 2); the jobs are an input:
 * a malformed line, or a job memory could never hold, exits 1 with
 * "mmkit: FILE:LINE: field: what", before anything is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "freespace_args.h"

/* The jobs, read and checked against memory; 0, or 1 after a message. */
static int read_jobs(const struct freespace_args *a, const struct partition_config *config,
                     struct partition_job **jobs, size_t *count)
{
    struct sim_diag diag = {0};
    const char *source = a->jobs ? a->jobs : "--jobs-inline";
    int status = a->jobs ? partition_jobs_load(a->jobs, jobs, count, &diag)
                         : partition_jobs_parse(a->jobs_inline, strlen(a->jobs_inline), source,
                                                true, jobs, count, &diag);
    if (!status && (status = partition_jobs_check(config, *jobs, *count, source, &diag))) {
        free(*jobs);
        *jobs = NULL;
    }
    return status ? cli_run_error(&diag, status) : 0;
}

/* Run them, then write the report and the picture; 0 or 1. */
static int run_jobs(const struct freespace_args *a, const struct partition_config *config,
                    const struct partition_job *jobs, size_t count)
{
    struct output_file svg = {0};
    if (a->svg && output_file_open(&svg, a->svg, &a->jobs, 1))
        return 1;
    struct sim_diag diag = {0};
    struct partition_outcome outcome;
    struct partition_run_options options = {.explain = a->explain ? stdout : NULL,
                                            .json = a->json ? stdout : NULL};
    int status = partition_run(config, jobs, count, &options, &outcome, &diag);
    if (status) {
        if (a->svg)
            output_file_discard(&svg);
        return cli_run_error(&diag, status);
    }
    bool svg_on_stdout = a->svg && svg.file == stdout;
    if (a->explain)
        putchar('\n'); /* between the last tick and the totals */
    if (!a->json && !svg_on_stdout)
        partition_report_text(stdout, config, &outcome);
    if (a->svg) {
        partition_svg(svg.file, config, &outcome, count);
        status = output_file_commit(&svg);
    }
    partition_outcome_free(&outcome);
    if (!status && (fflush(stdout) || ferror(stdout))) {
        fprintf(stderr, "mmkit: cannot write the standard output\n");
        status = 1;
    }
    return status;
}

int cmd_freespace_jobs(const struct freespace_args *a)
{
    struct partition_config config;
    int status = freespace_args_partition_config(a, &config);
    struct partition_job *jobs = NULL;
    size_t count = 0;
    if (!status && !(status = read_jobs(a, &config, &jobs, &count)))
        status = run_jobs(a, &config, jobs, count);
    free(jobs);
    return status;
}
