/* future.h - the future of a trace, for opt (future.c). */
#ifndef MMKIT_SIM_FUTURE_H
#define MMKIT_SIM_FUTURE_H

#include <stddef.h>
#include <stdint.h>

#include "mmkit/sim.h"

struct sim_machine;

/* The next use of every page reference of records. */
int future_compute(const struct sim_machine *m, const struct sim_record *records, size_t count,
                   uint64_t **next_use, size_t *references);

#endif
