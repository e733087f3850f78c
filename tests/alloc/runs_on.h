/*
 * runs_on.h - a test program checks that it runs on the allocator its
 * command line names: "glibc" (the C library's malloc, a reference run) or
 * a mode of libmmkit, "fast", "hardened", "debug" or "sample", which
 * MMKIT_OPTIONS sets.  A test that would pass on the wrong allocator proves
 * nothing.  Include after test_util.h.
 */
#ifndef MMKIT_RUNS_ON_H
#define MMKIT_RUNS_ON_H

#include "test_util.h"

/* True if this program's malloc is the one `name` names; if not, says so on
 * stderr.  NULL names none: any allocator will do. */
static inline bool runs_on(const char *name)
{
    static const char *const modes[] = {"fast", "hardened", "debug", "sample"};
    if (!name)
        return true;
    bool mmkit = malloc_is_mmkit();
    if (!strcmp(name, "glibc")) {
        if (mmkit)
            fprintf(stderr, "expected the C library's malloc, runs on libmmkit\n");
        return !mmkit;
    }
    if (!mmkit) {
        fprintf(stderr, "expected libmmkit in %s mode, malloc is not libmmkit's\n", name);
        return false;
    }
    long long (*option_get)(const char *) =
        (long long (*)(const char *))dlsym(RTLD_DEFAULT, "mmkit_option_get");
    long long mode = option_get ? option_get("mode") : -1;
    if (mode < 0 || mode > 3 || strcmp(modes[mode], name) != 0) {
        fprintf(stderr, "expected libmmkit in %s mode, it runs in %s mode: set MMKIT_OPTIONS\n",
                name, mode >= 0 && mode <= 3 ? modes[mode] : "an unknown");
        return false;
    }
    return true;
}

#endif /* MMKIT_RUNS_ON_H */
