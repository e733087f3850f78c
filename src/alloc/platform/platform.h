/*
 * platform.h - the allocator's bottom layer: everything that talks to the
 * kernel (os.c), the options (options.c), the shared counters
 * (counters.c), threads (threads.c), messages that never allocate, on a
 * descriptor of the allocator's own (print.c: os_printf, os_write_stderr)
 * and the locks (locks.h).
 * It knows nothing of segments, heaps or checking modes; every layer above
 * may use it.  Layer prefixes: os_, options_, counters, thread_.
 */
#ifndef MMKIT_PLATFORM_H
#define MMKIT_PLATFORM_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define INTERNAL __attribute__((visibility("hidden")))

#define OS_PAGE_SIZE ((size_t)4096)

/* n rounded up to a multiple of `alignment`, a power of two.  Within
 * alignment of SIZE_MAX it wraps to a small number: a caller whose n may
 * be that large compares the result with n. */
static inline size_t align_up(size_t n, size_t alignment)
{
    return (n + alignment - 1) & ~(alignment - 1);
}

/* Owner-written counters: only their owner adds to them, so a relaxed load
 * and store need no locked instruction, yet readers in other threads see
 * whole values.  On x86-64 the fast paths read and add to them as operands
 * of one instruction, since compilers do not fold atomic loads and stores
 * into others: an aligned 8-byte access there is as atomic as theirs. */
static inline void counter_add(_Atomic uint64_t *c, uint64_t n)
{
#if defined(__x86_64__)
    __asm__("addq %1, %0" : "+m"(*(uint64_t *)c) : "er"(n));
#else
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
#endif
}
static inline uint64_t counter_get(const _Atomic uint64_t *c)
{
    return atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);
}
/* A relaxed load of the byte at p, compared with value: on x86-64 one
 * compare with the byte in memory (as atomic as the load), which compilers
 * do not fold an atomic load into. */
static inline bool byte_equals(const uint8_t *p, uint8_t value)
{
#if defined(__x86_64__) && defined(__GCC_ASM_FLAG_OUTPUTS__)
    bool equal;
    __asm__("cmpb %2, %1" : "=@cce"(equal) : "m"(*p), "iq"(value));
    return equal;
#else
    return __atomic_load_n(p, __ATOMIC_RELAXED) == value;
#endif
}
/* --*w <= 0, as one subtract from memory and a branch on its flags on
 * x86-64 (compilers load, subtract, store and test). */
static inline bool decrement_to_nonpositive(int64_t *w)
{
#if defined(__x86_64__) && defined(__GCC_ASM_FLAG_OUTPUTS__)
    bool nonpositive;
    __asm__("subq $1, %0" : "+m"(*w), "=@ccle"(nonpositive));
    return nonpositive;
#else
    return --*w <= 0;
#endif
}
/* x - *sub, signed, in *difference; and whether it is above *bound. */
static inline bool counter_difference_above(uint64_t x, const _Atomic uint64_t *sub,
                                            const _Atomic uint64_t *bound, int64_t *difference)
{
#if defined(__x86_64__) && defined(__GCC_ASM_FLAG_OUTPUTS__)
    bool above;
    __asm__("subq %2, %0\n\tcmpq %3, %0"
            : "+r"(x), "=@ccg"(above)
            : "m"(*(const uint64_t *)sub), "m"(*(const uint64_t *)bound));
    *difference = (int64_t)x;
    return above;
#else
    *difference = (int64_t)(x - counter_get(sub));
    return *difference > (int64_t)counter_get(bound);
#endif
}

/* A 64-bit mixing function: keys, seals and random draws derive from it. */
static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* ---- threads ------------------------------------------------------------ */

/* A unique id for the running thread: its thread pointer. */
static inline uintptr_t current_thread_id(void)
{
#if defined(__x86_64__)
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
#else
    return (uintptr_t)__builtin_thread_pointer();
#endif
}

/* id == current_thread_id(): on x86-64 one compare with the thread
 * pointer's word, where the free path's test of its owner would otherwise
 * load it first. */
static inline bool thread_is_current(uintptr_t id)
{
#if defined(__x86_64__) && defined(__GCC_ASM_FLAG_OUTPUTS__)
    bool same;
    __asm__("cmp %%fs:0, %1" : "=@cce"(same) : "r"(id));
    return same;
#else
    return id == current_thread_id();
#endif
}

/* ---- options (options.c) --------------------------------------------------- */

/* The longest value of an option that is text (a path), with its '\0'. */
#define OPTION_TEXT_MAX 4096

/* Atomic because mmkit_option_set may change one while threads allocate;
 * on x86-64 reading one is still a plain load. */
typedef struct options {
    _Atomic size_t mmap_threshold;        /* blocks above go to huge segments */
    _Atomic uint64_t purge_delay_ms;      /* empty pages stay committed this long */
    _Atomic uint64_t inject_mmap_failure; /* fail every Nth mmap; 0: never */
    _Atomic int verbose;                  /* print the effective options at start-up */
    _Atomic int stats;                    /* at exit print statistics: 1 text, 2 JSON */
    _Atomic uint64_t stats_interval_ms;   /* also print them this often while running; 0: never */
    /* the checking modes (check.h) */
    _Atomic int mode;                     /* MODE_FAST, ... */
    _Atomic int abort_on_error;           /* abort after reporting an error */
    _Atomic int error_exitcode;           /* exit with it if an error or leak was reported */
    _Atomic int leaks;                    /* at exit report leaks: 1 text, 2 JSON; -1: per mode,
                                             until start-up settles it (check_init) */
    _Atomic int zero_on_free;             /* clear blocks as they are freed */
    _Atomic int shuffle;                  /* hardened: fresh blocks shuffled in runs of this many */
    _Atomic int guard;                    /* 1: every block on guarded pages of its own */
    _Atomic uint64_t guard_blocks;        /* debug mode: blocks of up to a page on guarded
                                             pages, live or freed; past them, poison only */
    _Atomic int64_t quarantine;           /* bytes freed blocks wait; -1: per mode, until
                                             start-up settles it (check_init) */
    _Atomic uint64_t sample_rate;         /* sample mode: 1 allocation in this many is guarded */
    _Atomic uint64_t sample_slots;        /* sample mode: guarded blocks live at once */
    _Atomic int stack_depth;              /* frames kept per allocation and free */
    _Atomic uint64_t limit;               /* bytes the allocator may map; 0: no limit */
    _Atomic int lock;                     /* 1: mlockall at start-up */
    _Atomic int children;                 /* 0: the programs we start run without us */
    _Atomic int trace_stacks;             /* frames per allocation in the trace; 0: none */
    char trace_path[OPTION_TEXT_MAX];     /* record every call here; "": do not */
    char log_file[OPTION_TEXT_MAX];       /* print everything here ("%p": the pid); "": stderr */
    char suppressions[OPTION_TEXT_MAX];   /* rules of findings not to report; "": none */
} options;

enum { MODE_FAST, MODE_HARDENED, MODE_DEBUG, MODE_SAMPLE };

/* The largest mmap_threshold: above the largest size class every block is
 * mapped on its own (core/types.h checks the two agree). */
#define MMAP_THRESHOLD_MAX ((size_t)1 << 20)
/* The largest run of fresh blocks the option shuffle may shuffle. */
#define SHUFFLE_MAX 256

extern options mmkit_options INTERNAL;
/* Parse "key=value,..." from MMKIT_OPTIONS; warn about what is wrong. */
void options_init(const char *text) INTERNAL;
void options_print(void) INTERNAL;

/* ---- the OS (os.c) -------------------------------------------------------- */

/* Map `size` bytes (a multiple of the OS page) aligned to `alignment` (a
 * power of two >= the OS page).  NULL with errno=ENOMEM on failure. */
void *os_map_aligned(size_t size, size_t alignment) INTERNAL;
void os_unmap(void *addr, size_t size) INTERNAL;
/* Name an anonymous mapping, for /proc/PID/maps to show as [anon:NAME]
 * (`mmkit maps` labels regions by it); nothing where the kernel keeps no
 * names.  A system call: at mapping time only. */
void os_name(void *addr, size_t size, const char *name) INTERNAL;
/* Give the memory back; it reads as zeros when touched again. */
void os_purge(void *addr, size_t size) INTERNAL;
/* Make memory inaccessible (a guard) or accessible again. */
void os_protect(void *addr, size_t size, bool accessible) INTERNAL;
/* Resize a mapping, in place if it can, else by moving its pages to a new
 * mapping aligned to `alignment`; the new address, or NULL (the old mapping
 * is then untouched). */
void *os_remap(void *addr, size_t old_size, size_t new_size, size_t alignment) INTERNAL;
/* An allocation of `request` bytes fails: if it is because the option limit
 * refused this thread's last mapping, say so on stderr, the first time in
 * the process only.  Called on the failing path alone. */
void os_limit_explain(size_t request) INTERNAL;
/* An allocation of `size` bytes fails for want of memory: NULL, with errno
 * ENOMEM (and the reason on stderr if it is the option limit). */
void *os_out_of_memory(size_t size) INTERNAL;
/* Address space for the checking modes' own tables: committed page by page
 * as it is touched, never given back, and not the heap's, so neither counted
 * as mapped nor failed by fault injection.  NULL on failure. */
void *os_reserve(size_t size) INTERNAL;
void os_unreserve(void *addr, size_t size) INTERNAL;
/* The same, inaccessible until os_set_access opens parts of it. */
void *os_reserve_inaccessible(size_t size) INTERNAL;
/* The same at exactly `addr`, if nothing is mapped in the way; false
 * (and nothing mapped) if something is. */
bool os_reserve_inaccessible_at(void *addr, size_t size) INTERNAL;

/* Memory outside the heap (guarded blocks, secrets): who may touch it,
 * what becomes of its pages.  0, or -1 with errno as the kernel set it. */
typedef enum os_access { OS_NO_ACCESS, OS_READ, OS_READ_WRITE } os_access;
int os_set_access(void *addr, size_t size, os_access access) INTERNAL;
/* Drop the pages' contents: they read as zeros when touched again. */
void os_discard(void *addr, size_t size) INTERNAL;
/* Part of an os_reserve_inaccessible reservation back as it was reserved:
 * inaccessible, its pages dropped, and one mapping again with the
 * reservation around it.  (Pages once written, then made inaccessible by
 * os_set_access and dropped by os_discard, stay a mapping of their own.) */
int os_reset_inaccessible(void *addr, size_t size) INTERNAL;
int os_exclude_from_dumps(void *addr, size_t size) INTERNAL;
int os_lock_pages(void *addr, size_t size) INTERNAL;
int os_unlock_pages(void *addr, size_t size) INTERNAL;
/* Lock every page of the process, now and later (mlockall). */
int os_lock_all(void) INTERNAL;
/* Which pages of [addr, addr + size) are resident: a byte per page in
 * `pages`, bit 0 set if it is.  False if the range is not all mapped. */
bool os_resident(const void *addr, size_t size, unsigned char *pages) INTERNAL;
/* Copy size bytes of this process's memory at src to dst, or return false
 * if some of them cannot be read: a mapping may say rw and still fault
 * (a sanitizer's shadow, a page protected since it was listed). */
bool os_copy_readable(void *dst, const void *src, size_t size) INTERNAL;
/* The time on `clock` (CLOCK_MONOTONIC, ...) in nanoseconds. */
uint64_t os_clock_ns(clockid_t clock) INTERNAL;
/* The cheap monotonic clock (coarse) that the heap's delays are timed by. */
uint64_t os_now_ns(void) INTERNAL;

/* ---- printing (print.c) ------------------------------------------------------ */

/* Everything the allocator prints goes through these two: to a descriptor
 * of its own, a copy of stderr taken at start-up, or to the file of the
 * option log_file.  Neither allocates; both keep errno.  Before start-up
 * has run they write to descriptor 2. */
void os_write_stderr(const char *text) INTERNAL;
void os_printf(const char *format, ...) __attribute__((format(printf, 1, 2))) INTERNAL;
/* "key":"text" for a JSON object, text escaped as JSON wants. */
void os_print_json_string(const char *key, const char *text) INTERNAL;
/* Start-up: what is printed from now on waits until os_print_init, which
 * takes our copy of stderr, opens `log_file` if it is not "" and writes
 * what waited there. */
void os_print_hold(void) INTERNAL;
void os_print_init(const char *log_file) INTERNAL;
/* In a fork child, with "%p" in the log's name: its own file, opened when
 * it first prints; the parent's descriptor is closed if it still is ours. */
void os_print_after_fork_child(void) INTERNAL;
/* The program's short name (argv[0] without its folder), printable and
 * free of quotes: every report, leak report and statistics block names
 * its process by it and its id. */
const char *os_program_name(void) INTERNAL;

/* ---- counters (counters.c) ---------------------------------------------------- */

typedef struct os_counters {
    _Atomic uint64_t mapped, peak_mapped, committed, peak_committed, returned;
    _Atomic uint64_t mmap_calls, munmap_calls, madvise_calls;
    _Atomic uint64_t huge_allocs, huge_frees, huge_live, huge_peak;
    _Atomic uint64_t threads_live, heaps_reclaimed;
} os_counters;
extern os_counters os_stats INTERNAL;

/* Shared counters touched by any thread (rare paths only). */
void stats_shared_add(_Atomic uint64_t *c, int64_t delta, _Atomic uint64_t *peak) INTERNAL;

/* ---- threads (threads.c) ------------------------------------------------------ */

/* Call on_exit(value) when a thread that called thread_exit_watch(value)
 * exits.  Once, at start-up. */
void thread_exit_init(void (*on_exit)(void *value)) INTERNAL;
void thread_exit_watch(void *value) INTERNAL;
/* Hold off cancellation of the running thread (the stdio calls of a
 * statistics print are cancellation points, the allocator's calls are not);
 * returns what to give thread_cancel_release. */
int thread_cancel_hold(void) INTERNAL;
void thread_cancel_release(int held) INTERNAL;

#endif /* MMKIT_PLATFORM_H */
