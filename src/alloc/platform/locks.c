/*
 * locks.c - the allocator's locks and its one fork protocol (locks.h).
 *
 * fork() copies only the calling thread: a lock another thread held stays
 * held in the child, and what it guarded may be half-changed.  So before
 * fork the calling thread takes every lock, in the order of lock_id, and
 * after it releases them (in the parent) or makes them new (in the child).
 *
 * Three things make that safe where a plain pthread_atfork of each lock
 * was not:
 *  - The C library's list of FILEs is taken too, between the locks under
 *    which stdio may be used (reporting opens files to symbolize) and the
 *    others.  glibc takes it itself after every atfork handler, and a
 *    thread inside stdio holds its FILE's lock while it allocates: had we
 *    taken our locks first, a thread in getline waiting for one of them and
 *    a thread in fflush(NULL) waiting for that FILE would keep fork waiting
 *    for ever (glibc's bug 19431).  The lock is recursive, so glibc taking
 *    it again is harmless.
 *  - Signals are blocked from the first of these handlers to the last, in
 *    the parent and in the child.  A signal handler may fork (fork is
 *    async-signal-safe), but not in the middle of the protocol: the FILE
 *    list's lock is not safe to take from a handler that interrupted its
 *    taking, and the protocol's own record of what it took would be
 *    overwritten.
 *  - Each thread knows which locks it holds.  A signal handler that forks
 *    while its thread is inside the allocator skips the locks that thread
 *    holds instead of waiting for itself; the interrupted code finishes its
 *    change when the handler returns, in the parent and in the child alike.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform.h"
#include "locks.h"

static struct {
    _Alignas(64) pthread_mutex_t mutex; /* a cache line each */
} locks[LOCK_COUNT] = {[0 ... LOCK_COUNT - 1] = {PTHREAD_MUTEX_INITIALIZER}};

/* Bit i: the thread holds lock i, is about to take it or has just let it
 * go.  Set before the lock is taken and cleared after it is released, so
 * a signal handler that forks in between skips the lock rather than wait
 * for its own thread.  Volatile: that handler reads and changes it. */
static __thread volatile uint64_t held __attribute__((tls_model("initial-exec")));

static uint64_t bit(unsigned id)
{
    return (uint64_t)1 << id;
}

/* Checked in every build: a shift and a branch beside a mutex, and a lock
 * taken out of order is a deadlock waiting for its moment. */
void lock_take(lock_id id)
{
    if (unlikely(held >> id)) {
        os_write_stderr("mmkit: internal error: a lock taken out of the order of locks.h\n");
        abort();
    }
    held |= bit(id);
    pthread_mutex_lock(&locks[id].mutex);
}

void lock_release(lock_id id)
{
    pthread_mutex_unlock(&locks[id].mutex);
    held &= ~bit(id);
}

/* ---- fork ---------------------------------------------------------------------- */

/* glibc's lock of its list of FILEs; other C libraries lack them. */
extern void _IO_list_lock(void) __attribute__((weak));
extern void _IO_list_unlock(void) __attribute__((weak));
extern void _IO_list_resetlock(void) __attribute__((weak));

typedef struct fork_hook {
    void (*before)(void), (*parent)(void), (*child)(void);
} fork_hook;

static fork_hook hooks[8];
static unsigned hook_count;

/* The fork under way in this thread: what it took, and the signal mask to
 * restore after it.  Signals are blocked meanwhile, so there is one. */
#define TOOK_FILE_LIST bit(63)
static __thread uint64_t fork_took;
static __thread sigset_t fork_signal_mask;

static void before_fork(void)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &fork_signal_mask);
    uint64_t took = 0;
    for (unsigned id = 0; id < LOCK_COUNT; id++) {
        if (id == LOCK_TRACE && _IO_list_lock) {
            _IO_list_lock();
            took |= TOOK_FILE_LIST;
        }
        if (held & bit(id))
            continue;
        held |= bit(id);
        took |= bit(id);
        pthread_mutex_lock(&locks[id].mutex);
    }
    fork_took = took;
    for (unsigned i = 0; i < hook_count; i++)
        if (hooks[i].before)
            hooks[i].before();
}

static void after_fork_parent(void)
{
    for (unsigned i = 0; i < hook_count; i++)
        if (hooks[i].parent)
            hooks[i].parent();
    for (unsigned id = LOCK_COUNT; id-- > 0;)
        if (fork_took & bit(id))
            lock_release((lock_id)id);
    if (fork_took & TOOK_FILE_LIST)
        _IO_list_unlock();
    pthread_sigmask(SIG_SETMASK, &fork_signal_mask, NULL);
}

static void after_fork_child(void)
{
    for (unsigned id = 0; id < LOCK_COUNT; id++)
        if (fork_took & bit(id)) {
            pthread_mutex_init(&locks[id].mutex, NULL);
            held &= ~bit(id);
        }
    /* glibc remade it already when the parent had threads; not otherwise. */
    if (fork_took & TOOK_FILE_LIST)
        _IO_list_resetlock();
    for (unsigned i = 0; i < hook_count; i++)
        if (hooks[i].child)
            hooks[i].child();
    pthread_sigmask(SIG_SETMASK, &fork_signal_mask, NULL);
}

void fork_hook_register(void (*before)(void), void (*parent)(void), void (*child)(void))
{
    if (hook_count == sizeof hooks / sizeof hooks[0]) {
        os_write_stderr("mmkit: internal error: too many fork hooks\n");
        abort();
    }
    if (hook_count == 0)
        pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    hooks[hook_count++] = (fork_hook){before, parent, child};
}
