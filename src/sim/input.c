/* input.c - trace bytes from a file or a pipe, plain or compressed.
 *
 * The codec is chosen by the first bytes, never by the file name, so
 * "-" (a pipe) works for all of them.  Concatenated gzip members and xz or
 * zstd frames are read through, as their command-line tools do. */
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "diag.h"
#include "input.h"

enum codec { CODEC_PLAIN, CODEC_GZIP, CODEC_ZSTD, CODEC_XZ };

#define RAW_SIZE (1u << 17)
#define PEEK_SIZE 64

struct input {
    char path[256];
    FILE *file;
    enum codec codec;
    unsigned char raw[RAW_SIZE]; /* compressed bytes not yet decoded */
    size_t raw_len, raw_pos;
    bool raw_eof;
    bool stream_ended; /* the codec ended a member: reset before more input */
    z_stream gzip;
    ZSTD_DStream *zstd;
    lzma_stream xz;
    unsigned char peeked[PEEK_SIZE]; /* decoded bytes that input_peek saw */
    size_t peek_len, peek_pos;
};

static int input_error(struct input *in, struct sim_diag *diag, const char *what)
{
    return diag_set(diag, SIM_ERR_IO, in->path, 0, NULL, "%s", what);
}

/* Top up in->raw; false on a read error. */
static bool fill_raw(struct input *in)
{
    if (in->raw_pos < in->raw_len || in->raw_eof)
        return true;
    in->raw_len = fread(in->raw, 1, RAW_SIZE, in->file);
    in->raw_pos = 0;
    if (in->raw_len < RAW_SIZE)
        in->raw_eof = true;
    return !ferror(in->file);
}

static enum codec detect_codec(const unsigned char *b, size_t n)
{
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return CODEC_GZIP;
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return CODEC_ZSTD;
    if (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
        return CODEC_XZ;
    return CODEC_PLAIN;
}

static int codec_init(struct input *in)
{
    switch (in->codec) {
    case CODEC_GZIP:
        /* 32 + MAX_WBITS: accept the gzip header (and zlib's). */
        return inflateInit2(&in->gzip, 32 + MAX_WBITS) == Z_OK ? 0 : -1;
    case CODEC_ZSTD:
        in->zstd = ZSTD_createDStream();
        return in->zstd ? 0 : -1;
    case CODEC_XZ:
        in->xz = (lzma_stream)LZMA_STREAM_INIT;
        return lzma_stream_decoder(&in->xz, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK ? 0 : -1;
    case CODEC_PLAIN:
        break;
    }
    return 0;
}

int input_open(struct input **out, const char *path, struct sim_diag *diag)
{
    *out = NULL;
    struct input *in = calloc(1, sizeof *in);
    if (!in)
        return SIM_ERR_NOMEM;
    snprintf(in->path, sizeof in->path, "%s", path);
    in->file = strcmp(path, "-") ? diag_open_to_read(path, diag) : stdin;
    if (!in->file) {
        free(in);
        return SIM_ERR_IO;
    }
    if (!fill_raw(in)) {
        int status = input_error(in, diag, "read error");
        input_close(in);
        return status;
    }
    in->codec = detect_codec(in->raw, in->raw_len);
    if (codec_init(in)) {
        int status = input_error(in, diag, "cannot start the decompressor");
        input_close(in);
        return status;
    }
    *out = in;
    return SIM_OK;
}

/* ---- one step of each codec: decode into buf, return bytes or -1 ---- */

static ssize_t gzip_step(struct input *in, void *buf, size_t size)
{
    if (in->stream_ended) {
        if (inflateReset(&in->gzip) != Z_OK)
            return -1;
        in->stream_ended = false;
    }
    in->gzip.next_in = in->raw + in->raw_pos;
    in->gzip.avail_in = (uInt)(in->raw_len - in->raw_pos);
    in->gzip.next_out = buf;
    in->gzip.avail_out = (uInt)size;
    int rc = inflate(&in->gzip, Z_NO_FLUSH);
    in->raw_pos = in->raw_len - in->gzip.avail_in;
    if (rc == Z_STREAM_END)
        in->stream_ended = true;
    else if (rc != Z_OK && rc != Z_BUF_ERROR)
        return -1;
    return (ssize_t)(size - in->gzip.avail_out);
}

static ssize_t zstd_step(struct input *in, void *buf, size_t size)
{
    ZSTD_inBuffer source = {in->raw, in->raw_len, in->raw_pos};
    ZSTD_outBuffer dest = {buf, size, 0};
    size_t rc = ZSTD_decompressStream(in->zstd, &dest, &source);
    in->raw_pos = source.pos;
    if (ZSTD_isError(rc))
        return -1;
    in->stream_ended = rc == 0;
    return (ssize_t)dest.pos;
}

static ssize_t xz_step(struct input *in, void *buf, size_t size)
{
    in->xz.next_in = in->raw + in->raw_pos;
    in->xz.avail_in = in->raw_len - in->raw_pos;
    in->xz.next_out = buf;
    in->xz.avail_out = size;
    bool last = in->raw_eof && in->xz.avail_in == 0;
    lzma_ret rc = lzma_code(&in->xz, last ? LZMA_FINISH : LZMA_RUN);
    in->raw_pos = in->raw_len - in->xz.avail_in;
    in->stream_ended = rc == LZMA_STREAM_END;
    if (rc != LZMA_OK && rc != LZMA_STREAM_END && rc != LZMA_BUF_ERROR)
        return -1;
    return (ssize_t)(size - in->xz.avail_out);
}

static ssize_t decode(struct input *in, unsigned char *buf, size_t size, struct sim_diag *diag)
{
    if (in->codec == CODEC_PLAIN) {
        size_t n = in->raw_len - in->raw_pos;
        if (n) {
            n = n < size ? n : size;
            memcpy(buf, in->raw + in->raw_pos, n);
            in->raw_pos += n;
            return (ssize_t)n;
        }
        n = in->raw_eof ? 0 : fread(buf, 1, size, in->file);
        if (ferror(in->file))
            return input_error(in, diag, "read error");
        return (ssize_t)n;
    }
    for (;;) {
        if (!fill_raw(in))
            return input_error(in, diag, "read error");
        bool input_left = in->raw_pos < in->raw_len;
        if (!input_left && in->raw_eof && in->stream_ended)
            return 0;
        ssize_t n = in->codec == CODEC_GZIP ? gzip_step(in, buf, size)
                    : in->codec == CODEC_ZSTD ? zstd_step(in, buf, size)
                                              : xz_step(in, buf, size);
        if (n < 0)
            return input_error(in, diag, "corrupt compressed data");
        if (n > 0)
            return n;
        if (!input_left && in->raw_eof)
            return in->stream_ended ? 0 : input_error(in, diag, "compressed data ends early");
    }
}

size_t input_peek(struct input *in, void *buf, size_t size, struct sim_diag *diag)
{
    while (in->peek_len < PEEK_SIZE) {
        ssize_t n = decode(in, in->peeked + in->peek_len, PEEK_SIZE - in->peek_len, diag);
        if (n <= 0)
            break;
        in->peek_len += (size_t)n;
    }
    size_t n = in->peek_len < size ? in->peek_len : size;
    memcpy(buf, in->peeked, n);
    return n;
}

ssize_t input_read(struct input *in, void *buf, size_t size, struct sim_diag *diag)
{
    if (in->peek_pos < in->peek_len) {
        size_t n = in->peek_len - in->peek_pos;
        n = n < size ? n : size;
        memcpy(buf, in->peeked + in->peek_pos, n);
        in->peek_pos += n;
        return (ssize_t)n;
    }
    return decode(in, buf, size, diag);
}

void input_close(struct input *in)
{
    if (!in)
        return;
    if (in->codec == CODEC_GZIP)
        inflateEnd(&in->gzip);
    ZSTD_freeDStream(in->zstd);
    if (in->codec == CODEC_XZ)
        lzma_end(&in->xz);
    if (in->file && in->file != stdin)
        fclose(in->file);
    free(in);
}
