/* input.h - a byte stream from a file or standard input, decompressed on
 * the fly when it starts with the magic bytes of gzip, zstd or xz. */
#ifndef MMKIT_SIM_INPUT_H
#define MMKIT_SIM_INPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "mmkit/sim.h"

struct input;

/* path "-" is standard input.  0 or an error described in diag. */
int input_open(struct input **out, const char *path, struct sim_diag *diag);
/* Up to size bytes into buf: the count, 0 at the end, or a negative error
 * described in diag. */
ssize_t input_read(struct input *in, void *buf, size_t size, struct sim_diag *diag);
/* The first bytes (after decompression) without consuming them; fewer than
 * size only if the stream is shorter. */
size_t input_peek(struct input *in, void *buf, size_t size, struct sim_diag *diag);
void input_close(struct input *in);

#endif
