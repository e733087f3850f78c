/*
 * cmd_trace_alloc.c - `mmkit trace --alloc [-o FILE] -- PROGRAM [ARGS...]`:
 * run a program on libmmkit with its allocation trace on
 * (MMKIT_OPTIONS=trace=FILE), and exit with the program's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The folder a file is to be written in: it must exist for the program's
 * allocator to create the trace there, and this is the moment to say so. */
static int check_folder(const char *path)
{
    char folder[PATH_MAX];
    snprintf(folder, sizeof folder, "%s", path);
    const char *dir = dirname(folder);
    if (access(dir, W_OK) == 0)
        return 0;
    fprintf(stderr, "mmkit: trace --alloc: cannot write %s: %s: %s\n", path, dir,
            strerror(errno));
    return 1;
}

int cmd_trace_alloc(const struct trace_args *a)
{
    const char *out = a->out ? a->out : "alloc.mmat";
    const char *program = a->program[0];
    /* Absolute: the program may change directory before a child of it
     * starts its own trace. */
    char path[PATH_MAX], option[PATH_MAX + 8];
    int status = preload_path("trace --alloc", out, path, sizeof path);
    if (status)
        return status;
    if (program_is_static(program)) {
        fprintf(stderr, "mmkit: trace --alloc: %s is statically linked: libmmkit cannot be "
                        "preloaded into it, so it has no allocation trace to record\n", program);
        return 1;
    }
    if (check_folder(path))
        return 1;
    /* A file left from an earlier run must not pass for this run's trace. */
    if (unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "mmkit: trace --alloc: cannot replace %s: %s\n", path, strerror(errno));
        return 1;
    }
    snprintf(option, sizeof option, "trace=%s", path);
    status = preload_environment("trace --alloc", option);
    if (status)
        return status;

    status = program_run(a->program, "trace --alloc");
    if (access(path, F_OK) == 0)
        fprintf(stderr, "mmkit: allocation trace written to %s\n", out);
    else if (status != 127)
        fprintf(stderr, "mmkit: %s wrote no allocation trace to %s\n", program, out);
    return status;
}
