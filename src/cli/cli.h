/* cli.h - the subcommands of the `mmkit` command, one file each. */
#ifndef MMKIT_CLI_H
#define MMKIT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "mmkit/sim.h"

/* Each returns the process exit status. argv[0] is the subcommand's name. */
int cmd_run(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_mrc(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_freespace(int argc, char **argv);
int cmd_quiz(int argc, char **argv);
int cmd_maps(int argc, char **argv);

/* `mmkit trace`'s command line, parsed (trace_args.c). */
enum trace_form { TRACE_RECORD, TRACE_CONVERT, TRACE_ALLOC, TRACE_DUMP };
struct trace_args {
    enum trace_form form;
    bool help;                        /* --help: print the usage, do nothing else */
    const char *in;                   /* convert's IN, --dump's FILE */
    const char *out;                  /* -o FILE, convert's OUT; NULL: the default */
    struct sim_trace_options options; /* convert: --kinds, --skip-bad */
    bool json;                        /* --dump --json */
    const char *svg;                  /* --dump --svg OUT */
    bool summary;                     /* --dump --summary */
    const char *flame, *heap, *folded; /* --dump --flame OUT, --heap OUT, --folded OUT */
    unsigned top;                     /* --dump --top N: sites listed and drawn */
    char **program;                   /* after "--", NULL-terminated */
};
/* 0, or 2 after a usage error. */
int trace_args_parse(int argc, char **argv, struct trace_args *args);
/* The allocation traces' forms of `mmkit trace` (--alloc, --dump). */
int cmd_trace_alloc(const struct trace_args *args);
int cmd_trace_dump(const struct trace_args *args);

/* Set LD_PRELOAD to libmmkit.so and add `options` ("k=v,...", may be "") to
 * MMKIT_OPTIONS, for a program about to be run; 0, or the usage status
 * after a message naming `command` if libmmkit.so is not found. */
int preload_environment(const char *command, const char *options);
/* A file named in MMKIT_OPTIONS, made absolute in `out` (the program may
 * change directory before it, or a child of it, opens the file); 0, or the
 * usage status after a message naming `command`: the name has a ',', which
 * MMKIT_OPTIONS cannot carry, or is too long. */
int preload_path(const char *command, const char *path, char *out, size_t size);

/* A file the command writes (output_file.c): refused if it is one of the
 * command's inputs, written to `temp` and renamed to `path` when complete.
 * "-" is the standard output, written directly. */
struct output_file {
    const char *path;
    char temp[4096]; /* "" when there is none */
    FILE *file;
};
/* 0, or 1 after a message naming the file (an input, or not creatable). */
int output_file_open(struct output_file *out, const char *path, const char *const *inputs,
                     size_t count);
/* Close and rename into place: 0, or 1 after a message (the temporary
 * file then removed). */
int output_file_commit(struct output_file *out);
/* Close and remove what was written: the command failed. */
void output_file_discard(struct output_file *out);

/* Run argv[0] with its arguments and wait for it (program.c): its exit
 * status, or 128 + N if signal N ended it, as a shell says; 127 if it could
 * not be started (after a message naming `command`). */
int program_run(char **argv, const char *command);
/* True if `program` (found as execvp would) is an ELF executable with no
 * dynamic loader, which LD_PRELOAD cannot reach. */
bool program_is_static(const char *program);

/* Print "mmkit: <what>" to stderr; returns 2, the status for bad usage. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "mmkit: FILE:LINE: field: message" for an input that failed;
 * returns 1, the status for a bad input. */
int cli_input_error(const struct sim_diag *diag);
/* The same for a run that failed with status: its input's error, or "out
 * of memory" when the library had no more to say; returns 1. */
int cli_run_error(const struct sim_diag *diag, int status);

/* One option of a subcommand (usage.c). */
struct cli_option {
    const char *name; /* "--json", "-o" */
    bool takes_value; /* "--svg OUT" or "--svg=OUT" */
};
/* The option argv[*i] names, with its value in *value (moving *i past a
 * separate value); NULL after a usage error naming `command`: an unknown
 * option (and the nearest known one), a value missing or not wanted. */
const struct cli_option *cli_option_next(const struct cli_option *options, size_t count,
                                         int argc, char **argv, int *i, const char **value,
                                         const char *command);
/* The known option nearest to `name` by a typo or two, or NULL. */
const char *cli_nearest_option(const struct cli_option *options, size_t count, const char *name);

#endif
