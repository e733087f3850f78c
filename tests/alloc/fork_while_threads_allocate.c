/*
 * fork_while_threads_allocate.c - a process forks again and again while
 * three threads allocate and free and short-lived threads come and go; each
 * child allocates and frees freely (also from a thread of its own), frees a
 * block the forking thread made and one a thread it did not inherit made,
 * and exits 0.  A child that hangs is killed by its alarm, which the
 * parent reports as a failure.
 *
 * Runs on whatever malloc the program gets: linked with libmmkit or with
 * libmmkit.so preloaded.  With --expect-mmkit it first checks that malloc is
 * libmmkit's.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "bounded_run.h"

#define FORKS 100
#define BUSY_THREADS 3

static atomic_bool stop;

static void churn(uint64_t seed, long rounds)
{
    enum { LIVE = 64 };
    unsigned char *live[LIVE] = {0};
    size_t lens[LIVE] = {0};
    uint64_t rng = seed;
    for (long r = 0; rounds < 0 ? !atomic_load(&stop) : r < rounds; r++) {
        size_t i = rng_below(&rng, LIVE);
        if (live[i]) {
            check(edges_ok(live[i], lens[i], i + seed));
            free(live[i]);
        }
        lens[i] = rng_block_size(&rng, 1 * MiB);
        live[i] = malloc(lens[i]);
        check(live[i] != NULL);
        edges_fill(live[i], lens[i], i + seed);
    }
    for (size_t i = 0; i < LIVE; i++) {
        if (live[i])
            check(edges_ok(live[i], lens[i], i + seed));
        free(live[i]);
    }
}

/* Blocks the busy threads make, taken by the forking thread for its child:
 * the child frees blocks of heaps whose threads it did not inherit. */
#define HANDOFF_SIZE 3000
#define HANDOFF_SEED 99
static _Atomic(unsigned char *) handoff;

static void *busy(void *arg)
{
    for (uint64_t seed = (uintptr_t)arg * 1000; !atomic_load(&stop); seed++) {
        churn(seed, 300);
        unsigned char *mine = malloc(HANDOFF_SIZE);
        check(mine != NULL);
        pattern_fill(mine, HANDOFF_SIZE, HANDOFF_SEED);
        unsigned char *old = atomic_exchange(&handoff, mine);
        if (old)
            check(pattern_ok(old, HANDOFF_SIZE, HANDOFF_SEED));
        free(old);
    }
    return NULL;
}

static void *short_lived(void *arg)
{
    churn((uint64_t)(uintptr_t)arg, 200);
    /* exits with a live block, freed by the thread that joins it */
    void *left = malloc(777);
    check(left != NULL);
    return left;
}

/* Threads that come and go while the process forks. */
static void *spawner(void *arg)
{
    for (uintptr_t n = 0; !atomic_load(&stop); n++) {
        pthread_t t;
        void *left;
        check(pthread_create(&t, NULL, short_lived, (void *)n) == 0);
        check(pthread_join(t, &left) == 0);
        free(left);
    }
    return NULL;
}

static void *child_thread(void *arg)
{
    churn(4242, 2000);
    return NULL;
}

static void child(unsigned char *from_parent, size_t n, uint64_t seed, unsigned char *theirs)
{
    alarm(20);
    check(edges_ok(from_parent, n, seed));
    free(from_parent);
    if (theirs) {
        check(pattern_ok(theirs, HANDOFF_SIZE, HANDOFF_SEED));
        free(theirs);
    }
    churn(seed, 3000);
    pthread_t t;
    check(pthread_create(&t, NULL, child_thread, NULL) == 0);
    churn(seed + 1, 3000);
    check(pthread_join(t, NULL) == 0);
    exit(0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--expect-mmkit") && !malloc_is_mmkit()) {
        fprintf(stderr, "malloc is not libmmkit's\n");
        return 1;
    }
    pthread_t threads[BUSY_THREADS], spawning;
    for (uintptr_t t = 0; t < BUSY_THREADS; t++)
        check(pthread_create(&threads[t], NULL, busy, (void *)(t + 1)) == 0);
    check(pthread_create(&spawning, NULL, spawner, NULL) == 0);

    int failed = 0;
    for (int f = 0; f < FORKS; f++) {
        size_t n = f % 4 == 0 ? 2 * MiB : (size_t)f * 100 + 1;
        unsigned char *block = malloc(n);
        check(block != NULL);
        edges_fill(block, n, (uint64_t)f);
        unsigned char *theirs = atomic_exchange(&handoff, NULL);
        fflush(stdout);
        pid_t pid = fork();
        check(pid >= 0);
        if (pid == 0)
            child(block, n, (uint64_t)f, theirs);
        char who[32];
        snprintf(who, sizeof who, "fork %d: the child", f);
        if (!child_exited_0(pid, who))
            failed++;
        check(edges_ok(block, n, (uint64_t)f));
        free(block);
        if (theirs)
            check(pattern_ok(theirs, HANDOFF_SIZE, HANDOFF_SEED));
        free(theirs);
    }
    atomic_store(&stop, true);
    for (int t = 0; t < BUSY_THREADS; t++)
        check(pthread_join(threads[t], NULL) == 0);
    check(pthread_join(spawning, NULL) == 0);
    free(atomic_exchange(&handoff, NULL));
    if (failed) {
        fprintf(stderr, "%d of %d children failed\n", failed, FORKS);
        return 1;
    }
    printf("ok: %d children allocated, freed and exited 0\n", FORKS);
    return 0;
}
