/* mrc_args.h - the command line of `mmkit mrc`: sim's input options
 * (traces, --refs, --kinds, --page-size, --machine, ...) and the curves'
 * own; cmd_mrc.c computes what it asks for. */
#ifndef MMKIT_CLI_MRC_ARGS_H
#define MMKIT_CLI_MRC_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_args.h"

#define MRC_ARGS_MAX_SIZES 4096

struct mrc_args {
    struct sim_args sim;     /* the input, the machine, --json, --csv, --svg */
    bool lru, opt;           /* --curves */
    const char *mini[16];    /* --curves: the other policies, by miniature simulation */
    size_t mini_count;
    bool working_set;        /* --working-set */
    double sample;           /* --sample R: SHARDS at rate R; 0: exact LRU */
    uint64_t sample_size;    /* --sample-size N: fixed-size SHARDS; 0: none */
    bool check;              /* --check: the sample's error against exact LRU */
    bool linear;             /* --x-axis linear */
    uint64_t sizes[MRC_ARGS_MAX_SIZES]; /* --sizes, increasing; none: the default */
    size_t size_count;
};

extern const char mrc_usage[];

/* 0, or 2 after a usage error. */
int mrc_args_parse(int argc, char **argv, struct mrc_args *args);
/* "1,2,8..16,100": frame counts, ranges whole, into sizes sorted and
 * without repeats.  0, or 2 after a usage error naming `option`. */
int mrc_args_sizes(const char *option, const char *text, uint64_t *sizes, size_t *count);

#endif
