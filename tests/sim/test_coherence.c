/* test_coherence.c - two CPUs keeping their caches coherent: the
 * textbook's sequences of MESI, MOESI and MSI states, false sharing, and
 * each CPU's own TLB.
 * Process P runs on CPU P; under base-and-bounds with base 0 both
 * processes' address X is the same physical line. */
#include "sim_test.h"

#define X 0x1000

static struct sim_machine *two_cpus(const char *protocol)
{
    struct sim_config config;
    sim_config_default(&config);
    const char *const settings[] = {"translation", "base-bounds", "bounds", "1M", "cpus", "2",
                                    "coherence", protocol, "cache", "L1d 32K 8 64",
                                    "cache", "L2 256K 8 64", NULL};
    for (const char *const *s = settings; *s; s += 2)
        assert_int_equal(sim_config_set(&config, s[0], s[1], NULL), SIM_OK);
    struct sim_machine *machine;
    struct sim_diag diag = {0};
    if (sim_machine_create(&machine, &config, 2, &diag) != SIM_OK)
        fail_msg("%s", diag.message);
    return machine;
}

/* One access; then the line's state in CPU 0 and CPU 1, as "ES". */
static const char *step(struct sim_machine *machine, unsigned pid, unsigned kind)
{
    static char states[3];
    struct sim_record r = {.addr = X, .size = 8, .pid = (uint16_t)pid, .kind = (uint8_t)kind};
    assert_int_equal(sim_machine_run(machine, &r, 1), SIM_OK);
    states[0] = sim_machine_line_state(machine, 0, X);
    states[1] = sim_machine_line_state(machine, 1, X);
    return states;
}

/* P0 reads X: exclusive, no one else has it.  P1 reads: both shared (P0's
 * copy answers the snoop: an intervention).  P0 writes: an upgrade that
 * invalidates P1's copy.  P1 reads: P0 supplies the modified line (a
 * transfer) and writes it to memory; both shared.  P1 writes: P0's copy
 * goes. */
static void mesi_follows_the_textbook(void **state)
{
    (void)state;
    struct sim_machine *m = two_cpus("mesi");
    assert_string_equal(step(m, 0, SIM_LOAD), "EI");
    assert_string_equal(step(m, 1, SIM_LOAD), "SS");
    assert_string_equal(step(m, 0, SIM_STORE), "MI");
    assert_string_equal(step(m, 1, SIM_LOAD), "SS");
    assert_string_equal(step(m, 1, SIM_STORE), "IM");
    struct sim_coherence_stats c;
    sim_machine_coherence(m, &c);
    assert_int_equal(c.upgrades, 2);
    assert_int_equal(c.invalidations, 2);
    assert_int_equal(c.transfers, 1);
    assert_int_equal(c.interventions, 2); /* the E copy, then the M copy */
    sim_machine_destroy(m);
}

/* MOESI: P1's read of the line P0 modified leaves P0 its owner (no write
 * to memory); P0 writes again: an upgrade, and P1's copy goes. */
static void moesi_keeps_an_owner(void **state)
{
    (void)state;
    struct sim_machine *m = two_cpus("moesi");
    assert_string_equal(step(m, 0, SIM_STORE), "MI");
    uint64_t memory_before = sim_machine_memory_accesses(m);
    assert_string_equal(step(m, 1, SIM_LOAD), "OS");
    assert_int_equal(sim_machine_memory_accesses(m), memory_before); /* P0 supplied it */
    assert_string_equal(step(m, 0, SIM_STORE), "MI");
    /* Under MESI the same read writes the line back to memory. */
    struct sim_machine *mesi = two_cpus("mesi");
    step(mesi, 0, SIM_STORE);
    memory_before = sim_machine_memory_accesses(mesi);
    assert_string_equal(step(mesi, 1, SIM_LOAD), "SS");
    assert_int_equal(sim_machine_memory_accesses(mesi), memory_before + 1);
    sim_machine_destroy(mesi);
    sim_machine_destroy(m);
}

/* MSI has no exclusive state: a lone reader holds the line shared, and its
 * write needs an upgrade on the bus. */
static void msi_reads_shared_and_upgrades_to_write(void **state)
{
    (void)state;
    struct sim_machine *m = two_cpus("msi");
    assert_string_equal(step(m, 0, SIM_LOAD), "SI");
    assert_string_equal(step(m, 0, SIM_STORE), "MI");
    struct sim_coherence_stats c;
    sim_machine_coherence(m, &c);
    assert_int_equal(c.upgrades, 1);
    sim_machine_destroy(m);
    struct sim_machine *mesi = two_cpus("mesi");
    assert_string_equal(step(mesi, 0, SIM_LOAD), "EI");
    assert_string_equal(step(mesi, 0, SIM_STORE), "MI");
    sim_machine_coherence(mesi, &c);
    assert_int_equal(c.upgrades, 0); /* exclusive: no bus */
    sim_machine_destroy(mesi);
}

/* Two processes under paging share a segment and write, in turn, 10 times
 * each, to two words of one line (false sharing): every write after the
 * first misses, its line taken away by the other CPU's write.  With the
 * words a line apart only the first write of each misses. */
static struct sim_cache_stats ping_pong(uint64_t second_word, struct sim_coherence_stats *c)
{
    struct sim_config config;
    sim_config_default(&config);
    const char *const settings[] = {"cpus", "2", "segment", "shm 0x10000 4K rw shared=1",
                                    "cache", "L1d 32K 8 64", "cache", "L2 256K 8 64",
                                    "tlb-entries", "0", NULL};
    for (const char *const *s = settings; *s; s += 2)
        assert_int_equal(sim_config_set(&config, s[0], s[1], NULL), SIM_OK);
    struct sim_record records[20];
    for (unsigned i = 0; i < 20; i++)
        records[i] = (struct sim_record){.addr = 0x10000 + (i % 2 ? second_word : 0), .size = 8,
                                         .pid = (uint16_t)(i % 2), .kind = SIM_STORE};
    struct sim_workload workload = {.records = records, .count = 20, .processes = 2};
    struct sim_machine *m = NULL;
    assert_int_equal(sim_run_workload(&m, &config, &workload, NULL, NULL), SIM_OK);
    struct sim_cache_stats level[3];
    assert_int_equal(sim_machine_caches(m, level, 3), 3);
    assert_string_equal(level[0].name, "L1d cpu0");
    assert_string_equal(level[1].name, "L1d cpu1");
    assert_string_equal(level[2].name, "L2");
    sim_machine_coherence(m, c);
    /* the two CPUs' L1d, counting only the references (no TLB: each
     * reference walks the table, whose reads are the rest) */
    struct sim_stats stats;
    sim_machine_stats(m, -1, &stats);
    struct sim_cache_stats both = {.accesses = level[0].accesses + level[1].accesses -
                                               stats.walk_accesses,
                                   .misses = level[0].misses + level[1].misses};
    sim_machine_destroy(m);
    return both;
}

static void false_sharing_shows_as_misses(void **state)
{
    (void)state;
    struct sim_coherence_stats c;
    struct sim_cache_stats shared = ping_pong(8, &c);
    assert_int_equal(shared.accesses, 20);
    assert_int_equal(c.invalidations, 19);
    assert_int_equal(c.transfers, 19);
    struct sim_cache_stats apart = ping_pong(64, &c);
    assert_int_equal(apart.accesses, 20);
    assert_int_equal(c.invalidations, 0);
    assert_true(shared.misses >= apart.misses + 18);
}

/* Each CPU runs its processes with its own TLB: two processes that take
 * turns on two CPUs never switch, and (flushing TLBs on a switch) keep
 * their translations; on one CPU every turn is a switch and a flush. */
static void each_cpu_has_its_own_tlb_and_running_process(void **state)
{
    (void)state;
    struct sim_record records[8];
    for (unsigned i = 0; i < 8; i++)
        records[i] = (struct sim_record){.addr = 0x5000, .size = 4, .pid = (uint16_t)(i % 2),
                                         .kind = SIM_LOAD};
    struct sim_config config;
    sim_config_default(&config);
    assert_int_equal(sim_config_set(&config, "tlb-switch", "flush", NULL), SIM_OK);
    assert_int_equal(sim_config_set(&config, "cpus", "2", NULL), SIM_OK);
    struct sim_stats two = test_run_records(&config, records, 8, 2);
    assert_int_equal(two.context_switches, 0);
    assert_int_equal(two.tlb_misses, 2); /* each process's first reference */
    assert_int_equal(sim_config_set(&config, "cpus", "1", NULL), SIM_OK);
    struct sim_stats one = test_run_records(&config, records, 8, 2);
    assert_int_equal(one.context_switches, 7);
    assert_int_equal(one.tlb_misses, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mesi_follows_the_textbook),
        cmocka_unit_test(moesi_keeps_an_owner),
        cmocka_unit_test(msi_reads_shared_and_upgrades_to_write),
        cmocka_unit_test(false_sharing_shows_as_misses),
        cmocka_unit_test(each_cpu_has_its_own_tlb_and_running_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
