/* sweep.c - fault counts of several policies over a range of memory sizes,
 * one simulation per (policy, frames) pair, shared among worker threads.
 * The workload is read-only and every job has its own machine, so the
 * workers share nothing but the job counter. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "policy.h"

#define SWEEP_MAX_COUNTS 100000

/* A range: from low to high, every count (form 0), every step-th from
 * low (':'), or n counts evenly spread ('/'), on a log scale if log. */
struct sweep_range {
    uint64_t low, high, n;
    char form;
    bool log;
};

static bool range_parse(const char *text, struct sweep_range *r)
{
    unsigned long long low, high;
    int end = 0;
    *r = (struct sweep_range){0};
    if (sscanf(text, "frames=%llu..%llu%n", &low, &high, &end) != 2 || low < 1 || high < low)
        return false;
    r->low = low;
    r->high = high;
    const char *rest = text + end;
    if (!*rest)
        return true;
    r->form = *rest;
    if ((r->form != ':' && r->form != '/') || !isdigit((unsigned char)rest[1]))
        return false;
    char *after;
    r->n = strtoull(rest + 1, &after, 10);
    if (r->form == '/' && !strcmp(after, "log")) {
        r->log = true;
        after += 3;
    }
    /* Spreading more counts than may be swept would only round to repeats. */
    return r->n >= 1 && (r->form != '/' || r->n <= SWEEP_MAX_COUNTS) && !*after;
}

/* The i-th count of the range, or high once past it. */
static uint64_t range_count(const struct sweep_range *r, uint64_t i)
{
    double f;
    if (r->form == ':')
        f = (double)r->low + (double)i * (double)r->n;
    else if (r->form == '/' && i + 1 < r->n)
        f = r->log ? (double)r->low * pow((double)r->high / (double)r->low, (double)i / (double)(r->n - 1))
                   : (double)r->low + (double)(r->high - r->low) * (double)i / (double)(r->n - 1);
    else if (r->form == '/')
        f = (double)r->high;
    else
        f = (double)(r->low + i);
    return f >= (double)r->high ? r->high : (uint64_t)llround(f);
}

/* The range's counts, repeats (of rounding) dropped, into frames if not
 * NULL; how many, or 0 if more than SWEEP_MAX_COUNTS. */
static uint64_t range_counts(const struct sweep_range *r, uint64_t *frames)
{
    uint64_t k = 0, last = 0;
    for (uint64_t i = 0; last < r->high; i++) {
        uint64_t f = range_count(r, i);
        if (k && f <= last)
            continue;
        if (k == SWEEP_MAX_COUNTS)
            return 0;
        if (frames)
            frames[k] = f;
        last = f;
        k++;
    }
    return k;
}

int sim_sweep_parse(struct sim_sweep *sweep, const char *range, const char *policies,
                    struct sim_diag *diag)
{
    *sweep = (struct sim_sweep){0};
    struct sweep_range r;
    uint64_t count = range_parse(range, &r) ? range_counts(&r, NULL) : 0;
    if (!count)
        return diag_set(diag, SIM_ERR_CONFIG, "--sweep", 0, NULL,
                        "expected frames=A..B, A..B:STEP, A..B/COUNT or A..B/COUNTlog with "
                        "1 <= A <= B and at most %d counts, found '%s'", SWEEP_MAX_COUNTS, range);
    char list[256];
    snprintf(list, sizeof list, "%s", !policies ? "fifo,lru,opt,clock" : policies);
    if (!strcmp(list, "all")) {
        for (unsigned i = 0; sim_policy_names[i]; i++)
            sweep->policies[sweep->policy_count++] = sim_policy_names[i];
    } else {
        for (char *save, *name = strtok_r(list, ",", &save); name;
             name = strtok_r(NULL, ",", &save)) {
            unsigned i = 0;
            while (sim_policy_names[i] && strcmp(sim_policy_names[i], name))
                i++;
            if (!sim_policy_names[i])
                return diag_set(diag, SIM_ERR_CONFIG, "--policies", 0, NULL,
                                "unknown policy '%s'", name);
            if (sweep->policy_count == sizeof sweep->policies / sizeof sweep->policies[0])
                return diag_set(diag, SIM_ERR_CONFIG, "--policies", 0, NULL, "too many policies");
            sweep->policies[sweep->policy_count++] = sim_policy_names[i];
        }
    }
    sweep->frames = malloc(sizeof *sweep->frames * count);
    if (!sweep->frames)
        return SIM_ERR_NOMEM;
    sweep->count = range_counts(&r, sweep->frames);
    sweep->frames_min = sweep->frames[0];
    sweep->frames_max = sweep->frames[count - 1];
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
    return sweep->count;
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
        config.frames = q->sweep->frames[job % width];
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
    free(sweep->frames);
    sweep->faults = NULL;
    sweep->frames = NULL;
}

bool sim_sweep_anomaly(const struct sim_sweep *sweep, unsigned policy, uint64_t *frames)
{
    uint64_t width = sweep_width(sweep);
    const uint64_t *row = &sweep->faults[policy * width];
    for (uint64_t i = 0; i + 1 < width; i++) {
        if (row[i + 1] > row[i]) {
            *frames = sweep->frames[i];
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
        fprintf(out, csv ? "%" PRIu64 : "%8" PRIu64, sweep->frames[i]);
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
            uint64_t i = 0;
            while (sweep->frames[i] != f)
                i++;
            fprintf(out, "Belady's anomaly: %s makes %" PRIu64 " faults with %" PRIu64
                         " frames but %" PRIu64 " with %" PRIu64 " frames\n",
                    sweep->policies[p], sweep->faults[p * width + i + 1], sweep->frames[i + 1],
                    sweep->faults[p * width + i], f);
        }
    }
}

void sim_sweep_json(FILE *out, const struct sim_sweep *sweep)
{
    uint64_t width = sweep_width(sweep);
    fprintf(out, "{\n  \"frames_min\": %" PRIu64 ",\n  \"frames_max\": %" PRIu64 ",\n"
                 "  \"frames\": [",
            sweep->frames_min, sweep->frames_max);
    for (uint64_t i = 0; i < width; i++)
        fprintf(out, "%s%" PRIu64, i ? ", " : "", sweep->frames[i]);
    fprintf(out, "],\n  \"policies\": [");
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
