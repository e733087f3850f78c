/* trace.h - an open trace: the input stream, its format, and the reading
 * state of that format.  trace.c opens and dispatches; trace_lackey.c and
 * trace_binary.c read. */
#ifndef MMKIT_SIM_TRACE_H
#define MMKIT_SIM_TRACE_H

#include <endian.h>
#include <string.h>

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
#define BINARY_ADDR_BITS 48

/* The record a binary word stands for, its process counted from
 * first_pid. */
static inline struct sim_record binary_decode(uint64_t word, uint16_t first_pid)
{
    /* Sign-extend the 48-bit address back to a canonical 64-bit one. */
    return (struct sim_record){
        .addr = (uint64_t)((int64_t)(word << (64 - BINARY_ADDR_BITS)) >> (64 - BINARY_ADDR_BITS)),
        .kind = (uint8_t)(word >> 48 & 3),
        .size = (uint32_t)(word >> 50 & BINARY_MAX_SIZE),
        .pid = (uint16_t)((word >> 60) + first_pid),
    };
}

/* A binary word at p, which need not be aligned. */
static inline uint64_t binary_word(const unsigned char *p)
{
    uint64_t word;
    memcpy(&word, p, 8);
    return le64toh(word);
}

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
/* Up to cap words of a binary trace, each checked, in place in the
 * buffer: *words is valid until the next read.  *got is 0 at the end. */
int binary_words(struct sim_trace *trace, const unsigned char **words, size_t cap, size_t *got,
                 struct sim_diag *diag);
/* As sim_trace_read, for a binary trace read for every kind: its words,
 * which the reader decodes (binary_decode) as it goes, saving a copy of
 * every record. */
bool sim_trace_has_words(const struct sim_trace *trace);
int sim_trace_read_words(struct sim_trace *trace, const unsigned char **words, size_t cap,
                         size_t *got, struct sim_diag *diag);
/* Check the header at buf; 0 or an error. */
int binary_header(struct sim_trace *trace, const unsigned char *header, struct sim_diag *diag);

#endif
