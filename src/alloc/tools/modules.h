/*
 * modules.h - the code the process has mapped from files (the program and
 * its libraries), as the allocation trace records it so that stacks can be
 * named after the process is gone.  Read from /proc/self/maps and the ELF
 * headers in memory, without allocating and without the dynamic loader's
 * locks, so it may run inside malloc under any of the allocator's locks.
 */
#ifndef MMKIT_MODULES_H
#define MMKIT_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

#define MODULE_BUILD_ID_MAX 64
#define MODULE_PATH_MAX 4096

/* One executable mapping of a file. */
typedef struct module_mapping {
    uintptr_t start, end; /* the mapping, [start, end) */
    uint64_t offset;      /* of start in the file */
    uint64_t vaddr;       /* start's address in the ELF file's own layout (start - load bias) */
    uint8_t build_id[MODULE_BUILD_ID_MAX];
    size_t build_id_size; /* 0: none found */
    char path[MODULE_PATH_MAX];
} module_mapping;

/* Call `found` for each executable mapping of a file, in address order;
 * false if /proc/self/maps cannot be read.  Not reentrant: one caller at a
 * time (the trace's lock serializes them). */
bool modules_scan(void (*found)(const module_mapping *mapping, void *context),
                  void *context) INTERNAL;

/* The executable mapping holding `address`, into *out; false if none. */
bool modules_find(uintptr_t address, module_mapping *out) INTERNAL;

#endif /* MMKIT_MODULES_H */
