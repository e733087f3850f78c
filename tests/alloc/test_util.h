/*
 * test_util.h - small helpers shared by the allocator's tests: byte
 * patterns that tell one block's contents from another's, alignment checks,
 * a deterministic random generator and the process's resident set size.
 *
 * Tests define _GNU_SOURCE (the build does) and include this before cmocka.
 */
#ifndef MMKIT_TEST_UTIL_H
#define MMKIT_TEST_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cmocka.h>

/* For threads and child processes, where cmocka's asserts cannot be used:
 * report the failed condition and abort. */
#define check(cond)                                                                              \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)

/* The byte at offset i of a block filled for `seed`. */
static inline unsigned char pattern_byte(uint64_t seed, size_t i)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15u + i / 8;
    return (unsigned char)((x ^ (x >> 29)) + i);
}

static inline void pattern_fill(void *block, size_t n, uint64_t seed)
{
    unsigned char *p = block;
    for (size_t i = 0; i < n; i++)
        p[i] = pattern_byte(seed, i);
}

/* Offset of the first byte that differs from the pattern, or n if none. */
static inline size_t pattern_mismatch(const void *block, size_t n, uint64_t seed)
{
    const unsigned char *p = block;
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern_byte(seed, i))
            return i;
    return n;
}

static inline bool pattern_ok(const void *block, size_t n, uint64_t seed)
{
    return pattern_mismatch(block, n, seed) == n;
}

static inline bool all_zero(const void *block, size_t n)
{
    const unsigned char *p = block;
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static inline bool is_aligned(const void *p, size_t alignment)
{
    return ((uintptr_t)p & (alignment - 1)) == 0;
}

/* A block's pattern covers at most this much at each end, so that large
 * blocks cost no more to check than medium ones. */
#define EDGE_BYTES 1024

/* Fill (or check) the first and last EDGE_BYTES of a block, all of a
 * smaller one. */
static inline void edges_fill(void *block, size_t n, uint64_t seed)
{
    if (n <= 2 * EDGE_BYTES) {
        pattern_fill(block, n, seed);
        return;
    }
    pattern_fill(block, EDGE_BYTES, seed);
    pattern_fill((unsigned char *)block + n - EDGE_BYTES, EDGE_BYTES, seed + 1);
}

static inline bool edges_ok(const void *block, size_t n, uint64_t seed)
{
    if (n <= 2 * EDGE_BYTES)
        return pattern_ok(block, n, seed);
    return pattern_ok(block, EDGE_BYTES, seed) &&
           pattern_ok((const unsigned char *)block + n - EDGE_BYTES, EDGE_BYTES, seed + 1);
}

/* A 64-bit linear congruential generator (Knuth's MMIX constants): the
 * same sequence on every run for the same seed.  Its low bits are weak, so
 * only the high ones are returned. */
static inline uint64_t rng_next(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return *state >> 16;
}

static inline size_t rng_below(uint64_t *state, size_t bound)
{
    return (size_t)(rng_next(state) % bound);
}

/* A size drawn mostly small, sometimes medium, now and then up to 1 MiB,
 * rarely above `large`. */
static inline size_t rng_block_size(uint64_t *state, size_t large)
{
    size_t roll = rng_below(state, 1000);
    if (roll < 900)
        return rng_below(state, 512);
    if (roll < 990)
        return 512 + rng_below(state, 64 * KiB);
    if (roll < 996)
        return 64 * KiB + rng_below(state, 960 * KiB);
    return large + rng_below(state, large);
}

/* Resident set size of this process in bytes, from /proc/self/statm. */
static inline size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
    fclose(f);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* A size the compiler cannot see through, so that calls with absurd sizes
 * are made as written instead of being warned about or folded away. */
static inline size_t opaque_size(size_t n)
{
    volatile size_t v = n;
    return v;
}

/* True if the malloc this program calls is defined where mmkit_stats_get is:
 * the program runs on libmmkit (linked or preloaded).  Programs that may
 * not be linked with libmmkit look mmkit_* up by name; this is the one. */
static inline bool malloc_is_mmkit(void)
{
    void *stats = dlsym(RTLD_DEFAULT, "mmkit_stats_get");
    void *m = dlsym(RTLD_DEFAULT, "malloc");
    Dl_info a, b;
    if (!stats || !m || !dladdr(stats, &a) || !dladdr(m, &b))
        return false;
    return a.dli_fbase == b.dli_fbase;
}

#endif /* MMKIT_TEST_UTIL_H */
