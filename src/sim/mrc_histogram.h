/* mrc_histogram.h - a histogram of stack distances, and the fault curve
 * it gives: with f frames, a reference faults if its distance is above f
 * or it is the page's first (distance 0).  Weights are doubles so that a
 * sampled reference can stand for many. */
#ifndef MMKIT_SIM_MRC_HISTOGRAM_H
#define MMKIT_SIM_MRC_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "mmkit/mrc.h"

struct mrc_histogram {
    double *count; /* count[d] for distances 1..cap-1; count[0] is the cold misses */
    size_t cap;
    uint64_t deepest; /* the largest distance added */
};

int mrc_histogram_init(struct mrc_histogram *h);
void mrc_histogram_free(struct mrc_histogram *h);
/* Make room for distance: SIM_OK or SIM_ERR_NOMEM. */
int mrc_histogram_grow(struct mrc_histogram *h, uint64_t distance);

/* Inline: it is called for every reference counted.  SIM_OK or
 * SIM_ERR_NOMEM. */
static inline int mrc_histogram_add(struct mrc_histogram *h, uint64_t distance, double weight)
{
    if (distance >= h->cap && mrc_histogram_grow(h, distance))
        return SIM_ERR_NOMEM;
    h->count[distance] += weight;
    if (distance > h->deepest)
        h->deepest = distance;
    return SIM_OK;
}
/* Fill curve->faults for 0..curve->footprint, which is raised to the
 * deepest distance if below it; SIM_OK or SIM_ERR_NOMEM. */
int mrc_histogram_curve(const struct mrc_histogram *h, struct sim_mrc *curve);

#endif
