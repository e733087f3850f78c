/*
 * alloc_calls.h - one test source, three ways to reach an allocator.
 *
 *   TEST_VIA_API   the mmkit_* twins, linked with the library without its
 *                  malloc overrides (also under the sanitizers)
 *   TEST_ON_MMKIT  the standard names in a program linked with libmmkit or
 *                  run with it preloaded
 *   neither        the standard names on the C library's own malloc: the
 *                  reference run that shows the test expects what a mature
 *                  allocator does
 *
 * MMKIT_PROMISE marks checks of what mmkit promises beyond glibc, compiled
 * only where mmkit is the allocator under test.
 */
#ifndef MMKIT_TEST_ALLOC_CALLS_H
#define MMKIT_TEST_ALLOC_CALLS_H

#include <malloc.h>
#include <stdlib.h>

#include <mmkit/mmkit.h>

#if defined(TEST_VIA_API) || defined(TEST_ON_MMKIT)
#define MMKIT_PROMISE 1
#else
#define MMKIT_PROMISE 0
#endif

#ifdef TEST_VIA_API
#define T_malloc mmkit_malloc
#define T_calloc mmkit_calloc
#define T_realloc mmkit_realloc
#define T_reallocarray mmkit_reallocarray
#define T_free mmkit_free
#define T_free_sized mmkit_free_sized
#define T_free_aligned_sized mmkit_free_aligned_sized
#define T_aligned_alloc mmkit_aligned_alloc
#define T_memalign mmkit_memalign
#define T_posix_memalign mmkit_posix_memalign
#define T_valloc mmkit_valloc
#define T_pvalloc mmkit_pvalloc
#define T_usable_size mmkit_usable_size
#define T_trim mmkit_trim
#else
/* C23 names that the C library of this system may not declare yet. */
void free_sized(void *ptr, size_t size);
void free_aligned_sized(void *ptr, size_t alignment, size_t size);
#define T_malloc malloc
#define T_calloc calloc
#define T_realloc realloc
#define T_reallocarray reallocarray
#define T_free free
#define T_free_sized free_sized
#define T_free_aligned_sized free_aligned_sized
#define T_aligned_alloc aligned_alloc
#define T_memalign memalign
#define T_posix_memalign posix_memalign
#define T_valloc valloc
#define T_pvalloc pvalloc
#define T_usable_size malloc_usable_size
#define T_trim malloc_trim
#endif

#endif /* MMKIT_TEST_ALLOC_CALLS_H */
