/* memory_image.h - physical memory an exercise gives, and the walks of
 * the tables stored in it (memory_image.c); the types are machine.h's. */
#ifndef MMKIT_SIM_MEMORY_IMAGE_H
#define MMKIT_SIM_MEMORY_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"

/* Load the image at path (0 or a diag naming it); free it; one reference,
 * its tables walked in the image: the physical address it comes to. */
int memory_image_load(struct memory_image *image, const char *path, uint64_t page_size,
                      struct sim_diag *diag);
void memory_image_free(struct memory_image *image);
uint64_t memory_image_access(struct sim_machine *m, struct process *p, uint64_t addr,
                             unsigned kind); /* the physical address */

#endif
