/* timeline.h - faults over time (timeline.c): the samples its
 * observer takes and their drawing. */
#ifndef MMKIT_SIM_TIMELINE_H
#define MMKIT_SIM_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mmkit/sim.h"

/* Cumulative faults sampled every `interval` references while enabled
 * (next is UINT64_MAX otherwise).  When full, every other sample goes and
 * the interval doubles, so any run keeps at most TIMELINE_POINTS samples. */
#define TIMELINE_POINTS 1024
struct timeline {
    uint64_t *references, *page_faults, *protection_faults;
    size_t count;
    uint64_t interval, next;
};

/* Draw the samples (its observer takes them) up to `now`,
 * where the counters are `s`, under a heading. */
void timeline_svg(FILE *out, const struct timeline *timeline, uint64_t now,
                  const struct sim_stats *s, const char *heading);

#endif
