/* coherence.h - keeping several CPUs' private caches coherent with MESI,
 * MOESI or MSI (coherence.c): a snooping bus, each CPU's private caches
 * answering for it together. */
#ifndef MMKIT_SIM_COHERENCE_H
#define MMKIT_SIM_COHERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"

/* A line's state in a CPU's private caches. */
enum coherence_state { LINE_INVALID, LINE_SHARED, LINE_EXCLUSIVE, LINE_OWNED, LINE_MODIFIED };

/* cache_access with several CPUs: before `cpu` reads or writes a line, the
 * bus does what the protocol says to the other CPUs' copies (invalidating,
 * downgrading, one of them supplying the line); after, the line has its new
 * state in cpu's caches. */
double coherence_access(struct cache_hierarchy *h, unsigned cpu, uint64_t paddr, uint32_t size,
                        unsigned kind, unsigned *served);

/* 'M', 'O', 'E', 'S' or 'I'. */
char coherence_state_letter(unsigned state);
/* The state of the line at addr in cpu's caches. */
unsigned coherence_state_of(const struct cache_hierarchy *h, unsigned cpu, uint64_t addr);

#endif
