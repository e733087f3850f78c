/*
 * fragmentation_wave - how much memory stays resident when the heap is full
 * of holes.
 *
 * Each wave allocates many blocks of one band of sizes, touching every byte,
 * then frees seven of every eight in address-blind allocation order, which
 * leaves a few survivors scattered over every page.  The next wave asks for
 * the same number of bytes in a different band.  An allocator that cannot
 * reuse the holes for the new sizes, or return the emptied pages, grows its
 * resident set far beyond the live bytes.  The workload prints its peak of
 * live bytes (`live_peak=`) so the runner can report peak RSS against it.
 */
#include "bench_util.h"

enum {
    WAVE_BYTES = 64 << 20,
    SURVIVOR_STRIDE = 8,
};

/* Size bands of successive waves: small, large, medium, ... so that each
 * wave's sizes differ from the holes the previous one left. */
static const size_t band_min[] = {16, 1024, 128, 4096, 48, 512};
static const size_t band_max[] = {256, 8192, 1024, 16384, 512, 2048};
#define WAVES (sizeof band_min / sizeof band_min[0])

struct wave {
    struct tagged_slot *slots;
    size_t count;
};

static size_t live_bytes, live_peak;

static void wave_allocate(struct wave *wave, size_t band, size_t bytes, uint64_t *rng)
{
    size_t capacity = bytes / band_min[band] + 1;
    wave->slots = bench_malloc(capacity * sizeof *wave->slots);
    wave->count = 0;
    for (size_t total = 0; total < bytes; wave->count++) {
        struct tagged_slot *slot = &wave->slots[wave->count];
        size_t size = rng_size_log(rng, band_min[band], band_max[band]);
        slot_fill(slot, size, rng);
        /* Every byte, so that the pages count as resident. */
        memset((char *)slot->block + tag_head_length(size), 0x5a,
               size - tag_head_length(size) - tag_tail_length(size));
        total += size;
        live_bytes += size;
    }
    /* The slot array is live too, as far as it was used. */
    live_bytes += wave->count * sizeof *wave->slots;
    if (live_bytes > live_peak)
        live_peak = live_bytes;
}

/* Frees the blocks that do not survive; survivors (every eighth) are freed
 * by `all`, at the end. */
static void wave_free(struct wave *wave, bool all, uint64_t *digest)
{
    for (size_t i = 0; i < wave->count; i++) {
        struct tagged_slot *slot = &wave->slots[i];
        if (slot->block == NULL || (!all && i % SURVIVOR_STRIDE == 0))
            continue;
        live_bytes -= slot->size;
        slot_empty(slot, digest);
    }
}

int main(int argc, char **argv)
{
    size_t wave_bytes = bench_scaled(WAVE_BYTES, bench_scale(argc, argv));
    struct wave waves[WAVES];
    uint64_t rng = 1, digest = 0;

    for (size_t w = 0; w < WAVES; w++) {
        wave_allocate(&waves[w], w, wave_bytes, &rng);
        wave_free(&waves[w], false, &digest);
    }
    for (size_t w = 0; w < WAVES; w++) {
        wave_free(&waves[w], true, &digest);
        free(waves[w].slots);
        live_bytes -= waves[w].count * sizeof *waves[w].slots;
    }
    bench_report(digest);
    printf("live_peak=%zu\n", live_peak);
    return 0;
}
