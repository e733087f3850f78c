/* schedule.c - round-robin interleaving of traces.  A trace that ends
 * leaves the rotation; the others go on.  With one trace the records pass
 * straight through (the common case, kept free of copies). */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "schedule.h"
#include "trace.h"

#define STREAM_BUFFER 4096

/* Invariant: buf[pos .. len) are read but not yet scheduled. */
struct stream {
    struct sim_trace *trace;
    struct sim_record *buf;
    size_t len, pos;
    bool ended;
};

int schedule_open(struct schedule *s, const char *const *paths, size_t count,
                  const struct sim_trace_options *options, uint64_t quantum,
                  struct sim_diag *diag)
{
    *s = (struct schedule){.count = count, .quantum = quantum ? quantum : 1};
    if (count == 0)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, NULL, "no trace given");
    s->streams = calloc(count, sizeof *s->streams);
    if (!s->streams)
        return SIM_ERR_NOMEM;
    for (size_t i = 0; i < count; i++) {
        struct sim_trace_options these = *options;
        these.first_pid = (uint16_t)s->processes;
        int status = sim_trace_open(&s->streams[i].trace, paths[i], &these, diag);
        if (!status && !(s->streams[i].buf = malloc(sizeof(struct sim_record) * STREAM_BUFFER)))
            status = SIM_ERR_NOMEM;
        if (status)
            return status;
        s->processes += sim_trace_processes(s->streams[i].trace);
        if (s->processes > UINT16_MAX)
            return diag_set(diag, SIM_ERR_CONFIG, paths[i], 0, NULL, "too many processes");
    }
    return SIM_OK;
}

/* Make sure the current stream has records or has ended. */
static int stream_fill(struct stream *stream, struct sim_diag *diag)
{
    if (stream->pos < stream->len || stream->ended)
        return SIM_OK;
    stream->pos = 0;
    int status = sim_trace_read(stream->trace, stream->buf, STREAM_BUFFER, &stream->len, diag);
    if (!status && stream->len == 0)
        stream->ended = true;
    return status;
}

int schedule_next(struct schedule *s, struct sim_record *out, size_t cap, size_t *got,
                  struct sim_diag *diag)
{
    if (s->count == 1)
        return sim_trace_read(s->streams[0].trace, out, cap, got, diag);
    size_t n = 0;
    size_t idle = 0; /* streams in a row found ended */
    while (n < cap && idle < s->count) {
        struct stream *stream = &s->streams[s->current];
        int status = stream_fill(stream, diag);
        if (status)
            return status;
        if (stream->ended || s->used == s->quantum) {
            idle = stream->ended ? idle + 1 : 0;
            s->current = (s->current + 1) % s->count;
            s->used = 0;
            continue;
        }
        idle = 0;
        size_t take = stream->len - stream->pos;
        if (take > cap - n)
            take = cap - n;
        if (take > s->quantum - s->used)
            take = (size_t)(s->quantum - s->used);
        memcpy(out + n, stream->buf + stream->pos, take * sizeof *out);
        stream->pos += take;
        s->used += take;
        n += take;
    }
    *got = n;
    return SIM_OK;
}

bool schedule_has_words(const struct schedule *s)
{
    return s->count == 1 && sim_trace_has_words(s->streams[0].trace);
}

int schedule_words(struct schedule *s, const unsigned char **words, size_t cap, size_t *got,
                   struct sim_diag *diag)
{
    return sim_trace_read_words(s->streams[0].trace, words, cap, got, diag);
}

uint64_t schedule_skipped(const struct schedule *s)
{
    uint64_t skipped = 0;
    for (size_t i = 0; i < s->count; i++)
        if (s->streams[i].trace)
            skipped += sim_trace_skipped(s->streams[i].trace);
    return skipped;
}

void schedule_close(struct schedule *s)
{
    for (size_t i = 0; s->streams && i < s->count; i++) {
        sim_trace_close(s->streams[i].trace);
        free(s->streams[i].buf);
    }
    free(s->streams);
    s->streams = NULL;
}
