/* test_partition_properties.c - what holds for any jobs, checked on seeded
 * random ones, for fixed partitions (equal and given) and for dynamic ones
 * with every fit, on the list and the tree, with and without compaction
 * and swapping:
 * - no two jobs are ever in the same bytes at the same tick, and every job
 *   stays inside memory (and, fixed, inside one whole partition);
 * - every job runs, for exactly its duration, from no earlier than its
 *   arrival; no job starts before one that arrived before it;
 * - a job's wait is its time in the queue, and the totals add up;
 * - a job larger than memory, or than every fixed partition, is refused
 *   with its line. */
#include "partition_test.h"

#define JOBS 60
#define SEEDS 20

static uint64_t lcg(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}

/* JOBS random jobs of up to max_size bytes, as text: arrivals in bursts,
 * short and long durations. */
static void random_jobs(uint64_t seed, uint64_t max_size, char *text, size_t size)
{
    uint64_t state = seed, arrive = 0;
    size_t used = 0;
    for (int i = 0; i < JOBS; i++) {
        arrive += lcg(&state) % 3 == 0 ? lcg(&state) % 6 : 0;
        uint64_t bytes = 1 + lcg(&state) % max_size;
        uint64_t duration = lcg(&state) % 4 == 0 ? 10 + lcg(&state) % 30 : 1 + lcg(&state) % 5;
        used += (size_t)snprintf(text + used, size - used, "%" PRIu64 " %" PRIu64 " %" PRIu64 ";",
                                 arrive, bytes, duration);
    }
}

static bool overlap(const struct partition_span *a, const struct partition_span *b)
{
    return a->from < b->to && b->from < a->to && a->addr < b->addr + b->held &&
           b->addr < a->addr + a->held;
}

static void check_spans(const struct partition_config *c, const struct partition_outcome *o,
                        const char *what)
{
    for (size_t i = 0; i < o->span_count; i++) {
        const struct partition_span *s = &o->spans[i];
        if (s->addr < c->heap.base || s->addr + s->held > c->heap.base + c->heap.size ||
            s->held < s->size || s->from >= s->to)
            fail_msg("%s: job %zu at [%" PRIu64 ", %" PRIu64 "] from %" PRIu64 " to %" PRIu64
                     " is out of memory or out of time",
                     what, s->job + 1, s->addr, s->held, s->from, s->to);
        bool whole_partition = !c->fixed;
        for (size_t p = 0; p < c->fixed; p++)
            whole_partition |= partition_fixed_address(c, p) == s->addr &&
                               c->fixed_size[p] == s->held;
        if (!whole_partition)
            fail_msg("%s: job %zu at [%" PRIu64 ", %" PRIu64 "] is not a partition", what,
                     s->job + 1, s->addr, s->held);
        for (size_t k = i + 1; k < o->span_count; k++)
            if (overlap(s, &o->spans[k]))
                fail_msg("%s: jobs %zu and %zu share bytes at the same time", what, s->job + 1,
                         o->spans[k].job + 1);
    }
}

static void check_jobs(const struct partition_config *c, const struct partition_job *jobs,
                       size_t count, const struct partition_outcome *o, const char *what)
{
    uint64_t waits = 0, swaps = 0, swap_bytes = 0;
    for (size_t j = 0; j < count; j++) {
        const struct partition_job_result *r = &o->jobs[j];
        uint64_t resident = 0;
        for (size_t i = 0; i < o->span_count; i++)
            if (o->spans[i].job == j)
                resident += o->spans[i].to - o->spans[i].from;
        if (resident != jobs[j].duration || r->start < jobs[j].arrive ||
            r->wait != r->finish - jobs[j].arrive - jobs[j].duration)
            fail_msg("%s: job %zu ran %" PRIu64 " of %" PRIu64 " ticks, from %" PRIu64
                     " (arrived %" PRIu64 "), waited %" PRIu64,
                     what, j + 1, resident, jobs[j].duration, r->start, jobs[j].arrive, r->wait);
        if (j && r->start < o->jobs[j - 1].start)
            fail_msg("%s: job %zu started before job %zu", what, j + 1, j);
        waits += r->wait;
        swaps += r->swaps;
        swap_bytes += 2 * r->swaps * jobs[j].size;
    }
    assert_true(test_close(o->totals.wait_mean, (double)waits / (double)count));
    assert_int_equal(o->totals.swaps_out, swaps);
    assert_int_equal(o->totals.swaps_in, swaps);
    assert_int_equal(o->totals.swap_bytes, swap_bytes);
    if (!c->swap)
        assert_int_equal(swaps, 0);
    if (!c->compact)
        assert_int_equal(o->totals.compactions, 0);
    assert_true(o->totals.utilisation > 0 && o->totals.utilisation <= 1);
}

/* Run SEEDS sets of random jobs and check each; the sets are busy enough
 * that memory compacts and swaps when it may. */
static void check_memory(const struct partition_config *config, uint64_t max_size,
                         const char *what)
{
    uint64_t compactions = 0, swaps = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        char text[JOBS * 40];
        random_jobs(seed, max_size, text, sizeof text);
        size_t count;
        struct partition_job *jobs = test_jobs(config, text, &count);
        struct partition_outcome o;
        struct sim_diag diag = {0};
        assert_int_equal(partition_run(config, jobs, count, NULL, &o, &diag), SIM_OK);
        check_spans(config, &o, what);
        check_jobs(config, jobs, count, &o, what);
        compactions += o.totals.compactions;
        swaps += o.totals.swaps_out;
        partition_outcome_free(&o);
        free(jobs);
    }
    if ((config->compact && !compactions) || (config->swap && !swaps))
        fail_msg("%s: %" PRIu64 " compactions, %" PRIu64 " swaps", what, compactions, swaps);
}

static void fixed_partitions_hold_one_job_each(void **state)
{
    struct partition_config equal = test_memory("memory", "1024", "partitions", "8", NULL);
    check_memory(&equal, 128, "8 equal partitions");
    struct partition_config given = test_memory("partitions", "100,200,300,424", NULL);
    check_memory(&given, 424, "partitions 100,200,300,424");
    given.swap = true;
    check_memory(&given, 424, "partitions 100,200,300,424, swapping");
}

static void dynamic_partitions_never_overlap(void **state)
{
    static const char *const fits[] = {"first", "best", "worst", "next"};
    static const char *const structures[] = {"list", "tree"};
    for (size_t f = 0; f < 4; f++) {
        for (size_t s = 0; s < 2; s++) {
            for (unsigned options = 0; options < 4; options++) {
                struct partition_config config = test_memory(
                    "memory", "1000", "base", "4096", "policy", fits[f], "structure",
                    structures[s], "compact", options & 1 ? "yes" : "no", "swap",
                    options & 2 ? "yes" : "no", NULL);
                char what[96];
                snprintf(what, sizeof what, "%s fit, %s, %scompaction, %sswapping", fits[f],
                         structures[s], options & 1 ? "" : "no ", options & 2 ? "" : "no ");
                check_memory(&config, 400, what);
            }
        }
    }
}

static void a_job_larger_than_memory_is_refused_with_its_line(void **state)
{
    struct partition_job *jobs;
    size_t count;
    struct sim_diag diag = {0};
    const char *text = "0 100 5\n# the next one cannot fit\n1 1001 2\n";
    struct partition_config config = test_memory("memory", "1000", NULL);
    assert_int_equal(partition_jobs_parse(text, strlen(text), "jobs.txt", false, &jobs, &count,
                                          &diag),
                     SIM_OK);
    assert_int_equal(partition_jobs_check(&config, jobs, count, "jobs.txt", &diag),
                     SIM_ERR_PARSE);
    char message[512];
    assert_string_equal(sim_diag_format(&diag, message, sizeof message),
                        "jobs.txt:3: size: 1001 bytes do not fit in the 1000-byte memory");

    config = test_memory("partitions", "600,400", NULL);
    jobs[1].size = 700;
    assert_int_equal(partition_jobs_check(&config, jobs, count, "jobs.txt", &diag),
                     SIM_ERR_PARSE);
    assert_string_equal(sim_diag_format(&diag, message, sizeof message),
                        "jobs.txt:3: size: 700 bytes do not fit in the largest partition, of "
                        "600 bytes");
    free(jobs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_partitions_hold_one_job_each),
        cmocka_unit_test(dynamic_partitions_never_overlap),
        cmocka_unit_test(a_job_larger_than_memory_is_refused_with_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
