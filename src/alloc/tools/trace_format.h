/*
 * trace_format.h - the allocation trace's bytes, shared by the writer
 * (trace_write.c) and the reader (trace_read.c).  docs/ALLOC-TRACE.md
 * describes the format.
 */
#ifndef MMKIT_TRACE_FORMAT_H
#define MMKIT_TRACE_FORMAT_H

#include <stdint.h>

#define TRACE_MAGIC "mmkitAT\n"
#define TRACE_MAGIC_SIZE 8
#define TRACE_VERSION 2        /* what the writer writes */
#define TRACE_VERSION_OLDEST 1 /* readers read every version from this one on */
#define TRACE_HEADER_SIZE 40

/* Byte offsets of the header's fields. */
enum {
    TRACE_AT_VERSION = 8,
    TRACE_AT_HEADER_SIZE = 10,
    TRACE_AT_PID = 12,
    TRACE_AT_PARENT_PID = 16,
    TRACE_AT_START_MONOTONIC = 24,
    TRACE_AT_START_REALTIME = 32,
};

/* The operation byte: the op in the low bits, flags above. */
enum {
    TRACE_OP_MASK = 0x0f,
    TRACE_THREAD_FOLLOWS = 0x10, /* T */
    TRACE_ADDRESS_NULL = 0x20,   /* N */
    TRACE_OLD_NULL = 0x40,       /* O */
    TRACE_STACK_FOLLOWS = 0x80,  /* S: a stack index follows (version 2); reserved in 1 */
};

/* The ops past those of include/mmkit/alloc_trace.h (1 to 5).  Stacks and
 * mappings (version 2) define what later records refer to: they have no
 * thread, no time and no flags. */
#define TRACE_OP_THREAD_START 6
#define TRACE_OP_STACK 7
#define TRACE_OP_MAPPING 8

/* Bounds a reader may rely on. */
#define TRACE_STACK_FRAMES_MAX 256
#define TRACE_BUILD_ID_MAX 64
#define TRACE_PATH_MAX 4096

#define TRACE_VARINT_MAX 10

/* Store v as a varint at p; returns the byte after it. */
static inline uint8_t *trace_put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Addresses are stored as differences: small ones, of either sign, map to
 * small numbers (0, -1, 1, -2, ... to 0, 1, 2, 3, ...). */
static inline uint64_t trace_zigzag(uint64_t difference)
{
    return (difference << 1) ^ (uint64_t)-(int64_t)(difference >> 63);
}

static inline uint64_t trace_unzigzag(uint64_t v)
{
    return (v >> 1) ^ (uint64_t)-(int64_t)(v & 1);
}

#endif /* MMKIT_TRACE_FORMAT_H */
