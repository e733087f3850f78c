/*
 * override.c - the standard allocation names, exported by libmmkit.so and
 * libmmkit.a, so every allocation of the process goes through mmkit:
 * the C library's calls, glibc's extensions and its __libc_* twins.
 */
#include <malloc.h>
#include <stdlib.h>

#include "api.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT void *malloc(size_t size) { return entry_malloc(size); }
EXPORT void *calloc(size_t count, size_t size) { return mmkit_calloc(count, size); }
EXPORT void *realloc(void *ptr, size_t size) { return mmkit_realloc(ptr, size); }
EXPORT void *reallocarray(void *ptr, size_t count, size_t size) { return mmkit_reallocarray(ptr, count, size); }
EXPORT void free(void *ptr) { entry_free(ptr); }
EXPORT void cfree(void *ptr) { mmkit_free(ptr); }
EXPORT void free_sized(void *ptr, size_t size) { mmkit_free_sized(ptr, size); }
EXPORT void free_aligned_sized(void *ptr, size_t alignment, size_t size) { mmkit_free_aligned_sized(ptr, alignment, size); }
EXPORT void *aligned_alloc(size_t alignment, size_t size) { return mmkit_aligned_alloc(alignment, size); }
EXPORT void *memalign(size_t alignment, size_t size) { return mmkit_memalign(alignment, size); }
EXPORT int posix_memalign(void **result, size_t alignment, size_t size) { return mmkit_posix_memalign(result, alignment, size); }
EXPORT void *valloc(size_t size) { return mmkit_valloc(size); }
EXPORT void *pvalloc(size_t size) { return mmkit_pvalloc(size); }
EXPORT size_t malloc_usable_size(void *ptr) { return mmkit_usable_size(ptr); }
EXPORT int malloc_trim(size_t pad) { return mmkit_trim(pad); }

/* glibc's internal names, used by parts of glibc and by some programs. */
EXPORT void *__libc_malloc(size_t size) { return entry_malloc(size); }
EXPORT void *__libc_calloc(size_t count, size_t size) { return mmkit_calloc(count, size); }
EXPORT void *__libc_realloc(void *ptr, size_t size) { return mmkit_realloc(ptr, size); }
EXPORT void __libc_free(void *ptr) { entry_free(ptr); }
EXPORT void *__libc_memalign(size_t alignment, size_t size) { return mmkit_memalign(alignment, size); }
EXPORT void *__libc_valloc(size_t size) { return mmkit_valloc(size); }
EXPORT void *__libc_pvalloc(size_t size) { return mmkit_pvalloc(size); }
EXPORT int __posix_memalign(void **result, size_t alignment, size_t size) { return mmkit_posix_memalign(result, alignment, size); }

/* M_MMAP_THRESHOLD is honoured; the other parameters tune glibc's own
 * arenas, which mmkit does not have: they are accepted and ignored. */
EXPORT int mallopt(int param, int value)
{
    if (param == M_MMAP_THRESHOLD)
        return value >= 0 && mmkit_option_set("mmap_threshold", value) == 0;
    return 1;
}

static void fill_mallinfo2(struct mallinfo2 *info)
{
    mmkit_stats s;
    mmkit_stats_get(&s);
    uint64_t live = stats_live_bytes(&s);
    *info = (struct mallinfo2){
        .arena = s.committed_bytes - s.large_live_bytes,
        .hblks = s.large_allocs - s.large_frees,
        .hblkhd = s.large_live_bytes,
        .uordblks = live - s.large_live_bytes,
        .fordblks = s.committed_bytes > live ? s.committed_bytes - live : 0,
    };
}

EXPORT struct mallinfo2 mallinfo2(void)
{
    struct mallinfo2 info;
    fill_mallinfo2(&info);
    return info;
}

/* The old interface truncates to int, as glibc's does. */
EXPORT struct mallinfo mallinfo(void)
{
    struct mallinfo2 wide;
    fill_mallinfo2(&wide);
    return (struct mallinfo){
        .arena = (int)wide.arena,
        .hblks = (int)wide.hblks,
        .hblkhd = (int)wide.hblkhd,
        .uordblks = (int)wide.uordblks,
        .fordblks = (int)wide.fordblks,
    };
}

EXPORT void malloc_stats(void)
{
    int held = thread_cancel_hold();
    mmkit_stats_print(stderr);
    thread_cancel_release(held);
}

EXPORT int malloc_info(int flags, FILE *out)
{
    if (flags != 0) {
        errno = EINVAL;
        return -1;
    }
    stats_print_xml(out);
    return 0;
}
