/*
 * memory_bugs.c - one classic memory bug per run, for the checking modes to
 * catch: `memory_bugs BUG` does exactly that one bug, then prints
 * "survived" and exits 0 (when nothing stopped it).  `memory_bugs ok` is a
 * correct program; `leak`, `leak_chain`, `leak_chain_tail_first` and
 * `leak_cycle` lose blocks for the leak report,
 * `pool_destroyed_with_blocks` loses none.
 *
 * Linked against the C library as any program is; run on libmmkit with
 * LD_PRELOAD.  Built with -O0 so that every bad access really happens, and
 * every pointer goes through launder() so the compiler neither warns about
 * the bug nor reasons it away.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub_stack.h"

#define KiB ((size_t)1024)
#define MiB (KiB * 1024)

/* The compiler cannot see where the result points. */
static void *launder(void *p)
{
    void *volatile v = p;
    return v;
}

/* free() out of the compiler's sight: the pointer may be used after. */
static void release(void *p)
{
    free(launder(p));
}

static void fail(const char *what)
{
    fprintf(stderr, "memory_bugs: %s\n", what);
    exit(2);
}

static void *must_malloc(size_t size)
{
    void *p = malloc(size);
    if (!p)
        fail("malloc failed");
    memset(p, 0x11, size);
    return launder(p);
}

/* Allocate and free blocks of `count` sizes taken in turn from `sizes`. */
static void churn(const size_t *sizes, size_t n_sizes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(must_malloc(sizes[i % n_sizes]));
}

/* ---- double frees ------------------------------------------------------------ */

static void double_free(size_t size)
{
    void *p = must_malloc(size);
    release(p);
    free(p);
}

static void double_free_small(void) { double_free(24); }
static void double_free_medium(void) { double_free(20 * KiB); }
static void double_free_large(void) { double_free(300 * KiB); }
static void double_free_huge(void) { double_free(3 * MiB); }

/* The second free comes after many other blocks came and went: sizes of
 * other classes, all above a page, so neither the allocator's size class
 * nor a guarded page class of the first block serves them.  A neighbour of
 * the block stays live meanwhile, as in any program, so the block's page
 * stays in use. */
static void double_free_late(void)
{
    static const size_t others[] = {5000, 9000, 13000, 20000, 33000, 47000, 60000};
    void *neighbour = must_malloc(24);
    void *p = must_malloc(24);
    release(p);
    churn(others, sizeof others / sizeof others[0], 10000);
    free(p);
    free(neighbour);
}

/* ---- invalid frees ----------------------------------------------------------- */

static long global_object[8];

static void invalid_free_stack(void)
{
    long local[8] = {0};
    free(launder(local));
}

static void invalid_free_global(void)
{
    free(launder(global_object));
}

static void invalid_free_wild(void)
{
    free(launder((void *)(uintptr_t)0x12345670));
}

/* A heap pointer, 16-byte aligned like every block, that malloc never
 * returned: three pages into a 48 KiB block. */
static void invalid_free_forged(void)
{
    char *p = calloc(1, 48 * KiB);
    if (!p)
        fail("calloc failed");
    free(launder(p + 3 * 4096));
}

static void invalid_free_middle(void)
{
    char *p = must_malloc(64);
    free(launder(p + 16));
}

static void invalid_free_unaligned(void)
{
    char *p = must_malloc(64);
    free(launder(p + 1));
}

/* ---- out of bounds ----------------------------------------------------------- */

static void overflow_1(void)
{
    char *p = must_malloc(24);
    p[24] = 'x';
    free(p);
}

/* Hardened mode may put the first block of a 64 KiB page right after the
 * previous page's guard page, where an underflow faults at once; the bug
 * here is the quiet one, so the block written before is not a page's first. */
static void underflow_1(void)
{
    char *p = must_malloc(24), *spare = NULL;
    if (((uintptr_t)p & (64 * KiB - 1)) == 0) {
        spare = p;
        p = must_malloc(24);
    }
    p[-1] = 'x';
    free(p);
    free(spare);
}

/* ---- freed blocks ------------------------------------------------------------ */

/* More than the debug mode's quarantine (16 MiB) of frees after the bad
 * write, so the block leaves it and its poison is checked (when the block
 * has poison: guarded, it faults at once). */
static void write_after_free(void)
{
    static const size_t big[] = {512 * KiB};
    uint64_t *p = must_malloc(64);
    release(p);
    p[3] = 42;
    churn(big, 1, 64);
}

/* A write after free just before the program ends: a block larger than a
 * page, which nothing guards in debug mode, still in the quarantine at
 * exit. */
static void write_after_free_at_exit(void)
{
    uint64_t *p = must_malloc(20 * KiB);
    release(p);
    p[3] = 42;
}

/* A write after free of a small block that comes after 200 others, live
 * and freed: past a budget of guarded blocks smaller than that, the block
 * has a header and poison (found at exit), not guarded pages. */
static void write_after_free_past_200_blocks(void)
{
    void *blocks[200];
    for (size_t i = 0; i < 200; i++)
        blocks[i] = must_malloc(64);
    for (size_t i = 0; i < 200; i++)
        free(blocks[i]);
    uint64_t *p = must_malloc(64);
    release(p);
    p[3] = 42;
}

static void read_after_free(void)
{
    uint64_t *p = must_malloc(64);
    p[3] = 42;
    release(p);
    printf("read 0x%016llx\n", (unsigned long long)p[3]);
}

/* A read after free in the middle of a 1 MiB block, far from its ends:
 * debug mode keeps the whole pages of a large freed block inaccessible
 * while it waits in the quarantine. */
static void read_after_free_large(void)
{
    uint64_t *p = must_malloc(1 * MiB);
    p[MiB / 16] = 42;
    release(p);
    printf("read 0x%016llx\n", (unsigned long long)p[MiB / 16]);
}

/* A read after free of the block a realloc moved the data to: 64 bytes,
 * from a block larger than a page (which debug mode does not guard). */
static void read_after_free_of_realloc(void)
{
    uint64_t *p = must_malloc(8 * KiB);
    p = launder(realloc(p, 64));
    if (!p)
        fail("realloc failed");
    p[3] = 42;
    release(p);
    printf("read 0x%016llx\n", (unsigned long long)p[3]);
}

static void realloc_freed(void)
{
    void *p = must_malloc(64);
    release(p);
    void *q = realloc(p, 100);
    printf("realloc returned %s\n", q ? "a block" : "NULL");
}

/* Not an error: says whether fresh blocks hold the debug mode's junk. */
static void uninit_read(void)
{
    unsigned char *p = launder(malloc(64));
    if (!p)
        fail("malloc failed");
    printf("%s\n", p[5] == 0xbe ? "junk" : "no junk");
    free(p);
}

/* ---- leaks --------------------------------------------------------------------- */

static __attribute__((noinline)) void lose_blocks(void)
{
    for (int i = 0; i < 3; i++)
        must_malloc(100);
    must_malloc(24);
}

/* 324 bytes in 4 blocks: three of 100 bytes from one place, one of 24
 * from another. */
static void leak(void)
{
    lose_blocks();
    scrub_stack();
}

/* A lost block of 48 bytes pointing to another of 32 bytes: the first is a
 * direct leak, the second an indirect one. */
static __attribute__((noinline)) void lose_chain(void)
{
    void **head = must_malloc(48);
    head[0] = must_malloc(32);
}

static void leak_chain(void)
{
    lose_chain();
    scrub_stack();
}

/* The same chain with its tail allocated first, so that it lies before the
 * head in memory: still one direct leak, the head, and one indirect. */
static __attribute__((noinline)) void lose_chain_tail_first(void)
{
    void *tail = must_malloc(32);
    void **head = must_malloc(48);
    head[0] = tail;
}

static void leak_chain_tail_first(void)
{
    lose_chain_tail_first();
    scrub_stack();
}

/* Two lost blocks of 64 bytes pointing at each other: no pointer from
 * outside reaches either, so one is reported as a direct leak and the other
 * as an indirect one, whichever lies first. */
static __attribute__((noinline)) void lose_cycle(void)
{
    void **a = must_malloc(64), **b = must_malloc(64);
    a[0] = b;
    b[0] = a;
}

static void leak_cycle(void)
{
    lose_cycle();
    scrub_stack();
}

/* Not a leak: blocks of one of libmmkit's pools (found by name, as the
 * program is not linked with it), live when the pool is destroyed, go with
 * it.  On another malloc there is no pool, and nothing to do. */
static void pool_destroyed_with_blocks(void)
{
    void *(*heap_new)(void) = NULL;
    void *(*heap_malloc)(void *, size_t) = NULL;
    void (*heap_destroy)(void *) = NULL;
    *(void **)&heap_new = dlsym(RTLD_DEFAULT, "mmkit_heap_new");
    *(void **)&heap_malloc = dlsym(RTLD_DEFAULT, "mmkit_heap_malloc");
    *(void **)&heap_destroy = dlsym(RTLD_DEFAULT, "mmkit_heap_destroy");
    if (!heap_new || !heap_malloc || !heap_destroy)
        return;
    void *pool = heap_new();
    for (int i = 0; i < 3; i++)
        memset(heap_malloc(pool, 100), 0x11, 100);
    heap_destroy(pool);
    scrub_stack();
}

/* ---- a correct program ----------------------------------------------------------- */

#define HANDED_OVER 256

static void *free_all(void *arg)
{
    void **blocks = arg;
    for (size_t i = 0; i < HANDED_OVER; i++)
        free(blocks[i]);
    return NULL;
}

static void check_block(void *p, size_t size, size_t alignment)
{
    if (!p)
        fail("an allocation failed");
    if ((uintptr_t)p % alignment)
        fail("a block is misaligned");
    memset(p, 0x5a, size);
}

static void ok(void)
{
    static const size_t sizes[] = {1, 8, 16, 24, 40, 100, 256, 1000, 4096, 5000, 20 * KiB,
                                   100 * KiB, 300 * KiB, 1 * MiB, 3 * MiB};
    enum { N = sizeof sizes / sizeof sizes[0] };
    void *blocks[N];
    for (size_t i = 0; i < N; i++) {
        blocks[i] = malloc(sizes[i]);
        check_block(blocks[i], sizes[i], 16);
    }
    for (size_t i = 0; i < N; i++) {
        size_t grown = sizes[i] * 2 + 1;
        blocks[i] = realloc(blocks[i], grown);
        check_block(blocks[i], grown, 16);
        blocks[i] = realloc(blocks[i], sizes[i] / 2 + 1);
        check_block(blocks[i], sizes[i] / 2 + 1, 16);
    }
    for (size_t i = 0; i < N; i++)
        free(blocks[i]);

    for (size_t i = 0; i < N; i++) {
        unsigned char *z = calloc(sizes[i], 1);
        if (!z)
            fail("calloc failed");
        for (size_t b = 0; b < sizes[i]; b++)
            if (z[b])
                fail("calloc returned a byte that is not zero");
        free(z);
    }

    for (size_t alignment = 16; alignment <= 64 * KiB; alignment *= 4) {
        void *a = aligned_alloc(alignment, alignment * 3);
        check_block(a, alignment * 3, alignment);
        void *b = NULL;
        if (posix_memalign(&b, alignment, 100) != 0)
            fail("posix_memalign failed");
        check_block(b, 100, alignment);
        free(a);
        free(b);
    }

    /* Blocks allocated here, freed by another thread. */
    void *handed[HANDED_OVER];
    for (size_t i = 0; i < HANDED_OVER; i++) {
        handed[i] = malloc(sizes[i % 10]);
        check_block(handed[i], sizes[i % 10], 16);
    }
    pthread_t t;
    if (pthread_create(&t, NULL, free_all, handed) != 0 || pthread_join(t, NULL) != 0)
        fail("the thread did not run");
}

/* ---- what hardening changes in the heap's layout ----------------------------------- */

/* Prints two counts that hardened mode changes:
 *   plain_links  of 64 freed 48-byte blocks, those whose first word (the
 *                allocator's free-list link) is a plain address near them
 *   in_order     of 63 fresh 48-byte blocks in a row, those placed right
 *                after the one before */
static void hardening_layout(void)
{
    enum { N = 64, SIZE = 48 };
    char *blocks[N];
    int in_order = 0, plain_links = 0;
    for (int i = 0; i < N; i++) {
        blocks[i] = must_malloc(SIZE);
        in_order += i > 0 && blocks[i] == blocks[i - 1] + SIZE;
    }
    for (int i = 0; i < N; i++)
        release(blocks[i]);
    for (int i = 1; i < N; i++) {
        uintptr_t link = *(volatile uintptr_t *)launder(blocks[i]);
        uintptr_t here = (uintptr_t)blocks[i];
        plain_links += link - (here & ~(uintptr_t)0xffff) < 0x10000;
    }
    printf("plain_links %d\nin_order %d\n", plain_links, in_order);
}

/* Prints whether a freed block's bytes (past the first word, which holds
 * the allocator's link) were cleared: zero_on_free=1 does it. */
static void freed_bytes(void)
{
    unsigned char *p = must_malloc(64);
    memset(p, 0xab, 64);
    release(p);
    const volatile unsigned char *q = launder(p);
    bool zeroed = true;
    for (size_t i = 16; i < 64; i++)
        zeroed &= q[i] == 0;
    printf("%s\n", zeroed ? "zeroed" : "kept");
}

/* Writes on from a small block to the end of its page and beyond: hardened
 * mode puts a guard page after each page of small blocks, so this faults
 * before it reaches the next page. */
static void slab_overrun(void)
{
    volatile char *p = must_malloc(64);
    for (size_t i = 0; i < 256 * KiB; i++)
        p[i] = 0;
}

/* Writes into the first word of freed blocks, where the allocator keeps
 * its free-list link, then allocates on until the list reaches them:
 * hardened mode finds each link leading out of its page, and reports. */
static void free_list_overwritten(void)
{
    enum { N = 8, SIZE = 48 };
    uint64_t *blocks[N];
    for (int i = 0; i < N; i++)
        blocks[i] = must_malloc(SIZE);
    for (int i = 0; i < N; i++)
        release(blocks[i]);
    for (int i = 0; i < N; i++)
        *(volatile uint64_t *)launder(blocks[i]) = 0x4141414141414141;
    for (int i = 0; i < 4096; i++)
        must_malloc(SIZE);
}

/* ---- main ------------------------------------------------------------------------ */

static const struct bug {
    const char *name;
    void (*run)(void);
} bugs[] = {
#define BUG(name) {#name, name}
    BUG(double_free_small), BUG(double_free_medium), BUG(double_free_large), BUG(double_free_huge),
    BUG(double_free_late), BUG(invalid_free_stack), BUG(invalid_free_global),
    BUG(invalid_free_wild), BUG(invalid_free_forged), BUG(invalid_free_middle),
    BUG(invalid_free_unaligned), BUG(overflow_1), BUG(underflow_1), BUG(write_after_free),
    BUG(write_after_free_at_exit), BUG(write_after_free_past_200_blocks), BUG(read_after_free),
    BUG(read_after_free_of_realloc), BUG(read_after_free_large), BUG(realloc_freed), BUG(uninit_read), BUG(leak),
    BUG(leak_chain), BUG(leak_chain_tail_first), BUG(leak_cycle), BUG(pool_destroyed_with_blocks), BUG(ok), BUG(hardening_layout),
    BUG(slab_overrun), BUG(freed_bytes), BUG(free_list_overwritten),
#undef BUG
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc == 2 && i < sizeof bugs / sizeof bugs[0]; i++)
        if (strcmp(argv[1], bugs[i].name) == 0) {
            bugs[i].run();
            printf("survived\n");
            return 0;
        }
    fprintf(stderr, "usage: memory_bugs BUG, one of:");
    for (size_t i = 0; i < sizeof bugs / sizeof bugs[0]; i++)
        fprintf(stderr, " %s", bugs[i].name);
    fprintf(stderr, "\n");
    return 2;
}
