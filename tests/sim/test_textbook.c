/* test_textbook.c - the published answers of the classic exercises: the
 * reference string of Silberschatz et al. and Belady's string, under FIFO,
 * LRU and OPT at 3 and 4 frames, and Belady's anomaly found by a sweep. */
#include "sim_test.h"

/* Operating System Concepts, chapter "Virtual Memory". */
static const char standard_string[] = "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1";
/* Belady, Nelson and Shedler (1969). */
static const char belady_string[] = "1,2,3,4,1,2,5,1,2,3,4,5";

static void standard_string_fifo_makes_15_faults_at_3_frames_and_10_at_4(void **state)
{
    assert_int_equal(test_faults("fifo", 3, standard_string), 15);
    assert_int_equal(test_faults("fifo", 4, standard_string), 10);
}

static void standard_string_lru_makes_12_faults_at_3_frames_and_8_at_4(void **state)
{
    assert_int_equal(test_faults("lru", 3, standard_string), 12);
    assert_int_equal(test_faults("lru", 4, standard_string), 8);
}

static void standard_string_opt_makes_9_faults_at_3_frames_and_8_at_4(void **state)
{
    assert_int_equal(test_faults("opt", 3, standard_string), 9);
    assert_int_equal(test_faults("opt", 4, standard_string), 8);
}

static void belady_string_fifo_makes_more_faults_with_more_frames(void **state)
{
    assert_int_equal(test_faults("fifo", 3, belady_string), 9);
    assert_int_equal(test_faults("fifo", 4, belady_string), 10);
}

static void belady_string_lru_makes_10_faults_at_3_frames_and_8_at_4(void **state)
{
    assert_int_equal(test_faults("lru", 3, belady_string), 10);
    assert_int_equal(test_faults("lru", 4, belady_string), 8);
}

static void belady_string_opt_makes_7_faults_at_3_frames_and_6_at_4(void **state)
{
    assert_int_equal(test_faults("opt", 3, belady_string), 7);
    assert_int_equal(test_faults("opt", 4, belady_string), 6);
}

/* Second chance on the standard string at 3 frames: a loaded page has its
 * bit set, the hand clears and skips referenced pages; 14 faults. */
static void standard_string_clock_makes_14_faults_at_3_frames(void **state)
{
    assert_int_equal(test_faults("clock", 3, standard_string), 14);
}

static void sweep_points_out_belady_anomaly_for_fifo_only(void **state)
{
    struct sim_record *records;
    size_t count;
    assert_int_equal(sim_refs_parse(belady_string, false, 4096, &records, &count, NULL), SIM_OK);
    struct sim_workload workload = {.records = records, .count = count, .processes = 1};
    struct sim_sweep sweep;
    assert_int_equal(sim_sweep_parse(&sweep, "frames=1..6", "fifo,lru,opt", NULL), SIM_OK);
    struct sim_config config;
    sim_config_default(&config);
    assert_int_equal(sim_sweep_run(&sweep, &config, &workload, 2, NULL), SIM_OK);
    uint64_t at;
    assert_true(sim_sweep_anomaly(&sweep, 0, &at));
    assert_int_equal(at, 3);
    assert_false(sim_sweep_anomaly(&sweep, 1, &at));
    assert_false(sim_sweep_anomaly(&sweep, 2, &at));
    /* The sweep's numbers are those of single runs. */
    assert_int_equal(sweep.faults[0 * 6 + 3], test_faults("fifo", 4, belady_string));
    assert_int_equal(sweep.faults[1 * 6 + 2], test_faults("lru", 3, belady_string));
    sim_sweep_free(&sweep);
    free(records);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(standard_string_fifo_makes_15_faults_at_3_frames_and_10_at_4),
        cmocka_unit_test(standard_string_lru_makes_12_faults_at_3_frames_and_8_at_4),
        cmocka_unit_test(standard_string_opt_makes_9_faults_at_3_frames_and_8_at_4),
        cmocka_unit_test(belady_string_fifo_makes_more_faults_with_more_frames),
        cmocka_unit_test(belady_string_lru_makes_10_faults_at_3_frames_and_8_at_4),
        cmocka_unit_test(belady_string_opt_makes_7_faults_at_3_frames_and_6_at_4),
        cmocka_unit_test(standard_string_clock_makes_14_faults_at_3_frames),
        cmocka_unit_test(sweep_points_out_belady_anomaly_for_fifo_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
