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
#include "platform.h"
#include "trace_format.h"
#include "trace_write.h"

#define BUFFER_SIZE ((size_t)256 * 1024)
/* The longest record: the op byte, a thread index and up to four varints. */
#define RECORD_MAX (1 + 5 * TRACE_VARINT_MAX)
#define NO_THREAD UINT32_MAX

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

/* The calling thread's index, valid while its generation is current. */
static __thread struct {
    unsigned generation;
    uint32_t index;
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
    atomic_store(&trace.on, open_file(false));
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
    /* Room for a thread start and the record itself. */
    if (trace.used > BUFFER_SIZE - 2 * RECORD_MAX)
        flush_locked();
    /* Read under the lock, so times go forward in file order. */
    uint64_t now = os_clock_ns(CLOCK_MONOTONIC);
    uint8_t op = c->op;
    if (!c->address)
        op |= TRACE_ADDRESS_NULL;
    if (c->op == MMKIT_ALLOC_REALLOC && !c->old_address)
        op |= TRACE_OLD_NULL;
    uint8_t *p = put_head(trace.buffer + trace.used, op, now);
    if (c->op == MMKIT_ALLOC_REALLOC && c->old_address)
        p = put_address(p, c->old_address);
    if (c->address)
        p = put_address(p, c->address);
    if (c->op != MMKIT_ALLOC_FREE)
        p = trace_put_varint(p, c->size);
    if (c->op == MMKIT_ALLOC_ALIGNED)
        p = trace_put_varint(p, c->alignment);
    trace.used = (size_t)(p - trace.buffer);
    if (trace.exiting)
        flush_locked();
    lock_release(LOCK_TRACE);
}

void trace_malloc(const void *result, size_t size, size_t alignment)
{
    record(&(call){.op = alignment ? MMKIT_ALLOC_ALIGNED : MMKIT_ALLOC_MALLOC,
                   .address = (uintptr_t)result, .size = size, .alignment = alignment});
}

void trace_calloc(const void *result, size_t count, size_t size)
{
    size_t total;
    record(&(call){.op = MMKIT_ALLOC_CALLOC, .address = (uintptr_t)result,
                   .size = __builtin_mul_overflow(count, size, &total) ? UINT64_MAX : total});
}

void trace_realloc(const void *old, const void *result, size_t size)
{
    record(&(call){.op = MMKIT_ALLOC_REALLOC, .old_address = (uintptr_t)old,
                   .address = (uintptr_t)result, .size = size});
}

void trace_free(const void *ptr)
{
    record(&(call){.op = MMKIT_ALLOC_FREE, .address = (uintptr_t)ptr});
}
