/*
 * realloc_growth - buffers that grow by appending, as strings and vectors do.
 *
 * Sixty-four buffers grow side by side, each by a small append at a time,
 * to a final length between 64 bytes and 1 MiB; then the buffer is checked
 * whole and freed and a new one starts.  Some are shrunk halfway, as a
 * program trims a buffer it over-allocated.  Because the buffers interleave,
 * the block after a buffer is often taken, so the allocator must choose
 * between growing in place, moving, or (for large blocks) remapping.
 */
#include "bench_util.h"

enum {
    BUFFERS = 64,
    APPENDS = 1600000,
    MIN_FINAL_LENGTH = 64,
    MAX_FINAL_LENGTH = 1 << 20,
};

struct buffer {
    unsigned char *bytes;
    size_t length;
    size_t final_length;
    uint64_t seed;
};

/* The contents are runs of RUN_LENGTH equal bytes whose values follow from
 * the buffer's seed, so any byte that realloc loses or moves wrongly shows
 * up, while filling and checking cost about what a memcpy would - the time
 * stays with the allocator. */
enum { RUN_LENGTH = 256 };

static unsigned char byte_at(const struct buffer *buffer, size_t position)
{
    size_t run = position / RUN_LENGTH;
    return (unsigned char)((buffer->seed >> (run % 56)) + run * 131);
}

/* Calls visit(buffer, from, to, value) for each stretch of equal bytes in
 * [from, to). */
static bool for_each_run(struct buffer *buffer, size_t from, size_t to,
                         bool (*visit)(struct buffer *, size_t, size_t, unsigned char))
{
    bool all = true;
    while (from < to) {
        size_t run_end = (from / RUN_LENGTH + 1) * RUN_LENGTH;
        size_t end = run_end < to ? run_end : to;
        all &= visit(buffer, from, end, byte_at(buffer, from));
        from = end;
    }
    return all;
}

static bool fill_run(struct buffer *buffer, size_t from, size_t to, unsigned char value)
{
    memset(buffer->bytes + from, value, to - from);
    return true;
}

/* All bytes of [from, to) equal value: the first does, and each equals the
 * next (an overlapping memcmp, which the C library vectorizes). */
static bool run_intact(struct buffer *buffer, size_t from, size_t to, unsigned char value)
{
    const unsigned char *run = buffer->bytes + from;
    return run[0] == value && memcmp(run, run + 1, to - from - 1) == 0;
}

static void buffer_start(struct buffer *buffer, uint64_t *rng)
{
    /* Two statements: the order of the draws must not be the compiler's. */
    size_t final_length = rng_size_log(rng, MIN_FINAL_LENGTH, MAX_FINAL_LENGTH);
    *buffer = (struct buffer){.final_length = final_length, .seed = rng_next(rng)};
}

static void buffer_resize(struct buffer *buffer, size_t length)
{
    unsigned char *bytes = realloc(buffer->bytes, length);
    if (bytes == NULL)
        bench_fail("realloc(%zu) returned NULL", length);
    buffer->bytes = bytes;
    /* Spot-check what realloc had to keep: the first and the last byte. */
    size_t kept = length < buffer->length ? length : buffer->length;
    if (kept > 0 && (bytes[0] != byte_at(buffer, 0) || bytes[kept - 1] != byte_at(buffer, kept - 1)))
        bench_fail("realloc to %zu bytes lost the buffer's contents", length);
    buffer->length = kept;
}

static uint64_t buffer_finish(struct buffer *buffer)
{
    if (!for_each_run(buffer, 0, buffer->length, run_intact))
        bench_fail("a %zu-byte buffer changed", buffer->length);
    free(buffer->bytes);
    return check_mix(buffer->seed, buffer->length);
}

int main(int argc, char **argv)
{
    size_t appends = bench_scaled(APPENDS, bench_scale(argc, argv));
    struct buffer buffers[BUFFERS];
    uint64_t rng = 1, digest = 0;
    for (size_t b = 0; b < BUFFERS; b++)
        buffer_start(&buffers[b], &rng);

    for (size_t a = 0; a < appends; a++) {
        struct buffer *buffer = &buffers[rng_below(&rng, BUFFERS)];
        /* Appends grow with the buffer (a line, a record, a chunk), so long
         * buffers are not built a byte at a time. */
        size_t append = 1 + rng_below(&rng, 16 + buffer->length / 8);
        size_t old_length = buffer->length;
        buffer_resize(buffer, old_length + append);
        for_each_run(buffer, old_length, old_length + append, fill_run);
        buffer->length = old_length + append;

        if (buffer->length >= buffer->final_length) {
            if (rng_below(&rng, 4) == 0)
                buffer_resize(buffer, buffer->length / 2);
            digest = check_mix(digest, buffer_finish(buffer));
            buffer_start(buffer, &rng);
        }
    }
    for (size_t b = 0; b < BUFFERS; b++)
        digest = check_mix(digest, buffer_finish(&buffers[b]));
    bench_report(digest);
    return 0;
}
