/* freespace_args.h - the command line of `mmkit freespace`, parsed, and
 * the heap it asks for (freespace_args.c); cmd_freespace.c runs it. */
#ifndef MMKIT_CLI_FREESPACE_ARGS_H
#define MMKIT_CLI_FREESPACE_ARGS_H

#include <stdbool.h>

#include "mmkit/freespace.h"
#include "mmkit/partition.h"

#define FREESPACE_ARGS_MAX_SETTINGS 32

struct freespace_args {
    bool help; /* --help: print the usage, do nothing else */
    const char *ops;
    const char *jobs, *jobs_inline; /* process jobs: a file, or the text itself */
    const char *trace;              /* an allocation trace (.mmat) to replay */
    bool timing;                    /* --timing: how fast each replay went, on stderr */
    struct {
        const char *key; /* a freespace_config_names entry */
        const char *value;
    } settings[FREESPACE_ARGS_MAX_SETTINGS]; /* in command-line order */
    size_t setting_count;
    bool explain, json;
    const char *compare; /* --compare: policy names, or NULL */
    const char *svg;     /* --svg: where the picture goes (the comparison's heaps, or
                            the jobs' memory over time), or NULL */
    bool colour_by_call; /* --colour-by call: blocks coloured by their allocation (--ops)
                            or their call site (--trace), not by size */
};

/* The usage text of `mmkit freespace --help`. */
extern const char freespace_usage[];

/* 0, or 2 after a usage error. */
int freespace_args_parse(int argc, char **argv, struct freespace_args *args);
/* The heap the arguments describe: the defaults, then each setting flag in
 * order.  0, or 2 after a message on a bad flag. */
int freespace_args_config(const struct freespace_args *args, struct freespace_config *config);
/* The memory and partitions the arguments describe, for process jobs: the
 * defaults, then each setting flag in order.  0, or 2 after a message. */
int freespace_args_partition_config(const struct freespace_args *args,
                                    struct partition_config *config);
/* `mmkit freespace --jobs FILE` or `--jobs-inline TEXT` (cmd_freespace_jobs.c). */
int cmd_freespace_jobs(const struct freespace_args *args);

/* --compare or --svg: the operations on each policy (the one of the
 * config without --compare), as one table and the pictures
 * (cmd_freespace_compare.c).  The exit status. */
int freespace_compare_command(const struct freespace_args *args,
                              const struct freespace_config *config);

/* --trace FILE: the trace replayed on each policy (cmd_freespace_trace.c).
 * The exit status. */
int freespace_trace_command(const struct freespace_args *args,
                            const struct freespace_config *config);

#endif
