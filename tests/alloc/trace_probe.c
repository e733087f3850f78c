/*
 * trace_probe.c - writes an allocation trace to the file named by its
 * argument with the writer itself: the calls of trace_calls.h, from two
 * threads, one after the other.  Prints on stdout, one JSON object a line,
 * the records `mmkit trace --dump --json` must then show (all but the
 * time).
 */
#include "test_util.h"

#include <inttypes.h>
#include <pthread.h>

#include "trace_calls.h"

#define THREADS 2
#define CALLS 25

static void *make_calls(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;
    for (unsigned i = 0; i < CALLS; i++) {
        struct mmkit_alloc_record r = trace_call(t, i, true);
        printf("{\"thread\": %u, \"tid\": %d, \"op\": \"%s\", \"address\": %" PRIu64
               ", \"size\": %" PRIu64 ", \"alignment\": %" PRIu64 ", \"old_address\": %" PRIu64
               "}\n",
               t, (int)gettid(), mmkit_alloc_op_name(r.op), r.address, r.size, r.alignment,
               r.old_address);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: trace_probe FILE\n");
        return 2;
    }
    if (!trace_start(argv[1]))
        return 1;
    for (unsigned t = 0; t < THREADS; t++) {
        pthread_t thread;
        pthread_create(&thread, NULL, make_calls, (void *)(uintptr_t)t);
        pthread_join(thread, NULL);
    }
    return 0; /* the trace is written at exit */
}
