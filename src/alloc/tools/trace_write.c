/*
 * trace_write.c - MMKIT_OPTIONS=trace=FILE: one record per allocation call
 * (docs/ALLOC-TRACE.md).  It runs inside malloc, so it never allocates:
 * records go to one mmap'd buffer under a lock and reach the file with
 * write(2) when the buffer fills, on trace_flush and at exit.
 *
 * One shared buffer rather than one per thread: the file is then in the
 * order the calls were made, times only go forward, and no thread's records
 * are lost when it exits.  The price: threads record one at a time (the
 * numbers are in docs/ALLOC-TRACE.md).
 *
 * An allocation's stack is captured before the lock is taken (the depot of
 * stack.c keeps each distinct stack once); under the lock a table maps the
 * depot's id to the stack's index in the file, and a stack new to the file
 * is written first, with the mappings of the code its frames lie in.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "locks.h"
#include "mmkit/alloc_trace.h"
#include "modules.h"
#include "platform.h"
#include "stack.h"
#include "trace_format.h"
#include "trace_write.h"

#define BUFFER_SIZE ((size_t)256 * 1024)
/* The longest record: the op byte, a thread index and up to five varints. */
#define RECORD_MAX (1 + 6 * TRACE_VARINT_MAX)
#define NO_THREAD UINT32_MAX
/* Frames a stack record holds at most: the depot's. */
#define FRAMES_MAX 64
#define STACK_RECORD_MAX (1 + (4 + FRAMES_MAX) * TRACE_VARINT_MAX)
#define MAPPING_RECORD_MAX (1 + 6 * TRACE_VARINT_MAX + MODULE_BUILD_ID_MAX + MODULE_PATH_MAX)
/* Stacks a file may hold: the table's slots, kept below three quarters full. */
#define STACK_SLOTS ((uint32_t)1 << 20)
#define STACKS_MAX (STACK_SLOTS / 4 * 3)
#define MAPPINGS_MAX 1024
#define UNMAPPED_PAGES 16

/* Under LOCK_TRACE. */
static struct {
    atomic_bool on;     /* read without the lock to skip calls quickly */
    bool exiting;       /* past the exit flush: write each record at once */
    int fd;
    uint8_t *buffer;
    size_t used;
    uint64_t last_ns;        /* CLOCK_MONOTONIC of the last record */
    uint64_t last_address;   /* the previous address in the file */
    uint32_t threads;        /* indices handed out */
    uint32_t current_thread; /* the thread of the last record */
    unsigned generation;     /* a fork child's new file restarts the indices */
    char path[4096];         /* FILE, as given to trace_start */
} trace = {.fd = -1, .generation = 1};

/* The stacks of the file, under LOCK_TRACE but `on`. */
typedef struct stack_slot {
    stack_id depot; /* 0: an empty slot */
    uint32_t index; /* the stack's index in the file */
} stack_slot;

static struct {
    bool on;             /* set at start, before any record */
    stack_slot *table;   /* STACK_SLOTS, by the depot's id */
    uint32_t count;      /* stacks written to the file */
    uintptr_t last_pc;   /* the previous frame in the file */
    stack_id last_depot; /* the previous stack record's */
    /* libmmkit's own code, left out of stacks; empty if it is linked into
     * the program, whose code cannot be told from it by address */
    uintptr_t self_start, self_end;
    /* the mappings written to the file, by address */
    struct mapped {
        uintptr_t start, end;
        uint64_t identity; /* of the file and offset, to see a new file mapped in place */
    } mapped[MAPPINGS_MAX];
    size_t mapped_count;
    /* pages of frames no file mapping holds (generated code), not looked for again */
    uintptr_t unmapped[UNMAPPED_PAGES];
    unsigned unmapped_next;
} stacks;

/* The calling thread's index and last stack, valid while its generation is
 * current. */
static __thread struct {
    unsigned generation;
    uint32_t index;
    stack_id last_stack;
} this_thread;

static void say(const char *what, const char *path)
{
    char line[4400];
    snprintf(line, sizeof line, "mmkit: trace: %s %s: %s\n", what, path, strerror(errno));
    os_write_stderr(line);
}

/* Write out the buffer.  On failure the trace stops: a file with a hole
 * would replay wrongly. */
static void flush_locked(void)
{
    const uint8_t *p = trace.buffer;
    size_t left = trace.used;
    trace.used = 0;
    while (left > 0 && trace.fd >= 0) {
        ssize_t n = write(trace.fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            say("cannot write", trace.path);
            atomic_store(&trace.on, false);
            close(trace.fd);
            trace.fd = -1;
            return;
        }
        p += n;
        left -= (size_t)n;
    }
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    put_u16(p, (uint16_t)v);
    put_u16(p + 2, (uint16_t)(v >> 16));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

/* Open the file this process writes, with the trace's state reset and its
 * header in the buffer.  FILE if no other process holds it (may_take_base),
 * else FILE.PID. */
static bool open_file(bool may_take_base)
{
    char own[sizeof trace.path + 16];
    const char *path = own;
    snprintf(own, sizeof own, "%s.%d", trace.path, (int)getpid());
    int fd = -1;
    if (may_take_base) {
        fd = open(trace.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
            close(fd);
            fd = -1;
        } else {
            path = trace.path;
        }
    }
    if (fd < 0)
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, 0) != 0) {
        say("cannot create", path);
        if (fd >= 0)
            close(fd);
        return false;
    }
    trace.fd = fd;
    trace.last_ns = os_clock_ns(CLOCK_MONOTONIC);
    trace.last_address = 0;
    trace.threads = 0;
    trace.current_thread = NO_THREAD;
    stacks.count = 0;
    stacks.last_pc = 0;
    stacks.last_depot = 0;
    stacks.mapped_count = 0;
    stacks.unmapped_next = 0;
    memset(stacks.unmapped, 0, sizeof stacks.unmapped);

    uint8_t *h = trace.buffer;
    memset(h, 0, TRACE_HEADER_SIZE);
    memcpy(h, TRACE_MAGIC, TRACE_MAGIC_SIZE);
    put_u16(h + TRACE_AT_VERSION, TRACE_VERSION);
    put_u16(h + TRACE_AT_HEADER_SIZE, TRACE_HEADER_SIZE);
    put_u32(h + TRACE_AT_PID, (uint32_t)getpid());
    put_u32(h + TRACE_AT_PARENT_PID, (uint32_t)getppid());
    put_u64(h + TRACE_AT_START_MONOTONIC, trace.last_ns);
    put_u64(h + TRACE_AT_START_REALTIME, os_clock_ns(CLOCK_REALTIME));
    trace.used = TRACE_HEADER_SIZE;
    flush_locked();
    return trace.fd >= 0;
}

/* After the exit flush, records of later exit handlers and destructors go
 * straight to the file. */
static void flush_at_exit(void)
{
    lock_take(LOCK_TRACE);
    flush_locked();
    trace.exiting = true;
    lock_release(LOCK_TRACE);
}

/* A fork child must not write into the parent's file: it starts FILE.PID,
 * leaving the parent's buffered records to the parent. */
static void after_fork_child(void)
{
    if (trace.fd < 0)
        return;
    close(trace.fd);
    trace.fd = -1;
    trace.generation++;
    if (stacks.table)
        os_discard(stacks.table, STACK_SLOTS * sizeof *stacks.table);
    atomic_store(&trace.on, open_file(false));
}

/* Stacks are recorded if the option asks for them and the table has room. */
static void stacks_start(void)
{
    if (mmkit_options.trace_stacks <= 0)
        return;
    stacks.table = os_reserve(STACK_SLOTS * sizeof *stacks.table);
    if (!stacks.table)
        return;
    static module_mapping self;
    static char program[MODULE_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", program, sizeof program - 1);
    program[n > 0 ? n : 0] = '\0';
    if (modules_find((uintptr_t)stacks_start, &self) && strcmp(self.path, program)) {
        stacks.self_start = self.start;
        stacks.self_end = self.end;
    }
    stacks.on = true;
}

bool trace_start(const char *path)
{
    if (atomic_load(&trace.on))
        return true;
    if (strlen(path) >= sizeof trace.path) {
        errno = ENAMETOOLONG;
        say("cannot create", path);
        return false;
    }
    strcpy(trace.path, path);
    void *buffer = os_reserve(BUFFER_SIZE);
    if (!buffer) {
        say("no memory for the buffer of", path);
        return false;
    }
    trace.buffer = buffer;
    if (!open_file(true)) {
        os_unreserve(buffer, BUFFER_SIZE);
        return false;
    }
    stacks_start();
    atexit(flush_at_exit);
    fork_hook_register(NULL, NULL, after_fork_child);
    atomic_store(&trace.on, true);
    return true;
}

void trace_flush(void)
{
    if (!atomic_load_explicit(&trace.on, memory_order_acquire))
        return;
    lock_take(LOCK_TRACE);
    flush_locked();
    lock_release(LOCK_TRACE);
}

/* ---- stacks and mappings ------------------------------------------------- */

/* Make room for `bytes` more in the buffer. */
static void need_room(size_t bytes)
{
    if (trace.used > BUFFER_SIZE - bytes)
        flush_locked();
}

static uint8_t *put_bytes(uint8_t *p, const void *bytes, size_t size)
{
    p = trace_put_varint(p, size);
    memcpy(p, bytes, size);
    return p + size;
}

static uint64_t identity_of(const module_mapping *m)
{
    uint64_t h = mix64(m->offset ^ m->vaddr);
    for (const char *c = m->path; *c; c++)
        h = mix64(h ^ (uint8_t)*c);
    return h;
}

/* The first mapping ending after `address`. */
static size_t mapped_after(uintptr_t address)
{
    size_t low = 0, high = stacks.mapped_count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (stacks.mapped[middle].end <= address)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static bool is_mapped(uintptr_t pc)
{
    /* A return address follows its call: the call is one byte back. */
    size_t i = mapped_after(pc - 1);
    return i < stacks.mapped_count && stacks.mapped[i].start <= pc - 1;
}

/* A mapping the file has not had yet, or one whose place a new file took,
 * goes to the file. */
static void write_mapping(const module_mapping *m, void *context)
{
    size_t i = mapped_after(m->start), end = i;
    uint64_t identity = identity_of(m);
    if (i < stacks.mapped_count && stacks.mapped[i].start == m->start &&
        stacks.mapped[i].end == m->end && stacks.mapped[i].identity == identity)
        return;
    while (end < stacks.mapped_count && stacks.mapped[end].start < m->end)
        end++;
    if (stacks.mapped_count - (end - i) + 1 > MAPPINGS_MAX)
        return;
    memmove(&stacks.mapped[i + 1], &stacks.mapped[end],
            (stacks.mapped_count - end) * sizeof stacks.mapped[0]);
    stacks.mapped_count += 1 - (end - i);
    stacks.mapped[i] = (struct mapped){m->start, m->end, identity};

    need_room(MAPPING_RECORD_MAX);
    uint8_t *p = trace.buffer + trace.used;
    *p++ = TRACE_OP_MAPPING;
    p = trace_put_varint(p, m->start);
    p = trace_put_varint(p, m->end - m->start);
    p = trace_put_varint(p, m->offset);
    p = trace_put_varint(p, m->vaddr);
    p = put_bytes(p, m->build_id, m->build_id_size);
    p = put_bytes(p, m->path, strlen(m->path));
    trace.used = (size_t)(p - trace.buffer);
}

/* Every frame's code, as far as it was mapped from a file, has its mapping
 * in the file before the stack. */
static void write_mappings_of(const uintptr_t *pcs, size_t n)
{
    bool scanned = false;
    for (size_t i = 0; i < n; i++) {
        uintptr_t page = (pcs[i] - 1) / OS_PAGE_SIZE;
        if (is_mapped(pcs[i]))
            continue;
        bool known_unmapped = false;
        for (unsigned u = 0; u < UNMAPPED_PAGES; u++)
            known_unmapped |= stacks.unmapped[u] == page;
        if (known_unmapped)
            continue;
        if (!scanned) {
            scanned = true;
            modules_scan(write_mapping, NULL);
            if (is_mapped(pcs[i]))
                continue;
        }
        stacks.unmapped[stacks.unmapped_next++ % UNMAPPED_PAGES] = page;
    }
}

/* A stack's frames as the file holds them: from the program's call into
 * libmmkit. */
static size_t frames_of(stack_id id, uintptr_t *pcs)
{
    size_t n = stack_pcs(id, pcs, FRAMES_MAX), first = 0;
    while (first < n && pcs[first] - stacks.self_start < stacks.self_end - stacks.self_start)
        first++;
    if (first == n)
        first = 0;
    memmove(pcs, pcs + first, (n - first) * sizeof *pcs);
    return n - first;
}

/* The outermost frames two stacks share. */
static size_t shared_frames(const uintptr_t *a, size_t na, const uintptr_t *b, size_t nb)
{
    size_t k = 0;
    while (k < na && k < nb && a[na - 1 - k] == b[nb - 1 - k])
        k++;
    return k;
}

static stack_slot *slot_of(stack_id id)
{
    for (uint32_t i = (uint32_t)mix64(id);; i++) {
        stack_slot *slot = &stacks.table[i & (STACK_SLOTS - 1)];
        if (slot->depot == id || slot->depot == 0)
            return slot;
    }
}

/* The index of the depot's stack `id` in the file, the stack written first
 * if it is new there; 0 if the file can take no more stacks. */
static uint32_t stack_index(stack_id id)
{
    stack_slot *slot = slot_of(id);
    if (slot->depot)
        return slot->index;
    if (stacks.count >= STACKS_MAX)
        return 0;
    uintptr_t pcs[FRAMES_MAX], base_pcs[FRAMES_MAX];
    size_t n = frames_of(id, pcs);
    if (n == 0)
        return 0;
    write_mappings_of(pcs, n);

    /* The outer frames may come from an earlier stack: the one before, or
     * the one this thread used last, whichever shares more. */
    uint32_t base = 0;
    size_t shared = 0;
    stack_id candidates[2] = {stacks.last_depot, this_thread.last_stack};
    for (unsigned c = 0; c < 2; c++) {
        stack_slot *known = candidates[c] ? slot_of(candidates[c]) : NULL;
        if (!known || !known->depot || known->index == base)
            continue;
        size_t base_n = frames_of(candidates[c], base_pcs);
        size_t k = shared_frames(pcs, n, base_pcs, base_n);
        if (k > shared) {
            shared = k;
            base = known->index;
        }
    }
    uint32_t index = ++stacks.count;
    need_room(STACK_RECORD_MAX);
    uint8_t *p = trace.buffer + trace.used;
    *p++ = TRACE_OP_STACK;
    p = trace_put_varint(p, index);
    p = trace_put_varint(p, base ? index - base : 0);
    p = trace_put_varint(p, shared);
    p = trace_put_varint(p, n - shared);
    for (size_t i = 0; i < n - shared; i++) {
        p = trace_put_varint(p, trace_zigzag((uint64_t)pcs[i] - stacks.last_pc));
        stacks.last_pc = pcs[i];
    }
    trace.used = (size_t)(p - trace.buffer);
    *slot = (stack_slot){id, index};
    stacks.last_depot = id;
    return index;
}

/* The caller's stack, from the program's call into the allocator: the
 * frame of the trace_* function that calls this is left out here, the
 * allocator's others when the stack is written. */
static inline __attribute__((always_inline)) stack_id capture(void)
{
    if (!stacks.on || !atomic_load_explicit(&trace.on, memory_order_relaxed))
        return 0;
    return stack_capture_for_trace(1);
}

static uint8_t *put_address(uint8_t *p, uintptr_t address)
{
    p = trace_put_varint(p, trace_zigzag((uint64_t)address - trace.last_address));
    trace.last_address = address;
    return p;
}

/* The op byte, the thread index if it changed, and the time since the last
 * record; a thread's first call is preceded by its start record. */
static uint8_t *put_head(uint8_t *p, uint8_t op, uint64_t now)
{
    if (this_thread.generation != trace.generation) {
        this_thread.generation = trace.generation;
        this_thread.index = trace.threads++;
        *p++ = TRACE_OP_THREAD_START | TRACE_THREAD_FOLLOWS;
        p = trace_put_varint(p, this_thread.index);
        p = trace_put_varint(p, now - trace.last_ns);
        p = trace_put_varint(p, (uint64_t)gettid());
        trace.current_thread = this_thread.index;
        trace.last_ns = now;
    }
    bool switched = this_thread.index != trace.current_thread;
    *p++ = op | (switched ? TRACE_THREAD_FOLLOWS : 0);
    if (switched)
        p = trace_put_varint(p, this_thread.index);
    trace.current_thread = this_thread.index;
    p = trace_put_varint(p, now - trace.last_ns);
    trace.last_ns = now;
    return p;
}

/* One call, as the docs' table of ops lays it out. */
typedef struct call {
    uint8_t op;
    uintptr_t old_address, address; /* 0: NULL */
    uint64_t size, alignment;
    stack_id stack; /* 0: none */
} call;

static void record(const call *c)
{
    if (!atomic_load_explicit(&trace.on, memory_order_acquire))
        return;
    lock_take(LOCK_TRACE);
    if (trace.fd < 0) {
        lock_release(LOCK_TRACE);
        return;
    }
    /* Read under the lock, so times go forward in file order. */
    uint64_t now = os_clock_ns(CLOCK_MONOTONIC);
    uint8_t op = c->op;
    if (!c->address)
        op |= TRACE_ADDRESS_NULL;
    if (c->op == MMKIT_ALLOC_REALLOC && !c->old_address)
        op |= TRACE_OLD_NULL;
    /* A new stack goes to the file before the record naming it. */
    uint32_t stack = c->stack ? stack_index(c->stack) : 0;
    if (stack) {
        op |= TRACE_STACK_FOLLOWS;
        this_thread.last_stack = c->stack;
    }
    need_room(2 * RECORD_MAX);
    uint8_t *p = put_head(trace.buffer + trace.used, op, now);
    if (c->op == MMKIT_ALLOC_REALLOC && c->old_address)
        p = put_address(p, c->old_address);
    if (c->address)
        p = put_address(p, c->address);
    if (c->op != MMKIT_ALLOC_FREE)
        p = trace_put_varint(p, c->size);
    if (c->op == MMKIT_ALLOC_ALIGNED)
        p = trace_put_varint(p, c->alignment);
    if (stack)
        p = trace_put_varint(p, stack);
    trace.used = (size_t)(p - trace.buffer);
    if (trace.exiting)
        flush_locked();
    lock_release(LOCK_TRACE);
}

void trace_malloc(const void *result, size_t size, size_t alignment)
{
    record(&(call){.op = alignment ? MMKIT_ALLOC_ALIGNED : MMKIT_ALLOC_MALLOC,
                   .address = (uintptr_t)result, .size = size, .alignment = alignment,
                   .stack = capture()});
}

void trace_calloc(const void *result, size_t count, size_t size)
{
    size_t total;
    record(&(call){.op = MMKIT_ALLOC_CALLOC, .address = (uintptr_t)result,
                   .size = __builtin_mul_overflow(count, size, &total) ? UINT64_MAX : total,
                   .stack = capture()});
}

void trace_realloc(const void *old, const void *result, size_t size)
{
    record(&(call){.op = MMKIT_ALLOC_REALLOC, .old_address = (uintptr_t)old,
                   .address = (uintptr_t)result, .size = size, .stack = capture()});
}

void trace_free(const void *ptr)
{
    record(&(call){.op = MMKIT_ALLOC_FREE, .address = (uintptr_t)ptr});
}
