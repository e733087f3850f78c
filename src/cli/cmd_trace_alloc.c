/*
 * cmd_trace_alloc.c - `mmkit trace --alloc [-o FILE] -- PROGRAM [ARGS...]`:
 * run a program on libmmkit with its allocation trace on
 * (MMKIT_OPTIONS=trace=FILE), and exit with the program's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* The trace's path made absolute: the program may change directory before
 * a child of it starts its own trace. */
static int absolute_path(const char *path, char *out, size_t size)
{
    char cwd[PATH_MAX];
    if (path[0] == '/')
        return snprintf(out, size, "%s", path) < (int)size ? 0 : -1;
    if (!getcwd(cwd, sizeof cwd))
        return -1;
    return snprintf(out, size, "%s/%s", cwd, path) < (int)size ? 0 : -1;
}

/* Run program[] and wait for it; its exit status, 128 + N if signal N
 * ended it, as a shell reports it. */
static int run_and_wait(char **program)
{
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "mmkit: trace: cannot fork: %s\n", strerror(errno));
        return 1;
    }
    if (child == 0) {
        execvp(program[0], program);
        fprintf(stderr, "mmkit: trace: cannot run '%s': %s\n", program[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    /* Ctrl-C is the program's to handle; we wait to report on the trace. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int wstatus;
    while (waitpid(child, &wstatus, 0) < 0)
        if (errno != EINTR)
            return 1;
    return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

int cmd_trace_alloc(int argc, char **argv)
{
    const char *out = "alloc.mmat";
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--alloc"))
            return cli_usage_error("trace --alloc: unexpected '%s' (try 'mmkit trace --help')",
                                   argv[i]);
    }
    if (i + 1 >= argc)
        return cli_usage_error("trace --alloc: name a program after '--' (try 'mmkit trace --help')");
    if (strchr(out, ','))
        return cli_usage_error("trace --alloc: the file name '%s' has a ',', which "
                               "MMKIT_OPTIONS cannot carry", out);
    char path[PATH_MAX], option[PATH_MAX + 8];
    if (absolute_path(out, path, sizeof path) != 0)
        return cli_usage_error("trace --alloc: cannot make '%s' an absolute path", out);
    /* A file left from an earlier run must not pass for this run's trace. */
    if (unlink(path) != 0 && errno != ENOENT)
        return cli_usage_error("trace --alloc: cannot replace %s: %s", path, strerror(errno));
    snprintf(option, sizeof option, "trace=%s", path);
    int status = preload_environment("trace --alloc", option);
    if (status)
        return status;

    status = run_and_wait(argv + i + 1);
    if (access(path, F_OK) == 0)
        fprintf(stderr, "mmkit: allocation trace written to %s\n", out);
    else
        fprintf(stderr, "mmkit: %s wrote no allocation trace to %s (is it statically linked?)\n",
                argv[i + 1], out);
    return status;
}
