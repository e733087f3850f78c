/* test_cache.c - caches on hand-worked sequences: each test's comment
 * works the sequence as one would on paper, and the counts must agree.
 * The machines translate by base-and-bounds with base 0, so a reference's
 * physical address is the address written. */
#include "sim_test.h"

#define MAX_CACHES 4

struct cache_run {
    unsigned count;
    struct sim_cache_stats level[MAX_CACHES];
    uint64_t memory_accesses;
};

/* Run records on caches given as machine-file lines. */
static struct cache_run run_records(const struct sim_record *records, size_t count,
                                    const char *const *caches)
{
    struct sim_config config;
    sim_config_default(&config);
    assert_int_equal(sim_config_set(&config, "translation", "base-bounds", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&config, "bounds", "1M", NULL), SIM_OK);
    for (; *caches; caches++) {
        struct sim_diag diag = {0};
        if (sim_config_set(&config, "cache", *caches, &diag) != SIM_OK)
            fail_msg("cache = %s: %s", *caches, diag.message);
    }
    struct sim_machine *machine;
    struct sim_diag diag = {0};
    if (sim_machine_create(&machine, &config, 1, &diag) != SIM_OK)
        fail_msg("machine: %s", diag.message);
    assert_int_equal(sim_machine_run(machine, records, count), SIM_OK);
    struct cache_run run = {0};
    run.count = sim_machine_caches(machine, run.level, MAX_CACHES);
    run.memory_accesses = sim_machine_memory_accesses(machine);
    sim_machine_destroy(machine);
    return run;
}

/* Run "0x0,0x40w,..." (w: a store) on caches given as machine-file lines. */
static struct cache_run run_caches(const char *refs, const char *const *caches)
{
    struct sim_record *records;
    size_t count;
    assert_int_equal(sim_refs_parse(refs, true, 4096, &records, &count, NULL), SIM_OK);
    struct cache_run run = run_records(records, count, caches);
    free(records);
    return run;
}

static void assert_counts(const struct sim_cache_stats *s, uint64_t accesses, uint64_t misses)
{
    assert_int_equal(s->accesses, accesses);
    assert_int_equal(s->misses, misses);
    assert_int_equal(s->hits, accesses - misses);
}

/* Direct-mapped, 4 sets of one 64-byte line: 0x000 and 0x100 both fall in
 * set 0 and take turns throwing each other out (conflict misses), though
 * the cache has room for both; 0x040 (set 1) misses once, then hits. */
static void direct_mapped_lines_of_one_set_conflict(void **state)
{
    (void)state;
    struct cache_run r = run_caches("0x000,0x100,0x000,0x100,0x040,0x040",
                                    (const char *[]){"L1d 256 1 64", NULL});
    assert_int_equal(r.count, 1);
    assert_counts(&r.level[0], 6, 5);
    assert_int_equal(r.memory_accesses, 5);
}

/* Two sets of two ways; A=0x000, B=0x080, C=0x100 share set 0.
 *   A B A C B A
 *   lru:  A miss, B miss, A hit, C miss (B least recent: out), B miss (A
 *         out), A miss: 5 misses.
 *   fifo: A, B miss; A hit; C miss (A came first: out); B hit; A miss (B
 *         out): 4 misses. */
static void two_way_set_evicts_by_its_policy(void **state)
{
    (void)state;
    const char *refs = "0x000,0x080,0x000,0x100,0x080,0x000";
    struct cache_run lru = run_caches(refs, (const char *[]){"L1d 256 2 64 lru", NULL});
    assert_counts(&lru.level[0], 6, 5);
    struct cache_run fifo = run_caches(refs, (const char *[]){"L1d 256 2 64 fifo", NULL});
    assert_counts(&fifo.level[0], 6, 4);
}

/* Fully associative, 4 lines: 5 lines in a loop, twice, is lru's worst
 * case (each is thrown out just before it comes back): 10 misses.  Four
 * lines in a loop only miss the first time. */
static void fully_associative_lru_loops(void **state)
{
    (void)state;
    const char *const caches[] = {"L1d 256 full 64 lru", NULL};
    struct cache_run five =
        run_caches("0,0x40,0x80,0xc0,0x100,0,0x40,0x80,0xc0,0x100", caches);
    assert_counts(&five.level[0], 10, 10);
    struct cache_run four = run_caches("0,0x40,0x80,0xc0,0,0x40,0x80,0xc0", caches);
    assert_counts(&four.level[0], 8, 4);
}

/* One set of four ways, A B C D A then E: true lru throws out B (least
 * recent); pseudo-lru's tree, after A was touched, points to the other
 * pair and there to C.  So C then misses under plru, hits under lru. */
static void pseudo_lru_follows_its_tree(void **state)
{
    (void)state;
    const char *refs = "0x000,0x040,0x080,0x0c0,0x000,0x100,0x080";
    struct cache_run lru = run_caches(refs, (const char *[]){"L1d 256 4 64 lru", NULL});
    assert_counts(&lru.level[0], 7, 5);
    struct cache_run plru = run_caches(refs, (const char *[]){"L1d 256 4 64 plru", NULL});
    assert_counts(&plru.level[0], 7, 6);
}

/* L1d: 2 sets of one line, write-back; L2 below.  A store to 0x000 fills
 * the line and dirties it; a load of 0x080 (set 0 too) evicts it: one
 * write-back, which L2 takes (it holds the line), so memory sees only the
 * two fills.  Write-through instead: the store passes below at once and
 * the eviction writes nothing. */
static void a_dirty_line_is_written_back_when_evicted(void **state)
{
    (void)state;
    struct cache_run wb = run_caches("0x000w,0x080", (const char *[]){"L1d 128 1 64 wb",
                                                                     "L2 1K 4 64", NULL});
    assert_int_equal(wb.level[0].write_backs, 1);
    assert_int_equal(wb.level[1].write_backs, 0);
    assert_counts(&wb.level[1], 2, 2);
    assert_int_equal(wb.memory_accesses, 2);
    struct cache_run wt = run_caches("0x000w,0x080", (const char *[]){"L1d 128 1 64 wt",
                                                                     "L2 1K 4 64", NULL});
    assert_int_equal(wt.level[0].write_backs, 0);
    assert_int_equal(wt.level[0].writes_through, 1);
    /* without L2, a write-back goes to memory */
    struct cache_run alone = run_caches("0x000w,0x080", (const char *[]){"L1d 128 1 64", NULL});
    assert_int_equal(alone.memory_accesses, 3);
}

/* A store that misses a no-write-allocate cache fills nothing: the load
 * of the same line after it misses too. */
static void no_write_allocate_store_fills_nothing(void **state)
{
    (void)state;
    struct cache_run nwa = run_caches("0x000w,0x000", (const char *[]){"L1d 256 2 64 nwa", NULL});
    assert_counts(&nwa.level[0], 2, 2);
    struct cache_run wa = run_caches("0x000w,0x000", (const char *[]){"L1d 256 2 64 wa", NULL});
    assert_counts(&wa.level[0], 2, 1);
}

/* L1d holds two lines (one set); L2 two sets of one line.  0x000 then
 * 0x080: both fit in L1d, but in L2 they share set 0, so 0x080 evicts
 * 0x000 from L2.  An inclusive L2 takes it out of L1d too (an inclusion
 * victim), so 0x000 misses again, and its fill evicts 0x080 from L2 and
 * so from L1d (a second victim).  A non-inclusive L2 leaves L1d alone:
 * 0x000 hits there. */
static void an_inclusive_level_takes_its_victims_from_above(void **state)
{
    (void)state;
    const char *refs = "0x000,0x080,0x000";
    struct cache_run inclusive = run_caches(
        refs, (const char *[]){"L1d 128 2 64", "L2 128 1 64 inclusive", NULL});
    assert_int_equal(inclusive.level[0].inclusion_victims, 2);
    assert_counts(&inclusive.level[0], 3, 3);
    struct cache_run nine =
        run_caches(refs, (const char *[]){"L1d 128 2 64", "L2 128 1 64 nine", NULL});
    assert_int_equal(nine.level[0].inclusion_victims, 0);
    assert_counts(&nine.level[0], 3, 2);
}

/* An access straddling two lines is one access, one miss (cachegrind's
 * count), and both lines are filled. */
static void a_straddling_access_is_one_access(void **state)
{
    (void)state;
    struct sim_config config;
    sim_config_default(&config);
    assert_int_equal(sim_config_load(&config, "cachegrind", NULL), SIM_OK);
    struct sim_record records[] = {
        {.addr = 0x1000 + 60, .size = 8, .kind = SIM_LOAD}, /* lines 0x1000 and 0x1040 */
        {.addr = 0x1040, .size = 8, .kind = SIM_LOAD},
    };
    struct sim_machine *machine;
    assert_int_equal(sim_machine_create(&machine, &config, 1, NULL), SIM_OK);
    assert_int_equal(sim_machine_run(machine, records, 2), SIM_OK);
    struct sim_cache_stats level[MAX_CACHES];
    assert_int_equal(sim_machine_caches(machine, level, MAX_CACHES), 3);
    assert_string_equal(level[1].name, "L1d");
    assert_counts(&level[1], 2, 1);
    assert_counts(&level[2], 2, 2); /* each missing line filled from L2 */
    sim_machine_destroy(machine);
}

/* Lru order is kept whichever way a line is found.  Two sets of two
 * ways; A=0x000, B=0x080, C=0x100 share set 0, D=0x0c0 is in set 1.
 * D, B, A fill; an access straddling B and D hits both; A hits; so B is
 * the least recent of set 0, and C evicts it, not A: A hits after. */
static void lru_order_holds_after_a_straddling_hit(void **state)
{
    (void)state;
    const uint64_t addrs[] = {0x0c0, 0x080, 0x000, 0x0bc, 0x000, 0x100, 0x000};
    struct sim_record records[7];
    for (unsigned i = 0; i < 7; i++)
        records[i] = (struct sim_record){.addr = addrs[i], .size = 8, .kind = SIM_LOAD};
    const char *caches[] = {"L1d 256 2 64 lru", NULL};
    struct cache_run run = run_records(records, 7, caches);
    assert_int_equal(run.count, 1);
    assert_counts(&run.level[0], 7, 4); /* D, B, A and C miss; A hits twice */
}

/* Caches are physically indexed and see the walk: under paging, each
 * reference's walk reads go through L1d, and with caches the effective
 * access time is what they took, not a memory access each. */
static void paging_walks_go_through_the_data_cache(void **state)
{
    (void)state;
    struct sim_config config;
    sim_config_default(&config);
    assert_int_equal(sim_config_set(&config, "tlb-entries", "0", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&config, "cache", "L1d 32K 8 64", NULL), SIM_OK);
    struct sim_record records[] = {{.addr = 0x1000, .size = 8, .kind = SIM_LOAD},
                                   {.addr = 0x1008, .size = 8, .kind = SIM_LOAD}};
    struct sim_machine *machine;
    assert_int_equal(sim_machine_create(&machine, &config, 1, NULL), SIM_OK);
    assert_int_equal(sim_machine_run(machine, records, 2), SIM_OK);
    struct sim_cache_stats level[MAX_CACHES];
    assert_int_equal(sim_machine_caches(machine, level, MAX_CACHES), 1);
    /* The first walk reads the empty root's entry (a miss) and stops: the
     * page faults, and the reference misses.  The second walk reads 4
     * entries: the root's again (a hit, the same line) and 3 in the tables
     * the fault made (misses); its reference is in the first's line (a
     * hit).  7 accesses, 5 misses, each 1 ns plus 100 ns for a miss. */
    assert_counts(&level[0], 7, 5);
    struct sim_stats stats;
    sim_machine_stats(machine, -1, &stats);
    assert_int_equal(stats.walk_accesses, 5);
    double expected = 7 * 1.0 + 5 * config.cost_memory_ns;
    assert_true(stats.cache_ns > expected - 1e-6 && stats.cache_ns < expected + 1e-6);
    sim_machine_destroy(machine);
}

/* Bad cache settings are refused, saying why. */
static void bad_caches_are_refused_with_the_reason(void **state)
{
    (void)state;
    static const struct {
        const char *const lines[3];
        const char *why;
    } cases[] = {
        {{"L1d 100 2 64", NULL}, "whole number of sets"},
        {{"L1d 256 2 48", NULL}, "power of two"},
        {{"L1d 384 3 64 plru", NULL}, "plru needs"},
        {{"L2i 1K 2 64", NULL}, "only level 1 is split"},
        {{"L1d 1K 2 64", "L3 4K 4 64"}, "no cache at level 2"},
        {{"L1 1K 2 64", "L1d 1K 2 64"}, "set already"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sim_config config;
        sim_config_default(&config);
        for (size_t j = 0; j < 2 && cases[i].lines[j]; j++)
            assert_int_equal(sim_config_set(&config, "cache", cases[i].lines[j], NULL), SIM_OK);
        struct sim_diag diag = {0};
        assert_int_equal(sim_config_finish(&config, &diag), SIM_ERR_CONFIG);
        if (!strstr(diag.message, cases[i].why))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, diag.message, cases[i].why);
    }
    struct sim_config config;
    sim_config_default(&config);
    struct sim_diag diag = {0};
    assert_int_equal(sim_config_set(&config, "cache", "L1d 32K eight 64", &diag), SIM_ERR_CONFIG);
    assert_non_null(strstr(diag.message, "NAME SIZE WAYS LINE"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(direct_mapped_lines_of_one_set_conflict),
        cmocka_unit_test(two_way_set_evicts_by_its_policy),
        cmocka_unit_test(fully_associative_lru_loops),
        cmocka_unit_test(pseudo_lru_follows_its_tree),
        cmocka_unit_test(a_dirty_line_is_written_back_when_evicted),
        cmocka_unit_test(no_write_allocate_store_fills_nothing),
        cmocka_unit_test(an_inclusive_level_takes_its_victims_from_above),
        cmocka_unit_test(a_straddling_access_is_one_access),
        cmocka_unit_test(lru_order_holds_after_a_straddling_hit),
        cmocka_unit_test(paging_walks_go_through_the_data_cache),
        cmocka_unit_test(bad_caches_are_refused_with_the_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
