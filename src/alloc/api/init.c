/*
 * init.c - start-up: each layer's part, bottom up, children=no, and statistics at exit.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "check.h"
#include "core.h"
#include "locks.h"
#include "secure.h"

/* stats=1 prints a table at exit, stats=2 one JSON object. */
static void print_stats_at_exit(void)
{
    if (mmkit_options.stats)
        stats_print_at_exit(mmkit_options.stats == 2);
}

/* An entry of LD_PRELOAD, `len` bytes at `entry`, names this library: the
 * same file, or for a bare name (which the dynamic linker searched for)
 * the same file name. */
static bool names_this_library(const char *entry, size_t len, const char *self,
                               const struct stat *self_file)
{
    char path[4096];
    if (len >= sizeof path)
        return false;
    memcpy(path, entry, len);
    path[len] = '\0';
    if (!strchr(path, '/')) {
        const char *base = strrchr(self, '/');
        return !strcmp(path, base ? base + 1 : self);
    }
    struct stat file;
    return self_file && stat(path, &file) == 0 && file.st_dev == self_file->st_dev &&
           file.st_ino == self_file->st_ino;
}

/*
 * children=no: the programs this process starts run on their own malloc.
 * LD_PRELOAD carries libmmkit into every one of them, so start-up takes
 * this library's entries out of it, in the environment itself (before
 * main, so before anyone copied it), keeping the other entries; an
 * LD_PRELOAD left empty leaves the environment.  Nothing here allocates.
 */
static void leave_children_alone(void)
{
    Dl_info info;
    if (!dladdr((void *)mmkit_init, &info) || !info.dli_fname)
        return;
    struct stat self;
    const struct stat *self_file = stat(info.dli_fname, &self) == 0 ? &self : NULL;
    static const char name[] = "LD_PRELOAD=";
    for (char **e = environ; e && *e;) {
        if (strncmp(*e, name, sizeof name - 1) != 0) {
            e++;
            continue;
        }
        /* The dynamic linker splits the list at colons and spaces. */
        char *list = *e + sizeof name - 1, *kept = list;
        for (char *c = list + strspn(list, ": "); *c; c += strspn(c, ": ")) {
            size_t len = strcspn(c, ": ");
            if (!names_this_library(c, len, info.dli_fname, self_file)) {
                if (kept != list)
                    *kept++ = ':';
                memmove(kept, c, len);
                kept += len;
            }
            c += len;
        }
        *kept = '\0';
        if (*list) {
            e++;
            continue;
        }
        for (char **f = e; *f; f++)
            f[0] = f[1];
    }
}

/* 0: not started, 1: running, 2: done. */
static _Atomic int mmkit_initialized;
static _Atomic uintptr_t initializing_thread;

void mmkit_init(void)
{
    if (likely(atomic_load_explicit(&mmkit_initialized, memory_order_acquire) == 2))
        return;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&mmkit_initialized, &expected, 1)) {
        /* The initializing thread may come back here through a libc call
         * that allocates: let it through on the defaults. */
        if (atomic_load(&initializing_thread) == current_thread_id())
            return;
        while (atomic_load_explicit(&mmkit_initialized, memory_order_acquire) != 2)
            sched_yield();
        return;
    }
    atomic_store(&initializing_thread, current_thread_id());
    /* What the options say about themselves goes where they send it. */
    os_print_hold();
    options_init(getenv("MMKIT_OPTIONS"));
    os_print_init(mmkit_options.log_file);
    fork_hook_register(NULL, NULL, os_print_after_fork_child);
    if (!mmkit_options.children)
        leave_children_alone();
    /* Other threads' heaps may be mid-update in a fork child's copy: it
     * stops trusting them. */
    fork_hook_register(NULL, NULL, heap_forget_other_threads);
    thread_exit_init(heap_thread_exited);
    private_heap_init();
    if (mmkit_options.lock)
        secure_lock_all();
    check_init();
    /* After the checking layer has settled the options that depend on the
     * mode, so each shows the value in effect. */
    if (mmkit_options.verbose)
        options_print();
    atexit(print_stats_at_exit);
    if (mmkit_options.stats_interval_ms) {
        stats_print_every(mmkit_options.stats_interval_ms);
        core_hook.page_wanted = stats_print_if_due;
    }
    atomic_store_explicit(&mmkit_initialized, 2, memory_order_release);
}

/* Read the options before main() even if nothing allocates before it. */
__attribute__((constructor)) static void init_at_load(void)
{
    mmkit_init();
}
