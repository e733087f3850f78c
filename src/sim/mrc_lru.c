/* mrc_lru.c - the LRU curves of mmkit/mrc.h: of a workload in memory, or
 * of traces streamed batch by batch into several profiles at once (the
 * exact curve and a sample's, for --check) in one pass. */
#include <stdlib.h>

#include "mrc_profile.h"
#include "schedule.h"

#define MRC_BATCH 8192

static int workload_curve(struct sim_mrc *curve, const struct sim_config *config,
                          const struct sim_workload *workload, double rate, uint64_t max_pages,
                          struct sim_diag *diag)
{
    *curve = (struct sim_mrc){0};
    int status = sim_mrc_check_config(config, diag);
    if (status)
        return status;
    struct lru_profile profile;
    if (lru_profile_open(&profile, config, rate, max_pages))
        return SIM_ERR_NOMEM;
    if (lru_profile_feed(&profile, workload->records, workload->count)) {
        lru_profile_free(&profile);
        return SIM_ERR_NOMEM;
    }
    return lru_profile_finish(&profile, curve);
}

int sim_mrc_lru(struct sim_mrc *curve, const struct sim_config *config,
                const struct sim_workload *workload, struct sim_diag *diag)
{
    return workload_curve(curve, config, workload, 1, 0, diag);
}

int sim_mrc_shards(struct sim_mrc *curve, const struct sim_config *config,
                   const struct sim_workload *workload, double rate, uint64_t max_pages,
                   struct sim_diag *diag)
{
    return workload_curve(curve, config, workload, rate, max_pages, diag);
}

/* Read the schedule's words and feed every profile. */
static int stream_words(struct schedule *s, struct lru_profile *profiles, size_t count,
                        struct sim_diag *diag)
{
    for (;;) {
        const unsigned char *words;
        size_t got;
        int status = schedule_words(s, &words, MRC_BATCH, &got, diag);
        if (status || got == 0)
            return status;
        for (size_t i = 0; i < count; i++)
            if ((status = lru_profile_feed_words(&profiles[i], words, got)))
                return status;
    }
}

/* Read the schedule's records and feed every profile. */
static int stream(struct schedule *s, struct lru_profile *profiles, size_t count,
                  struct sim_diag *diag)
{
    if (schedule_has_words(s))
        return stream_words(s, profiles, count, diag);
    struct sim_record *batch = malloc(sizeof *batch * MRC_BATCH);
    if (!batch)
        return SIM_ERR_NOMEM;
    int status;
    for (;;) {
        size_t got;
        status = schedule_next(s, batch, MRC_BATCH, &got, diag);
        if (status || got == 0)
            break;
        for (size_t i = 0; !status && i < count; i++)
            status = lru_profile_feed(&profiles[i], batch, got);
        if (status)
            break;
    }
    free(batch);
    return status;
}

int sim_mrc_lru_traces(struct sim_mrc *curves, const struct sim_mrc_sample *samples, size_t count,
                       const struct sim_config *config, const char *const *paths,
                       size_t path_count, const struct sim_trace_options *options,
                       uint64_t *skipped, struct sim_diag *diag)
{
    for (size_t i = 0; i < count; i++)
        curves[i] = (struct sim_mrc){0};
    int status = sim_mrc_check_config(config, diag);
    if (status)
        return status;
    struct lru_profile *profiles = calloc(count ? count : 1, sizeof *profiles);
    if (!profiles)
        return SIM_ERR_NOMEM;
    size_t opened = 0;
    for (; opened < count; opened++)
        if (lru_profile_open(&profiles[opened], config, samples[opened].rate,
                             samples[opened].max_pages))
            break;
    struct schedule s;
    status = opened < count ? SIM_ERR_NOMEM
                            : schedule_open(&s, paths, path_count, options, config->quantum, diag);
    if (!status) {
        status = stream(&s, profiles, count, diag);
        *skipped = schedule_skipped(&s);
        schedule_close(&s);
    }
    for (size_t i = 0; i < opened; i++) {
        if (status)
            lru_profile_free(&profiles[i]);
        else
            status = lru_profile_finish(&profiles[i], &curves[i]);
    }
    free(profiles);
    return status;
}
