/*
 * cmd_run.c - `mmkit run [options] -- prog args`: run a program with every
 * allocation going through libmmkit (by LD_PRELOAD), and exit with its
 * status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char run_help[] =
    "usage: mmkit run [--stats | --stats-json] [--options K=V,...] [--] PROGRAM [ARGS...]\n"
    "\n"
    "Run PROGRAM with libmmkit as its allocator (LD_PRELOAD) and exit with its status.\n"
    "\n"
    "  --stats          print allocation statistics to stderr when the program exits\n"
    "  --stats-json     the same, as one JSON object\n"
    "  --options K=V,.. allocator options (added to MMKIT_OPTIONS), for example\n"
    "                   mmap_threshold=256K, purge_delay_ms=0, verbose=1\n"
    "  -h, --help       show this help\n";

int cmd_run(int argc, char **argv)
{
    const char *stats = NULL, *options = NULL;
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--")) {
            i++;
            break;
        } else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            fputs(run_help, stdout);
            return 0;
        } else if (!strcmp(arg, "--stats")) {
            stats = "stats=1";
        } else if (!strcmp(arg, "--stats-json")) {
            stats = "stats=2";
        } else if (!strcmp(arg, "--options") && i + 1 < argc) {
            options = argv[++i];
        } else if (!strncmp(arg, "--options=", 10)) {
            options = arg + 10;
        } else if (arg[0] == '-') {
            return cli_usage_error("run: unknown option '%s' (try 'mmkit run --help')", arg);
        } else {
            break;
        }
    }
    if (i >= argc)
        return cli_usage_error("run: no program given (try 'mmkit run --help')");

    char ours[4096];
    snprintf(ours, sizeof ours, "%s%s%s", options ? options : "", options && stats ? "," : "",
             stats ? stats : "");
    int status = preload_environment("run", ours);
    if (status)
        return status;
    execvp(argv[i], argv + i);
    fprintf(stderr, "mmkit: run: cannot run '%s': %s\n", argv[i], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
