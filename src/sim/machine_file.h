/* machine_file.h - built-in machines. */
#ifndef MMKIT_SIM_MACHINE_FILE_H
#define MMKIT_SIM_MACHINE_FILE_H

#include <stdbool.h>

#include "mmkit/sim.h"

/* Reset config to the preset called name; false if there is none. */
bool machine_preset_apply(struct sim_config *config, const char *name);

#endif
