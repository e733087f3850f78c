/*
 * report.h - the one way the allocator reports a memory error it caught:
 * one report on stderr naming the error in stable words, the address, the
 * block and where it was allocated and freed, then one summary line, then
 * abort() unless abort_on_error=0.  Nothing here allocates from the user's
 * heap: reports run inside malloc and free, and in signal handlers.
 */
#ifndef MMKIT_REPORT_H
#define MMKIT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error_kind.h"
#include "platform.h"
#include "stack.h"

typedef struct error_report {
    error_kind kind;
    const void *address;     /* the pointer passed in, or the faulting address */
    const void *block;       /* the user block concerned; NULL if none */
    size_t block_size;       /* the size the program asked for; 0 if unknown */
    stack_id alloc_stack;    /* where the block was allocated; 0 if unknown */
    stack_id free_stack;     /* where it was freed; 0 if unknown or live */
    const char *access;      /* "read" or "write" for a fault; else NULL */
    const char *detail;      /* one more sentence, or NULL */
    bool fatal;              /* a fault: the program cannot go on, abort anyway */
} error_report;

/* Report the error, with the current stack as the place it happened; then
 * abort(), unless abort_on_error=0 and the error is not fatal.  An error
 * that a rule of suppressions=FILE names (suppressions.h) is only counted,
 * unless it is fatal. */
void report_error(const error_report *report) INTERNAL;

/* Something was reported in this process (an error, or leaks: the leak
 * report says so), for error_exitcode.  A fork child starts with none. */
void report_found(void) INTERNAL;
bool report_found_any(void) INTERNAL;

#endif /* MMKIT_REPORT_H */
