/*
 * bench_util.h - what every benchmark workload shares.
 *
 * A workload uses only the standard malloc API, so any allocator can be
 * preloaded under it.  It proves its results are real: every block carries a
 * tag that is written when the block is allocated and checked before it is
 * freed, a failed check exits with status 1, and the workload prints
 * `check=<hex>` - a digest of everything it verified - which must be the same
 * under every allocator.  An allocator that hands out overlapping or
 * corrupted memory therefore cannot look fast.
 *
 * Command line of every workload: `workload [SCALE]`, where SCALE (default
 * 1.0) multiplies the amount of work; the runner passes a small SCALE for
 * quick runs and under callgrind.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- failing loudly ----------------------------------------------------- */

static inline _Noreturn void bench_fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("check failed: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static inline void *bench_malloc(size_t size)
{
    void *block = malloc(size);
    if (block == NULL)
        bench_fail("malloc(%zu) returned NULL", size);
    return block;
}

/* ---- deterministic randomness ------------------------------------------- */

/* splitmix64: tiny, fast, and good enough to pick sizes and slots; every
 * thread owns its state, so the sequence never depends on scheduling. */
static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A value in [0, bound), bound below 2^32: a multiply and a shift instead
 * of a division, which would cost more than the malloc being measured. */
static inline size_t rng_below(uint64_t *state, size_t bound)
{
    return (size_t)(((rng_next(state) >> 32) * (uint64_t)bound) >> 32);
}

/* A size in [min, max] whose logarithm is uniform, so that every octave of
 * sizes is as common as every other, as in real programs. */
static inline size_t rng_size_log(uint64_t *state, size_t min, size_t max)
{
    size_t octaves = 1;
    while ((min << (octaves + 1)) <= max + 1)
        octaves++;
    size_t low = min << rng_below(state, octaves);
    size_t high = low * 2 - 1 < max ? low * 2 - 1 : max;
    return low + rng_below(state, high - low + 1);
}

/* ---- tagged blocks -------------------------------------------------------- */

/* Folds a verified value into a running digest. */
static inline uint64_t check_mix(uint64_t digest, uint64_t value)
{
    return (digest ^ value) * 0x100000001b3u + (value >> 17);
}

/* The tag goes at both ends of the block: the head catches an allocator that
 * writes its metadata into a live block, the tail catches a block that
 * overlaps its neighbour.  In a block shorter than two tags the tail holds
 * what is left after the head. */
static inline size_t tag_head_length(size_t size)
{
    return size < sizeof(uint64_t) ? size : sizeof(uint64_t);
}

static inline size_t tag_tail_length(size_t size)
{
    return tag_head_length(size - tag_head_length(size));
}

static inline void block_tag(void *block, size_t size, uint64_t tag)
{
    if (size >= 2 * sizeof tag) {
        /* The common case, with constant lengths: two plain stores. */
        memcpy(block, &tag, sizeof tag);
        memcpy((char *)block + size - sizeof tag, &tag, sizeof tag);
        return;
    }
    memcpy(block, &tag, tag_head_length(size));
    memcpy((char *)block + size - tag_tail_length(size), &tag, tag_tail_length(size));
}

static inline bool block_tag_matches(const void *block, size_t size, uint64_t tag)
{
    if (size >= 2 * sizeof tag) {
        uint64_t head, tail;
        memcpy(&head, block, sizeof head);
        memcpy(&tail, (const char *)block + size - sizeof tail, sizeof tail);
        return head == tag && tail == tag;
    }
    size_t tail = tag_tail_length(size);
    return memcmp(block, &tag, tag_head_length(size)) == 0 &&
           memcmp((const char *)block + size - tail, &tag, tail) == 0;
}

/* Checks the tag, then frees; returns the tag for the digest. */
static inline uint64_t block_verify_free(void *block, size_t size, uint64_t tag)
{
    if (!block_tag_matches(block, size, tag))
        bench_fail("block %p of %zu bytes lost its tag %016llx", block, size,
                   (unsigned long long)tag);
    free(block);
    return tag;
}

/* A slot that holds one tagged block or nothing (block == NULL). */
struct tagged_slot {
    void *block;
    size_t size;
    uint64_t tag;
};

/* Draws the tag from *rng here, after the caller has drawn the size: C
 * leaves the order in which arguments are evaluated open, and the digest
 * must not depend on the compiler. */
static inline void slot_fill(struct tagged_slot *slot, size_t size, uint64_t *rng)
{
    slot->block = bench_malloc(size);
    slot->size = size;
    slot->tag = rng_next(rng);
    block_tag(slot->block, size, slot->tag);
}

/* Empties the slot (if it holds a block) and folds its tag into *digest. */
static inline void slot_empty(struct tagged_slot *slot, uint64_t *digest)
{
    if (slot->block == NULL)
        return;
    *digest = check_mix(*digest, block_verify_free(slot->block, slot->size, slot->tag));
    slot->block = NULL;
}

/* ---- command line and report ------------------------------------------- */

static inline double bench_scale(int argc, char **argv)
{
    if (argc < 2)
        return 1.0;
    char *end;
    double scale = strtod(argv[1], &end);
    if (*end != '\0' || !(scale > 0.0 && scale <= 100.0)) {
        fprintf(stderr, "usage: %s [SCALE]  (SCALE in (0, 100], default 1)\n", argv[0]);
        exit(2);
    }
    return scale;
}

/* An amount of work times the scale, never below one. */
static inline size_t bench_scaled(size_t amount, double scale)
{
    double scaled = (double)amount * scale;
    return scaled < 1.0 ? 1 : (size_t)scaled;
}

static inline void bench_report(uint64_t digest)
{
    printf("check=%016llx\n", (unsigned long long)digest);
}

/* ---- threads ---------------------------------------------------------------- */

/* Runs `body` on `count` threads, thread i getting the i-th element of
 * `args` (an array of elements of `arg_size` bytes), and waits for all. */
static inline void bench_run_threads(size_t count, void *(*body)(void *), void *args,
                                     size_t arg_size)
{
    pthread_t *threads = bench_malloc(count * sizeof *threads);
    for (size_t i = 0; i < count; i++)
        if (pthread_create(&threads[i], NULL, body, (char *)args + i * arg_size) != 0)
            bench_fail("cannot create thread %zu", i);
    for (size_t i = 0; i < count; i++)
        pthread_join(threads[i], NULL);
    free(threads);
}

#endif
