/*
 * trim_returns_memory_to_os.c - after a program frees a lot of small and
 * large blocks and trims, its resident set shrinks by most of what it freed.
 *
 * Built like standard_calls_conform.c (see alloc_calls.h); the trim call is
 * mmkit_trim or malloc_trim.
 */
#include "test_util.h"

#include <pthread.h>
#include <sys/mman.h>

#include "alloc_calls.h"

#define SMALL_TOTAL (96 * MiB)
#define LARGE_BLOCK (4 * MiB)
#define LARGE_COUNT 16

/* The block table lives outside the allocator, so it does not count. */
struct block_table {
    void **blocks;
    size_t count, cap;
};

static void table_init(struct block_table *t, size_t cap)
{
    t->blocks = mmap(NULL, cap * sizeof(void *), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(t->blocks != MAP_FAILED);
    t->count = 0;
    t->cap = cap;
}

static void table_release(struct block_table *t)
{
    munmap(t->blocks, t->cap * sizeof(void *));
}

/* Fill a table with touched blocks: small ones of several classes adding up
 * to SMALL_TOTAL, then LARGE_COUNT blocks above the mmap threshold. */
static void allocate_and_touch(struct block_table *t)
{
    static const size_t small_sizes[] = {48, 256, 1000, 4000, 24000};
    size_t total = 0;
    for (size_t i = 0; total < SMALL_TOTAL; i++) {
        size_t n = small_sizes[i % 5];
        assert_true(t->count < t->cap);
        void *p = T_malloc(n);
        assert_non_null(p);
        memset(p, 0x77, n);
        t->blocks[t->count++] = p;
        total += n;
    }
    for (size_t i = 0; i < LARGE_COUNT; i++) {
        void *p = T_malloc(LARGE_BLOCK);
        assert_non_null(p);
        memset(p, 0x66, LARGE_BLOCK);
        t->blocks[t->count++] = p;
    }
}

static void free_all(struct block_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        T_free(t->blocks[i]);
    t->count = 0;
}

/* The resident set grew by at least most of what was touched, and after the
 * frees and `release` it shrank by at least three quarters of that growth. */
static void check_rss_drops(void (*release)(void))
{
    struct block_table t;
    table_init(&t, 1 << 20);
    size_t rss0 = rss_bytes();
    allocate_and_touch(&t);
    size_t rss1 = rss_bytes();
    size_t touched = SMALL_TOTAL + LARGE_COUNT * LARGE_BLOCK;
    assert_true(rss1 > rss0);
    assert_true(rss1 - rss0 >= touched * 9 / 10);
    free_all(&t);
    release();
    size_t rss2 = rss_bytes();
    print_message("rss: before %zu KiB, allocated %zu KiB, freed %zu KiB\n", rss0 / KiB,
                  rss1 / KiB, rss2 / KiB);
    assert_true(rss2 < rss1);
    assert_true(rss1 - rss2 >= (rss1 - rss0) * 3 / 4);
    table_release(&t);
}

static void trim_all(void)
{
    (void)T_trim(0);
}

static void rss_drops_after_free_and_trim(void **state)
{
    check_rss_drops(trim_all);
}

enum { FILLERS = 2 };

static void *fill_table(void *table)
{
    allocate_and_touch(table);
    return NULL;
}

static void *empty_table(void *table)
{
    free_all(table);
    return NULL;
}

static void run_threads(void *(*fn)(void *), struct block_table *tables)
{
    pthread_t t[FILLERS];
    for (int i = 0; i < FILLERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, fn, &tables[i]), 0);
    for (int i = 0; i < FILLERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
}

/* Blocks of threads that exited, freed by this one, and blocks of this
 * thread freed by threads that exited: trimming returns them all. */
static void rss_drops_after_frees_across_threads(void **state)
{
    static struct block_table tables[FILLERS];
    for (int way = 0; way < 2; way++) {
        for (int i = 0; i < FILLERS; i++)
            table_init(&tables[i], 1 << 20);
        size_t rss0 = rss_bytes();
        if (way == 0)
            run_threads(fill_table, tables);
        else
            for (int i = 0; i < FILLERS; i++)
                allocate_and_touch(&tables[i]);
        size_t rss1 = rss_bytes();
        if (way == 0)
            for (int i = 0; i < FILLERS; i++)
                free_all(&tables[i]);
        else
            run_threads(empty_table, tables);
        (void)T_trim(0);
        size_t rss2 = rss_bytes();
        print_message("%s: rss before %zu KiB, allocated %zu KiB, freed %zu KiB\n",
                      way ? "freed by exited threads" : "allocated by exited threads",
                      rss0 / KiB, rss1 / KiB, rss2 / KiB);
        assert_true(rss1 - rss0 >= FILLERS * (SMALL_TOTAL + LARGE_COUNT * LARGE_BLOCK) * 9 / 10);
        assert_true(rss2 < rss1);
        assert_true(rss1 - rss2 >= (rss1 - rss0) * 3 / 4);
        for (int i = 0; i < FILLERS; i++)
            table_release(&tables[i]);
    }
}

/* Trimming gives back only what is free: blocks still live keep their
 * contents, small ones sharing pages with freed blocks and large ones. */
static void trim_keeps_live_blocks(void **state)
{
    struct block_table t;
    table_init(&t, 1 << 20);
    allocate_and_touch(&t);
    for (size_t i = 0; i < t.count; i++) {
        size_t n = T_usable_size(t.blocks[i]);
        if (i % 50 == 0 || i + 4 >= t.count)
            pattern_fill(t.blocks[i], n < 4096 ? n : 4096, i);
        else {
            T_free(t.blocks[i]);
            t.blocks[i] = NULL;
        }
    }
    (void)T_trim(0);
    for (size_t i = 0; i < t.count; i++) {
        if (!t.blocks[i])
            continue;
        size_t n = T_usable_size(t.blocks[i]);
        assert_true(pattern_ok(t.blocks[i], n < 4096 ? n : 4096, i));
        T_free(t.blocks[i]);
    }
    table_release(&t);
}

#if MMKIT_PROMISE
static void nothing(void)
{
}

/* With purge_delay_ms=0 empty pages go back at once, without a trim. */
static void rss_drops_at_once_with_zero_purge_delay(void **state)
{
    long long old = mmkit_option_get("purge_delay_ms");
    assert_int_equal(mmkit_option_set("purge_delay_ms", 0), 0);
    check_rss_drops(nothing);
    trim_keeps_live_blocks(state);
    assert_int_equal(mmkit_option_set("purge_delay_ms", old), 0);
}

/* The statistics tell the same story: committed bytes fall, returned
 * bytes rise, and trim reports that it returned memory. */
static void trim_shows_in_statistics(void **state)
{
    /* a delay long enough that only the trim can give the pages back */
    long long old = mmkit_option_get("purge_delay_ms");
    assert_int_equal(mmkit_option_set("purge_delay_ms", 60000), 0);
    struct block_table t;
    table_init(&t, 1 << 20);
    allocate_and_touch(&t);
    mmkit_stats full, trimmed;
    mmkit_stats_get(&full);
    free_all(&t);
    (void)T_trim(0);
    mmkit_stats_get(&trimmed);
    assert_true(full.committed_bytes >= SMALL_TOTAL + LARGE_COUNT * LARGE_BLOCK);
    assert_true(full.committed_bytes - trimmed.committed_bytes >=
                (SMALL_TOTAL + LARGE_COUNT * LARGE_BLOCK) * 3 / 4);
    assert_true(trimmed.returned_bytes - full.returned_bytes >=
                (SMALL_TOTAL + LARGE_COUNT * LARGE_BLOCK) * 3 / 4);
    assert_true(trimmed.committed_bytes <= trimmed.mapped_bytes);
    assert_true(trimmed.peak_committed_bytes >= full.committed_bytes);

    /* trim says 1 exactly when it returned memory: right after freeing it
     * does, and a second trim finds nothing left */
    allocate_and_touch(&t);
    free_all(&t);
    mmkit_stats_get(&full);
    assert_int_equal(T_trim(0), 1);
    mmkit_stats_get(&trimmed);
    assert_true(trimmed.returned_bytes > full.returned_bytes);
    assert_int_equal(T_trim(0), 0);
    mmkit_stats_get(&full);
    assert_int_equal(full.returned_bytes, trimmed.returned_bytes);
    table_release(&t);
    assert_int_equal(mmkit_option_set("purge_delay_ms", old), 0);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rss_drops_after_free_and_trim),
        cmocka_unit_test(trim_keeps_live_blocks),
        cmocka_unit_test(rss_drops_after_frees_across_threads),
#if MMKIT_PROMISE
        cmocka_unit_test(trim_shows_in_statistics),
        cmocka_unit_test(rss_drops_at_once_with_zero_purge_delay),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
