/* test_partition.c - partitioning answers worked by hand (the reasoning
 * beside each): fixed partitions and their internal fragmentation, the
 * four fits on dynamic partitions (on the list and on the tree),
 * compaction and the bytes it moves, swapping and the victim it picks. */
#include "partition_test.h"

#define DYNAMIC_JOBS                                                                              \
    "0 200 10; 0 100 2; 0 300 10; 0 160 2; 0 100 10;" /* 0..200 200..300 300..600 600..760 */    \
    "3 120 5; 3 90 5; 3 15 5"                         /* 760..860; [860, 140] free          */

static void check_job(const struct partition_outcome *o, size_t job, uint64_t addr,
                      uint64_t start, uint64_t finish, uint64_t wait)
{
    const struct partition_job_result *r = &o->jobs[job];
    if (test_first_address(o, job) != addr || r->start != start || r->finish != finish ||
        r->wait != wait)
        fail_msg("job %zu: at %" PRIu64 ", ticks %" PRIu64 " to %" PRIu64 ", waited %" PRIu64
                 "; wanted at %" PRIu64 ", ticks %" PRIu64 " to %" PRIu64 ", waited %" PRIu64,
                 job + 1, test_first_address(o, job), r->start, r->finish, r->wait, addr, start,
                 finish, wait);
}

/* Jobs on 1000 bytes of dynamic partitions, first fit. */
static struct partition_outcome first_fit_run(const char *jobs, bool compact, bool swap)
{
    struct partition_config config =
        test_memory("memory", "1000", "policy", "first", "compact", compact ? "yes" : "no",
                    "swap", swap ? "yes" : "no", NULL);
    return test_partition_run(&config, jobs);
}

/* Partitions of 100, 200 and 300 bytes at 0, 100 and 300.  At tick 0 job
 * 1 (150) takes the 200 (50 unused), job 2 (90) the 100 (10 unused), job
 * 3 (250) the 300 (50 unused): 110 bytes unused.  Job 4 (80) arrives at 1
 * and waits for a free partition: the 300, when job 3 leaves at 4, with
 * 220 unused: 50 + 10 + 220 = 280 at once, the worst.  Over the 7 ticks:
 * 110 for 4, 280 for 1, 220 for 2: 1160 / 7.  The jobs use 490 bytes for
 * 4 ticks, 320 for 1, 80 for 2: 2440 of 600 x 7. */
static void fixed_partitions_of_given_sizes(void **state)
{
    struct partition_config config = test_memory("partitions", "100,200,300", NULL);
    assert_int_equal(config.heap.size, 600);
    struct partition_outcome o = test_partition_run(&config, "0 150 5; 0 90 5; 0 250 4; 1 80 3");
    check_job(&o, 0, 100, 0, 5, 0);
    check_job(&o, 1, 0, 0, 5, 0);
    check_job(&o, 2, 300, 0, 4, 0);
    check_job(&o, 3, 300, 4, 7, 3);
    assert_int_equal(o.totals.internal_worst, 280);
    assert_true(test_close(o.totals.internal_mean, 1160.0 / 7));
    assert_true(test_close(o.totals.utilisation, 2440.0 / 4200));
    assert_true(test_close(o.totals.wait_mean, 0.75));
    assert_int_equal(o.totals.end, 7);
    partition_outcome_free(&o);
}

/* 400 bytes in 4 equal partitions of 100: the first four jobs take them in
 * address order (50 + 0 + 30 + 80 unused); job 5 waits for job 4's
 * partition at tick 2 (then 50 + 0 + 30 + 90 = 170 unused). */
static void equal_partitions_take_the_lowest_free(void **state)
{
    struct partition_config config = test_memory("memory", "400", "partitions", "4", NULL);
    struct partition_outcome o =
        test_partition_run(&config, "0 50 3; 0 100 3; 0 70 3; 0 20 2; 0 10 1");
    for (size_t job = 0; job < 4; job++)
        assert_int_equal(test_first_address(&o, job), job * 100);
    check_job(&o, 4, 300, 2, 3, 2);
    assert_int_equal(o.totals.internal_worst, 170);
    partition_outcome_free(&o);
}

/* Jobs 2 and 4 leave at tick 2: holes [200, 100], [600, 160] and [860,
 * 140], and next fit's search would start at [860, 140], after job 5.  At
 * tick 3 jobs 6 (120), 7 (90) and 8 (15) come:
 * - first: 6 at 600 (the first that holds 120), 7 at 200, 8 at 720, the
 *   rest of [600, 160];
 * - best: 6 at 860 (140 is the smallest that holds 120), 7 at 200 (100),
 *   8 at 980 (the 20 left of [860, 140]; [290, 10] is too small);
 * - worst: 6 at 600 (160), 7 at 860 (140 beats 100 and 40), 8 at 200
 *   (100 beats 40 and 50);
 * - next: 6 at 860, where the search starts; 7 wraps around from [980, 20]
 *   to 200; 8 from [290, 10] on to 600. */
static void dynamic_partitions_with_each_fit(void **state)
{
    static const struct {
        const char *policy;
        uint64_t addr[3]; /* of jobs 6, 7 and 8 */
    } answers[] = {
        {"first", {600, 200, 720}},
        {"best", {860, 200, 980}},
        {"worst", {600, 860, 200}},
        {"next", {860, 200, 600}},
    };
    static const char *const structures[] = {"list", "tree"};
    for (size_t a = 0; a < sizeof answers / sizeof answers[0]; a++) {
        for (size_t s = 0; s < 2; s++) {
            struct partition_config config =
                test_memory("memory", "1000", "policy", answers[a].policy, "structure",
                            structures[s], NULL);
            struct partition_outcome o = test_partition_run(&config, DYNAMIC_JOBS);
            for (size_t k = 0; k < 3; k++)
                if (test_first_address(&o, 5 + k) != answers[a].addr[k])
                    fail_msg("%s fit on the %s: job %zu at %" PRIu64 ", wanted %" PRIu64,
                             answers[a].policy, structures[s], 6 + k,
                             test_first_address(&o, 5 + k), answers[a].addr[k]);
            assert_int_equal(o.totals.wait_worst, 0);
            partition_outcome_free(&o);
        }
    }
}

/* Jobs of 300, 200, 300, 200 fill 1000 bytes; the 200s leave at tick 2:
 * holes [300, 200] and [800, 200].  Job 5 (350) arrives at 3: no hole
 * holds it, 400 free bytes would.  Compaction slides job 3 from 500 down
 * to 300 (job 1 stays at 0): 300 bytes moved, and job 5 starts at 600.
 * Without compaction it waits until jobs 1 and 3 leave at 10. */
static void compaction_moves_the_jobs_above_the_first_hole(void **state)
{
    const char *jobs = "0 300 10; 0 200 2; 0 300 10; 0 200 2; 3 350 4";
    struct partition_outcome o = first_fit_run(jobs, true, false);
    check_job(&o, 4, 600, 3, 7, 0);
    assert_int_equal(o.totals.compactions, 1);
    assert_int_equal(o.totals.compaction_bytes, 300);
    size_t spans_of_job_3 = 0; /* at 500 for ticks 0 to 3, at 300 after */
    for (size_t i = 0; i < o.span_count; i++)
        if (o.spans[i].job == 2)
            spans_of_job_3++;
    assert_int_equal(spans_of_job_3, 2);
    partition_outcome_free(&o);

    o = first_fit_run(jobs, false, false);
    check_job(&o, 4, 0, 10, 14, 7);
    assert_int_equal(o.totals.compactions, 0);
    partition_outcome_free(&o);
}

/* Job 1 (600 bytes, 10 ticks) runs from 0; job 2 (500 bytes, 2 ticks)
 * comes at 1 and does not fit.  Job 1 has 9 ticks to run, more than 2:
 * it is swapped out (600 bytes written), job 2 runs at 0 until 3, and
 * job 1 comes back (600 bytes read) for its last 9 ticks, until 12.  Job
 * 1 waited 2 ticks, job 2 none.  Without swapping job 2 waits 9. */
static void swapping_lets_a_short_job_in(void **state)
{
    const char *jobs = "0 600 10; 1 500 2";
    struct partition_outcome o = first_fit_run(jobs, false, true);
    check_job(&o, 0, 0, 0, 12, 2);
    check_job(&o, 1, 0, 1, 3, 0);
    assert_int_equal(o.totals.swaps_out, 1);
    assert_int_equal(o.totals.swaps_in, 1);
    assert_int_equal(o.totals.swap_bytes, 1200);
    assert_int_equal(o.jobs[0].swaps, 1);
    partition_outcome_free(&o);

    o = first_fit_run(jobs, false, false);
    check_job(&o, 1, 0, 10, 12, 9);
    partition_outcome_free(&o);
}

/* A resident job with fewer ticks to run than the waiting one stays: job
 * 1 has 2 left at tick 1, job 2 needs 5, so job 2 waits until 3. */
static void swapping_spares_a_job_that_will_be_done_sooner(void **state)
{
    struct partition_outcome o = first_fit_run("0 600 3; 1 500 5", false, true);
    check_job(&o, 1, 0, 3, 8, 2);
    assert_int_equal(o.totals.swaps_out, 0);
    partition_outcome_free(&o);
}

/* Jobs 1 and 2 (400 bytes each, 20 and 10 ticks) at 0 and 400; job 3
 * (500 bytes, 2 ticks) comes at 1.  Swapping job 1 out would leave a hole
 * of 400, too small; job 2 leaves 400 + the 200 above it: job 2 goes (400
 * bytes), job 3 runs at 400.  Job 2, at the front of the queue with 9
 * ticks to run, finds job 1 with 19 and room in its place: job 1 goes
 * (400), job 2 comes back at 0 (400).  Job 1 waits for job 3 to leave at
 * 3, and comes back at 400 (400) until 22.
 * With compaction the free bytes count: job 1, with the most ticks to
 * run, goes; job 2 slides down to 0 (400 bytes moved), job 3 runs at
 * 400, and job 1 comes back there at 3. */
static void the_victim_is_one_that_makes_room(void **state)
{
    const char *jobs = "0 400 20; 0 400 10; 1 500 2";
    struct partition_outcome o = first_fit_run(jobs, false, true);
    check_job(&o, 2, 400, 1, 3, 0);
    check_job(&o, 1, 400, 0, 10, 0);
    check_job(&o, 0, 0, 0, 22, 2);
    assert_int_equal(o.totals.swaps_out, 2);
    assert_int_equal(o.totals.swap_bytes, 1600);
    partition_outcome_free(&o);

    o = first_fit_run(jobs, true, true);
    check_job(&o, 2, 400, 1, 3, 0);
    assert_int_equal(o.jobs[0].swaps, 1);
    assert_int_equal(o.jobs[1].swaps, 0);
    assert_int_equal(o.totals.compaction_bytes, 400);
    assert_int_equal(o.totals.swap_bytes, 800);
    assert_int_equal(o.jobs[0].finish, 22);
    partition_outcome_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_partitions_of_given_sizes),
        cmocka_unit_test(equal_partitions_take_the_lowest_free),
        cmocka_unit_test(dynamic_partitions_with_each_fit),
        cmocka_unit_test(compaction_moves_the_jobs_above_the_first_hole),
        cmocka_unit_test(swapping_lets_a_short_job_in),
        cmocka_unit_test(swapping_spares_a_job_that_will_be_done_sooner),
        cmocka_unit_test(the_victim_is_one_that_makes_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
