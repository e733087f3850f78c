/* segments.h - translation without paging (segments.c). */
#ifndef MMKIT_SIM_SEGMENTS_H
#define MMKIT_SIM_SEGMENTS_H

#include <stdint.h>

struct sim_machine;
struct process;

/* One reference under segmentation or base-and-bounds. */
void segments_access(struct sim_machine *m, struct process *p, uint64_t addr, uint32_t size,
                     unsigned kind);

#endif
