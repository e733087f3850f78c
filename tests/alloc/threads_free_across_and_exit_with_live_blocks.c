/*
 * threads_free_across_and_exit_with_live_blocks.c - waves of threads
 * allocate, hand blocks to each other through shared slots, free each
 * other's blocks, grow them with realloc, and exit with blocks still live
 * for later threads and the main thread to check and free.  Every block
 * keeps its contents until freed; afterwards every block allocated has been
 * freed according to the statistics.  Meanwhile the main thread reads and
 * prints the statistics and trims.
 *
 * Usage: threads_free_across_and_exit_with_live_blocks [OPS_PER_THREAD]
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#include <mmkit/mmkit.h>

#define SLOTS 4096
#define THREADS 4
#define WAVES 6
#define LOCAL 64
#define LARGE (1 * MiB)

/* Each block starts with its size and seed; the rest carries the pattern. */
struct block {
    size_t size;
    uint64_t seed;
};

static _Atomic(struct block *) slots[SLOTS];
static atomic_uint_fast64_t next_seed = 1;

static struct block *block_new(uint64_t *rng)
{
    size_t n = rng_block_size(rng, LARGE);
    if (n < sizeof(struct block))
        n = sizeof(struct block);
    size_t align = rng_below(rng, 10) ? 16 : (size_t)16 << rng_below(rng, 13);
    struct block *b = align == 16 ? mmkit_malloc(n) : mmkit_aligned_alloc(align, n);
    check(b != NULL);
    check(is_aligned(b, align));
    check(mmkit_usable_size(b) >= n);
    b->size = n;
    b->seed = atomic_fetch_add(&next_seed, 2);
    edges_fill(b + 1, n - sizeof *b, b->seed);
    return b;
}

static void block_check(const struct block *b)
{
    size_t n = b->size - sizeof *b;
    if (edges_ok(b + 1, n, b->seed))
        return;
    size_t head = n < EDGE_BYTES ? n : EDGE_BYTES;
    fprintf(stderr, "block %p of %zu bytes (seed %llu) changed while live: first bad byte "
            "at %zu of the head, usable size %zu\n",
            (const void *)b, b->size, (unsigned long long)b->seed,
            pattern_mismatch(b + 1, head, b->seed) + sizeof *b, mmkit_usable_size(b));
    abort();
}

static void block_free(struct block *b)
{
    if (!b)
        return;
    block_check(b);
    mmkit_free(b);
}

static struct block *block_grow(struct block *b, uint64_t *rng)
{
    block_check(b);
    size_t old = b->size, n = old + rng_below(rng, 3 * old) + 1;
    unsigned char head[EDGE_BYTES];
    size_t keep = old - sizeof *b < EDGE_BYTES ? old - sizeof *b : EDGE_BYTES;
    memcpy(head, b + 1, keep);
    b = mmkit_realloc(b, n);
    check(b != NULL);
    check(b->size == old);
    check(memcmp(head, b + 1, keep) == 0);
    b->size = n;
    edges_fill(b + 1, n - sizeof *b, b->seed);
    return b;
}

struct worker {
    pthread_t tid;
    uint64_t rng;
    long ops;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct block *local[LOCAL] = {0};
    for (long op = 0; op < w->ops; op++) {
        size_t roll = rng_below(&w->rng, 100), s = rng_below(&w->rng, SLOTS);
        size_t l = rng_below(&w->rng, LOCAL);
        if (roll < 45) { /* publish a new block, free what was there */
            block_free(atomic_exchange(&slots[s], block_new(&w->rng)));
        } else if (roll < 75) { /* own blocks: replace one */
            block_free(local[l]);
            local[l] = block_new(&w->rng);
        } else if (roll < 92) { /* take someone's block and free it */
            block_free(atomic_exchange(&slots[s], NULL));
        } else { /* take someone's block, grow it, put it back */
            struct block *b = atomic_exchange(&slots[s], NULL);
            if (b)
                block_free(atomic_exchange(&slots[s], block_grow(b, &w->rng)));
        }
    }
    /* exit with live blocks: leave the own ones in the slots */
    for (size_t l = 0; l < LOCAL; l++)
        if (local[l])
            block_free(atomic_exchange(&slots[rng_below(&w->rng, SLOTS)], local[l]));
    return NULL;
}

int main(int argc, char **argv)
{
    long ops = argc > 1 ? atol(argv[1]) : 50000;
    uint64_t rng = 2024;
    static struct worker workers[THREADS];

    /* the main thread's blocks are freed by the workers */
    for (size_t s = 0; s < SLOTS; s += 2)
        atomic_store(&slots[s], block_new(&rng));

    for (int wave = 0; wave < WAVES; wave++) {
        for (int t = 0; t < THREADS; t++) {
            workers[t].rng = (uint64_t)wave * 1000 + (uint64_t)t + 1;
            workers[t].ops = ops;
            check(pthread_create(&workers[t].tid, NULL, worker_run, &workers[t]) == 0);
        }
        /* reading and printing statistics and trimming while threads run
         * are safe */
        mmkit_stats running;
        FILE *sink = fopen("/dev/null", "w");
        check(sink != NULL);
        for (int i = 0; i < 10; i++) {
            mmkit_stats_get(&running);
            mmkit_stats_print(sink);
            mmkit_stats_print_json(sink);
            (void)mmkit_trim(0);
        }
        fclose(sink);
        for (int t = 0; t < THREADS; t++)
            check(pthread_join(workers[t].tid, NULL) == 0);
        /* blocks of exited threads are still readable */
        for (size_t s = 0; s < SLOTS; s += 7) {
            struct block *b = atomic_exchange(&slots[s], NULL);
            if (b)
                block_check(b);
            atomic_store(&slots[s], b);
        }
    }

    size_t left = 0;
    for (size_t s = 0; s < SLOTS; s++) {
        struct block *b = atomic_exchange(&slots[s], NULL);
        left += b != NULL;
        block_free(b);
    }

    mmkit_stats st;
    mmkit_stats_get(&st);
    uint64_t allocs = st.large_allocs, frees = st.large_frees;
    for (size_t c = 0; c < st.class_count; c++) {
        const mmkit_class_stats *k = &st.classes[c];
        if (k->allocs != k->frees || k->live_bytes != 0)
            fprintf(stderr, "class %zu: %llu allocs, %llu frees, %llu live bytes\n",
                    k->block_size, (unsigned long long)k->allocs,
                    (unsigned long long)k->frees, (unsigned long long)k->live_bytes);
        check(k->allocs == k->frees);
        check(k->live_bytes == 0);
        allocs += k->allocs;
        frees += k->frees;
    }
    check(allocs == frees);
    check(st.large_allocs == st.large_frees);
    check(st.large_live_bytes == 0);
    check(allocs >= (uint64_t)WAVES * THREADS * (uint64_t)ops / 2);
    printf("ok: %llu blocks allocated and freed by %d threads, %zu left by exited threads, "
           "%llu heaps reclaimed\n",
           (unsigned long long)allocs, WAVES * THREADS, left,
           (unsigned long long)st.heaps_reclaimed);
    return 0;
}
