/*
 * malloc_stats_is_not_a_cancellation_point.c - a thread with a cancellation
 * request pending calls malloc_stats(): the call must return (it prints,
 * but POSIX does not make it a cancellation point, and glibc's does not
 * act on the request), and the thread is cancelled at its next
 * cancellation point.  A program that cancels a thread while it prints its
 * heap's statistics must not lose the allocator's lock with it.
 *
 * argv[1] names the allocator it must run on (runs_on.h).
 */
#include "test_util.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>

#include "runs_on.h"

static atomic_bool returned;

static void *print_statistics(void *arg)
{
    pthread_cancel(pthread_self()); /* deferred: pending until a cancellation point */
    malloc_stats();
    atomic_store(&returned, true);
    pthread_testcancel();
    return NULL;
}

int main(int argc, char **argv)
{
    if (!runs_on(argc > 1 ? argv[1] : NULL))
        return 1;
    pthread_t thread;
    void *result;
    check(pthread_create(&thread, NULL, print_statistics, NULL) == 0);
    check(pthread_join(thread, &result) == 0);
    if (!atomic_load(&returned)) {
        fprintf(stderr, "FAILED: the thread was cancelled inside malloc_stats\n");
        return 1;
    }
    if (result != PTHREAD_CANCELED) {
        fprintf(stderr, "FAILED: the thread was not cancelled after malloc_stats\n");
        return 1;
    }
    /* the allocator still works for the threads left */
    void *p = malloc(100);
    check(p != NULL);
    free(p);
    malloc_stats();
    printf("ok: malloc_stats returned with a cancellation pending\n");
    return 0;
}
