/*
 * threads_in_a_chain_free_predecessors_blocks.c - threads that run one
 * after another, each freeing every block its predecessor left and
 * allocating its own.  Each thread's heap adopts the pages of the exited
 * one; a page adopted while on its old heap's full queue once sent the
 * allocation slow path round in circles (the fifth thread never finished).
 * Checks that every thread finishes, every block keeps its contents until
 * freed, and the statistics balance at the end.
 */
#include "test_util.h"

#include <pthread.h>

#include "mmkit/mmkit.h"

enum { THREADS = 12, BLOCKS = 1000 };

static void *blocks[BLOCKS];
static size_t sizes[BLOCKS];
static uint64_t seeds[BLOCKS];

static void *successor(void *arg)
{
    uint64_t rng = (uint64_t)(uintptr_t)arg;
    for (size_t i = 0; i < BLOCKS; i++) {
        if (blocks[i]) {
            check(pattern_ok(blocks[i], sizes[i], seeds[i]));
            mmkit_free(blocks[i]);
        }
        sizes[i] = 16 + rng_below(&rng, i % 10 == 0 ? 4000 : 600);
        seeds[i] = rng_next(&rng);
        blocks[i] = mmkit_malloc(sizes[i]);
        check(blocks[i] != NULL);
        pattern_fill(blocks[i], sizes[i], seeds[i]);
    }
    return NULL;
}

int main(void)
{
    for (uintptr_t t = 1; t <= THREADS; t++) {
        pthread_t thread;
        check(pthread_create(&thread, NULL, successor, (void *)t) == 0);
        check(pthread_join(thread, NULL) == 0);
        /* Walk every page queue of this thread's heap, adopting the pages
         * the exited thread left: a queue left inconsistent shows here. */
        (void)mmkit_trim(0);
        successor((void *)(t + 100));
    }
    for (size_t i = 0; i < BLOCKS; i++) {
        check(pattern_ok(blocks[i], sizes[i], seeds[i]));
        mmkit_free(blocks[i]);
    }
    mmkit_stats st;
    mmkit_stats_get(&st);
    for (size_t c = 0; c < st.class_count; c++)
        check(st.classes[c].allocs == st.classes[c].frees);
    printf("ok: %d threads in a chain, %d blocks each\n", THREADS, BLOCKS);
    return 0;
}
