/* sim_args.h - the command line of `mmkit sim`, parsed, and the machine it
 * asks for (sim_args.c); cmd_sim.c runs it. */
#ifndef MMKIT_CLI_SIM_ARGS_H
#define MMKIT_CLI_SIM_ARGS_H

#include <stdbool.h>

#include "cli.h"
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
    bool steps; /* --steps: a line per reference */
    const char *sweep, *policies, *svg;
    unsigned threads;
};

/* The usage text of `mmkit sim --help`. */
extern const char sim_usage[];

/* 0, or 2 after a usage error. */
int sim_args_parse(int argc, char **argv, struct sim_args *args);

/* A command that reads its input as `mmkit sim` does (`mmkit mrc`): the
 * options it adds to sim's, and what each does (apply returns 0, or 2
 * after a usage error).  Messages name `command`. */
#define SIM_ARGS_MAX_EXTRA 16
struct sim_args_extra {
    const char *command;
    const struct cli_option *options;
    size_t count;
    int (*apply)(void *context, const char *name, const char *value);
    void *context;
};
int sim_args_parse_extra(int argc, char **argv, struct sim_args *args,
                         const struct sim_args_extra *extra);
/* The machine the arguments describe: the defaults, then --machine, then
 * each setting flag in order.  0; 2 after a message on a bad flag; 1 after
 * one on a bad machine file (an input). */
int sim_args_config(const struct sim_args *args, struct sim_config *config);

/* The workload the arguments name (sim_input.c): the reference string,
 * or the traces read whole and interleaved.  0; 2 after a message on a bad
 * reference string; 1 after one on a bad trace. */
int sim_input_load(const struct sim_args *args, const struct sim_config *config,
                   struct sim_workload *workload);
/* Draw `what` into path (refused if it is one of the inputs), titled by the
 * first input's file name: 0, or 1 after a message. */
int sim_input_draw(const struct sim_args *args, const char *path, const char *what_it_is,
                   void (*draw_into)(FILE *, const void *, const char *), const void *what);

#endif
