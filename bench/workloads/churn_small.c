/*
 * churn_small - one thread allocating and freeing small blocks at random.
 *
 * The everyday load of most programs: a working set of a few thousand live
 * blocks of 8..1024 bytes, each replaced at random, plus short bursts that
 * are freed in reverse order as a parser or a request handler would.  It
 * measures the allocator's fast path and how well it reuses freed blocks.
 */
#include "bench_util.h"

enum { LIVE_SLOTS = 4096, BURST_LENGTH = 64, REPLACEMENTS = 20000000 };

/* Mostly tiny blocks, some middling ones, a few larger: the shape of the
 * size histograms published for real C and C++ programs. */
static size_t small_size(uint64_t *rng)
{
    size_t pick = rng_below(rng, 100);
    if (pick < 70)
        return 8 + rng_below(rng, 57);
    if (pick < 95)
        return 64 + rng_below(rng, 193);
    return 256 + rng_below(rng, 769);
}

int main(int argc, char **argv)
{
    size_t replacements = bench_scaled(REPLACEMENTS, bench_scale(argc, argv));
    static struct tagged_slot live[LIVE_SLOTS];
    struct tagged_slot burst[BURST_LENGTH];
    uint64_t rng = 1, digest = 0;

    for (size_t i = 0; i < replacements; i++) {
        struct tagged_slot *slot = &live[rng_below(&rng, LIVE_SLOTS)];
        slot_empty(slot, &digest);
        slot_fill(slot, small_size(&rng), &rng);

        if (i % 1024 == 0) {
            for (size_t b = 0; b < BURST_LENGTH; b++)
                slot_fill(&burst[b], small_size(&rng), &rng);
            for (size_t b = BURST_LENGTH; b-- > 0;)
                slot_empty(&burst[b], &digest);
        }
    }
    for (size_t s = 0; s < LIVE_SLOTS; s++)
        slot_empty(&live[s], &digest);
    bench_report(digest);
    return 0;
}
