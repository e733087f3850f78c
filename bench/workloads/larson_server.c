/*
 * larson_server - the Larson & Krishnan server simulation.
 *
 * Each worker thread owns a set of live blocks and replaces them at random,
 * like a server thread serving requests.  When its shift ends the thread
 * exits and a new thread takes over its set - so most blocks are freed by a
 * thread other than the one that allocated them, after that thread has
 * gone.  An allocator whose per-thread heaps cannot take back blocks from
 * threads that exited either leaks or slows down here.
 */
#include "bench_util.h"

enum {
    WORKERS = 4,
    SHIFTS = 40,
    SLOTS_PER_WORKER = 2000,
    REPLACEMENTS_PER_SHIFT = 150000,
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
};

static void *work_one_shift(void *arg)
{
    struct worker_set *set = arg;
    for (size_t i = 0; i < set->replacements; i++) {
        struct tagged_slot *slot = &set->slots[rng_below(&set->rng, SLOTS_PER_WORKER)];
        slot_empty(slot, &set->digest);
        size_t size = MIN_SIZE + rng_below(&set->rng, MAX_SIZE - MIN_SIZE + 1);
        slot_fill(slot, size, rng_next(&set->rng));
    }
    return NULL;
}

int main(int argc, char **argv)
{
    size_t replacements = bench_scaled(REPLACEMENTS_PER_SHIFT, bench_scale(argc, argv));
    struct worker_set *sets = bench_malloc(WORKERS * sizeof *sets);
    for (size_t w = 0; w < WORKERS; w++) {
        sets[w] = (struct worker_set){.rng = w + 1, .replacements = replacements};
        for (size_t s = 0; s < SLOTS_PER_WORKER; s++)
            slot_fill(&sets[w].slots[s], MIN_SIZE + rng_below(&sets[w].rng, MAX_SIZE),
                      rng_next(&sets[w].rng));
    }

    /* Every shift is a fresh generation of threads: the first frees the
     * main thread's blocks, each later one frees its predecessors'. */
    for (size_t shift = 0; shift < SHIFTS; shift++)
        bench_run_threads(WORKERS, work_one_shift, sets, sizeof *sets);

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
