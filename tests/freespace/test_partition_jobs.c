/* test_partition_jobs.c - the jobs parser and memory's settings: what they
 * accept, and every refusal with its place and words. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#include <stdio.h>

#include "partition_test.h"

static void jobs_are_read_with_comments_blank_lines_and_sizes(void **state)
{
    const char *text = "# arrive size duration\n0 100 5\n\n  2\t64K 3   # a large one\r\n";
    struct partition_job *jobs;
    size_t count;
    struct sim_diag diag = {0};
    assert_int_equal(partition_jobs_parse(text, strlen(text), "jobs.txt", false, &jobs, &count,
                                          &diag),
                     SIM_OK);
    assert_int_equal(count, 2);
    assert_int_equal(jobs[0].line, 2);
    assert_int_equal(jobs[1].arrive, 2);
    assert_int_equal(jobs[1].size, 65536);
    assert_int_equal(jobs[1].duration, 3);
    assert_int_equal(jobs[1].line, 4);
    free(jobs);

    text = "0 100 5; 0 50 1;2 200 3";
    assert_int_equal(partition_jobs_parse(text, strlen(text), "--jobs-inline", true, &jobs,
                                          &count, &diag),
                     SIM_OK);
    assert_int_equal(count, 3);
    assert_int_equal(jobs[2].line, 3);
    free(jobs);
}

static void bad_jobs_are_refused_with_line_and_field(void **state)
{
    static const struct {
        const char *text;
        bool inline_form;
        const char *message; /* as the command prints it */
    } cases[] = {
        {"0 100", false, "jobs.txt:1: expected three fields, 'arrive size duration'; found 2"},
        {"0 100 5 7", false, "jobs.txt:1: expected three fields, 'arrive size duration'; found 4"},
        {"0 100 5\nx 100 5", false,
         "jobs.txt:2: arrive: expected a tick from 0 to 1000000000; found 'x'"},
        {"0 0 5", false, "jobs.txt:1: size: expected a size above 0, such as 100 or 64K; found '0'"},
        {"0 -3 5", false,
         "jobs.txt:1: size: expected a size above 0, such as 100 or 64K; found '-3'"},
        {"0 100 0", false, "jobs.txt:1: duration: expected ticks from 1 to 1000000000; found '0'"},
        {"0 100 1000000001", false,
         "jobs.txt:1: duration: expected ticks from 1 to 1000000000; found '1000000001'"},
        {"5 100 1\n3 100 1", false,
         "jobs.txt:2: arrive: 3 is before the job above, which arrives at 5 (list the jobs in "
         "order of arrival)"},
        {"", false, "jobs.txt: no jobs"},
        {"# nothing but a comment\n\n", false, "jobs.txt: no jobs"},
        {"0 1 1; 1 2", true, "jobs.txt:2: expected three fields, 'arrive size duration'; found 2"},
        {"0 1 1; 1 2 3", false,
         "jobs.txt:1: expected three fields, 'arrive size duration'; found 6"},
        {"0 100 5 # fine\n0 100 99999999999999999999999999999999999", false,
         "jobs.txt:2: duration: expected ticks from 1 to 1000000000; found "
         "'99999999999999999999999999999999...'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct partition_job *jobs = NULL;
        size_t count;
        struct sim_diag diag = {0};
        char message[512];
        int status = partition_jobs_parse(cases[i].text, strlen(cases[i].text), "jobs.txt",
                                          cases[i].inline_form, &jobs, &count, &diag);
        if (status != SIM_ERR_PARSE ||
            strcmp(sim_diag_format(&diag, message, sizeof message), cases[i].message))
            fail_msg("'%s': status %d, '%s'; wanted '%s'", cases[i].text, status, message,
                     cases[i].message);
        assert_null(jobs);
    }
}

static void a_nul_byte_is_not_text(void **state)
{
    const char text[] = "0 100 5\n1 1\0000 5\n";
    struct partition_job *jobs;
    size_t count;
    struct sim_diag diag = {0};
    assert_int_equal(partition_jobs_parse(text, sizeof text - 1, "jobs.bin", false, &jobs,
                                          &count, &diag),
                     SIM_ERR_PARSE);
    assert_int_equal(diag.line, 2);
    assert_string_equal(diag.message, "a NUL byte: this is not a text file");
}

static void a_missing_file_is_named(void **state)
{
    struct partition_job *jobs;
    size_t count;
    struct sim_diag diag = {0};
    assert_int_equal(partition_jobs_load("/nonexistent/jobs.txt", &jobs, &count, &diag),
                     SIM_ERR_IO);
    assert_string_equal(diag.file, "/nonexistent/jobs.txt");
}

static void a_file_is_read_as_the_text_is(void **state)
{
    char path[] = "/tmp/mmkit-partition-jobs-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *file = fdopen(fd, "w");
    fputs("0 100 5\n1 oops 5\n", file);
    fclose(file);
    struct partition_job *jobs;
    size_t count;
    struct sim_diag diag = {0};
    assert_int_equal(partition_jobs_load(path, &jobs, &count, &diag), SIM_ERR_PARSE);
    assert_string_equal(diag.file, path);
    assert_int_equal(diag.line, 2);
    assert_string_equal(diag.field, "size");
    remove(path);
}

/* Memory's settings as a list of "key", "value" pairs, ending in NULL,
 * which a set or the finish must refuse with message_wanted. */
static void refused(const char *message_wanted, const char *key, ...)
{
    struct partition_config config;
    struct sim_diag diag = {0};
    partition_config_default(&config);
    va_list settings;
    va_start(settings, key);
    int status = SIM_OK;
    for (; key && !status; key = va_arg(settings, const char *))
        status = partition_config_set(&config, key, va_arg(settings, const char *), &diag);
    va_end(settings);
    if (!status)
        status = partition_config_finish(&config, &diag);
    char message[512];
    if (status != SIM_ERR_CONFIG ||
        strcmp(sim_diag_format(&diag, message, sizeof message), message_wanted))
        fail_msg("status %d, '%s'; wanted '%s'", status, message, message_wanted);
}

static void bad_memory_settings_are_refused(void **state)
{
    refused("memory: give the memory's size with --memory (or the partitions' sizes with "
            "--partitions)",
            NULL);
    refused("memory: invalid value '0' (a size above 0, such as 1000 or 64K)", "memory", "0",
            NULL);
    refused("partitions: invalid value '0' (a count from 1 to 256, or sizes such as "
            "100,200,300)",
            "memory", "1000", "partitions", "0", NULL);
    refused("partitions: invalid value '100,,200' (a count from 1 to 256, or sizes such as "
            "100,200,300)",
            "partitions", "100,,200", NULL);
    refused("partitions: 1000 bytes do not divide into 3 equal partitions (give their sizes, "
            "such as 100,200,300)",
            "memory", "1000", "partitions", "3", NULL);
    refused("partitions: 3 equal partitions of what? Give the memory's size with --memory",
            "partitions", "3", NULL);
    refused("partitions: the partitions add up to 600 bytes, not the 1000 of --memory", "memory",
            "1000", "partitions", "100,200,300", NULL);
    refused("compact: fixed partitions do not move; compaction needs dynamic ones (no "
            "--partitions)",
            "partitions", "100,200", "compact", "yes", NULL);
    refused("header: applies to --ops, not to process jobs", "header", "4", NULL);
    refused("policy: invalid value 'random' (first, best, worst or next: the fits that place "
            "dynamic partitions)",
            "policy", "random", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jobs_are_read_with_comments_blank_lines_and_sizes),
        cmocka_unit_test(bad_jobs_are_refused_with_line_and_field),
        cmocka_unit_test(a_nul_byte_is_not_text),
        cmocka_unit_test(a_missing_file_is_named),
        cmocka_unit_test(a_file_is_read_as_the_text_is),
        cmocka_unit_test(bad_memory_settings_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
