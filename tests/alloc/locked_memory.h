/*
 * locked_memory.h - how much memory the process has locked, and a limit on
 * it that holds even for root.  Include after test_util.h.
 */
#ifndef MMKIT_LOCKED_MEMORY_H
#define MMKIT_LOCKED_MEMORY_H

#include <grp.h>
#include <sys/resource.h>

#include "test_util.h"

/* Bytes this process has locked in memory: VmLck in /proc/self/status. */
static inline size_t locked_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    check(f != NULL);
    char line[256];
    size_t kib = SIZE_MAX;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmLck: %zu kB", &kib) == 1)
            break;
    fclose(f);
    check(kib != SIZE_MAX);
    return kib * KiB;
}

#define NOBODY 65534

/* In a child process: let it lock at most `bytes`.  RLIMIT_MEMLOCK does not
 * bind a process with CAP_IPC_LOCK, so root first becomes nobody: changing
 * from uid 0 to another drops every capability. */
static inline void limit_locked_memory(size_t bytes)
{
    struct rlimit limit = {bytes, bytes};
    check(setrlimit(RLIMIT_MEMLOCK, &limit) == 0);
    if (geteuid() == 0) {
        check(setgroups(0, NULL) == 0);
        check(setgid(NOBODY) == 0);
        check(setuid(NOBODY) == 0);
    }
}

#endif /* MMKIT_LOCKED_MEMORY_H */
