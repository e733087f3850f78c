/*
 * api.h - the top layer: start-up (init.c), the mmkit_* entry points and
 * their dispatch by mode (entry.c), and the standard names (override.c).
 */
#ifndef MMKIT_API_H
#define MMKIT_API_H

#include "platform.h"

/* Runs once, before the first allocation is served; cheap afterwards. */
void mmkit_init(void) INTERNAL;

#endif /* MMKIT_API_H */
