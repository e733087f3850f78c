/* mrc_histogram.c - distance histograms into fault curves. */
#include <stdlib.h>
#include <string.h>

#include "mrc_histogram.h"

int mrc_histogram_init(struct mrc_histogram *h)
{
    *h = (struct mrc_histogram){.cap = 1024};
    h->count = calloc(h->cap, sizeof *h->count);
    return h->count ? SIM_OK : SIM_ERR_NOMEM;
}

void mrc_histogram_free(struct mrc_histogram *h)
{
    free(h->count);
    *h = (struct mrc_histogram){0};
}

int mrc_histogram_grow(struct mrc_histogram *h, uint64_t distance)
{
    size_t cap = h->cap;
    while (cap <= distance)
        cap *= 2;
    double *count = realloc(h->count, sizeof *count * cap);
    if (!count)
        return SIM_ERR_NOMEM;
    memset(count + h->cap, 0, sizeof *count * (cap - h->cap));
    h->count = count;
    h->cap = cap;
    return SIM_OK;
}

int mrc_histogram_curve(const struct mrc_histogram *h, struct sim_mrc *curve)
{
    if (curve->footprint < h->deepest)
        curve->footprint = h->deepest;
    curve->faults = malloc(sizeof *curve->faults * (curve->footprint + 1));
    if (!curve->faults)
        return SIM_ERR_NOMEM;
    /* faults[f] = cold misses + the references deeper than f. */
    double deeper = h->count[0];
    for (uint64_t f = curve->footprint + 1; f-- > 0;) {
        curve->faults[f] = deeper;
        if (f > 0 && f < h->cap)
            deeper += h->count[f];
    }
    /* A sample's negative correction may push an estimate past the
     * references it stands for: no size faults more than every time. */
    for (uint64_t f = 0; f <= curve->footprint; f++)
        if (curve->faults[f] > curve->faults[0])
            curve->faults[f] = curve->faults[0];
    return SIM_OK;
}
