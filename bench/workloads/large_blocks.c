/*
 * large_blocks - blocks around the mmap threshold, 64 KiB to 4 MiB.
 *
 * A window of live large blocks (buffers, images, arrays) is replaced at
 * random; every page of each block is written, as a program that asks for
 * a large block uses it.  Allocators differ most here in whether they
 * return such blocks to the kernel at once (paying an mmap, munmap and a page
 * fault per page every time) or keep some back (paying in resident memory).
 */
#include "bench_util.h"

enum {
    LIVE_BLOCKS = 12,
    REPLACEMENTS = 20000,
    MIN_SIZE = 64 << 10,
    MAX_SIZE = 4 << 20,
    PAGE = 4096,
};

/* One word per page, clear of the tags at the ends: enough to make the
 * kernel back the page, little enough that the allocator's costs are still
 * what is measured.  Writes the words, or checks that they are still there. */
static bool page_words(struct tagged_slot *slot, bool write)
{
    for (size_t offset = PAGE; offset + 2 * sizeof slot->tag <= slot->size; offset += PAGE) {
        char *word = (char *)slot->block + offset;
        if (write)
            memcpy(word, &slot->tag, sizeof slot->tag);
        else if (memcmp(word, &slot->tag, sizeof slot->tag) != 0)
            return false;
    }
    return true;
}

static void slot_empty_checking_pages(struct tagged_slot *slot, uint64_t *digest)
{
    if (slot->block != NULL && !page_words(slot, false))
        bench_fail("a page of a %zu-byte block changed", slot->size);
    slot_empty(slot, digest);
}

int main(int argc, char **argv)
{
    size_t replacements = bench_scaled(REPLACEMENTS, bench_scale(argc, argv));
    struct tagged_slot live[LIVE_BLOCKS] = {0};
    uint64_t rng = 1, digest = 0;

    for (size_t i = 0; i < replacements; i++) {
        struct tagged_slot *slot = &live[rng_below(&rng, LIVE_BLOCKS)];
        slot_empty_checking_pages(slot, &digest);
        slot_fill(slot, rng_size_log(&rng, MIN_SIZE, MAX_SIZE), &rng);
        page_words(slot, true);
    }
    for (size_t s = 0; s < LIVE_BLOCKS; s++)
        slot_empty_checking_pages(&live[s], &digest);
    bench_report(digest);
    return 0;
}
