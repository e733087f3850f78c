/*
 * larson_server - the Larson & Krishnan server simulation.
 *
 * Each worker thread owns a set of live blocks and replaces them at random,
 * like a server thread serving requests.  When its shift ends the thread
 * starts its successor, hands it the set and exits - so most blocks are
 * freed by a thread other than the one that allocated them, while that
 * thread is exiting or after it has gone.  An allocator whose per-thread
 * heaps cannot take back blocks from threads that exited either leaks or
 * slows down here, and one that races with thread exit may crash.
 */
#include "bench_util.h"

enum {
    WORKERS = 4,
    SHIFTS = 40,
    SLOTS_PER_WORKER = 2000,
    REPLACEMENTS_PER_SHIFT = 300000,
    MIN_SIZE = 8,
    MAX_SIZE = 1000,
};

/* What one worker hands to the next: the blocks, and the random state that
 * decides what happens to them, so that the results never depend on which
 * thread ran when. */
struct worker_set {
    struct tagged_slot slots[SLOTS_PER_WORKER];
    uint64_t rng;
    uint64_t digest;
    size_t replacements;
    size_t shifts_left;
};

/* How many sets have worked all their shifts; main waits for all. */
static pthread_mutex_t finished_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_finished = PTHREAD_COND_INITIALIZER;
static size_t sets_finished;

static void *work_one_shift(void *arg);

/* Detached: nobody joins a worker, its successor just takes over its set. */
static void start_shift(struct worker_set *set)
{
    pthread_attr_t attributes;
    pthread_t thread;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attributes, work_one_shift, set) != 0)
        bench_fail("cannot create a worker thread");
    pthread_attr_destroy(&attributes);
}

static void *work_one_shift(void *arg)
{
    struct worker_set *set = arg;
    for (size_t i = 0; i < set->replacements; i++) {
        struct tagged_slot *slot = &set->slots[rng_below(&set->rng, SLOTS_PER_WORKER)];
        slot_empty(slot, &set->digest);
        size_t size = MIN_SIZE + rng_below(&set->rng, MAX_SIZE - MIN_SIZE + 1);
        slot_fill(slot, size, &set->rng);
    }
    if (--set->shifts_left > 0) {
        start_shift(set);
        return NULL;
    }
    pthread_mutex_lock(&finished_lock);
    sets_finished++;
    pthread_cond_signal(&all_finished);
    pthread_mutex_unlock(&finished_lock);
    return NULL;
}

int main(int argc, char **argv)
{
    size_t replacements = bench_scaled(REPLACEMENTS_PER_SHIFT, bench_scale(argc, argv));
    struct worker_set *sets = bench_malloc(WORKERS * sizeof *sets);
    for (size_t w = 0; w < WORKERS; w++) {
        sets[w] = (struct worker_set){
            .rng = w + 1, .replacements = replacements, .shifts_left = SHIFTS};
        for (size_t s = 0; s < SLOTS_PER_WORKER; s++)
            slot_fill(&sets[w].slots[s], MIN_SIZE + rng_below(&sets[w].rng, MAX_SIZE),
                      &sets[w].rng);
    }

    /* The first shift frees the main thread's blocks, each later one its
     * predecessor's. */
    for (size_t w = 0; w < WORKERS; w++)
        start_shift(&sets[w]);
    pthread_mutex_lock(&finished_lock);
    while (sets_finished < WORKERS)
        pthread_cond_wait(&all_finished, &finished_lock);
    pthread_mutex_unlock(&finished_lock);

    uint64_t digest = 0;
    for (size_t w = 0; w < WORKERS; w++) {
        for (size_t s = 0; s < SLOTS_PER_WORKER; s++)
            slot_empty(&sets[w].slots[s], &sets[w].digest);
        digest += sets[w].digest;
    }
    free(sets);
    bench_report(digest);
    return 0;
}
