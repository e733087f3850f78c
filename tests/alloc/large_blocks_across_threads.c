/*
 * large_blocks_across_threads.c - large blocks (pages of their own, or
 * above the mmap threshold mapped, cached, moved and unmapped on their own)
 * passed between threads: each thread allocates them (some aligned, some
 * zeroed), grows and shrinks other threads' blocks with realloc, hands them
 * to the others and frees theirs.  Every block keeps its contents and every
 * usable byte is writable; afterwards the statistics show every block freed.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#include "stats_util.h"

enum { WORKERS = 4, SLOTS = 64, ROUNDS = 1500 };

/* Each block starts with its size and seed; both ends carry the pattern. */
struct large {
    size_t size;
    uint64_t seed;
};

static _Atomic(struct large *) slots[SLOTS];

static void large_check(const struct large *b)
{
    check(edges_ok(b + 1, b->size - sizeof *b, b->seed));
}

static void large_fill(struct large *b, size_t n, uint64_t seed)
{
    size_t usable = mmkit_usable_size(b);
    check(usable >= n);
    memset((unsigned char *)b + n, 0x5c, usable - n);
    b->size = n;
    b->seed = seed;
    edges_fill(b + 1, n - sizeof *b, seed);
}

static void large_free(struct large *b)
{
    if (b) {
        large_check(b);
        mmkit_free(b);
    }
}

/* Half of them with pages of their own inside segments (128 KiB to 1 MiB),
 * half mapped on their own (above 1 MiB). */
static size_t large_size(uint64_t *rng)
{
    if (rng_below(rng, 2))
        return 128 * KiB + rng_below(rng, 896 * KiB);
    return 1 * MiB + 1 + rng_below(rng, 7 * MiB);
}

static void *worker(void *arg)
{
    uint64_t rng = (uintptr_t)arg;
    for (long r = 0; r < ROUNDS; r++) {
        size_t s = rng_below(&rng, SLOTS), roll = rng_below(&rng, 10);
        if (roll < 5) {
            size_t n = large_size(&rng);
            size_t align = (size_t)4096 << rng_below(&rng, 10);
            struct large *b = roll == 0   ? mmkit_aligned_alloc(align, n)
                              : roll == 1 ? mmkit_calloc(1, n)
                                          : mmkit_malloc(n);
            check(b != NULL);
            if (roll == 0)
                check(is_aligned(b, align));
            if (roll == 1)
                check(all_zero(b, 4096) && all_zero((unsigned char *)b + n - 4096, 4096));
            large_fill(b, n, rng);
            large_free(atomic_exchange(&slots[s], b));
        } else if (roll < 8) {
            struct large *b = atomic_exchange(&slots[s], NULL);
            if (!b)
                continue;
            large_check(b);
            size_t old = b->size, n = large_size(&rng);
            unsigned char head[EDGE_BYTES];
            memcpy(head, b + 1, EDGE_BYTES);
            b = mmkit_realloc(b, n);
            check(b != NULL);
            check(b->size == old);
            check(memcmp(head, b + 1, EDGE_BYTES) == 0);
            large_fill(b, n, rng);
            large_free(atomic_exchange(&slots[s], b));
        } else {
            large_free(atomic_exchange(&slots[s], NULL));
        }
    }
    return NULL;
}

static void large_blocks_pass_between_threads(void **state)
{
    pthread_t t[WORKERS];
    for (uintptr_t i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(i + 1)), 0);
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (size_t s = 0; s < SLOTS; s++)
        large_free(atomic_exchange(&slots[s], NULL));
    assert_all_blocks_freed("after the threads finished");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(large_blocks_pass_between_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
