/* test_properties.c - properties that hold on any trace, checked on seeded
 * random traces with locality: OPT is never beaten, LRU never gets worse
 * with more frames, FIFO and LRU agree with small independent models, and
 * every policy pays exactly the compulsory faults when memory is ample. */
#include <string.h>

#include "sim_test.h"

#define TRACES 12
#define REFS 3000
#define PAGES 40
#define MAX_FRAMES 16

static uint64_t lcg(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}

/* A trace that mostly stays in a small moving window of pages, with some
 * writes, as real programs do. */
static void random_trace(uint64_t seed, struct sim_record *records)
{
    uint64_t state = seed, window = 0;
    for (size_t i = 0; i < REFS; i++) {
        if (lcg(&state) % 50 == 0)
            window = lcg(&state) % (PAGES - 8);
        uint64_t page = lcg(&state) % 5 == 0 ? lcg(&state) % PAGES : window + lcg(&state) % 8;
        records[i] = (struct sim_record){.addr = page * 4096, .size = 4,
                                         .kind = lcg(&state) % 4 == 0 ? SIM_STORE : SIM_LOAD};
    }
}

static uint64_t faults_of(const char *policy, uint64_t frames, const struct sim_record *records)
{
    struct sim_config config = test_config(policy, frames);
    return test_run_records(&config, records, REFS, 1).page_faults;
}

/* Independent models: the resident pages as a plain array, in load order
 * (FIFO) or in order of last use (LRU). */
static uint64_t model_faults(bool lru, uint64_t frames, const struct sim_record *records)
{
    uint64_t resident[MAX_FRAMES];
    size_t count = 0;
    uint64_t faults = 0;
    for (size_t i = 0; i < REFS; i++) {
        uint64_t page = records[i].addr / 4096;
        size_t at = 0;
        while (at < count && resident[at] != page)
            at++;
        if (at == count) {
            faults++;
            if (count == frames) {
                memmove(resident, resident + 1, sizeof resident[0] * (count - 1));
                count--;
            }
            resident[count++] = page;
        } else if (lru) {
            memmove(resident + at, resident + at + 1, sizeof resident[0] * (count - at - 1));
            resident[count - 1] = page;
        }
    }
    return faults;
}

static void opt_is_never_beaten_by_any_policy(void **state)
{
    struct sim_record records[REFS];
    for (uint64_t seed = 1; seed <= TRACES; seed++) {
        random_trace(seed, records);
        for (uint64_t frames = 2; frames <= MAX_FRAMES; frames += 3) {
            uint64_t opt = faults_of("opt", frames, records);
            for (unsigned p = 0; sim_policy_names[p]; p++)
                assert_true(opt <= faults_of(sim_policy_names[p], frames, records));
        }
    }
}

/* A stack algorithm's resident set at n frames is inside its set at n + 1,
 * so its fault count can only fall as frames are added. */
static void assert_faults_never_rise(const char *policy)
{
    struct sim_record records[REFS];
    for (uint64_t seed = 1; seed <= TRACES; seed++) {
        random_trace(seed, records);
        uint64_t previous = UINT64_MAX;
        for (uint64_t frames = 1; frames <= MAX_FRAMES; frames++) {
            uint64_t faults = faults_of(policy, frames, records);
            assert_true(faults <= previous);
            previous = faults;
        }
    }
}

static void lru_faults_never_rise_with_more_frames(void **state)
{
    assert_faults_never_rise("lru");
}

static void opt_faults_never_rise_with_more_frames(void **state)
{
    assert_faults_never_rise("opt");
}

static void fifo_and_lru_match_independent_models(void **state)
{
    struct sim_record records[REFS];
    for (uint64_t seed = 1; seed <= TRACES; seed++) {
        random_trace(seed, records);
        for (uint64_t frames = 1; frames <= MAX_FRAMES; frames++) {
            assert_int_equal(faults_of("fifo", frames, records), model_faults(false, frames, records));
            assert_int_equal(faults_of("lru", frames, records), model_faults(true, frames, records));
        }
    }
}

static void every_policy_pays_only_compulsory_faults_when_all_pages_fit(void **state)
{
    struct sim_record records[REFS];
    random_trace(7, records);
    bool seen[PAGES] = {false};
    uint64_t distinct = 0;
    for (size_t i = 0; i < REFS; i++) {
        distinct += !seen[records[i].addr / 4096];
        seen[records[i].addr / 4096] = true;
    }
    for (unsigned p = 0; sim_policy_names[p]; p++) {
        assert_int_equal(faults_of(sim_policy_names[p], PAGES, records), distinct);
        assert_true(faults_of(sim_policy_names[p], 4, records) > distinct);
    }
}

static void seeded_random_policy_repeats_exactly(void **state)
{
    struct sim_record records[REFS];
    random_trace(3, records);
    struct sim_config config = test_config("random", 6);
    config.seed = 42;
    uint64_t first = test_run_records(&config, records, REFS, 1).page_faults;
    assert_int_equal(test_run_records(&config, records, REFS, 1).page_faults, first);
}

static void faults_equal_evictions_plus_filled_frames(void **state)
{
    struct sim_record records[REFS];
    random_trace(5, records);
    for (unsigned p = 0; sim_policy_names[p]; p++) {
        struct sim_config config = test_config(sim_policy_names[p], 6);
        config.tau = 200;
        struct sim_stats s = test_run_records(&config, records, REFS, 1);
        assert_int_equal(s.page_faults, s.evictions + 6);
        assert_int_equal(s.page_faults, s.swap_reads + s.zero_fills);
        assert_true(s.swap_writes <= s.evictions);
        assert_true(s.swap_writes > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opt_is_never_beaten_by_any_policy),
        cmocka_unit_test(lru_faults_never_rise_with_more_frames),
        cmocka_unit_test(opt_faults_never_rise_with_more_frames),
        cmocka_unit_test(fifo_and_lru_match_independent_models),
        cmocka_unit_test(every_policy_pays_only_compulsory_faults_when_all_pages_fit),
        cmocka_unit_test(seeded_random_policy_repeats_exactly),
        cmocka_unit_test(faults_equal_evictions_plus_filled_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
