/* mrc_curve.c - reading a miss-ratio curve: faults and miss ratio at a
 * size, the knee, the error of an estimate, the sizes worth printing. */
#include <math.h>
#include <stdlib.h>

#include "diag.h"
#include "mmkit/mrc.h"

int sim_mrc_check_config(const struct sim_config *config, struct sim_diag *diag)
{
    if (config->translation != SIM_PAGING)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "translation",
                        "miss-ratio curves need paging");
    if (config->segment_count)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "segment",
                        "miss-ratio curves take no segments (their protection faults are not "
                        "page faults)");
    if (config->local_allocation)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "allocation",
                        "miss-ratio curves are for global allocation (all processes share the "
                        "frames)");
    return SIM_OK;
}

void sim_mrc_free(struct sim_mrc *curve)
{
    free(curve->faults);
    curve->faults = NULL;
}

double sim_mrc_faults(const struct sim_mrc *curve, uint64_t frames)
{
    return curve->faults[frames < curve->footprint ? frames : curve->footprint];
}

double sim_mrc_miss_ratio(const struct sim_mrc *curve, uint64_t frames)
{
    return curve->references ? sim_mrc_faults(curve, frames) / (double)curve->references : 0;
}

uint64_t sim_mrc_resolution(const struct sim_mrc *curve)
{
    return curve->sample_rate < 1 ? (uint64_t)llround(1 / curve->sample_rate) : 1;
}

uint64_t sim_mrc_knee(const struct sim_mrc *curve, double share)
{
    double all_hits = curve->faults[0] - curve->faults[curve->footprint];
    for (uint64_t f = sim_mrc_resolution(curve); f < curve->footprint; f++)
        if (curve->faults[0] - curve->faults[f] >= share * all_hits)
            return f;
    return curve->footprint;
}

double sim_mrc_error(const struct sim_mrc *estimate, const struct sim_mrc *exact)
{
    double sum = 0;
    for (uint64_t f = 1; f <= exact->footprint; f++)
        sum += fabs(sim_mrc_miss_ratio(estimate, f) - sim_mrc_miss_ratio(exact, f));
    return exact->footprint ? sum / (double)exact->footprint : 0;
}

int sim_mrc_default_sizes(const struct sim_mrc *curves, size_t count, uint64_t **sizes,
                          size_t *size_count)
{
    uint64_t footprint = 1;
    for (size_t i = 0; i < count; i++)
        if (curves[i].footprint > footprint)
            footprint = curves[i].footprint;
    *sizes = malloc(sizeof **sizes * 66);
    if (!*sizes)
        return SIM_ERR_NOMEM;
    size_t n = 0;
    for (uint64_t f = 1; f < footprint; f *= 2)
        (*sizes)[n++] = f;
    (*sizes)[n++] = footprint;
    *size_count = n;
    return SIM_OK;
}
