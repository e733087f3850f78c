/*
 * init.c - start-up: each layer's part, bottom up, and statistics at exit.
 */
#include <sched.h>
#include <stdlib.h>

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
    atomic_store_explicit(&mmkit_initialized, 2, memory_order_release);
}

/* Read the options before main() even if nothing allocates before it. */
__attribute__((constructor)) static void init_at_load(void)
{
    mmkit_init();
}
