/*
 * trace_read.c - the reader of allocation traces (include/mmkit/alloc_trace.h).
 * It streams the file: a trace of a long run may not fit in memory.  What
 * later records refer to stays: the threads, the stacks (each a run of a
 * table of frames) and the mappings of code, which name the frames
 * (trace_symbols.c) when asked.  Every malformed byte ends the reading
 * with the file's name and the offset of the record it belongs to.
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
#include "trace_symbols.h"

/* A stack: frames[first .. first + count) of the trace's table. */
typedef struct stack_def {
    size_t first;
    uint32_t count;
    uint32_t mappings; /* mappings defined before it: those that name its frames */
} stack_def;

typedef struct mapping_def {
    uint64_t start, end, offset, vaddr;
    uint8_t build_id[TRACE_BUILD_ID_MAX];
    size_t build_id_size;
    char *path;
    trace_module *module; /* opened on first use; shared by mappings of one file */
    bool opened;
} mapping_def;

/* A frame named, by pc and the mapping it lies in. */
typedef struct named_frame {
    uint64_t pc;
    uint32_t mapping; /* its index + 1; 0: in none; UINT32_MAX: an empty slot */
    const char *function, *file;
    unsigned line;
} named_frame;

struct mmkit_alloc_trace {
    FILE *file;
    char *path;
    uint64_t offset;        /* of the next byte */
    uint64_t record_offset; /* of the record being read */
    struct mmkit_alloc_trace_info info;
    unsigned version;
    uint64_t time_ns, last_address, last_pc;
    uint32_t current_thread;
    bool has_thread;
    uint32_t *tids; /* of the started threads, by index */
    size_t threads, tids_capacity;
    stack_def *stacks; /* stack i at i - 1 */
    size_t stack_count, stacks_capacity;
    uint64_t *frames;
    size_t frame_count, frames_capacity;
    mapping_def *mappings;
    size_t mapping_count, mappings_capacity;
    trace_symbols *symbols; /* made on the first frame named */
    named_frame *names;     /* open addressing by pc and mapping */
    size_t name_count, names_capacity;
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

/* Room for one more item in an array that grows by doubling. */
static bool grow(struct mmkit_alloc_trace *t, void **items, size_t *capacity, size_t count,
                 size_t item_size, size_t more)
{
    if (count + more <= *capacity)
        return true;
    size_t wanted = *capacity ? 2 * *capacity : 16;
    while (wanted < count + more)
        wanted *= 2;
    void *bigger = realloc(*items, wanted * item_size);
    if (!bigger) {
        fail(t, "out of memory");
        return false;
    }
    *items = bigger;
    *capacity = wanted;
    return true;
}

#define GROW(t, array, capacity, count, more)                                                    \
    grow(t, (void **)&(array), &(capacity), count, sizeof *(array), more)

/* A reader is used by one thread: its bytes are taken without the
 * stream's lock, which would cost more than the byte. */
static bool read_byte(struct mmkit_alloc_trace *t, uint8_t *out)
{
    int c = getc_unlocked(t->file);
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
    if (version < TRACE_VERSION_OLDEST || version > TRACE_VERSION) {
        fail(t, "format version %u is not supported (this reader knows %u to %u)",
             (unsigned)version, TRACE_VERSION_OLDEST, TRACE_VERSION);
        return false;
    }
    t->version = (unsigned)version;
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
    if (!GROW(t, t->tids, t->tids_capacity, t->threads, 1))
        return false;
    t->tids[t->threads++] = (uint32_t)tid;
    return true;
}

/* ---- stacks and mappings ------------------------------------------------------ */

/* A number no larger than `max`, named `what` in the error. */
static bool read_bounded(struct mmkit_alloc_trace *t, uint64_t max, const char *what,
                         uint64_t *out)
{
    if (!read_varint(t, out))
        return false;
    if (*out > max) {
        fail(t, "%s %llu is more than %llu", what, (unsigned long long)*out,
             (unsigned long long)max);
        return false;
    }
    return true;
}

static bool read_stack(struct mmkit_alloc_trace *t)
{
    uint64_t index, back, shared, own;
    if (!read_varint(t, &index))
        return false;
    if (index != t->stack_count + 1) {
        fail(t, "stack %llu out of order (expected %zu)", (unsigned long long)index,
             t->stack_count + 1);
        return false;
    }
    if (!read_bounded(t, t->stack_count, "base stack distance", &back))
        return false;
    size_t base = t->stack_count - back; /* the base's index in t->stacks, if back > 0 */
    if (!read_bounded(t, back ? t->stacks[base].count : 0, "shared frame count", &shared) ||
        !read_bounded(t, TRACE_STACK_FRAMES_MAX - shared, "frame count", &own))
        return false;
    if (own + shared == 0) {
        fail(t, "stack %llu has no frames", (unsigned long long)index);
        return false;
    }
    if (!GROW(t, t->stacks, t->stacks_capacity, t->stack_count, 1) ||
        !GROW(t, t->frames, t->frames_capacity, t->frame_count, own + shared))
        return false;
    size_t first = t->frame_count;
    for (uint64_t i = 0; i < own; i++) {
        uint64_t v;
        if (!read_varint(t, &v))
            return false;
        t->last_pc += trace_unzigzag(v);
        t->frames[first + i] = t->last_pc;
    }
    if (shared)
        memcpy(t->frames + first + own,
               t->frames + t->stacks[base].first + t->stacks[base].count - shared,
               shared * sizeof *t->frames);
    t->frame_count += own + shared;
    t->stacks[t->stack_count++] =
        (stack_def){first, (uint32_t)(own + shared), (uint32_t)t->mapping_count};
    return true;
}

/* A length and that many bytes, at most `max`, of the mapping's `what`;
 * a text holds no NUL. */
static bool read_bytes(struct mmkit_alloc_trace *t, size_t max, const char *what, uint8_t *out,
                       size_t *size, bool text)
{
    uint64_t n;
    char size_name[64];
    snprintf(size_name, sizeof size_name, "%s size", what);
    if (!read_bounded(t, max, size_name, &n))
        return false;
    for (uint64_t i = 0; i < n; i++) {
        if (!read_byte(t, &out[i]))
            return false;
        if (text && out[i] == 0) {
            fail(t, "a NUL byte in the mapping's %s", what);
            return false;
        }
    }
    *size = (size_t)n;
    return true;
}

static bool read_mapping(struct mmkit_alloc_trace *t)
{
    mapping_def m = {0};
    uint64_t size;
    if (!read_varint(t, &m.start) || !read_varint(t, &size))
        return false;
    if (size == 0 || m.start + size < m.start) {
        fail(t, "mapping of %llu bytes at 0x%llx", (unsigned long long)size,
             (unsigned long long)m.start);
        return false;
    }
    if (!read_varint(t, &m.offset) || !read_varint(t, &m.vaddr))
        return false;
    m.end = m.start + size;
    uint8_t path[TRACE_PATH_MAX + 1];
    size_t path_size;
    if (!read_bytes(t, TRACE_BUILD_ID_MAX, "build id", m.build_id, &m.build_id_size, false) ||
        !read_bytes(t, TRACE_PATH_MAX, "path", path, &path_size, true))
        return false;
    path[path_size] = '\0';
    if (!GROW(t, t->mappings, t->mappings_capacity, t->mapping_count, 1))
        return false;
    if (!(m.path = strdup((const char *)path))) {
        fail(t, "out of memory");
        return false;
    }
    t->mappings[t->mapping_count++] = m;
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
    unsigned last = t->version >= 2 ? TRACE_OP_MAPPING : TRACE_OP_THREAD_START;
    if (op < MMKIT_ALLOC_MALLOC || op > last) {
        fail(t, "unknown operation %u", op);
        return false;
    }
    if (t->version < 2 && (byte & TRACE_STACK_FOLLOWS)) {
        fail(t, "reserved bits set in 0x%02x", byte);
        return false;
    }
    if (op == TRACE_OP_STACK || op == TRACE_OP_MAPPING) {
        if (byte != op) {
            fail(t, "%s record with flags (0x%02x)", op == TRACE_OP_STACK ? "stack" : "mapping",
                 byte);
            return false;
        }
    } else if (op == TRACE_OP_THREAD_START) {
        if ((byte & ~TRACE_OP_MASK) != TRACE_THREAD_FOLLOWS) {
            fail(t, "thread start record needs flag T and no other (0x%02x)", byte);
            return false;
        }
    } else if ((byte & TRACE_OLD_NULL) && op != MMKIT_ALLOC_REALLOC) {
        fail(t, "flag O on a %s record", op_names[op]);
        return false;
    } else if ((byte & TRACE_STACK_FOLLOWS) && op == MMKIT_ALLOC_FREE) {
        fail(t, "flag S on a free record");
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
    if (op == MMKIT_ALLOC_ALIGNED && !read_varint(t, &r->alignment))
        return false;
    uint64_t stack;
    if (!(byte & TRACE_STACK_FOLLOWS))
        return true;
    if (!read_varint(t, &stack))
        return false;
    if (stack == 0 || stack > t->stack_count) {
        fail(t, "stack %llu is not defined", (unsigned long long)stack);
        return false;
    }
    r->stack = (uint32_t)stack;
    return true;
}

/* One record of any op, definitions included: 1, 0 at the end, -1. */
static int read_record(struct mmkit_alloc_trace *t, struct mmkit_alloc_record *r, unsigned *op)
{
    t->record_offset = t->offset;
    int c = getc_unlocked(t->file);
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
    *op = byte & TRACE_OP_MASK;
    if (*op == TRACE_OP_STACK)
        return read_stack(t) ? 1 : -1;
    if (*op == TRACE_OP_MAPPING)
        return read_mapping(t) ? 1 : -1;
    if (!(byte & TRACE_THREAD_FOLLOWS) && !t->has_thread) {
        fail(t, "the first record names no thread");
        return -1;
    }
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
        if (got != 1 || op < TRACE_OP_THREAD_START)
            return got;
    }
}

const char *mmkit_alloc_trace_error(const struct mmkit_alloc_trace *t)
{
    return t->error;
}

size_t mmkit_alloc_trace_stack(const struct mmkit_alloc_trace *t, uint32_t stack,
                               uint64_t *pcs, size_t max)
{
    if (stack == 0 || stack > t->stack_count)
        return 0;
    const stack_def *s = &t->stacks[stack - 1];
    if (max)
        memcpy(pcs, t->frames + s->first, (s->count < max ? s->count : max) * sizeof *pcs);
    return s->count;
}

/* The mapping holding pc among the first `known`: the latest, as a later
 * one took the place of any it overlaps.  Its index + 1, or 0. */
static uint32_t mapping_of(const struct mmkit_alloc_trace *t, uint64_t pc, uint32_t known)
{
    for (uint32_t i = known; i-- > 0;)
        if (t->mappings[i].start <= pc - 1 && pc - 1 < t->mappings[i].end)
            return i + 1;
    return 0;
}

static size_t name_slot(const struct mmkit_alloc_trace *t, uint64_t pc, uint32_t mapping)
{
    size_t mask = t->names_capacity - 1;
    for (size_t i = (size_t)((pc ^ (uint64_t)mapping << 48) * 0x9e3779b97f4a7c15ull >> 20);;
         i++) {
        const named_frame *n = &t->names[i & mask];
        if (n->mapping == UINT32_MAX || (n->pc == pc && n->mapping == mapping))
            return i & mask;
    }
}

/* The cache of named frames, with room for one more; false if out of memory. */
static bool names_room(struct mmkit_alloc_trace *t)
{
    if ((t->name_count + 1) * 2 <= t->names_capacity)
        return true;
    named_frame *old = t->names;
    size_t old_capacity = t->names_capacity;
    size_t capacity = old_capacity ? 2 * old_capacity : 1024;
    named_frame *bigger = malloc(capacity * sizeof *bigger);
    if (!bigger)
        return false;
    for (size_t i = 0; i < capacity; i++)
        bigger[i].mapping = UINT32_MAX;
    t->names = bigger;
    t->names_capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].mapping != UINT32_MAX)
            t->names[name_slot(t, old[i].pc, old[i].mapping)] = old[i];
    free(old);
    return true;
}

/* The debug info of a mapping's file, opened once for all its mappings. */
static trace_module *module_of(struct mmkit_alloc_trace *t, mapping_def *m)
{
    if (m->opened)
        return m->module;
    m->opened = true;
    uint64_t bias = m->start - m->vaddr;
    for (mapping_def *other = t->mappings; other < m; other++)
        if (other->opened && other->module && other->start - other->vaddr == bias &&
            !strcmp(other->path, m->path))
            return m->module = other->module;
    if (!t->symbols)
        t->symbols = trace_symbols_new();
    return m->module = trace_symbols_open(t->symbols, m->path, m->build_id, m->build_id_size,
                                          bias);
}

int mmkit_alloc_trace_frame(struct mmkit_alloc_trace *t, uint32_t stack, size_t index,
                            struct mmkit_alloc_frame *out)
{
    if (stack == 0 || stack > t->stack_count || index >= t->stacks[stack - 1].count)
        return -1;
    const stack_def *s = &t->stacks[stack - 1];
    uint64_t pc = t->frames[s->first + index];
    uint32_t mapping = mapping_of(t, pc, s->mappings);
    mapping_def *m = mapping ? &t->mappings[mapping - 1] : NULL;
    *out = (struct mmkit_alloc_frame){.pc = pc, .function = "", .file = "",
                                      .module = m ? m->path : "",
                                      .module_address = m ? pc - (m->start - m->vaddr) : pc};
    if (!m)
        return 0;
    if (!names_room(t))
        return 1;
    named_frame *n = &t->names[name_slot(t, pc, mapping)];
    if (n->mapping == UINT32_MAX) {
        *n = (named_frame){.pc = pc, .mapping = mapping, .function = "", .file = ""};
        t->name_count++;
        trace_module *module = module_of(t, m);
        if (module)
            trace_symbols_name(module, pc - 1, &n->function, &n->file, &n->line);
    }
    out->function = n->function;
    out->file = n->file;
    out->line = n->line;
    return 1;
}

void mmkit_alloc_trace_close(struct mmkit_alloc_trace *t)
{
    if (!t)
        return;
    if (t->file)
        fclose(t->file);
    for (size_t i = 0; i < t->mapping_count; i++)
        free(t->mappings[i].path);
    trace_symbols_free(t->symbols);
    free(t->names);
    free(t->mappings);
    free(t->frames);
    free(t->stacks);
    free(t->tids);
    free(t->path);
    free(t);
}
