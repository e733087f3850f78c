/* report_caches.h - the caches' part of a run's summary (report_caches.c). */
#ifndef MMKIT_SIM_REPORT_CACHES_H
#define MMKIT_SIM_REPORT_CACHES_H

#include <stdio.h>

#include "mmkit/sim.h"

/* A line per cache and one for memory behind them; nothing without caches.
 * s is the run's total. */
void report_caches_text(FILE *out, const struct sim_machine *m, const struct sim_stats *s);
/* ",\n  \"caches\": [...], \"memory_accesses\": N" (nothing without caches). */
void report_caches_json(FILE *out, const struct sim_machine *m, const struct sim_stats *s);

#endif
