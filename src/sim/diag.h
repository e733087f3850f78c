/* diag.h - filling in a struct sim_diag (where and why a call failed). */
#ifndef MMKIT_SIM_DIAG_H
#define MMKIT_SIM_DIAG_H

#include <stdio.h>

#include "mmkit/sim.h"

/* Record file, line, field and a printf-style message in diag (which may be
 * NULL); returns status, so that callers can `return diag_set(...)`. */
int diag_set(struct sim_diag *diag, int status, const char *file, unsigned long line,
             const char *field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* fopen(path, "rb") for a file to read; NULL with the reason in diag if it
 * cannot be opened or is a directory. */
FILE *diag_open_to_read(const char *path, struct sim_diag *diag);

#endif
