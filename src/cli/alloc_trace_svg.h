/* alloc_trace_svg.h - an allocation trace as a picture: live bytes over
 * the run, as a standalone SVG line chart. */
#ifndef MMKIT_CLI_ALLOC_TRACE_SVG_H
#define MMKIT_CLI_ALLOC_TRACE_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "mmkit/alloc_trace.h"

/* Draw the trace at `path` to `out`; 0, or -1 with a message naming the
 * file in `error` (a damaged trace is drawn up to the damage, then -1). */
int alloc_trace_svg(const char *path, FILE *out, char *error, size_t error_size);

#endif
