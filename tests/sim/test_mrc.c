/* test_mrc.c - the miss-ratio curves against the simulator: the exact LRU
 * and OPT curves equal one simulation per memory size, on textbook strings,
 * random traces and the bundled trace; the working set worked by hand;
 * SHARDS exact at rate 1 and within its error bound when sampling; the
 * curves streamed from traces equal those of the trace in memory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmkit/mrc.h"
#include "sim_test.h"

static const char standard_string[] = "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1";
static const char belady_string[] = "1,2,3,4,1,2,5,1,2,3,4,5";

static struct sim_workload refs_workload(const char *refs)
{
    struct sim_workload workload = {.processes = 1};
    assert_int_equal(sim_refs_parse(refs, false, 4096, &workload.records, &workload.count, NULL),
                     SIM_OK);
    return workload;
}

typedef int (*curve_fn)(struct sim_mrc *, const struct sim_config *, const struct sim_workload *,
                        struct sim_diag *);

static int opt_curve(struct sim_mrc *curve, const struct sim_config *config,
                     const struct sim_workload *workload, struct sim_diag *diag)
{
    return sim_mrc_opt(curve, config, workload, 0, diag);
}

/* The curve's faults at 1..count frames are expected[0..count). */
static void assert_curve(curve_fn fn, const char *refs, const uint64_t *expected, size_t count)
{
    struct sim_workload workload = refs_workload(refs);
    struct sim_config config = test_config("lru", 1);
    struct sim_mrc curve;
    assert_int_equal(fn(&curve, &config, &workload, NULL), SIM_OK);
    for (size_t f = 1; f <= count; f++)
        assert_int_equal((uint64_t)sim_mrc_faults(&curve, f), expected[f - 1]);
    sim_mrc_free(&curve);
    sim_workload_free(&workload);
}

static void belady_string_gives_the_textbook_lru_and_opt_faults_at_every_size(void **state)
{
    static const uint64_t lru[] = {12, 12, 10, 8, 5, 5}, opt[] = {12, 9, 7, 6, 5, 5};
    assert_curve(sim_mrc_lru, belady_string, lru, 6);
    assert_curve(opt_curve, belady_string, opt, 6);
}

static void standard_string_gives_the_textbook_lru_and_opt_faults_at_every_size(void **state)
{
    static const uint64_t lru[] = {20, 17, 12, 8, 7, 6, 6}, opt[] = {20, 13, 9, 8, 7, 6, 6};
    assert_curve(sim_mrc_lru, standard_string, lru, 7);
    assert_curve(opt_curve, standard_string, opt, 7);
}

/* Each curve equals the simulator run at every frame count from 1 to one
 * past the footprint. */
static void assert_curves_equal_simulation(const struct sim_config *base,
                                           const struct sim_workload *workload)
{
    struct sim_mrc lru, opt;
    assert_int_equal(sim_mrc_lru(&lru, base, workload, NULL), SIM_OK);
    assert_int_equal(sim_mrc_opt(&opt, base, workload, 0, NULL), SIM_OK);
    assert_int_equal(lru.footprint, opt.footprint);
    for (uint64_t f = 1; f <= lru.footprint + 1; f++) {
        struct sim_config config = *base;
        config.frames = f;
        snprintf(config.policy, sizeof config.policy, "lru");
        struct sim_stats stats =
            test_run_records(&config, workload->records, workload->count, workload->processes);
        if ((uint64_t)sim_mrc_faults(&lru, f) != stats.page_faults)
            fail_msg("lru at %llu frames: curve %.0f, simulation %llu", (unsigned long long)f,
                     sim_mrc_faults(&lru, f), (unsigned long long)stats.page_faults);
        snprintf(config.policy, sizeof config.policy, "opt");
        stats = test_run_records(&config, workload->records, workload->count, workload->processes);
        if ((uint64_t)sim_mrc_faults(&opt, f) != stats.page_faults)
            fail_msg("opt at %llu frames: curve %.0f, simulation %llu", (unsigned long long)f,
                     sim_mrc_faults(&opt, f), (unsigned long long)stats.page_faults);
    }
    sim_mrc_free(&lru);
    sim_mrc_free(&opt);
}

/* A random trace with locality: a working area that drifts, three
 * processes, some accesses straddling pages and a few beyond the address
 * space. */
static struct sim_workload random_workload(uint64_t seed, size_t count, uint64_t pages)
{
    struct sim_workload workload = {.processes = 3, .count = count};
    workload.records = calloc(count, sizeof *workload.records);
    assert_non_null(workload.records);
    uint64_t x = seed, area = 0;
    for (size_t i = 0; i < count; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t r = x >> 33;
        if (r % 97 == 0)
            area = (area + r % 7) % pages;
        uint64_t page = r % 4 ? (area + r % 9) % pages : r % pages;
        struct sim_record *rec = &workload.records[i];
        rec->addr = page * 4096 + (r % 8 == 0 ? 4092 : r % 4000);
        rec->size = 8;
        rec->pid = (uint16_t)(r / 7 % 3);
        rec->kind = (uint8_t)(r % 4);
        if (r % 1000 == 0)
            rec->addr = 1ull << 50; /* beyond 48 bits: a protection fault */
    }
    return workload;
}

static void exact_curves_equal_the_simulator_on_random_traces(void **state)
{
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct sim_workload workload = random_workload(seed, 3000, 40);
        struct sim_config config = test_config("lru", 1);
        config.tlb_entries = 0;
        config.split_straddling = seed % 2;
        assert_curves_equal_simulation(&config, &workload);
        sim_workload_free(&workload);
    }
}

/* Each reference's LRU stack distance by Mattson's definition, a stack
 * moved to the front on every reference, into faults[f] for f frames
 * (up to frames - 1, past the footprint). */
static void naive_lru_faults(const struct sim_config *config, const struct sim_workload *workload,
                             uint64_t *faults, size_t frames)
{
    uint64_t *stack = calloc(workload->count, sizeof *stack);
    uint64_t *at_distance = calloc(frames + 1, sizeof *at_distance);
    assert_true(stack && at_distance);
    size_t depth = 0;
    uint64_t cold = 0;
    for (size_t i = 0; i < workload->count; i++) {
        const struct sim_record *r = &workload->records[i];
        if (r->addr >> config->address_bits)
            continue; /* a protection fault, not a page reference */
        uint64_t key = (uint64_t)r->pid << 48 | r->addr / config->page_size;
        size_t at = 0;
        while (at < depth && stack[at] != key)
            at++;
        if (at == depth)
            cold++, depth++;
        else
            at_distance[at + 1]++;
        memmove(stack + 1, stack, sizeof *stack * at);
        stack[0] = key;
    }
    uint64_t deeper = 0;
    for (size_t f = frames; f-- > 0;) {
        faults[f] = cold + deeper;
        deeper += at_distance[f];
    }
    free(stack);
    free(at_distance);
}

/* A footprint of thousands of pages, where the distances' time slots are
 * renumbered many times and grow, and a quarter of the distances reach
 * thousands of pages back. */
static void exact_lru_curve_equals_the_stack_on_a_large_footprint(void **state)
{
    struct sim_workload workload = random_workload(7, 100000, 3000);
    struct sim_config config = test_config("lru", 1);
    struct sim_mrc curve;
    assert_int_equal(sim_mrc_lru(&curve, &config, &workload, NULL), SIM_OK);
    assert_true(curve.footprint > 8000);
    size_t frames = curve.footprint + 2;
    uint64_t *faults = calloc(frames, sizeof *faults);
    assert_non_null(faults);
    naive_lru_faults(&config, &workload, faults, frames);
    for (size_t f = 1; f < frames; f++)
        if ((uint64_t)sim_mrc_faults(&curve, f) != faults[f])
            fail_msg("at %zu frames: curve %.0f, stack %llu", f, sim_mrc_faults(&curve, f),
                     (unsigned long long)faults[f]);
    free(faults);
    sim_mrc_free(&curve);
    sim_workload_free(&workload);
}

static void opt_cut_at_some_frames_keeps_the_curve_up_to_them(void **state)
{
    struct sim_workload workload = random_workload(5, 20000, 300);
    struct sim_config config = test_config("opt", 1);
    struct sim_mrc whole, cut;
    assert_int_equal(sim_mrc_opt(&whole, &config, &workload, 0, NULL), SIM_OK);
    assert_int_equal(sim_mrc_opt(&cut, &config, &workload, 40, NULL), SIM_OK);
    assert_true(whole.footprint > 40);
    assert_int_equal(cut.footprint, 40);
    for (uint64_t f = 1; f <= 40; f++)
        assert_true(sim_mrc_faults(&cut, f) == sim_mrc_faults(&whole, f));
    sim_mrc_free(&whole);
    sim_mrc_free(&cut);
    sim_workload_free(&workload);
}

static void exact_curves_equal_the_simulator_on_the_bundled_trace(void **state)
{
    const char *path = getenv("MMKIT_SIM_DATA");
    char trace[4096];
    snprintf(trace, sizeof trace, "%s/sort.lackey.xz", path ? path : "tests/data/sim");
    const char *paths[] = {trace};
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    struct sim_workload workload;
    assert_int_equal(sim_workload_load(&workload, paths, 1, &options, 10000, NULL), SIM_OK);
    /* Every frame count up to past the trace's footprint of 238 pages. */
    struct sim_config config = test_config("lru", 1);
    struct sim_mrc lru, opt;
    assert_int_equal(sim_mrc_lru(&lru, &config, &workload, NULL), SIM_OK);
    assert_int_equal(sim_mrc_opt(&opt, &config, &workload, 0, NULL), SIM_OK);
    struct sim_sweep sweep;
    assert_int_equal(sim_sweep_parse(&sweep, "frames=1..240", "lru,opt", NULL), SIM_OK);
    assert_int_equal(sim_sweep_run(&sweep, &config, &workload, 2, NULL), SIM_OK);
    for (uint64_t f = 1; f <= 240; f++) {
        assert_int_equal((uint64_t)sim_mrc_faults(&lru, f), sweep.faults[f - 1]);
        assert_int_equal((uint64_t)sim_mrc_faults(&opt, f), sweep.faults[240 + f - 1]);
    }
    sim_sweep_free(&sweep);
    sim_mrc_free(&lru);
    sim_mrc_free(&opt);
    sim_workload_free(&workload);
}

static void streamed_curves_equal_those_of_the_workload_in_memory(void **state)
{
    const char *path = getenv("MMKIT_SIM_DATA");
    char trace[4096];
    snprintf(trace, sizeof trace, "%s/sort.lackey.xz", path ? path : "tests/data/sim");
    /* The trace twice: two processes, interleaved by the scheduler. */
    const char *paths[] = {trace, trace};
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    struct sim_workload workload;
    struct sim_config config = test_config("lru", 1);
    assert_int_equal(sim_workload_load(&workload, paths, 2, &options, config.quantum, NULL),
                     SIM_OK);
    const struct sim_mrc_sample samples[] = {{1, 0}, {0.25, 0}, {1, 100}};
    struct sim_mrc streamed[3], loaded[3];
    uint64_t skipped;
    assert_int_equal(sim_mrc_lru_traces(streamed, samples, 3, &config, paths, 2, &options,
                                        &skipped, NULL), SIM_OK);
    assert_int_equal(sim_mrc_lru(&loaded[0], &config, &workload, NULL), SIM_OK);
    for (size_t i = 1; i < 3; i++)
        assert_int_equal(sim_mrc_shards(&loaded[i], &config, &workload, samples[i].rate,
                                        samples[i].max_pages, NULL), SIM_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(streamed[i].name, loaded[i].name);
        assert_int_equal(streamed[i].references, loaded[i].references);
        assert_int_equal(streamed[i].footprint, loaded[i].footprint);
        for (uint64_t f = 0; f <= loaded[i].footprint; f++)
            assert_true(sim_mrc_faults(&streamed[i], f) == sim_mrc_faults(&loaded[i], f));
        sim_mrc_free(&streamed[i]);
        sim_mrc_free(&loaded[i]);
    }
    sim_workload_free(&workload);
}

/* 1,2,1,3,2,1 by hand: the windows W(t, tau) for t = 1..6 are
 *   tau 1: {1} {2} {1} {3} {2} {1}                  sizes 1 1 1 1 1 1
 *   tau 2: {1} {1,2} {2,1} {1,3} {3,2} {2,1}        sizes 1 2 2 2 2 2
 *   tau 3: {1} {1,2} {1,2} {2,1,3} {1,3,2} {3,2,1}  sizes 1 2 2 3 3 3
 * and a reference faults when its page is not in the window before it:
 * the three first references, and the later ones whose gap (2, 3, 3 for
 * t = 3, 5, 6) exceeds tau. */
static void working_set_sizes_and_faults_are_those_worked_by_hand(void **state)
{
    struct sim_workload workload = refs_workload("1,2,1,3,2,1");
    struct sim_config config = test_config("lru", 1);
    static const uint64_t taus[] = {1, 2, 3, 4, 100};
    struct sim_working_set ws;
    assert_int_equal(sim_working_set(&ws, &config, &workload, taus, 5, NULL), SIM_OK);
    assert_int_equal(ws.references, 6);
    static const double sizes[] = {6 / 6.0, 11 / 6.0, 14 / 6.0, 14 / 6.0, 14 / 6.0};
    static const uint64_t faults[] = {6, 5, 3, 3, 3};
    for (size_t i = 0; i < 5; i++) {
        assert_true(ws.mean_size[i] > sizes[i] - 1e-9 && ws.mean_size[i] < sizes[i] + 1e-9);
        assert_int_equal(ws.faults[i], faults[i]);
    }
    sim_working_set_free(&ws);
    sim_workload_free(&workload);
}

static void shards_at_rate_1_is_the_exact_lru_curve(void **state)
{
    struct sim_workload workload = random_workload(7, 5000, 60);
    struct sim_config config = test_config("lru", 1);
    struct sim_mrc exact, sampled;
    assert_int_equal(sim_mrc_lru(&exact, &config, &workload, NULL), SIM_OK);
    assert_int_equal(sim_mrc_shards(&sampled, &config, &workload, 1, 0, NULL), SIM_OK);
    assert_int_equal(sampled.footprint, exact.footprint);
    for (uint64_t f = 0; f <= exact.footprint; f++)
        assert_true(sim_mrc_faults(&sampled, f) == sim_mrc_faults(&exact, f));
    sim_mrc_free(&exact);
    sim_mrc_free(&sampled);
    sim_workload_free(&workload);
}

/* A large footprint (20000 pages per process), where sampling pays. */
static void shards_estimates_are_within_their_error_bound(void **state)
{
    struct sim_workload workload = random_workload(11, 2000000, 20000);
    struct sim_config config = test_config("lru", 1);
    struct sim_mrc exact, rate, size;
    assert_int_equal(sim_mrc_lru(&exact, &config, &workload, NULL), SIM_OK);
    assert_int_equal(sim_mrc_shards(&rate, &config, &workload, 0.01, 0, NULL), SIM_OK);
    assert_int_equal(sim_mrc_shards(&size, &config, &workload, 1, 2000, NULL), SIM_OK);
    double rate_error = sim_mrc_error(&rate, &exact), size_error = sim_mrc_error(&size, &exact);
    if (rate_error > 0.01 || size_error > 0.01)
        fail_msg("mean absolute error: %.5f at 1%%, %.5f with 2000 pages (bound 0.01)",
                 rate_error, size_error);
    assert_true(size.sample_rate < 1);
    sim_mrc_free(&exact);
    sim_mrc_free(&rate);
    sim_mrc_free(&size);
    sim_workload_free(&workload);
}

/* The largest difference of miss ratio between a miniature curve and
 * the simulator at each of the sizes. */
static double mini_error(const struct sim_workload *workload, const char *policy, double rate,
                         const uint64_t *sizes, size_t count)
{
    struct sim_config config = test_config(policy, 1);
    struct sim_mrc mini;
    assert_int_equal(sim_mrc_mini(&mini, &config, workload, policy, rate, sizes, count, 2, NULL),
                     SIM_OK);
    double worst = 0;
    for (size_t i = 0; i < count; i++) {
        config.frames = sizes[i];
        struct sim_stats stats =
            test_run_records(&config, workload->records, workload->count, workload->processes);
        /* (The simulator's references count protection faults too.) */
        double exact = (double)stats.page_faults / (double)mini.references;
        double error = fabs(sim_mrc_miss_ratio(&mini, sizes[i]) - exact);
        worst = error > worst ? error : worst;
    }
    sim_mrc_free(&mini);
    return worst;
}

static void miniature_simulation_of_the_whole_trace_is_the_simulator(void **state)
{
    struct sim_workload workload = random_workload(3, 5000, 60);
    static const uint64_t sizes[] = {1, 3, 7, 15, 31, 64, 200};
    assert_true(mini_error(&workload, "fifo", 1, sizes, 7) == 0);
    assert_true(mini_error(&workload, "clock", 1, sizes, 7) == 0);
    sim_workload_free(&workload);
}

static void miniature_simulation_of_a_sample_is_within_its_error_bound(void **state)
{
    struct sim_workload workload = random_workload(11, 1000000, 20000);
    static const uint64_t sizes[] = {100, 1000, 3000, 10000, 30000, 60000};
    double clock = mini_error(&workload, "clock", 0.1, sizes, 6);
    double fifo = mini_error(&workload, "fifo", 0.1, sizes, 6);
    if (clock > 0.02 || fifo > 0.02)
        fail_msg("largest miss-ratio error at 10%%: clock %.4f, fifo %.4f (bound 0.02)", clock,
                 fifo);
    sim_workload_free(&workload);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(belady_string_gives_the_textbook_lru_and_opt_faults_at_every_size),
        cmocka_unit_test(standard_string_gives_the_textbook_lru_and_opt_faults_at_every_size),
        cmocka_unit_test(exact_curves_equal_the_simulator_on_random_traces),
        cmocka_unit_test(exact_lru_curve_equals_the_stack_on_a_large_footprint),
        cmocka_unit_test(opt_cut_at_some_frames_keeps_the_curve_up_to_them),
        cmocka_unit_test(exact_curves_equal_the_simulator_on_the_bundled_trace),
        cmocka_unit_test(streamed_curves_equal_those_of_the_workload_in_memory),
        cmocka_unit_test(working_set_sizes_and_faults_are_those_worked_by_hand),
        cmocka_unit_test(shards_at_rate_1_is_the_exact_lru_curve),
        cmocka_unit_test(shards_estimates_are_within_their_error_bound),
        cmocka_unit_test(miniature_simulation_of_the_whole_trace_is_the_simulator),
        cmocka_unit_test(miniature_simulation_of_a_sample_is_within_its_error_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
