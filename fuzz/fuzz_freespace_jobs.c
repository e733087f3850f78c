/* fuzz_freespace_jobs.c - any bytes as process jobs ("0 100 5; 2 200 3"):
 * the first byte picks memory's partitions (dynamic, equal or given),
 * the fit, the structure, compaction, swapping, and the file or inline
 * form; the rest is the text.  The parser must refuse it with a message or
 * give jobs, which the check must refuse or let run; a run must finish,
 * telling every event and writing the JSON and the SVG, with no two jobs
 * in the same bytes at the same tick. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "mmkit/partition.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void set(struct partition_config *config, const char *key, const char *value)
{
    if (partition_config_set(config, key, value, NULL))
        abort(); /* the harness's settings are good */
}

static void memory_for(uint8_t pick, struct partition_config *config)
{
    static const char *const fits[] = {"first", "best", "worst", "next"};
    static const char *const partitions[] = {NULL, NULL, "4", "100,200,300,400"};
    partition_config_default(config);
    set(config, "memory", "1000");
    set(config, "policy", fits[pick & 3]);
    set(config, "compact", pick & 4 && !partitions[pick >> 5 & 3] ? "yes" : "no");
    set(config, "swap", pick & 8 ? "yes" : "no");
    set(config, "structure", pick & 16 ? "list" : "tree");
    if (partitions[pick >> 5 & 3])
        set(config, "partitions", partitions[pick >> 5 & 3]);
    if (partition_config_finish(config, NULL))
        abort();
}

static void check_spans(const struct partition_outcome *o)
{
    for (size_t i = 0; i < o->span_count; i++)
        for (size_t k = i + 1; k < o->span_count; k++) {
            const struct partition_span *a = &o->spans[i], *b = &o->spans[k];
            if (a->from < b->to && b->from < a->to && a->addr < b->addr + b->held &&
                b->addr < a->addr + a->held)
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *sink = fuzz_sink();
    if (size < 1 || size > 4096)
        return 0;
    struct partition_config config;
    memory_for(data[0], &config);
    struct partition_job *jobs;
    size_t count;
    struct sim_diag diag;
    if (partition_jobs_parse((const char *)data + 1, size - 1, "fuzz", data[0] & 0x80, &jobs,
                             &count, &diag) != SIM_OK)
        return 0;
    if (partition_jobs_check(&config, jobs, count, "fuzz", &diag) == SIM_OK) {
        struct partition_outcome outcome;
        struct partition_run_options options = {.explain = sink, .json = size % 2 ? sink : NULL};
        if (partition_run(&config, jobs, count, &options, &outcome, &diag) != SIM_OK)
            abort(); /* checked jobs always run */
        check_spans(&outcome);
        partition_report_text(sink, &config, &outcome);
        partition_svg(sink, &config, &outcome, count);
        partition_outcome_free(&outcome);
    }
    free(jobs);
    return 0;
}
