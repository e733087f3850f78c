/* kernel.h - what the simulated kernel does (kernel.c): faults,
 * segments, frame pools. */
#ifndef MMKIT_SIM_KERNEL_H
#define MMKIT_SIM_KERNEL_H

#include <stdint.h>

#include "machine.h"

/* Serve a fault on page vpn of process p.  Sets *pte to the now
 * present entry and returns 0, returns 1 after counting a protection fault,
 * or SIM_ERR_NOMEM. */
int kernel_page_fault(struct sim_machine *m, struct process *p, uint64_t addr, uint64_t vpn,
                      unsigned kind, uint64_t **pte);
/* Count (and keep the first few of) protection faults. */
void kernel_protection_fault(struct sim_machine *m, struct process *p, uint64_t addr,
                             unsigned kind, int segment, const char *reason);
/* The segment addr is in, by range or by its top bits (-1 if
 * none), and *violation why it may not be used (NULL if it may): no
 * segment there, or an offset beyond the limit of the one its bits chose. */
int kernel_segment_select(const struct sim_config *config, uint64_t addr, const char **violation);
/* Why segment forbids an access of this kind, or NULL. */
const char *kernel_segment_forbids(const struct sim_segment *segment, unsigned kind);
/* Frame pools and policy instances; 0 or an error. */
int kernel_init(struct sim_machine *m, struct sim_diag *diag);
void kernel_free(struct sim_machine *m);

#endif
