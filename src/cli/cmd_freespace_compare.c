/* cmd_freespace_compare.c - `mmkit freespace --compare`: the operations on
 * each policy named, one table of their totals, and with --svg the
 * pictures.  A policy list that names no policy is a usage error (exit
 * 2); operations that cannot run are a bad input (exit 1); the picture is
 * written whole or not at all (output_file.c). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "freespace_args.h"
#include "mmkit/freespace.h"

/* The comparison's pictures into the file --svg names: 0 or 1. */
static int write_svg(const struct freespace_args *a, const struct freespace_comparison *c)
{
    struct output_file svg;
    if (output_file_open(&svg, a->svg, NULL, 0))
        return 1;
    freespace_compare_svg(svg.file, c, a->colour_by_call);
    return output_file_commit(&svg);
}

int freespace_compare_command(const struct freespace_args *a,
                              const struct freespace_config *config)
{
    char names[FREESPACE_COMPARE_MAX][16];
    size_t count;
    struct sim_diag diag = {0};
    if (!a->compare) {
        snprintf(names[0], sizeof names[0], "%s", config->policy);
        count = 1;
    } else if (freespace_compare_parse(a->compare, names, &count, &diag)) {
        return cli_usage_error("--compare: %s", diag.message);
    }
    struct freespace_op *ops = NULL;
    size_t op_count = 0;
    struct freespace_comparison *c = NULL;
    int status = freespace_ops_parse(a->ops, &ops, &op_count, &diag);
    if (!status)
        status = freespace_compare(config, names, count, ops, op_count, a->svg != NULL, &c,
                                   &diag);
    if (status) {
        status = cli_run_error(&diag, status);
    } else {
        if (a->json)
            freespace_compare_json(stdout, c);
        else
            freespace_compare_text(stdout, c);
        status = a->svg ? write_svg(a, c) : 0;
        if (fflush(stdout) || ferror(stdout)) {
            fprintf(stderr, "mmkit: cannot write the standard output\n");
            status = 1;
        }
    }
    freespace_comparison_destroy(c);
    free(ops);
    return status;
}
