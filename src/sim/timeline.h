/* timeline.h - faults over time (timeline.c): the samples its
 * observer takes and their drawing. */
#ifndef MMKIT_SIM_TIMELINE_H
#define MMKIT_SIM_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"

/* Draw the samples (its observer takes them) up to `now`,
 * where the counters are `s`, under a heading. */
void timeline_svg(FILE *out, const struct timeline *timeline, uint64_t now,
                  const struct sim_stats *s, const char *heading);

#endif
