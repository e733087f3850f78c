/*
 * preload.c - what `mmkit run` and `mmkit trace --alloc` share: the
 * environment that makes a program run on libmmkit (LD_PRELOAD) with
 * options of ours added to MMKIT_OPTIONS, and the files those name.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* libmmkit.so next to the mmkit binary (a build tree), in ../lib* (an
 * install), or in the configured library directory. */
static int find_library(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        const char *dir = dirname(exe);
        const char *candidates[] = {"%s/libmmkit.so", "%s/../lib/libmmkit.so",
                                    "%s/../lib64/libmmkit.so", "%s/../lib/x86_64-linux-gnu/libmmkit.so"};
        for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
            snprintf(out, size, candidates[i], dir);
            if (access(out, R_OK) == 0)
                return 0;
        }
    }
    snprintf(out, size, "%s/libmmkit.so", MMKIT_INSTALL_LIBDIR);
    return access(out, R_OK) == 0 ? 0 : -1;
}

/* Prepend `value` to the colon- or comma-separated list in variable `name`. */
static void env_prepend(const char *name, const char *value, char separator)
{
    const char *old = getenv(name);
    if (!old || !*old) {
        setenv(name, value, 1);
        return;
    }
    size_t len = strlen(value) + strlen(old) + 2;
    char *joined = malloc(len);
    if (!joined)
        return;
    snprintf(joined, len, "%s%c%s", value, separator, old);
    setenv(name, joined, 1);
    free(joined);
}

int preload_environment(const char *command, const char *options)
{
    char library[PATH_MAX];
    if (find_library(library, sizeof library) != 0)
        return cli_usage_error("%s: cannot find libmmkit.so next to mmkit or in %s", command,
                               MMKIT_INSTALL_LIBDIR);
    /* Later options win: ours go after those already in MMKIT_OPTIONS. */
    const char *old = getenv("MMKIT_OPTIONS");
    char merged[8192];
    snprintf(merged, sizeof merged, "%s%s%s", old ? old : "", old && *old && *options ? "," : "",
             options);
    setenv("MMKIT_OPTIONS", merged, 1);
    env_prepend("LD_PRELOAD", library, ':');
    return 0;
}

int preload_path(const char *command, const char *path, char *out, size_t size)
{
    if (strchr(path, ','))
        return cli_usage_error("%s: the file name '%s' has a ',', which MMKIT_OPTIONS cannot "
                               "carry", command, path);
    char cwd[PATH_MAX];
    int n = path[0] == '/'       ? snprintf(out, size, "%s", path)
            : getcwd(cwd, sizeof cwd) ? snprintf(out, size, "%s/%s", cwd, path)
                                      : -1;
    if (n < 0 || (size_t)n >= size)
        return cli_usage_error("%s: cannot make '%s' an absolute path", command, path);
    return 0;
}
