/* trace_lackey.c - valgrind lackey's text ("--trace-mem=yes"):
 *
 *   I  04010c0,3        instruction fetch: address in hex, size in bytes
 *    L 1ffefffd70,8     load (S store, M modify) with one leading space
 *   ==1234== ...        valgrind's own log lines, skipped (as are "--1234--")
 *
 * Lines are parsed in place in the trace's buffer; this is the text hot
 * path, so it avoids the C library's conversion functions. */
#include <string.h>

#include "diag.h"
#include "trace.h"

static inline int hex_digit(unsigned char c)
{
    if ((unsigned)(c - '0') < 10)
        return c - '0';
    c |= 0x20;
    if ((unsigned)(c - 'a') < 6)
        return c - 'a' + 10;
    return -1;
}

/* What was wrong with a line, for the diagnostic. */
struct line_error {
    const char *field;
    const char *message;
};

/* Parse [p, end); returns 1 for a record, 0 for a line to ignore, -1 with
 * *error set for a malformed line. */
static int parse_line(const char *p, const char *end, struct sim_record *r,
                      struct line_error *error)
{
    if (end > p && end[-1] == '\r')
        end--;
    if (p == end || (end - p >= 2 && (p[0] == '=' || p[0] == '-') && p[1] == p[0]))
        return 0;
    if (p[0] == 'I') {
        r->kind = SIM_INSTR;
        p++;
    } else if (p[0] == ' ' && end - p >= 2 && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M')) {
        r->kind = p[1] == 'L' ? SIM_LOAD : p[1] == 'S' ? SIM_STORE : SIM_MODIFY;
        p += 2;
    } else {
        *error = (struct line_error){"kind", "expected 'I', ' L', ' S' or ' M' at the start"};
        return -1;
    }
    if (p == end || *p != ' ') {
        *error = (struct line_error){"kind", "expected a space after the kind"};
        return -1;
    }
    while (p < end && *p == ' ')
        p++;
    uint64_t addr = 0;
    const char *digits = p;
    int d;
    while (p < end && (d = hex_digit((unsigned char)*p)) >= 0) {
        addr = addr << 4 | (uint64_t)d;
        p++;
    }
    if (p == digits || p - digits > 16) {
        *error = (struct line_error){"address", p == digits ? "expected a hexadecimal address"
                                                            : "address longer than 64 bits"};
        return -1;
    }
    if (p == end || *p != ',') {
        *error = (struct line_error){"address", "expected ',' after the address"};
        return -1;
    }
    p++;
    uint64_t size = 0;
    digits = p;
    while (p < end && (unsigned)(*p - '0') < 10 && size <= UINT32_MAX)
        size = size * 10 + (uint64_t)(*p++ - '0');
    if (p == digits || size == 0 || size > UINT32_MAX) {
        *error = (struct line_error){"size", "expected a size from 1 to 4294967295 bytes"};
        return -1;
    }
    while (p < end && *p == ' ')
        p++;
    if (p != end) {
        *error = (struct line_error){"size", "unexpected text after the size"};
        return -1;
    }
    r->addr = addr;
    r->size = (uint32_t)size;
    return 1;
}

int lackey_read(struct sim_trace *trace, struct sim_record *records, size_t cap, size_t *got,
                struct sim_diag *diag)
{
    size_t n = 0;
    const unsigned kinds = trace->options.kinds;
    while (n < cap) {
        char *start = trace->buf + trace->pos;
        char *stop = trace->buf + trace->len;
        char *newline = memchr(start, '\n', (size_t)(stop - start));
        if (!newline) {
            if (!trace->eof) {
                if (trace->pos == 0 && trace->len == trace->cap)
                    return diag_set(diag, SIM_ERR_PARSE, trace->path, trace->line + 1, NULL,
                                    "line longer than %zu bytes", trace->cap);
                if (!trace_refill(trace, diag))
                    return SIM_ERR_IO;
                continue;
            }
            if (start == stop)
                break;
            newline = stop; /* a last line without its newline */
        }
        trace->line++;
        trace->pos = (size_t)(newline - trace->buf) + (newline < stop);
        struct sim_record *r = &records[n];
        struct line_error error;
        int parsed = parse_line(start, newline, r, &error);
        if (parsed > 0 && (kinds >> r->kind & 1)) {
            r->pid = trace->options.first_pid;
            n++;
        } else if (parsed < 0) {
            if (!trace->options.skip_bad)
                return diag_set(diag, SIM_ERR_PARSE, trace->path, trace->line, error.field,
                                "%s", error.message);
            trace->skipped++;
        }
    }
    *got = n;
    return SIM_OK;
}
