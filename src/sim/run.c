/* run.c - whole runs: traces or records through a fresh machine.  Traces
 * stream in batches unless the policy needs the future, which means reading
 * them whole first. */
#include <stdlib.h>

#include "diag.h"
#include "schedule.h"

#define RUN_BATCH 8192
#define PROGRESS_EVERY (1u << 22)

/* Read every scheduled record into workload. */
static int schedule_collect(struct schedule *s, struct sim_workload *workload,
                            struct sim_diag *diag)
{
    size_t cap = RUN_BATCH;
    *workload = (struct sim_workload){.processes = s->processes};
    workload->records = malloc(sizeof(struct sim_record) * cap);
    if (!workload->records)
        return SIM_ERR_NOMEM;
    for (;;) {
        if (cap - workload->count < RUN_BATCH) {
            struct sim_record *bigger = realloc(workload->records, sizeof *bigger * cap * 2);
            if (!bigger)
                return SIM_ERR_NOMEM;
            workload->records = bigger;
            cap *= 2;
        }
        size_t got;
        int status = schedule_next(s, workload->records + workload->count, RUN_BATCH, &got, diag);
        if (status)
            return status;
        if (got == 0)
            break;
        workload->count += got;
    }
    workload->skipped = schedule_skipped(s);
    return SIM_OK;
}

int sim_workload_load(struct sim_workload *workload, const char *const *paths, size_t count,
                      const struct sim_trace_options *options, uint64_t quantum,
                      struct sim_diag *diag)
{
    *workload = (struct sim_workload){0};
    struct schedule s;
    int status = schedule_open(&s, paths, count, options, quantum, diag);
    if (!status)
        status = schedule_collect(&s, workload, diag);
    schedule_close(&s);
    if (status)
        sim_workload_free(workload);
    return status;
}

void sim_workload_free(struct sim_workload *workload)
{
    free(workload->records);
    *workload = (struct sim_workload){0};
}

/* Explain and timeline as the options say. */
static int machine_options(struct sim_machine *machine, const struct sim_run_options *options)
{
    if (!options)
        return SIM_OK;
    sim_machine_explain(machine, options->explain);
    sim_machine_explain_json(machine, options->explain_json);
    sim_machine_steps(machine, options->steps);
    return options->timeline ? sim_machine_timeline(machine) : SIM_OK;
}

int sim_run_workload(struct sim_machine **machine, const struct sim_config *config,
                     const struct sim_workload *workload, const struct sim_run_options *options,
                     struct sim_diag *diag)
{
    int status = sim_machine_create(machine, config, workload->processes, diag);
    if (!status)
        status = machine_options(*machine, options);
    if (status)
        return status;
    if (sim_machine_needs_future(*machine))
        status = sim_machine_set_future(*machine, workload->records, workload->count);
    if (!status)
        status = sim_machine_run(*machine, workload->records, workload->count);
    return status;
}

static int stream_run(struct sim_machine *machine, struct schedule *s,
                      const struct sim_run_options *options, struct sim_diag *diag)
{
    struct sim_record *batch = malloc(sizeof *batch * RUN_BATCH);
    if (!batch)
        return SIM_ERR_NOMEM;
    uint64_t done = 0, next_report = PROGRESS_EVERY;
    int status;
    for (;;) {
        size_t got;
        status = schedule_next(s, batch, RUN_BATCH, &got, diag);
        if (status || got == 0)
            break;
        status = sim_machine_run(machine, batch, got);
        if (status)
            break;
        done += got;
        if (options->progress && done >= next_report) {
            options->progress(done, options->progress_arg);
            next_report += PROGRESS_EVERY;
        }
    }
    free(batch);
    return status;
}

int sim_run_traces(struct sim_machine **machine, const struct sim_config *config,
                   const char *const *paths, size_t count, const struct sim_run_options *options,
                   uint64_t *skipped, struct sim_diag *diag)
{
    *machine = NULL;
    struct schedule s;
    struct sim_workload workload = {0};
    int status = schedule_open(&s, paths, count, &options->trace, config->quantum, diag);
    if (!status)
        status = sim_machine_create(machine, config, s.processes, diag);
    if (!status)
        status = machine_options(*machine, options);
    if (status)
        goto out;
    if (sim_machine_needs_future(*machine)) {
        status = schedule_collect(&s, &workload, diag);
        if (!status)
            status = sim_machine_set_future(*machine, workload.records, workload.count);
        if (!status)
            status = sim_machine_run(*machine, workload.records, workload.count);
    } else {
        status = stream_run(*machine, &s, options, diag);
    }
    *skipped = schedule_skipped(&s);
out:
    sim_workload_free(&workload);
    schedule_close(&s);
    return status;
}
