/* coherence.h - keeping several CPUs' private caches coherent with MESI,
 * MOESI or MSI (coherence.c): a snooping bus, each CPU's private caches
 * answering for it together. */
#ifndef MMKIT_SIM_COHERENCE_H
#define MMKIT_SIM_COHERENCE_H

#include <stdbool.h>
#include <stdint.h>

struct cache_hierarchy;

/* A line's state in a CPU's private caches. */
enum coherence_state { LINE_INVALID, LINE_SHARED, LINE_EXCLUSIVE, LINE_OWNED, LINE_MODIFIED };

/* Before `cpu` reads or writes the line at addr: what the bus does to the
 * other CPUs' copies (invalidating, downgrading, one of them supplying the
 * line), and the state the line will have in cpu's caches after. */
unsigned coherence_before(struct cache_hierarchy *h, unsigned cpu, uint64_t addr, bool write);
/* After the access: the line is in cpu's caches, in that state. */
void coherence_after(struct cache_hierarchy *h, unsigned cpu, uint64_t addr, unsigned state);

/* 'M', 'O', 'E', 'S' or 'I'. */
char coherence_state_letter(unsigned state);
/* The state of the line at addr in cpu's caches. */
unsigned coherence_state_of(const struct cache_hierarchy *h, unsigned cpu, uint64_t addr);

#endif
