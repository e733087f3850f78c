/*
 * trace_read.c - the reader of allocation traces (include/mmkit/alloc_trace.h).
 * It streams the file: a trace of a long run may not fit in memory.
 * Every malformed byte ends the reading with the file's name and the
 * offset of the record it belongs to.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmkit/alloc_trace.h"
#include "trace_format.h"

struct mmkit_alloc_trace {
    FILE *file;
    char *path;
    uint64_t offset;        /* of the next byte */
    uint64_t record_offset; /* of the record being read */
    struct mmkit_alloc_trace_info info;
    uint64_t time_ns, last_address;
    uint32_t current_thread;
    bool has_thread;
    uint32_t *tids; /* of the started threads, by index */
    size_t threads, tids_capacity;
    char error[600];
};

static void fail(struct mmkit_alloc_trace *t, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Keep the first error: "FILE: offset N: what". */
static void fail(struct mmkit_alloc_trace *t, const char *format, ...)
{
    if (t->error[0])
        return;
    int n = snprintf(t->error, sizeof t->error, "%s: offset %llu: ", t->path,
                     (unsigned long long)t->record_offset);
    if (n < 0 || (size_t)n >= sizeof t->error)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(t->error + n, sizeof t->error - (size_t)n, format, args);
    va_end(args);
}

static bool read_byte(struct mmkit_alloc_trace *t, uint8_t *out)
{
    int c = getc(t->file);
    if (c == EOF) {
        if (ferror(t->file))
            fail(t, "read error: %s", strerror(errno));
        else
            fail(t, "truncated record");
        return false;
    }
    t->offset++;
    *out = (uint8_t)c;
    return true;
}

static bool read_varint(struct mmkit_alloc_trace *t, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < TRACE_VARINT_MAX; i++) {
        uint8_t b;
        if (!read_byte(t, &b))
            return false;
        if (i == TRACE_VARINT_MAX - 1 && b > 1)
            break;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    fail(t, "number longer than 10 bytes");
    return false;
}

static bool read_address(struct mmkit_alloc_trace *t, uint64_t *out)
{
    uint64_t v;
    if (!read_varint(t, &v))
        return false;
    t->last_address += trace_unzigzag(v);
    *out = t->last_address;
    return true;
}

static uint64_t get_le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Check the header; the reason in t->error if it is not one we read. */
static bool read_header(struct mmkit_alloc_trace *t)
{
    uint8_t h[TRACE_HEADER_SIZE];
    size_t got = fread(h, 1, sizeof h, t->file);
    if (got < TRACE_MAGIC_SIZE || memcmp(h, TRACE_MAGIC, TRACE_MAGIC_SIZE) != 0) {
        snprintf(t->error, sizeof t->error, "%s: not an mmkit allocation trace", t->path);
        return false;
    }
    t->record_offset = got;
    if (got < TRACE_HEADER_SIZE) {
        fail(t, "truncated header");
        return false;
    }
    uint64_t version = get_le(h + TRACE_AT_VERSION, 2);
    uint64_t size = get_le(h + TRACE_AT_HEADER_SIZE, 2);
    t->record_offset = TRACE_AT_VERSION;
    if (version != TRACE_VERSION) {
        fail(t, "format version %u is not supported (this reader knows %u)", (unsigned)version,
             TRACE_VERSION);
        return false;
    }
    t->record_offset = TRACE_AT_HEADER_SIZE;
    if (size < TRACE_HEADER_SIZE) {
        fail(t, "header size %u is too small (at least %u)", (unsigned)size, TRACE_HEADER_SIZE);
        return false;
    }
    /* Fields of later versions: skipped. */
    for (t->offset = got; t->offset < size; t->offset++)
        if (getc(t->file) == EOF) {
            t->record_offset = t->offset;
            fail(t, "truncated header");
            return false;
        }
    t->info.pid = (uint32_t)get_le(h + TRACE_AT_PID, 4);
    t->info.parent_pid = (uint32_t)get_le(h + TRACE_AT_PARENT_PID, 4);
    t->info.start_monotonic_ns = get_le(h + TRACE_AT_START_MONOTONIC, 8);
    t->info.start_realtime_ns = get_le(h + TRACE_AT_START_REALTIME, 8);
    return true;
}

struct mmkit_alloc_trace *mmkit_alloc_trace_open(const char *path, char *error, size_t error_size)
{
    struct mmkit_alloc_trace *t = calloc(1, sizeof *t);
    char *copy = strdup(path);
    FILE *file = t && copy ? fopen(path, "rb") : NULL;
    if (!file) {
        snprintf(error, error_size, "%s: %s", path, t && copy ? strerror(errno) : "out of memory");
        free(copy);
        free(t);
        return NULL;
    }
    t->file = file;
    t->path = copy;
    if (!read_header(t)) {
        snprintf(error, error_size, "%s", t->error);
        mmkit_alloc_trace_close(t);
        return NULL;
    }
    return t;
}

const struct mmkit_alloc_trace_info *mmkit_alloc_trace_info(const struct mmkit_alloc_trace *t)
{
    return &t->info;
}

static bool start_thread(struct mmkit_alloc_trace *t, uint64_t index, uint64_t tid)
{
    if (index != t->threads) {
        fail(t, "thread start %llu out of order (expected %zu)", (unsigned long long)index,
             t->threads);
        return false;
    }
    if (t->threads == t->tids_capacity) {
        size_t capacity = t->tids_capacity ? 2 * t->tids_capacity : 16;
        uint32_t *tids = realloc(t->tids, capacity * sizeof *tids);
        if (!tids) {
            fail(t, "out of memory");
            return false;
        }
        t->tids = tids;
        t->tids_capacity = capacity;
    }
    t->tids[t->threads++] = (uint32_t)tid;
    return true;
}

static const char *const op_names[] = {
    [MMKIT_ALLOC_MALLOC] = "malloc", [MMKIT_ALLOC_CALLOC] = "calloc",
    [MMKIT_ALLOC_REALLOC] = "realloc", [MMKIT_ALLOC_ALIGNED] = "aligned",
    [MMKIT_ALLOC_FREE] = "free",
};

const char *mmkit_alloc_op_name(enum mmkit_alloc_op op)
{
    unsigned i = (unsigned)op;
    return i < sizeof op_names / sizeof op_names[0] && op_names[i] ? op_names[i] : "?";
}

/* The op byte's flags must fit its op. */
static bool check_op_byte(struct mmkit_alloc_trace *t, uint8_t byte)
{
    unsigned op = byte & TRACE_OP_MASK;
    if (op < MMKIT_ALLOC_MALLOC || op > TRACE_OP_THREAD_START) {
        fail(t, "unknown operation %u", op);
        return false;
    }
    if (byte & TRACE_RESERVED) {
        fail(t, "reserved bits set in 0x%02x", byte);
        return false;
    }
    if (op == TRACE_OP_THREAD_START) {
        if ((byte & (TRACE_THREAD_FOLLOWS | TRACE_ADDRESS_NULL | TRACE_OLD_NULL)) !=
            TRACE_THREAD_FOLLOWS) {
            fail(t, "thread start record needs flag T and no other (0x%02x)", byte);
            return false;
        }
    } else if ((byte & TRACE_OLD_NULL) && op != MMKIT_ALLOC_REALLOC) {
        fail(t, "flag O on a %s record", op_names[op]);
        return false;
    }
    return true;
}

/* The fields after the op byte, time and thread, into r. */
static bool read_fields(struct mmkit_alloc_trace *t, uint8_t byte, struct mmkit_alloc_record *r)
{
    unsigned op = byte & TRACE_OP_MASK;
    if (op == MMKIT_ALLOC_REALLOC && !(byte & TRACE_OLD_NULL) &&
        !read_address(t, &r->old_address))
        return false;
    if (op != TRACE_OP_THREAD_START && !(byte & TRACE_ADDRESS_NULL) &&
        !read_address(t, &r->address))
        return false;
    if (op != MMKIT_ALLOC_FREE && op != TRACE_OP_THREAD_START && !read_varint(t, &r->size))
        return false;
    return op != MMKIT_ALLOC_ALIGNED || read_varint(t, &r->alignment);
}

/* One record of any op, thread starts included: 1, 0 at the end, -1. */
static int read_record(struct mmkit_alloc_trace *t, struct mmkit_alloc_record *r, unsigned *op)
{
    t->record_offset = t->offset;
    int c = getc(t->file);
    if (c == EOF) {
        if (!ferror(t->file))
            return 0;
        fail(t, "read error: %s", strerror(errno));
        return -1;
    }
    t->offset++;
    uint8_t byte = (uint8_t)c;
    if (!check_op_byte(t, byte))
        return -1;
    if (!(byte & TRACE_THREAD_FOLLOWS) && !t->has_thread) {
        fail(t, "the first record names no thread");
        return -1;
    }
    *op = byte & TRACE_OP_MASK;
    uint64_t thread = t->current_thread, delta;
    if ((byte & TRACE_THREAD_FOLLOWS) && !read_varint(t, &thread))
        return -1;
    if (!read_varint(t, &delta))
        return -1;
    *r = (struct mmkit_alloc_record){.op = (enum mmkit_alloc_op)*op};
    if (*op == TRACE_OP_THREAD_START) {
        uint64_t tid;
        if (!read_varint(t, &tid) || !start_thread(t, thread, tid))
            return -1;
    } else if (!read_fields(t, byte, r)) {
        return -1;
    } else if (thread >= t->threads) {
        fail(t, "thread %llu has no start record", (unsigned long long)thread);
        return -1;
    }
    t->has_thread = true;
    t->current_thread = (uint32_t)thread;
    t->time_ns += delta;
    r->thread = t->current_thread;
    r->tid = t->tids[thread];
    r->time_ns = t->time_ns;
    return 1;
}

int mmkit_alloc_trace_next(struct mmkit_alloc_trace *t, struct mmkit_alloc_record *record)
{
    if (t->error[0])
        return -1;
    for (;;) {
        unsigned op;
        int got = read_record(t, record, &op);
        if (got != 1 || op != TRACE_OP_THREAD_START)
            return got;
    }
}

const char *mmkit_alloc_trace_error(const struct mmkit_alloc_trace *t)
{
    return t->error;
}

void mmkit_alloc_trace_close(struct mmkit_alloc_trace *t)
{
    if (!t)
        return;
    if (t->file)
        fclose(t->file);
    free(t->tids);
    free(t->path);
    free(t);
}
