/* sim_args.h - the command line of `mmkit sim`, parsed, and the machine it
 * asks for (sim_args.c); cmd_sim.c runs it. */
#ifndef MMKIT_CLI_SIM_ARGS_H
#define MMKIT_CLI_SIM_ARGS_H

#include <stdbool.h>

#include "mmkit/sim.h"

#define SIM_ARGS_MAX_TRACES 64
#define SIM_ARGS_MAX_SETTINGS 64

struct sim_args {
    bool help; /* --help: print the usage, do nothing else */
    const char *traces[SIM_ARGS_MAX_TRACES];
    size_t trace_count;
    const char *refs, *addrs, *machine;
    struct {
        const char *key; /* a sim_config_names entry */
        const char *value;
    } settings[SIM_ARGS_MAX_SETTINGS]; /* in command-line order */
    size_t setting_count;
    struct sim_run_options run;
    bool json, csv, explain;
    const char *sweep, *policies, *svg;
    unsigned threads;
};

/* The usage text of `mmkit sim --help`. */
extern const char sim_usage[];

/* 0, or 2 after a usage error. */
int sim_args_parse(int argc, char **argv, struct sim_args *args);
/* The machine the arguments describe: the defaults, then --machine, then
 * each setting flag in order.  0; 2 after a message on a bad flag; 1 after
 * one on a bad machine file (an input). */
int sim_args_config(const struct sim_args *args, struct sim_config *config);

#endif
