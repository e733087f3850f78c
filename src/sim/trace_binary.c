/* trace_binary.c - mmkit's binary trace: a 16-byte header ("MMKTRACE",
 * 32-bit version, 32-bit process count, little-endian) and one 64-bit word
 * per record (layout in trace.h).  Fixed-size records decode with a few
 * shifts, which is the point of the format. */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "trace.h"

#define ADDR_MASK ((1ull << BINARY_ADDR_BITS) - 1)

static uint32_t load_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int binary_header(struct sim_trace *trace, const unsigned char *header, struct sim_diag *diag)
{
    uint32_t version = load_le32(header + 8);
    uint32_t processes = load_le32(header + 12);
    if (version != BINARY_VERSION)
        return diag_set(diag, SIM_ERR_PARSE, trace->path, 0, "version",
                        "binary trace version %u (this mmkit reads %u)", version, BINARY_VERSION);
    if (processes < 1 || processes > BINARY_MAX_PROCESSES)
        return diag_set(diag, SIM_ERR_PARSE, trace->path, 0, "processes",
                        "%u processes (1 to %u)", processes, BINARY_MAX_PROCESSES);
    trace->processes = processes;
    return SIM_OK;
}

int binary_words(struct sim_trace *trace, const unsigned char **words, size_t cap, size_t *got,
                 struct sim_diag *diag)
{
    *got = 0;
    if (trace->len - trace->pos < 8 && !trace->eof && !trace_refill(trace, diag))
        return SIM_ERR_IO;
    if (trace->len - trace->pos < 8) { /* the refill reached the end */
        if (trace->len != trace->pos)
            return diag_set(diag, SIM_ERR_PARSE, trace->path, 0, "record",
                            "the file ends inside record %lu", trace->line + 1);
        return SIM_OK;
    }
    size_t n = (trace->len - trace->pos) / 8;
    if (n > cap)
        n = cap;
    const unsigned char *p = (const unsigned char *)trace->buf + trace->pos;
    /* Validity is checked for the whole batch at once, by folding every
     * word into one value, in a loop without branches that the compiler
     * can vectorise: a size of 0 wraps round to set the top bit, and a
     * process beyond the count sets bit 4 (BINARY_MAX_PROCESSES). */
    uint64_t sizes_less_one = 0, pids_past = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t word = binary_word(p + 8 * i);
        sizes_less_one |= (word >> 50 & BINARY_MAX_SIZE) - 1;
        pids_past |= (word >> 60) + (BINARY_MAX_PROCESSES - trace->processes);
    }
    bool bad = sizes_less_one >> 63 || pids_past & BINARY_MAX_PROCESSES;
    trace->pos += n * 8;
    trace->line += n;
    for (size_t i = 0; bad && i < n; i++) {
        struct sim_record r = binary_decode(binary_word(p + 8 * i), 0);
        if (r.size == 0 || r.pid >= trace->processes)
            return diag_set(diag, SIM_ERR_PARSE, trace->path, 0, "record",
                            "record near %lu has %s", trace->line,
                            r.size ? "a process beyond the header's count" : "size 0");
    }
    *words = p;
    *got = n;
    return SIM_OK;
}

int binary_read(struct sim_trace *trace, struct sim_record *records, size_t cap, size_t *got,
                struct sim_diag *diag)
{
    const unsigned kinds = trace->options.kinds;
    const uint16_t first_pid = trace->options.first_pid;
    size_t n = 0;
    while (n < cap) {
        const unsigned char *words;
        size_t count;
        int status = binary_words(trace, &words, cap - n, &count, diag);
        if (status)
            return status;
        if (count == 0)
            break;
        for (size_t i = 0; i < count; i++) {
            records[n] = binary_decode(binary_word(words + 8 * i), first_pid);
            n += kinds >> records[n].kind & 1;
        }
    }
    *got = n;
    return SIM_OK;
}

/* ---- writing ---------------------------------------------------------- */

struct sim_trace_writer {
    char path[256];
    FILE *file;
    unsigned processes;
    uint64_t written;
};

int sim_trace_writer_open(struct sim_trace_writer **out, FILE *file, const char *name,
                          unsigned processes, struct sim_diag *diag)
{
    *out = NULL;
    if (processes < 1 || processes > BINARY_MAX_PROCESSES)
        return diag_set(diag, SIM_ERR_CONFIG, name, 0, "processes", "%u processes (1 to %u)",
                        processes, BINARY_MAX_PROCESSES);
    struct sim_trace_writer *w = calloc(1, sizeof *w);
    if (!w)
        return SIM_ERR_NOMEM;
    snprintf(w->path, sizeof w->path, "%s", name);
    w->processes = processes;
    w->file = file;
    unsigned char header[BINARY_HEADER_SIZE];
    memcpy(header, BINARY_MAGIC, 8);
    store_le32(header + 8, BINARY_VERSION);
    store_le32(header + 12, processes);
    fwrite(header, 1, sizeof header, w->file);
    *out = w;
    return SIM_OK;
}

int sim_trace_writer_put(struct sim_trace_writer *w, const struct sim_record *records,
                         size_t count, struct sim_diag *diag)
{
    uint64_t words[512];
    for (size_t done = 0; done < count;) {
        size_t n = count - done < 512 ? count - done : 512;
        for (size_t i = 0; i < n; i++) {
            const struct sim_record *r = &records[done + i];
            uint64_t canonical = (uint64_t)((int64_t)(r->addr << 16) >> 16);
            const char *field = canonical != r->addr           ? "address"
                                : r->size < 1 || r->size > BINARY_MAX_SIZE ? "size"
                                : r->pid >= w->processes       ? "process"
                                                               : NULL;
            if (field)
                return diag_set(diag, SIM_ERR_PARSE, w->path, 0, field,
                                "record %llu (address 0x%llx, size %u, process %u) does not fit "
                                "the binary format",
                                (unsigned long long)(w->written + i + 1),
                                (unsigned long long)r->addr, r->size, r->pid);
            words[i] = htole64((r->addr & ADDR_MASK) | (uint64_t)r->kind << 48 |
                               (uint64_t)r->size << 50 | (uint64_t)r->pid << 60);
        }
        if (fwrite(words, 8, n, w->file) != n)
            return diag_set(diag, SIM_ERR_IO, w->path, 0, NULL, "write error");
        done += n;
        w->written += n;
    }
    return SIM_OK;
}

int sim_trace_writer_close(struct sim_trace_writer *w, struct sim_diag *diag)
{
    int status = SIM_OK;
    if (fflush(w->file) || ferror(w->file))
        status = diag_set(diag, SIM_ERR_IO, w->path, 0, NULL, "write error");
    free(w);
    return status;
}
