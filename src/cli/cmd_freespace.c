/* cmd_freespace.c - `mmkit freespace`: run allocations and frees on a
 * simulated heap and report where each block went and what it cost.  The
 * command line is read in freespace_args.c.  The operations are an input:
 * one that cannot run (a free of a block never allocated or freed already,
 * a request of 0 bytes or larger than the heap, a malformed item) exits 1
 * with "mmkit: op N: ITEM: what", before anything is printed. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "freespace_args.h"
#include "mmkit/freespace.h"

int cmd_freespace(int argc, char **argv)
{
    struct freespace_args a;
    int status = freespace_args_parse(argc, argv, &a);
    if (!status && a.help) {
        fputs(freespace_usage, stdout);
        return 0;
    }
    if (!status && (a.jobs || a.jobs_inline))
        return cmd_freespace_jobs(&a);
    struct freespace_config config;
    if (status || (status = freespace_args_config(&a, &config)))
        return status;
    if (a.trace)
        return freespace_trace_command(&a, &config);
    if (a.compare || a.svg)
        return freespace_compare_command(&a, &config);
    struct sim_diag diag = {0};
    struct freespace_op *ops = NULL;
    size_t count = 0;
    struct freespace_heap *heap = NULL;
    if (!(status = freespace_ops_parse(a.ops, &ops, &count, &diag)) &&
        !(status = freespace_heap_create(&heap, &config, &diag))) {
        struct freespace_run_options run = {.explain = a.explain ? stdout : NULL,
                                            .json = a.json ? stdout : NULL};
        status = freespace_run(heap, ops, count, &run, &diag);
    }
    if (status) {
        status = cli_run_error(&diag, status);
    } else {
        if (!a.json)
            freespace_report_text(stdout, heap);
        status = fflush(stdout) || ferror(stdout);
        if (status)
            fprintf(stderr, "mmkit: cannot write the standard output\n");
    }
    freespace_heap_destroy(heap);
    free(ops);
    return status;
}
