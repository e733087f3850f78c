/*
 * memcheck.h - telling valgrind's memcheck where the checking layer's
 * blocks are, so that it checks a program running on mmkit as it checks
 * one running on its own malloc.  memcheck knows only the blocks it is
 * told about: each block is announced with its size, its seal header and
 * the slack after it are made inaccessible (red zones), and the layer's own
 * accesses to a header are wrapped so that memcheck never blames mmkit.
 *
 * Built without <valgrind/memcheck.h>, every call does nothing and
 * memcheck_init says no.
 */
#ifndef MMKIT_MEMCHECK_H
#define MMKIT_MEMCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "block_header.h"
#include "platform.h"

/* Start-up: find out whether the process runs under memcheck (not another
 * valgrind tool, where the allocator stays as the options say). */
bool memcheck_init(void) INTERNAL;

/* The core is about to write links anywhere in a page's span, which may
 * hold the red zones of blocks of an earlier page. */
void memcheck_span_reused(const void *start, size_t size) INTERNAL;

/* The core handed out the allocator block [start, start + usable): the
 * layer may write its header and clear it. */
void memcheck_block_taken(const void *start, size_t usable) INTERNAL;
/* The user block is ready: memcheck tracks it (as defined if `zeroed`),
 * and the rest of the allocator block becomes inaccessible. */
void memcheck_block_allocated(const void *user, size_t size, bool zeroed, const void *start,
                              size_t usable) INTERNAL;
/* The program frees `user`.  memcheck forgets the block and reports the
 * free itself if `user` is not one of its live blocks. */
void memcheck_block_freed(const void *user) INTERNAL;
/* The allocator block goes back to the core, which links it into a free
 * list through its first word. */
void memcheck_block_released(const void *start) INTERNAL;

/* A copy of the header before `user`, read without memcheck seeing it:
 * `user` may be any pointer the program passed, even one inside a block. */
seal_header memcheck_header_read(const void *user) INTERNAL;
/* Make a block's header writable, and inaccessible again. */
void memcheck_header_open(const void *user) INTERNAL;
void memcheck_header_close(const void *user) INTERNAL;

#endif /* MMKIT_MEMCHECK_H */
