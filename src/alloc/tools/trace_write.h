/*
 * trace_write.h - recording every allocation call of the process to a file
 * (MMKIT_OPTIONS=trace=FILE) in the binary format that
 * include/mmkit/alloc_trace.h reads and docs/ALLOC-TRACE.md documents.
 */
#ifndef MMKIT_TRACE_WRITE_H
#define MMKIT_TRACE_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "platform.h"

/* Create the file and write its header; false, with a message naming the
 * file on stderr, if it cannot (the program then runs untraced). */
bool trace_start(const char *path) INTERNAL;

/* One record per call, with the calling thread and the time.  alignment is
 * 0 for calls that do not take one.  A failed allocation records NULL. */
void trace_malloc(const void *result, size_t size, size_t alignment) INTERNAL;
void trace_calloc(const void *result, size_t count, size_t size) INTERNAL;
void trace_realloc(const void *old, const void *result, size_t size) INTERNAL;
void trace_free(const void *ptr) INTERNAL;

/* Write out what is buffered now (the exit flush is the writer's own; tests
 * call this to read the file back while the trace runs). */
void trace_flush(void) INTERNAL;

#endif /* MMKIT_TRACE_WRITE_H */
