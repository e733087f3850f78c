/* trace.h - an open trace: the input stream, its format, and the reading
 * state of that format.  trace.c opens and dispatches; trace_lackey.c and
 * trace_binary.c read. */
#ifndef MMKIT_SIM_TRACE_H
#define MMKIT_SIM_TRACE_H

#include "input.h"
#include "mmkit/sim.h"

enum trace_format { TRACE_LACKEY, TRACE_BINARY };

/* The binary format: a header, then one 64-bit little-endian word per
 * record: bits 0-47 the address (sign-extended from bit 47, as x86-64's
 * canonical addresses are), 48-49 the kind, 50-59 the size (1-1023),
 * 60-63 the process (0-15). */
#define BINARY_MAGIC "MMKTRACE"
#define BINARY_VERSION 1u
#define BINARY_HEADER_SIZE 16
#define BINARY_MAX_SIZE 1023u
#define BINARY_MAX_PROCESSES 16u

/* Invariant: buf[pos .. len) holds bytes read but not yet parsed; for text
 * they begin at the start of line `line + 1`. */
struct sim_trace {
    char path[256];
    struct input *in;
    enum trace_format format;
    struct sim_trace_options options;
    unsigned processes;
    char *buf;
    size_t len, pos, cap;
    bool eof;
    unsigned long line;
    uint64_t skipped;
    uint64_t delivered; /* records handed to the reader so far */
};

/* Move the unparsed bytes to the front and read more after them; false on a
 * read error (described in diag). */
bool trace_refill(struct sim_trace *trace, struct sim_diag *diag);

int lackey_read(struct sim_trace *trace, struct sim_record *records, size_t cap, size_t *got,
                struct sim_diag *diag);
int binary_read(struct sim_trace *trace, struct sim_record *records, size_t cap, size_t *got,
                struct sim_diag *diag);
/* Check the header at buf; 0 or an error. */
int binary_header(struct sim_trace *trace, const unsigned char *header, struct sim_diag *diag);

#endif
