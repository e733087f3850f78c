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

#define ADDR_BITS 48
#define ADDR_MASK ((1ull << ADDR_BITS) - 1)

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

static inline void decode(uint64_t word, struct sim_record *r)
{
    /* Sign-extend the 48-bit address back to a canonical 64-bit one. */
    r->addr = (uint64_t)((int64_t)(word << (64 - ADDR_BITS)) >> (64 - ADDR_BITS));
    r->kind = (uint8_t)(word >> 48 & 3);
    r->size = (uint32_t)(word >> 50 & BINARY_MAX_SIZE);
    r->pid = (uint16_t)(word >> 60);
}

/* The first record of records[0..count) that is not valid, or NULL. */
static const struct sim_record *invalid(const struct sim_trace *trace,
                                        const struct sim_record *records, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (records[i].size == 0 ||
            records[i].pid - trace->options.first_pid >= (int)trace->processes)
            return &records[i];
    return NULL;
}

int binary_read(struct sim_trace *trace, struct sim_record *records, size_t cap, size_t *got,
                struct sim_diag *diag)
{
    size_t n = 0;
    const unsigned kinds = trace->options.kinds;
    const uint16_t first_pid = trace->options.first_pid;
    /* Validity is checked for the whole batch at once, by folding every
     * record's size and process into two values in the decoding loop: a
     * branch per record would cost as much as the decoding. */
    uint32_t sizes_all = BINARY_MAX_SIZE;
    unsigned pids_any = 0;
    while (n < cap) {
        if (trace->len - trace->pos < 8) {
            if (trace->eof)
                break;
            if (!trace_refill(trace, diag))
                return SIM_ERR_IO;
            continue;
        }
        size_t words = (trace->len - trace->pos) / 8;
        if (words > cap - n)
            words = cap - n;
        const char *p = trace->buf + trace->pos;
        for (size_t i = 0; i < words; i++) {
            uint64_t word;
            memcpy(&word, p + 8 * i, 8);
            struct sim_record *r = &records[n];
            decode(le64toh(word), r);
            sizes_all &= r->size ? BINARY_MAX_SIZE : 0;
            pids_any |= 1u << r->pid;
            r->pid = (uint16_t)(r->pid + first_pid);
            n += kinds >> r->kind & 1;
        }
        trace->pos += words * 8;
        trace->line += words;
    }
    if (trace->eof && trace->len != trace->pos && trace->len - trace->pos < 8)
        return diag_set(diag, SIM_ERR_PARSE, trace->path, 0, "record",
                        "the file ends inside record %lu", trace->line + 1);
    const struct sim_record *bad = !sizes_all || pids_any >> trace->processes
                                       ? invalid(trace, records, n)
                                       : NULL;
    if (bad)
        return diag_set(diag, SIM_ERR_PARSE, trace->path, 0, "record",
                        "record near %lu has %s", trace->line,
                        bad->size ? "a process beyond the header's count" : "size 0");
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
