/*
 * mmkit.h - the public API of libmmkit, a general-purpose allocator.
 *
 * Every standard allocation call (malloc, free, ...) has an mmkit_* twin
 * with the same contract.  On top of those: statistics, trimming, and heaps
 * (memory pools whose blocks are released all at once).
 *
 * Errors follow the C library: a failing call returns NULL and sets errno
 * to ENOMEM (no memory, or a size too large) or EINVAL (a bad alignment).
 */
#ifndef MMKIT_MMKIT_H
#define MMKIT_MMKIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MMKIT_API __attribute__((visibility("default")))
#define MMKIT_MALLOC_LIKE __attribute__((malloc, warn_unused_result))
#else
#define MMKIT_API
#define MMKIT_MALLOC_LIKE
#endif

#define MMKIT_VERSION_MAJOR 0
#define MMKIT_VERSION_MINOR 1
#define MMKIT_VERSION_PATCH 0

/* ---- the standard calls ------------------------------------------------ */

MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_malloc(size_t size);
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_calloc(size_t count, size_t size);
MMKIT_API void *mmkit_realloc(void *ptr, size_t size);
MMKIT_API void *mmkit_reallocarray(void *ptr, size_t count, size_t size);
MMKIT_API void mmkit_free(void *ptr);
/* C23: size (and alignment) must be what the block was allocated with. */
MMKIT_API void mmkit_free_sized(void *ptr, size_t size);
MMKIT_API void mmkit_free_aligned_sized(void *ptr, size_t alignment, size_t size);

/* alignment: a power of two; aligned_alloc also accepts any size (C17 DR 460). */
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_aligned_alloc(size_t alignment, size_t size);
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_memalign(size_t alignment, size_t size);
/* Returns 0 or an error number (EINVAL, ENOMEM).  ENOMEM also sets errno,
 * as glibc does; EINVAL leaves it alone. */
MMKIT_API int mmkit_posix_memalign(void **result, size_t alignment, size_t size);
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_valloc(size_t size);
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_pvalloc(size_t size);

/* How many bytes the block really has (>= the size asked for); 0 for NULL. */
MMKIT_API size_t mmkit_usable_size(const void *ptr);

/* Give every empty page back to the OS now.  Returns 1 if memory was
 * returned, 0 otherwise (like glibc's malloc_trim). */
MMKIT_API int mmkit_trim(size_t pad);

/* ---- statistics --------------------------------------------------------- */

/* Blocks of one size class, summed over every thread.  The counters are
 * exact once the threads that allocate are quiescent; while they run, a
 * reading may lag by the blocks a thread has not yet published. */
typedef struct mmkit_class_stats {
    size_t block_size;   /* bytes per block of this class */
    uint64_t allocs;     /* blocks handed out */
    uint64_t frees;      /* blocks given back */
    uint64_t live_bytes; /* (allocs - frees) * block_size */
    uint64_t peak_bytes; /* highest live_bytes seen */
} mmkit_class_stats;

#define MMKIT_MAX_CLASSES 64

typedef struct mmkit_stats {
    size_t class_count; /* entries used in classes[] */
    mmkit_class_stats classes[MMKIT_MAX_CLASSES];
    /* blocks above the largest class, mapped on their own */
    uint64_t large_allocs, large_frees, large_live_bytes, large_peak_bytes;
    uint64_t mapped_bytes;    /* address space currently mapped from the OS */
    uint64_t peak_mapped_bytes;
    uint64_t committed_bytes; /* mapped and not given back (RSS at most) */
    uint64_t peak_committed_bytes;
    uint64_t returned_bytes;  /* total ever given back with madvise/munmap */
    uint64_t mmap_calls, munmap_calls, madvise_calls;
    uint64_t threads_live;      /* thread heaps in use */
    uint64_t heaps_reclaimed;   /* heaps of exited threads taken over */
} mmkit_stats;

/* Fill *out with the current statistics. */
MMKIT_API void mmkit_stats_get(mmkit_stats *out);
/* Print statistics to `out` as a text table or as one JSON object. */
MMKIT_API void mmkit_stats_print(FILE *out);
MMKIT_API void mmkit_stats_print_json(FILE *out);

/* ---- options ------------------------------------------------------------ */

/* Options are read from MMKIT_OPTIONS ("key=value,key=value") at start-up;
 * these set or read one later, by the same keys.  Values are numbers: sizes
 * in bytes, words by their place in the list (mode: 0 fast, 1 hardened,
 * 2 debug, 3 sample; guard and lock: 0 none, 1 all; children: 0 no, 1 yes).
 * Only the options a running program feels can be set: mmap_threshold,
 * purge_delay_ms, limit, stats, abort_on_error, error_exitcode, shuffle and
 * inject_mmap_failure; the others are read once, at start-up.  Setting
 * returns 0, or -1 with errno=EINVAL for an unknown key, a value out of
 * range, or an option read only at start-up ("trace" and "log_file" among
 * them).  Getting returns the value of any option (mmap_threshold as
 * clamped; trace and log_file: 1 when given), or -1 with
 * errno=EINVAL for an unknown key; leaks and quarantine read -1 while left
 * to their mode's default. */
MMKIT_API int mmkit_option_set(const char *key, long long value);
MMKIT_API long long mmkit_option_get(const char *key);

/* ---- heaps (memory pools) ----------------------------------------------- */

/* A heap is a pool of blocks that can be released all at once.  It belongs
 * to the thread that created it: only that thread allocates from it and
 * destroys it; any thread may free one of its blocks with mmkit_free. */
typedef struct mmkit_heap mmkit_heap;

MMKIT_API mmkit_heap *mmkit_heap_new(void);
/* Release every block of the heap at once; its blocks become invalid. */
MMKIT_API void mmkit_heap_destroy(mmkit_heap *heap);
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_heap_malloc(mmkit_heap *heap, size_t size);
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_heap_calloc(mmkit_heap *heap, size_t count, size_t size);
MMKIT_API void *mmkit_heap_realloc(mmkit_heap *heap, void *ptr, size_t size);
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_heap_aligned_alloc(mmkit_heap *heap, size_t alignment,
                                                           size_t size);

/* ---- the secure heap ------------------------------------------------------ */

/* Blocks for secrets (keys, passwords).  Each block has pages of its own,
 * locked in memory (never swapped out), left out of core dumps, and set
 * between two inaccessible guard pages; it ends flush against the guard
 * after it, so an access past its end faults.  A block costs at least one
 * locked page, counted against RLIMIT_MEMLOCK.  Thread-safe. */

/* A zero-filled block of `size` bytes, 16-byte aligned; size 0 gives a
 * unique block of 16 bytes.  NULL with errno=ENOMEM if the size is larger
 * than the memory or the block cannot be mapped or locked; the first
 * failure to lock says why on stderr (RLIMIT_MEMLOCK, most often). */
MMKIT_API MMKIT_MALLOC_LIKE void *mmkit_secure_alloc(size_t size);

/* Zero the block and give its pages back; NULL does nothing.  A pointer
 * that is not a live secure block is reported on stderr ("mmkit: error:
 * invalid free" or "double free") and the program aborts, unless
 * MMKIT_OPTIONS has abort_on_error=0: then the call does nothing more. */
MMKIT_API void mmkit_secure_free(void *ptr);

#define MMKIT_SECURE_NOACCESS 0
#define MMKIT_SECURE_READ 1
#define MMKIT_SECURE_READWRITE 2

/* Make the block's pages inaccessible, read-only or writable again, so a
 * stray access between two uses faults.  0, or -1 with errno=EINVAL when
 * ptr is not a live secure block or access is none of the three. */
MMKIT_API int mmkit_secure_protect(void *ptr, int access);

/* The block's usable bytes (its size rounded up to 16); 0 for NULL or
 * anything but a live secure block. */
MMKIT_API size_t mmkit_secure_size(const void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* MMKIT_MMKIT_H */
