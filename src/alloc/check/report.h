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

#include "platform.h"
#include "stack.h"

/* The stable words of each error: tests and scripts match them exactly. */
typedef enum error_kind {
    ERROR_DOUBLE_FREE,       /* "double free" */
    ERROR_INVALID_FREE,      /* "invalid free": not a block we handed out */
    ERROR_HEAP_OVERFLOW,     /* "heap overflow": written past the block's end */
    ERROR_HEAP_UNDERFLOW,    /* "heap underflow": written before its start */
    ERROR_WRITE_AFTER_FREE,  /* "write after free": a freed block's poison changed */
    ERROR_USE_AFTER_FREE,    /* "use after free": a freed guarded block was touched */
    ERROR_REALLOC_FREED,     /* "realloc of freed block" */
    ERROR_INVALID_REALLOC,   /* "invalid realloc": not a block we handed out */
    ERROR_KIND_COUNT
} error_kind;

/* The words of an error, as reports name it. */
static inline const char *error_kind_words(error_kind kind)
{
    static const char *const words[ERROR_KIND_COUNT] = {
        [ERROR_DOUBLE_FREE] = "double free",
        [ERROR_INVALID_FREE] = "invalid free",
        [ERROR_HEAP_OVERFLOW] = "heap overflow",
        [ERROR_HEAP_UNDERFLOW] = "heap underflow",
        [ERROR_WRITE_AFTER_FREE] = "write after free",
        [ERROR_USE_AFTER_FREE] = "use after free",
        [ERROR_REALLOC_FREED] = "realloc of freed block",
        [ERROR_INVALID_REALLOC] = "invalid realloc",
    };
    return kind < ERROR_KIND_COUNT ? words[kind] : "memory error";
}

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
