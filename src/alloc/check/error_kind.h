/*
 * error_kind.h - the memory errors the checking modes report, and their
 * words: reports print them (report.h), rules of suppressions=FILE name
 * them (suppressions.h).
 */
#ifndef MMKIT_ERROR_KIND_H
#define MMKIT_ERROR_KIND_H

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

#endif /* MMKIT_ERROR_KIND_H */
