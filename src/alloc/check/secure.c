/*
 * secure.c - the secure heap: blocks for secrets (mmkit_secure_* in
 * mmkit.h), and lock=all.
 *
 * Every block is a mapping of its own:
 *
 *   | guard page | data pages ...   [block] | guard page |
 *
 * The data pages are locked (mlock: never swapped out), left out of core
 * dumps (MADV_DONTDUMP) and zero when mapped; the guard pages are
 * PROT_NONE.  The block ends flush against the guard after it (its size
 * rounded up to 16, so it stays 16-byte aligned): a write past its end
 * faults at once.
 *
 * Why one mapping per block rather than a slab of small secrets: access
 * rights belong to whole pages, so blocks sharing a page would share
 * mmkit_secure_protect, and there could be no guard page between them.
 * What a small block costs is one locked page; its two guard pages are
 * address space only (never locked, never backed by memory).
 *
 * The blocks are validated against a registry kept outside them: an
 * open-addressing hash table, mapped on its own, under the global lock
 * (which fork() handles).  It remembers freed blocks too, so freeing one
 * again is reported as a double free; when the table grows it forgets
 * them, and such a late second free is then reported as an invalid free.
 *
 * Secure blocks are not the heap's: they are not counted in the statistics.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "locks.h"
#include "mmkit/mmkit.h"
#include "platform.h"
#include "report.h"
#include "secure.h"

#define SECURE_ALIGNMENT ((size_t)16)
#define REGISTRY_MIN_CAPACITY ((size_t)256)

/* The bytes a block of `size` really has: size 0 still gets a unique block. */
static size_t usable_size(size_t size)
{
    return size == 0 ? SECURE_ALIGNMENT : align_up(size, SECURE_ALIGNMENT);
}

/* ---- where a block lies ------------------------------------------------- */

typedef struct span {
    uint8_t *data;     /* the first data page */
    size_t data_size;  /* the data pages' bytes */
} span;

static span span_of(uintptr_t addr, size_t size)
{
    size_t usable = usable_size(size);
    size_t data_size = align_up(usable, OS_PAGE_SIZE);
    return (span){(uint8_t *)(addr + usable - data_size), data_size};
}

/* The whole mapping: the data pages and a guard page on either side. */
static void unmap_span(span s)
{
    os_unreserve(s.data - OS_PAGE_SIZE, s.data_size + 2 * OS_PAGE_SIZE);
}

/* ---- the registry of blocks -------------------------------------------- */

typedef struct secure_entry {
    uintptr_t block;  /* the pointer handed out; 0: an empty slot */
    size_t size;      /* the size asked for */
    bool live;        /* false: freed, remembered to tell a double free */
} secure_entry;

/* Under the global lock.  Entries are never removed, only dropped when the
 * table grows, so a probe stops at the first empty slot. */
static struct {
    secure_entry *slots;
    size_t capacity;  /* a power of two; 0 before the first block */
    size_t used;      /* entries, live or freed */
    size_t live;
} registry;

static size_t slot_of(uintptr_t addr, size_t capacity)
{
    uint64_t h = (uint64_t)addr * 0x9e3779b97f4a7c15u;
    return (size_t)(h ^ (h >> 32)) & (capacity - 1);
}

/* The entry of `addr`, or the empty slot where it belongs. */
static secure_entry *probe(secure_entry *slots, size_t capacity, uintptr_t addr)
{
    size_t i = slot_of(addr, capacity);
    while (slots[i].block != 0 && slots[i].block != addr)
        i = (i + 1) & (capacity - 1);
    return &slots[i];
}

static secure_entry *registry_find(uintptr_t addr)
{
    if (registry.capacity == 0 || addr == 0)
        return NULL;
    secure_entry *e = probe(registry.slots, registry.capacity, addr);
    return e->block == addr ? e : NULL;
}

/* A new table holding the live blocks, a quarter full at most. */
static bool registry_grow(void)
{
    size_t capacity = REGISTRY_MIN_CAPACITY;
    while (capacity < 4 * (registry.live + 1))
        capacity *= 2;
    size_t bytes = capacity * sizeof(secure_entry);
    secure_entry *slots =
        os_reserve(bytes);
    if (!slots)
        return false;
    for (size_t i = 0; i < registry.capacity; i++)
        if (registry.slots[i].live)
            *probe(slots, capacity, registry.slots[i].block) = registry.slots[i];
    if (registry.slots)
        os_unreserve(registry.slots, registry.capacity * sizeof(secure_entry));
    registry.slots = slots;
    registry.capacity = capacity;
    registry.used = registry.live;
    return true;
}

/* Record a new live block; false if the table cannot grow. */
static bool registry_add(uintptr_t addr, size_t size)
{
    bool added = true;
    lock_take(LOCK_GLOBAL);
    if (4 * (registry.used + 1) > 3 * registry.capacity)
        added = registry_grow();
    if (added) {
        secure_entry *e = probe(registry.slots, registry.capacity, addr);
        /* A freed block's address may come back with a new mapping. */
        if (e->block == 0)
            registry.used++;
        *e = (secure_entry){addr, size, true};
        registry.live++;
    }
    lock_release(LOCK_GLOBAL);
    return added;
}

/* Mark the block at addr freed; what the registry knew of it before (block 0: it
 * knew nothing).  From here on no other call touches its pages. */
static secure_entry registry_take(uintptr_t addr)
{
    lock_take(LOCK_GLOBAL);
    secure_entry *e = registry_find(addr);
    secure_entry before = e ? *e : (secure_entry){0};
    if (e && e->live) {
        e->live = false;
        registry.live--;
    }
    lock_release(LOCK_GLOBAL);
    return before;
}

/* ---- messages ------------------------------------------------------------- */

/* Bytes of the process locked in memory (VmLck), or -1 if unknown.  Read
 * with plain system calls: the callers run inside the allocator. */
static long long locked_bytes(void)
{
    char text[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    const char *line = strstr(text, "VmLck:");
    return line ? strtoll(line + strlen("VmLck:"), NULL, 10) * 1024 : -1;
}

/* "RLIMIT_MEMLOCK is 65536 bytes, 61440 in use (raise it with ulimit -l)":
 * what it takes to understand why memory could not be locked. */
static void describe_memlock_limit(char *out, size_t n)
{
    struct rlimit limit;
    char in_use[64] = "";
    long long locked = locked_bytes();
    if (locked >= 0)
        snprintf(in_use, sizeof in_use, ", %lld in use", locked);
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        snprintf(out, n, "RLIMIT_MEMLOCK is unlimited%s", in_use);
    else
        snprintf(out, n, "RLIMIT_MEMLOCK is %llu bytes%s (raise it with ulimit -l)",
                 (unsigned long long)limit.rlim_cur, in_use);
}

/* Once per process, so a program that retries does not flood stderr. */
static void explain_lock_failure(size_t locking, size_t size)
{
    static atomic_bool explained;
    if (atomic_exchange(&explained, true))
        return;
    char limit[160];
    describe_memlock_limit(limit, sizeof limit);
    os_printf("mmkit: secure heap: cannot lock %zu bytes for a %zu-byte block: %s\n", locking,
                  size, limit);
}

static void report_bad_free(void *p, secure_entry known)
{
    bool freed = known.block != 0;
    error_report r = {
        .kind = freed ? ERROR_DOUBLE_FREE : ERROR_INVALID_FREE,
        .address = p,
        .block = freed ? p : NULL,
        .block_size = known.size,
        .detail = freed ? "mmkit_secure_free of a secure block freed already"
                        : "mmkit_secure_free of a pointer that is not a secure block",
    };
    report_error(&r);
}

/* ---- the API ---------------------------------------------------------------- */

void *mmkit_secure_alloc(size_t size)
{
    /* A block larger than the memory could never be locked; refusing it
     * here spares a privileged process (whom RLIMIT_MEMLOCK does not stop)
     * the OOM killer.  (_SC_PHYS_PAGES counts pages of the kernel's size.) */
    size_t memory = (size_t)sysconf(_SC_PHYS_PAGES) * (size_t)sysconf(_SC_PAGESIZE);
    if (size > (size_t)PTRDIFF_MAX || size > memory) {
        errno = ENOMEM;
        return NULL;
    }
    size_t usable = usable_size(size);
    size_t data_size = align_up(usable, OS_PAGE_SIZE);
    uint8_t *mapping = os_reserve_inaccessible(data_size + 2 * OS_PAGE_SIZE);
    if (!mapping) {
        errno = ENOMEM;
        return NULL;
    }
    os_name(mapping, data_size + 2 * OS_PAGE_SIZE, "mmkit-secure");
    span s = {mapping + OS_PAGE_SIZE, data_size};
    uint8_t *user = s.data + data_size - usable;
    if (os_set_access(s.data, s.data_size, OS_READ_WRITE) != 0 ||
        os_exclude_from_dumps(s.data, s.data_size) != 0)
        goto fail;
    if (os_lock_pages(s.data, s.data_size) != 0) {
        explain_lock_failure(s.data_size, size);
        goto fail;
    }
    if (!registry_add((uintptr_t)user, size))
        goto fail;
    return user;

fail:
    unmap_span(s);
    errno = ENOMEM;
    return NULL;
}

void mmkit_secure_free(void *p)
{
    if (!p)
        return;
    secure_entry e = registry_take((uintptr_t)p);
    if (!e.live) {
        report_bad_free(p, e);
        return;
    }
    span s = span_of(e.block, e.size);
    /* The block may have been left read-only or inaccessible. */
    os_set_access(s.data, s.data_size, OS_READ_WRITE);
    explicit_bzero(s.data, s.data_size);
    os_unlock_pages(s.data, s.data_size);
    unmap_span(s);
}

int mmkit_secure_protect(void *p, int access)
{
    static const os_access prot[] = {
        [MMKIT_SECURE_NOACCESS] = OS_NO_ACCESS,
        [MMKIT_SECURE_READ] = OS_READ,
        [MMKIT_SECURE_READWRITE] = OS_READ_WRITE,
    };
    if (access < 0 || access >= (int)(sizeof prot / sizeof prot[0])) {
        errno = EINVAL;
        return -1;
    }
    /* Under the lock, so a free cannot unmap the pages meanwhile. */
    lock_take(LOCK_GLOBAL);
    secure_entry *e = registry_find((uintptr_t)p);
    int result = -1;
    int error = EINVAL;
    if (e && e->live) {
        span s = span_of(e->block, e->size);
        result = os_set_access(s.data, s.data_size, prot[access]);
        error = errno;
    }
    lock_release(LOCK_GLOBAL);
    if (result != 0)
        errno = error;
    return result;
}

size_t mmkit_secure_size(const void *p)
{
    lock_take(LOCK_GLOBAL);
    secure_entry *e = registry_find((uintptr_t)p);
    size_t size = e && e->live ? usable_size(e->size) : 0;
    lock_release(LOCK_GLOBAL);
    return size;
}

void secure_lock_all(void)
{
    if (os_lock_all() == 0)
        return;
    char limit[160];
    describe_memlock_limit(limit, sizeof limit);
    os_printf("mmkit: warning: lock=all: cannot lock the process's memory: %s; "
                  "going on with it unlocked\n",
                  limit);
}
