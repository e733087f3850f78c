/* sweep.c - fault counts of several policies over a range of memory sizes,
 * one simulation per (policy, frames) pair, shared among worker threads.
 * The workload is read-only and every job has its own machine, so the
 * workers share nothing but the job counter. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "policy.h"

int sim_sweep_parse(struct sim_sweep *sweep, const char *range, const char *policies,
                    struct sim_diag *diag)
{
    *sweep = (struct sim_sweep){0};
    unsigned long long low, high;
    int end = 0;
    if (sscanf(range, "frames=%llu..%llu%n", &low, &high, &end) != 2 || range[end] ||
        low < 1 || high < low || high - low > 100000)
        return diag_set(diag, SIM_ERR_CONFIG, "--sweep", 0, NULL,
                        "expected frames=A..B with 1 <= A <= B, found '%s'", range);
    sweep->frames_min = low;
    sweep->frames_max = high;
    char list[256];
    snprintf(list, sizeof list, "%s", !policies ? "fifo,lru,opt,clock" : policies);
    if (!strcmp(list, "all")) {
        for (unsigned i = 0; sim_policy_names[i]; i++)
            sweep->policies[sweep->policy_count++] = sim_policy_names[i];
        return SIM_OK;
    }
    for (char *save, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        unsigned i = 0;
        while (sim_policy_names[i] && strcmp(sim_policy_names[i], name))
            i++;
        if (!sim_policy_names[i])
            return diag_set(diag, SIM_ERR_CONFIG, "--policies", 0, NULL, "unknown policy '%s'",
                            name);
        if (sweep->policy_count == sizeof sweep->policies / sizeof sweep->policies[0])
            return diag_set(diag, SIM_ERR_CONFIG, "--policies", 0, NULL, "too many policies");
        sweep->policies[sweep->policy_count++] = sim_policy_names[i];
    }
    return SIM_OK;
}

struct sweep_job_queue {
    struct sim_sweep *sweep;
    const struct sim_config *config;
    const struct sim_workload *workload;
    atomic_size_t next;
    atomic_size_t done;
    size_t total;
    atomic_int status; /* the first error, or 0 */
    struct sim_diag diag;
    pthread_mutex_t diag_lock;
};

static uint64_t sweep_width(const struct sim_sweep *sweep)
{
    return sweep->frames_max - sweep->frames_min + 1;
}

static void *sweep_worker(void *arg)
{
    struct sweep_job_queue *q = arg;
    uint64_t width = sweep_width(q->sweep);
    for (size_t job; (job = atomic_fetch_add(&q->next, 1)) < q->total;) {
        if (atomic_load(&q->status))
            break;
        struct sim_config config = *q->config;
        snprintf(config.policy, sizeof config.policy, "%s", q->sweep->policies[job / width]);
        config.frames = q->sweep->frames_min + job % width;
        config.memory_bytes = 0;
        struct sim_machine *machine = NULL;
        struct sim_diag diag = {0};
        int status = sim_run_workload(&machine, &config, q->workload, NULL, &diag);
        if (status) {
            pthread_mutex_lock(&q->diag_lock);
            int expected = 0;
            if (atomic_compare_exchange_strong(&q->status, &expected, status))
                q->diag = diag;
            pthread_mutex_unlock(&q->diag_lock);
        } else {
            struct sim_stats stats;
            sim_machine_stats(machine, -1, &stats);
            q->sweep->faults[job] = stats.page_faults;
        }
        sim_machine_destroy(machine);
        size_t done = atomic_fetch_add(&q->done, 1) + 1;
        if (q->sweep->progress)
            q->sweep->progress(done, q->total, q->sweep->progress_arg);
    }
    return NULL;
}

int sim_sweep_run(struct sim_sweep *sweep, const struct sim_config *config,
                  const struct sim_workload *workload, unsigned threads, struct sim_diag *diag)
{
    if (config->translation != SIM_PAGING)
        return diag_set(diag, SIM_ERR_CONFIG, "--sweep", 0, NULL, "sweeps need paging");
    struct sweep_job_queue q = {.sweep = sweep, .config = config, .workload = workload,
                                .total = sweep->policy_count * sweep_width(sweep)};
    free(sweep->faults);
    sweep->faults = calloc(q.total ? q.total : 1, sizeof *sweep->faults);
    if (!sweep->faults)
        return SIM_ERR_NOMEM;
    pthread_mutex_init(&q.diag_lock, NULL);
    pthread_t workers[64];
    unsigned started = 0;
    for (; started < threads && started < 64; started++)
        if (pthread_create(&workers[started], NULL, sweep_worker, &q))
            break;
    if (started == 0)
        sweep_worker(&q);
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    pthread_mutex_destroy(&q.diag_lock);
    int status = atomic_load(&q.status);
    if (status && diag)
        *diag = q.diag;
    return status;
}

void sim_sweep_free(struct sim_sweep *sweep)
{
    free(sweep->faults);
    sweep->faults = NULL;
}

bool sim_sweep_anomaly(const struct sim_sweep *sweep, unsigned policy, uint64_t *frames)
{
    uint64_t width = sweep_width(sweep);
    const uint64_t *row = &sweep->faults[policy * width];
    for (uint64_t i = 0; i + 1 < width; i++) {
        if (row[i + 1] > row[i]) {
            *frames = sweep->frames_min + i;
            return true;
        }
    }
    return false;
}

/* The table of faults: aligned columns for people, or CSV. */
static void sweep_table(FILE *out, const struct sim_sweep *sweep, bool csv)
{
    uint64_t width = sweep_width(sweep);
    fprintf(out, csv ? "%s" : "%8s", "frames");
    for (unsigned p = 0; p < sweep->policy_count; p++)
        fprintf(out, csv ? ",%s" : " %10s", sweep->policies[p]);
    fputc('\n', out);
    for (uint64_t i = 0; i < width; i++) {
        fprintf(out, csv ? "%" PRIu64 : "%8" PRIu64, sweep->frames_min + i);
        for (unsigned p = 0; p < sweep->policy_count; p++)
            fprintf(out, csv ? ",%" PRIu64 : " %10" PRIu64, sweep->faults[p * width + i]);
        fputc('\n', out);
    }
}

void sim_sweep_csv(FILE *out, const struct sim_sweep *sweep)
{
    sweep_table(out, sweep, true);
}

void sim_sweep_text(FILE *out, const struct sim_sweep *sweep)
{
    uint64_t width = sweep_width(sweep);
    fprintf(out, "page faults by frames\n");
    sweep_table(out, sweep, false);
    for (unsigned p = 0; p < sweep->policy_count; p++) {
        uint64_t f;
        if (sim_sweep_anomaly(sweep, p, &f)) {
            uint64_t i = f - sweep->frames_min;
            fprintf(out, "Belady's anomaly: %s makes %" PRIu64 " faults with %" PRIu64
                         " frames but %" PRIu64 " with %" PRIu64 " frames\n",
                    sweep->policies[p], sweep->faults[p * width + i + 1], f + 1,
                    sweep->faults[p * width + i], f);
        }
    }
}

void sim_sweep_json(FILE *out, const struct sim_sweep *sweep)
{
    uint64_t width = sweep_width(sweep);
    fprintf(out, "{\n  \"frames_min\": %" PRIu64 ",\n  \"frames_max\": %" PRIu64 ",\n"
                 "  \"policies\": [",
            sweep->frames_min, sweep->frames_max);
    for (unsigned p = 0; p < sweep->policy_count; p++) {
        uint64_t f;
        bool anomaly = sim_sweep_anomaly(sweep, p, &f);
        fprintf(out, "%s\n    {\"policy\": \"%s\", \"page_faults\": [", p ? "," : "",
                sweep->policies[p]);
        for (uint64_t i = 0; i < width; i++)
            fprintf(out, "%s%" PRIu64, i ? ", " : "", sweep->faults[p * width + i]);
        fprintf(out, "], \"belady_anomaly_at\": ");
        if (anomaly)
            fprintf(out, "%" PRIu64 "}", f);
        else
            fprintf(out, "null}");
    }
    fprintf(out, "\n  ]\n}\n");
}
