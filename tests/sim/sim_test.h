/* sim_test.h - helpers shared by the simulator's tests: run a reference
 * string or records through a machine and read back the totals. */
#ifndef MMKIT_SIM_TEST_H
#define MMKIT_SIM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmkit/sim.h"

/* The default machine with policy and frames set. */
static inline struct sim_config test_config(const char *policy, uint64_t frames)
{
    struct sim_config config;
    sim_config_default(&config);
    assert_int_equal(sim_config_set(&config, "policy", policy, NULL), SIM_OK);
    config.frames = frames;
    return config;
}

/* Run records through a machine made from config; the totals. */
static inline struct sim_stats test_run_records(const struct sim_config *config,
                                                const struct sim_record *records, size_t count,
                                                unsigned processes)
{
    struct sim_workload workload = {.records = (struct sim_record *)records, .count = count,
                                    .processes = processes};
    struct sim_machine *machine = NULL;
    struct sim_diag diag = {0};
    assert_int_equal(sim_run_workload(&machine, config, &workload, NULL, &diag), SIM_OK);
    struct sim_stats stats;
    sim_machine_stats(machine, -1, &stats);
    sim_machine_destroy(machine);
    return stats;
}

/* Run a --refs string. */
static inline struct sim_stats test_run_refs(const struct sim_config *config, const char *refs)
{
    struct sim_record *records;
    size_t count;
    assert_int_equal(sim_refs_parse(refs, false, config->page_size, &records, &count, NULL),
                     SIM_OK);
    struct sim_stats stats = test_run_records(config, records, count, 1);
    free(records);
    return stats;
}

static inline uint64_t test_faults(const char *policy, uint64_t frames, const char *refs)
{
    struct sim_config config = test_config(policy, frames);
    return test_run_refs(&config, refs).page_faults;
}

/* The diagnostic names this place. */
static inline void test_assert_diag(const struct sim_diag *diag, const char *file,
                                    unsigned long line, const char *field)
{
    assert_string_equal(diag->file, file);
    assert_int_equal(diag->line, line);
    assert_string_equal(diag->field, field);
}

/* A temporary file holding size bytes of data; remove with test_temp_remove.
 * (The tests build with _POSIX_C_SOURCE for mkstemp and open_memstream.) */
static inline char *test_temp_file(const void *data, size_t size)
{
    char *path = strdup("/tmp/mmkit-sim-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, size), (ssize_t)size);
    close(fd);
    return path;
}

static inline void test_temp_remove(char *path)
{
    unlink(path);
    free(path);
}

#endif
