/*
 * mallinfo_counts_every_live_block.c - mallinfo2() sees every block the
 * program holds, in every mode, wherever the allocator placed it (debug
 * and sample mode serve some blocks from guarded pages of their own):
 * blocks below the mmap threshold in uordblks, those above it in hblkhd,
 * and none of them once they are freed.
 *
 * argv[1] names the allocator it must run on (runs_on.h).
 */
#include "test_util.h"

#include <malloc.h>

#include "runs_on.h"

enum { SMALL_COUNT = 19, LARGE_SIZE = 8 << 20, SLACK = 1024 };

/* Not optimised away: the blocks are stored where the compiler must assume
 * someone reads them. */
static void *volatile small[SMALL_COUNT];
static void *volatile large;

/* Sizes past glibc's per-thread cache and fast bins, so that its reference
 * run counts them like any other block. */
static size_t small_size(int i)
{
    return 1200 + 140 * (size_t)i;
}

int main(int argc, char **argv)
{
    if (!runs_on(argc > 1 ? argv[1] : NULL))
        return 1;
    struct mallinfo2 before = mallinfo2();
    size_t total = 0;
    for (int i = 0; i < SMALL_COUNT; i++) {
        check((small[i] = malloc(small_size(i))) != NULL);
        total += small_size(i);
    }
    check((large = malloc(LARGE_SIZE)) != NULL);
    struct mallinfo2 after = mallinfo2();
    if (after.uordblks < before.uordblks + total) {
        fprintf(stderr, "FAILED: %d blocks of %zu bytes in all raised uordblks by %zu only\n",
                SMALL_COUNT, total, after.uordblks - before.uordblks);
        return 1;
    }
    if (after.hblkhd < before.hblkhd + LARGE_SIZE) {
        fprintf(stderr, "FAILED: a block of %d bytes raised hblkhd by %zu only\n", LARGE_SIZE,
                after.hblkhd - before.hblkhd);
        return 1;
    }
    for (int i = 0; i < SMALL_COUNT; i++)
        free(small[i]);
    free(large);
    /* Freed for the program, whatever the allocator still holds back (debug
     * mode's quarantine): mallinfo2 no longer counts them in use.  A little
     * more may be: the checking modes' first stack capture loads the
     * unwinder, whose allocations are the process's too. */
    struct mallinfo2 freed = mallinfo2();
    if (freed.uordblks > before.uordblks + SLACK || freed.hblkhd > before.hblkhd) {
        fprintf(stderr, "FAILED: after the frees uordblks is %zu and hblkhd %zu, "
                "not back to %zu and %zu\n", freed.uordblks, freed.hblkhd, before.uordblks,
                before.hblkhd);
        return 1;
    }
    puts("mallinfo2 counted every block, and their frees");
    return 0;
}
