/* maps_mmkit.h - libmmkit's segments told by their headers (maps_mmkit.c). */
#ifndef MMKIT_CLI_MAPS_MMKIT_H
#define MMKIT_CLI_MAPS_MMKIT_H

#include "maps.h"

/* Anonymous regions that start with a libmmkit segment header become
 * mmkit-segment or mmkit-huge: for kernels that keep no mapping names.
 * Reads /proc/PID/mem, so it needs the rights a debugger needs. */
void maps_find_mmkit_segments(struct maps_layout *layout);

/* A new private folder for libmmkit's statistics files (`mmkit run
 * --maps`), its name in `dir`; and its removal with what it holds. */
bool maps_stats_folder(char *dir, size_t size);
void maps_stats_folder_remove(const char *dir);

#endif
