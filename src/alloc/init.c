/*
 * init.c - the fence between the allocator and libc: start-up, the global
 * lock, the fork protocol, thread exit, and statistics at process exit.
 * Nothing else in the allocator knows about pthreads or the environment.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "check.h"
#include "internal.h"
#include "secure.h"

static pthread_mutex_t global = PTHREAD_MUTEX_INITIALIZER;

void global_lock(void)
{
    pthread_mutex_lock(&global);
}

void global_unlock(void)
{
    pthread_mutex_unlock(&global);
}

/* fork(): take the lock so no other thread holds it in the child.  Other
 * threads' heaps may be mid-update in the child's copy; it stops trusting
 * them (heap_forget_other_threads). */
static void before_fork(void)
{
    global_lock();
}

static void after_fork_parent(void)
{
    global_unlock();
}

static void after_fork_child(void)
{
    pthread_mutex_init(&global, NULL);
    heap_forget_other_threads();
}

static pthread_key_t thread_exit_key;

static void thread_exited(void *value)
{
    struct mmkit_heap *heap = value;
    if (heap != thread_heap)
        return;
    thread_heap = &empty_heap;
    heap_abandon(heap);
}

void thread_exit_hook_register(struct mmkit_heap *heap)
{
    pthread_setspecific(thread_exit_key, heap);
}

/* stats=1 prints a table at exit, stats=2 one JSON object. */
static void print_stats_at_exit(void)
{
    if (mmkit_options.stats == 1)
        mmkit_stats_print(stderr);
    else if (mmkit_options.stats == 2)
        mmkit_stats_print_json(stderr);
}

/* 0: not started, 1: running, 2: done. */
_Atomic int mmkit_initialized;
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
    options_init(getenv("MMKIT_OPTIONS"));
    if (mmkit_options.verbose)
        options_print();
    if (mmkit_options.lock)
        secure_lock_all();
    check_init();
    pthread_key_create(&thread_exit_key, thread_exited);
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    atexit(print_stats_at_exit);
    atomic_store_explicit(&mmkit_initialized, 2, memory_order_release);
}

/* Read the options before main() even if nothing allocates before it. */
__attribute__((constructor)) static void init_at_load(void)
{
    mmkit_init();
}
