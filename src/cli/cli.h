/* cli.h - the subcommands of the `mmkit` command, one file each. */
#ifndef MMKIT_CLI_H
#define MMKIT_CLI_H

#include <stdio.h>

/* Each returns the process exit status. argv[0] is the subcommand's name. */
int cmd_run(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_trace(int argc, char **argv);
/* The allocation traces' forms of `mmkit trace` (--alloc, --dump). */
int cmd_trace_alloc(int argc, char **argv);
int cmd_trace_dump(int argc, char **argv);

/* Set LD_PRELOAD to libmmkit.so and add `options` ("k=v,...", may be "") to
 * MMKIT_OPTIONS, for a program about to be run; 0, or the usage status
 * after a message naming `command` if libmmkit.so is not found. */
int preload_environment(const char *command, const char *options);

/* Print "mmkit: <what>" to stderr; returns 2, the status for bad usage. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
