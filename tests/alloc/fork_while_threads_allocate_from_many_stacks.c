/*
 * fork_while_threads_allocate_from_many_stacks.c - a process forks again
 * and again while threads allocate small blocks and huge ones (above
 * 1 MiB), each from one of thousands of distinct call stacks: before each
 * allocation a thread recurses to a random depth through two functions
 * chosen by the bits of a random number, so the modes that record stacks
 * (debug's stack depot) keep adding new ones while the process forks.
 * Each child allocates and frees a little, small and huge, and _exits 0.
 * Nothing may be reported, and nothing may hang.
 *
 * The run happens in a child that must end within CHILD_SECONDS.  argv[1]
 * names the allocator it must run on (see runs_on.h).
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#include "bounded_run.h"
#include "runs_on.h"

/* -DRUN_SECONDS=60 -DCHILD_SECONDS=90 make a longer soak of it */
#ifndef RUN_SECONDS
#define RUN_SECONDS 3
#endif
#ifndef CHILD_SECONDS
#define CHILD_SECONDS 10
#endif
#define THREADS 4
#define LIVE 32
#define MAX_DEPTH 24

static atomic_bool stop;
static atomic_long allocations;

typedef struct walk {
    uint64_t path; /* which function each level calls */
    int depth;     /* levels left */
    size_t size;
    unsigned char *block;
} walk;

static void left(walk *w);
static void right(walk *w);

/* Not inlined, and not tail calls: each level is a frame of its own. */
static __attribute__((noinline)) void step(walk *w)
{
    if (w->depth-- == 0) {
        w->block = malloc(w->size);
        return;
    }
    if (w->path & 1) {
        w->path >>= 1;
        left(w);
    } else {
        w->path >>= 1;
        right(w);
    }
    __asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void left(walk *w)
{
    step(w);
    __asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void right(walk *w)
{
    step(w);
    __asm__ volatile("" ::: "memory");
}

static unsigned char *allocate_from_a_new_stack(uint64_t *rng, size_t size)
{
    walk w = {.path = rng_next(rng), .depth = (int)rng_below(rng, MAX_DEPTH + 1), .size = size};
    step(&w);
    check(w.block != NULL);
    return w.block;
}

static size_t block_size(uint64_t *rng)
{
    if (rng_below(rng, 20) == 0)
        return 1 * MiB + 1 + rng_below(rng, 256 * KiB); /* huge */
    return 1 + rng_below(rng, 4000);
}

static void *allocator_thread(void *arg)
{
    uint64_t rng = (uintptr_t)arg * 7919;
    unsigned char *live[LIVE] = {0};
    size_t lens[LIVE] = {0};
    while (!atomic_load(&stop)) {
        size_t i = rng_below(&rng, LIVE);
        if (live[i]) {
            check(edges_ok(live[i], lens[i], i));
            free(live[i]);
        }
        lens[i] = block_size(&rng);
        live[i] = allocate_from_a_new_stack(&rng, lens[i]);
        edges_fill(live[i], lens[i], i);
        atomic_fetch_add(&allocations, 1);
    }
    for (size_t i = 0; i < LIVE; i++) {
        if (live[i])
            check(edges_ok(live[i], lens[i], i));
        free(live[i]);
    }
    return NULL;
}

static void child(uint64_t seed)
{
    uint64_t rng = seed;
    for (int i = 0; i < 20; i++) {
        size_t n = block_size(&rng);
        unsigned char *p = allocate_from_a_new_stack(&rng, n);
        edges_fill(p, n, n);
        check(edges_ok(p, n, n));
        free(p);
    }
    unsigned char *huge = malloc(2 * MiB);
    check(huge != NULL);
    edges_fill(huge, 2 * MiB, 1);
    free(huge);
    _exit(0);
}

static void run(void *arg)
{
    pthread_t threads[THREADS];
    for (uintptr_t t = 0; t < THREADS; t++)
        check(pthread_create(&threads[t], NULL, allocator_thread, (void *)(t + 1)) == 0);
    long forks = 0;
    double start = bounded_now();
    while (bounded_now() - start < RUN_SECONDS) {
        pid_t pid = fork();
        check(pid >= 0);
        if (pid == 0)
            child((uint64_t)forks + 1);
        if (!child_exited_0(pid, "a child"))
            exit(1);
        forks++;
    }
    atomic_store(&stop, true);
    for (int t = 0; t < THREADS; t++)
        check(pthread_join(threads[t], NULL) == 0);
    printf("%ld forks while %d threads made %ld allocations\n", forks, THREADS,
           atomic_load(&allocations));
}

int main(int argc, char **argv)
{
    if (!runs_on(argc > 1 ? argv[1] : NULL))
        return 1;
    static bounded_result r;
    bounded_run(run, NULL, CHILD_SECONDS, &r);
    if (!bounded_clean(&r, "fork while threads allocate small and huge blocks from many stacks"))
        return 1;
    printf("ok: every child exited 0, nothing reported (%.1f s)\n", r.seconds);
    return 0;
}
