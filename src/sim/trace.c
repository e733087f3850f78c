/* trace.c - opening a trace and telling its format from its first bytes. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "trace.h"

#define TRACE_BUFFER (1u << 18)

bool sim_kinds_parse(const char *letters, unsigned *mask)
{
    static const char kinds[] = "ILSM";
    *mask = 0;
    for (const char *p = letters; *p; p++) {
        const char *kind = strchr(kinds, *p & ~0x20);
        if (!kind || !*p)
            return false;
        *mask |= 1u << (kind - kinds);
    }
    return *mask != 0;
}

int sim_trace_open(struct sim_trace **out, const char *path,
                   const struct sim_trace_options *options, struct sim_diag *diag)
{
    *out = NULL;
    struct sim_trace *trace = calloc(1, sizeof *trace);
    if (!trace)
        return SIM_ERR_NOMEM;
    snprintf(trace->path, sizeof trace->path, "%s", path);
    trace->options = *options;
    trace->processes = 1;
    trace->cap = TRACE_BUFFER;
    trace->buf = malloc(trace->cap);
    int status = trace->buf ? input_open(&trace->in, path, diag) : SIM_ERR_NOMEM;
    if (status)
        goto fail;
    unsigned char header[BINARY_HEADER_SIZE];
    size_t n = input_peek(trace->in, header, sizeof header, diag);
    if (n >= sizeof BINARY_MAGIC - 1 && !memcmp(header, BINARY_MAGIC, sizeof BINARY_MAGIC - 1)) {
        trace->format = TRACE_BINARY;
        status = n < BINARY_HEADER_SIZE
                     ? diag_set(diag, SIM_ERR_PARSE, path, 0, NULL,
                                "truncated: %zu bytes, where a binary trace's header alone has %d",
                                n, BINARY_HEADER_SIZE)
                     : binary_header(trace, header, diag);
        if (!status)
            status = input_read(trace->in, header, sizeof header, diag) < 0 ? SIM_ERR_IO : SIM_OK;
        if (status)
            goto fail;
    }
    *out = trace;
    return SIM_OK;
fail:
    sim_trace_close(trace);
    return status;
}

/* Names the kinds a trace was read for, when not all: " of kind L". */
static const char *kinds_asked(unsigned kinds, char *out, size_t size)
{
    static const char letters[] = "ILSM";
    if (kinds == SIM_KIND_ALL)
        return "";
    size_t n = (size_t)snprintf(out, size, " of the kinds asked (");
    for (unsigned k = 0; k < 4 && n + 2 < size; k++)
        if (kinds >> k & 1)
            out[n++] = letters[k];
    snprintf(out + n, size - n, ")");
    return out;
}

/* Count got records delivered: a trace with nothing to simulate is a
 * mistake (an empty file, a header alone, every line skipped), not a run
 * that cost nothing. */
static int delivered(struct sim_trace *trace, size_t got, size_t cap, struct sim_diag *diag)
{
    trace->delivered += got;
    if (got == 0 && cap > 0 && trace->delivered == 0) {
        char kinds[40];
        return diag_set(diag, SIM_ERR_PARSE, trace->path, 0, NULL, "no references%s%s",
                        kinds_asked(trace->options.kinds, kinds, sizeof kinds),
                        trace->skipped ? " (every line was skipped as malformed)" : "");
    }
    return SIM_OK;
}

int sim_trace_read(struct sim_trace *trace, struct sim_record *records, size_t cap, size_t *got,
                   struct sim_diag *diag)
{
    int status = trace->format == TRACE_BINARY ? binary_read(trace, records, cap, got, diag)
                                               : lackey_read(trace, records, cap, got, diag);
    return status ? status : delivered(trace, *got, cap, diag);
}

bool sim_trace_has_words(const struct sim_trace *trace)
{
    return trace->format == TRACE_BINARY && trace->options.kinds == SIM_KIND_ALL;
}

int sim_trace_read_words(struct sim_trace *trace, const unsigned char **words, size_t cap,
                         size_t *got, struct sim_diag *diag)
{
    int status = binary_words(trace, words, cap, got, diag);
    return status ? status : delivered(trace, *got, cap, diag);
}

unsigned sim_trace_processes(const struct sim_trace *trace)
{
    return trace->processes;
}

uint64_t sim_trace_skipped(const struct sim_trace *trace)
{
    return trace->skipped;
}

void sim_trace_close(struct sim_trace *trace)
{
    if (!trace)
        return;
    input_close(trace->in);
    free(trace->buf);
    free(trace);
}
