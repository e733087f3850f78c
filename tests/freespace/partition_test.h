/* partition_test.h - helpers shared by the partitioning tests: memory as
 * the command line would set it, jobs from text, and a run that must
 * succeed. */
#ifndef MMKIT_PARTITION_TEST_H
#define MMKIT_PARTITION_TEST_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmkit/partition.h"

/* Memory from settings, as pairs "key", "value", ending in NULL; they
 * must be good. */
static inline struct partition_config test_memory(const char *key, ...)
{
    struct partition_config config;
    struct sim_diag diag = {0};
    partition_config_default(&config);
    va_list settings;
    va_start(settings, key);
    for (; key; key = va_arg(settings, const char *))
        if (partition_config_set(&config, key, va_arg(settings, const char *), &diag))
            fail_msg("--%s: %s", key, diag.message);
    va_end(settings);
    if (partition_config_finish(&config, &diag))
        fail_msg("--%s: %s", diag.field, diag.message);
    return config;
}

/* Jobs in the inline form, which must be good and fit memory. */
static inline struct partition_job *test_jobs(const struct partition_config *config,
                                              const char *text, size_t *count)
{
    struct partition_job *jobs;
    struct sim_diag diag = {0};
    if (partition_jobs_parse(text, strlen(text), "jobs", true, &jobs, count, &diag) ||
        partition_jobs_check(config, jobs, *count, "jobs", &diag))
        fail_msg("%lu: %s: %s", diag.line, diag.field, diag.message);
    return jobs;
}

/* Run jobs on config; free the outcome when done. */
static inline struct partition_outcome test_partition_run(const struct partition_config *config,
                                                          const char *text)
{
    size_t count;
    struct partition_job *jobs = test_jobs(config, text, &count);
    struct partition_outcome outcome;
    struct sim_diag diag = {0};
    if (partition_run(config, jobs, count, NULL, &outcome, &diag))
        fail_msg("run: %s", diag.message);
    free(jobs);
    return outcome;
}

static inline bool test_close(double a, double b)
{
    return a - b < 1e-9 && b - a < 1e-9;
}

/* The address of job (from 0) in its first span. */
static inline uint64_t test_first_address(const struct partition_outcome *outcome, size_t job)
{
    uint64_t from = UINT64_MAX, addr = UINT64_MAX;
    for (size_t i = 0; i < outcome->span_count; i++)
        if (outcome->spans[i].job == job && outcome->spans[i].from < from) {
            from = outcome->spans[i].from;
            addr = outcome->spans[i].addr;
        }
    return addr;
}

#endif
