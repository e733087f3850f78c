/*
 * os.c - the only file that asks the kernel for memory or changes what it
 * maps: mapping, unmapping, purging, guarding, protecting and locking, and
 * the clock.  Calls for the heap's memory are counted in os_stats (committed
 * bytes by the callers, who know which parts of a mapping were touched);
 * the allocator's tables, guarded blocks and secrets are not the heap's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <string.h>

#include "platform.h"

static _Atomic uint64_t mmap_attempts;

/* Fault injection (option inject_mmap_failure=N): every Nth mapping fails,
 * so tests can prove that running out of memory leaves us usable. */
static bool injected_failure(void)
{
    uint64_t every = mmkit_options.inject_mmap_failure;
    if (likely(every == 0))
        return false;
    return (atomic_fetch_add_explicit(&mmap_attempts, 1, memory_order_relaxed) + 1) % every == 0;
}

/* The option limit=SIZE: a budget for the bytes mapped at once, so
 * programs can test how they cope with running out of memory.  The last
 * mapping this thread asked for, when the limit refused it, stays here for
 * os_limit_explain; a mapping the limit lets through clears it. */
static __thread struct {
    size_t more;     /* bytes refused; 0: the last mapping was not refused */
    uint64_t mapped; /* bytes mapped then */
} limit_refused __attribute__((tls_model("initial-exec")));

static bool over_limit(size_t more)
{
    uint64_t limit = mmkit_options.limit;
    if (likely(limit == 0))
        return false;
    uint64_t mapped = atomic_load_explicit(&os_stats.mapped, memory_order_relaxed);
    bool over = mapped + more > limit;
    limit_refused.more = over ? more : 0;
    limit_refused.mapped = mapped;
    return over;
}

void *os_out_of_memory(size_t size)
{
    os_limit_explain(size);
    errno = ENOMEM;
    return NULL;
}

void os_limit_explain(size_t request)
{
    size_t more = limit_refused.more;
    if (likely(more == 0))
        return;
    limit_refused.more = 0;
    /* Once per process, so a program that retries does not flood stderr. */
    static atomic_bool explained;
    if (atomic_exchange(&explained, true))
        return;
    os_printf("mmkit: limit=%llu reached: an allocation of %zu bytes returns NULL (ENOMEM): "
              "mapping %zu more bytes would pass the limit (%llu mapped)\n",
              (unsigned long long)mmkit_options.limit, request, more,
              (unsigned long long)limit_refused.mapped);
}

#if defined(__SANITIZE_THREAD__)
#define THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define THREAD_SANITIZER 1
#endif
#endif

/*
 * ThreadSanitizer sees mmap and munmap, but not mremap: addresses a mapping
 * leaves when it moves or shrinks keep, for it, the accesses made to what
 * was there, by threads that may have no other dealing with the next owner
 * of those addresses.  The kernel orders them: giving addresses back
 * happens before anyone gets them again.  Say so, with one sync object.
 */
#ifdef THREAD_SANITIZER
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char address_space;
static void addresses_given_back(void)
{
    __tsan_release(&address_space);
}
static void addresses_taken(void)
{
    __tsan_acquire(&address_space);
}
#else
static void addresses_given_back(void)
{
}
static void addresses_taken(void)
{
}
#endif

static void count_mapped(int64_t delta)
{
    stats_shared_add(&os_stats.mapped, delta, &os_stats.peak_mapped);
}

void *os_map_aligned(size_t size, size_t alignment)
{
    if (injected_failure() || over_limit(size)) {
        errno = ENOMEM;
        return NULL;
    }
    /* Map more than asked, then cut the ends so the start is aligned. */
    size_t over = alignment > OS_PAGE_SIZE ? size + alignment : size;
    if (over < size) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_fetch_add_explicit(&os_stats.mmap_calls, 1, memory_order_relaxed);
    uint8_t *p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
    if (p == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    addresses_taken();
    uint8_t *aligned = (uint8_t *)align_up((uintptr_t)p, alignment);
    size_t head = (size_t)(aligned - p), tail = over - head - size;
    if (head)
        munmap(p, head);
    if (tail)
        munmap(aligned + size, tail);
    count_mapped((int64_t)size);
    return aligned;
}

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

/* A kernel without CONFIG_ANON_VMA_NAME refuses every name: ask once. */
static _Atomic bool names_refused;

void os_name(void *addr, size_t size, const char *name)
{
    if (atomic_load_explicit(&names_refused, memory_order_relaxed))
        return;
    int saved = errno;
    if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)addr, size, name) != 0 &&
        errno == EINVAL)
        atomic_store_explicit(&names_refused, true, memory_order_relaxed);
    errno = saved;
}

void os_unmap(void *addr, size_t size)
{
    atomic_fetch_add_explicit(&os_stats.munmap_calls, 1, memory_order_relaxed);
    munmap(addr, size);
    count_mapped(-(int64_t)size);
    atomic_fetch_add_explicit(&os_stats.returned, size, memory_order_relaxed);
}

void os_purge(void *addr, size_t size)
{
    atomic_fetch_add_explicit(&os_stats.madvise_calls, 1, memory_order_relaxed);
    madvise(addr, size, MADV_DONTNEED);
    atomic_fetch_add_explicit(&os_stats.returned, size, memory_order_relaxed);
}

void *os_remap(void *addr, size_t old_size, size_t new_size, size_t alignment)
{
    if (injected_failure() || (new_size > old_size && over_limit(new_size - old_size)))
        return NULL;
    addresses_given_back();
    if (mremap(addr, old_size, new_size, 0) != MAP_FAILED) {
        addresses_taken();
        count_mapped((int64_t)new_size - (int64_t)old_size);
        return addr;
    }
    if (new_size < old_size)
        return NULL;
    /* The pages move by their page-table entries: nothing is copied and
     * nothing faults in again.  The target is mapped first so that it is
     * aligned and the move cannot land on anyone else's memory. */
    void *target = os_map_aligned(new_size, alignment);
    if (!target)
        return NULL;
    void *moved = mremap(addr, old_size, new_size, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    if (moved == MAP_FAILED) {
        os_unmap(target, new_size);
        return NULL;
    }
    addresses_taken();
    count_mapped(-(int64_t)old_size);
    return moved;
}

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

/* Guards are guard regions (Linux 6.13): markers in the page table, which
 * neither split the mapping nor take the address space's lock for writing,
 * as mprotect does, and survive MADV_DONTNEED.  Where the kernel lacks them,
 * or refuses (memory locked by mlockall), mprotect does it from then on;
 * making a page accessible undoes whichever kinds were used. */
static _Atomic bool guard_regions_used, mprotect_used;

void os_protect(void *addr, size_t size, bool accessible)
{
    if (accessible) {
        if (guard_regions_used)
            madvise(addr, size, MADV_GUARD_REMOVE);
        if (mprotect_used)
            mprotect(addr, size, PROT_READ | PROT_WRITE);
        return;
    }
    if (!mprotect_used && madvise(addr, size, MADV_GUARD_INSTALL) == 0) {
        guard_regions_used = true;
        return;
    }
    mprotect_used = true;
    mprotect(addr, size, PROT_NONE);
}

static void *reserve(size_t size, int protection)
{
    void *p = mmap(NULL, size, protection, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    addresses_taken();
    return p;
}

void *os_reserve(size_t size)
{
    return reserve(size, PROT_READ | PROT_WRITE);
}

void *os_reserve_inaccessible(size_t size)
{
    return reserve(size, PROT_NONE);
}

bool os_reserve_inaccessible_at(void *addr, size_t size)
{
    /* The address as a hint, which the kernel takes whenever the range is
     * free, rather than MAP_FIXED_NOREPLACE: ThreadSanitizer drops the
     * address of a non-MAP_FIXED mapping outside its application range,
     * and MAP_FIXED_NOREPLACE at address 0 maps page 0 for root. */
    void *p = mmap(addr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return false;
    if (p != addr) {
        munmap(p, size);
        return false;
    }
    addresses_taken();
    return true;
}

void os_unreserve(void *addr, size_t size)
{
    munmap(addr, size);
}

int os_set_access(void *addr, size_t size, os_access access)
{
    static const int protection[] = {
        [OS_NO_ACCESS] = PROT_NONE,
        [OS_READ] = PROT_READ,
        [OS_READ_WRITE] = PROT_READ | PROT_WRITE,
    };
    return mprotect(addr, size, protection[access]);
}

int os_reset_inaccessible(void *addr, size_t size)
{
    void *p = mmap(addr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                   -1, 0);
    return p == MAP_FAILED ? -1 : 0;
}

void os_discard(void *addr, size_t size)
{
    madvise(addr, size, MADV_DONTNEED);
}

int os_exclude_from_dumps(void *addr, size_t size)
{
    return madvise(addr, size, MADV_DONTDUMP);
}

/* Straight to the kernel: sanitizers replace mlock and munlock with calls
 * that do nothing, and a secret must stay locked in every build. */
int os_lock_pages(void *addr, size_t size)
{
    return (int)syscall(SYS_mlock, addr, size);
}

int os_unlock_pages(void *addr, size_t size)
{
    return (int)syscall(SYS_munlock, addr, size);
}

int os_lock_all(void)
{
    return mlockall(MCL_CURRENT | MCL_FUTURE);
}

bool os_resident(const void *addr, size_t size, unsigned char *pages)
{
    return mincore((void *)addr, size, pages) == 0;
}

bool os_copy_readable(void *dst, const void *src, size_t size)
{
    /* The kernel copies and reports a fault instead of delivering one.
     * Where a sandbox forbids the call, plain reads are all there is. */
    static bool unavailable;
    if (!unavailable) {
        struct iovec local = {dst, size}, remote = {(void *)src, size};
        ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
        if (n == (ssize_t)size)
            return true;
        if (n >= 0 || errno == EFAULT)
            return false;
        unavailable = true;
    }
    memcpy(dst, src, size);
    return true;
}

uint64_t os_clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t os_now_ns(void)
{
    return os_clock_ns(CLOCK_MONOTONIC_COARSE);
}
