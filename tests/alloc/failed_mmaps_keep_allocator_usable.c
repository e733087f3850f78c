/*
 * failed_mmaps_keep_allocator_usable.c - with inject_mmap_failure=N every
 * Nth mmap the allocator does fails.  Heavy allocation then sees some NULLs,
 * each with errno ENOMEM, never a crash; every block it did get keeps its
 * contents; a failed realloc keeps the old block; and with the option back
 * at 0 the allocator serves everything again.
 */
#include "test_util.h"

#include <pthread.h>

#include "stats_util.h"

#define TABLE 256
#define FAIL_EVERY 7

struct churn {
    uint64_t rng;
    long rounds;
    long nulls, got;
};

struct entry {
    unsigned char *p;
    size_t n;
    uint64_t seed;
};

static void entry_drop(struct entry *e)
{
    if (!e->p)
        return;
    check(edges_ok(e->p, e->n, e->seed));
    mmkit_free(e->p);
    e->p = NULL;
}

/* One allocation of a random kind and size; NULL must come with ENOMEM. */
static void churn_one(struct churn *c, struct entry *e)
{
    size_t n = rng_block_size(&c->rng, 1 * MiB) + 1; /* realloc(p, 0) would free */
    if (rng_below(&c->rng, 10) == 0)
        n = 1 * MiB + rng_below(&c->rng, 3 * MiB); /* an mmap of its own */
    unsigned kind = (unsigned)rng_below(&c->rng, 4);
    if (kind == 3 && e->p) {
        errno = 0;
        unsigned char *q = mmkit_realloc(e->p, n);
        if (!q) {
            check(errno == ENOMEM);
            c->nulls++;
            check(edges_ok(e->p, e->n, e->seed)); /* the old block is intact */
            return;
        }
        size_t kept = n < e->n ? n : e->n;
        check(pattern_ok(q, kept < EDGE_BYTES ? kept : EDGE_BYTES, e->seed));
        c->got++;
        e->p = q;
        e->n = n;
        edges_fill(q, n, e->seed);
        return;
    }
    entry_drop(e);
    errno = 0;
    unsigned char *p = kind == 0   ? mmkit_calloc(1, n)
                       : kind == 1 ? mmkit_aligned_alloc(4096, n)
                                   : mmkit_malloc(n);
    if (!p) {
        check(errno == ENOMEM);
        c->nulls++;
        return;
    }
    if (kind == 0)
        check(all_zero(p, n < 4096 ? n : 4096));
    c->got++;
    e->p = p;
    e->n = n;
    e->seed = c->rng;
    edges_fill(p, n, e->seed);
}

static void *churn_run(void *arg)
{
    struct churn *c = arg;
    static _Thread_local struct entry table[TABLE];
    for (long r = 0; r < c->rounds; r++) {
        churn_one(c, &table[rng_below(&c->rng, TABLE)]);
        if (r % 500 == 499)
            (void)mmkit_trim(0); /* give pages back so they must be mapped again */
    }
    for (size_t i = 0; i < TABLE; i++)
        entry_drop(&table[i]);
    return NULL;
}

/* With injection off again, everything succeeds. */
static void check_normal_service(void)
{
    enum { COUNT = 3000 };
    static struct entry blocks[COUNT];
    uint64_t rng = 5;
    for (size_t i = 0; i < COUNT; i++) {
        size_t n = i % 100 == 0 ? 2 * MiB : rng_block_size(&rng, 1 * MiB);
        blocks[i] = (struct entry){mmkit_malloc(n), n, i};
        assert_non_null(blocks[i].p);
        edges_fill(blocks[i].p, n, i);
    }
    for (size_t i = 0; i < COUNT; i++)
        entry_drop(&blocks[i]);
}

static void failures_in_one_thread(void **state)
{
    assert_int_equal(mmkit_option_set("inject_mmap_failure", FAIL_EVERY), 0);
    assert_int_equal(mmkit_option_get("inject_mmap_failure"), FAIL_EVERY);
    struct churn c = {.rng = 77, .rounds = 20000};
    churn_run(&c);
    assert_int_equal(mmkit_option_set("inject_mmap_failure", 0), 0);
    print_message("%ld allocations failed, %ld succeeded\n", c.nulls, c.got);
    assert_true(c.nulls > 0);
    assert_true(c.got > c.nulls);
    check_normal_service();
}

/* Any period of failures, from every mmap on: the same guarantees. */
static void failures_at_every_period(void **state)
{
    for (long every = 1; every <= 12; every++) {
        assert_int_equal(mmkit_option_set("inject_mmap_failure", every), 0);
        struct churn c = {.rng = 1000 + (uint64_t)every, .rounds = 3000};
        churn_run(&c);
        assert_int_equal(mmkit_option_set("inject_mmap_failure", 0), 0);
        print_message("every %ld: %ld allocations failed, %ld succeeded\n", every, c.nulls,
                      c.got);
        assert_true(c.nulls > 0);
        check_normal_service();
    }
}

/* Heaps made, filled and destroyed while mmaps fail. */
static void heaps_under_failures(void **state)
{
    long failed_heaps = 0, failed_blocks = 0;
    for (long every = 1; every <= 5; every++) {
        assert_int_equal(mmkit_option_set("inject_mmap_failure", every), 0);
        for (int round = 0; round < 40; round++) {
            errno = 0;
            mmkit_heap *h = mmkit_heap_new();
            if (!h) {
                assert_int_equal(errno, ENOMEM);
                failed_heaps++;
                continue;
            }
            for (size_t i = 0; i < 300; i++) {
                size_t n = i % 10 ? 16 + i * 40 : 1 * MiB + i;
                errno = 0;
                unsigned char *p = mmkit_heap_malloc(h, n);
                if (!p) {
                    assert_int_equal(errno, ENOMEM);
                    failed_blocks++;
                    continue;
                }
                edges_fill(p, n, i);
                assert_true(edges_ok(p, n, i));
                if (i % 3 == 0)
                    mmkit_free(p);
            }
            (void)mmkit_trim(0);
            mmkit_heap_destroy(h);
        }
    }
    assert_int_equal(mmkit_option_set("inject_mmap_failure", 0), 0);
    print_message("%ld heaps and %ld blocks failed\n", failed_heaps, failed_blocks);
    assert_true(failed_heaps + failed_blocks > 0);
    mmkit_heap *h = mmkit_heap_new();
    assert_non_null(h);
    assert_non_null(mmkit_heap_malloc(h, 2 * MiB));
    mmkit_heap_destroy(h);
    check_normal_service();
}

static void failures_in_many_threads(void **state)
{
    enum { THREADS = 4 };
    struct churn c[THREADS];
    pthread_t tid[THREADS];
    assert_int_equal(mmkit_option_set("inject_mmap_failure", FAIL_EVERY), 0);
    for (int t = 0; t < THREADS; t++) {
        c[t] = (struct churn){.rng = 100 + (uint64_t)t, .rounds = 8000};
        assert_int_equal(pthread_create(&tid[t], NULL, churn_run, &c[t]), 0);
    }
    long nulls = 0, got = 0;
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(tid[t], NULL), 0);
        nulls += c[t].nulls;
        got += c[t].got;
    }
    assert_int_equal(mmkit_option_set("inject_mmap_failure", 0), 0);
    print_message("%ld allocations failed, %ld succeeded\n", nulls, got);
    assert_true(nulls > 0);
    assert_true(got > nulls);
    check_normal_service();

    assert_all_blocks_freed("after the threads finished");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failures_in_one_thread),
        cmocka_unit_test(failures_at_every_period),
        cmocka_unit_test(heaps_under_failures),
        cmocka_unit_test(failures_in_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
