/*
 * trace_symbols.h - naming the frames of an allocation trace's stacks after
 * the traced process is gone: the files its mappings name are read with
 * libdw (loaded with dlopen; without it nothing is named, and frames keep
 * their module and address).
 */
#ifndef MMKIT_TRACE_SYMBOLS_H
#define MMKIT_TRACE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct trace_symbols trace_symbols;
typedef struct trace_module trace_module;

/* NULL if out of memory. */
trace_symbols *trace_symbols_new(void);

/* The code and debug info of the file at `path` as it was loaded with
 * `bias` (run-time address minus the file's own); NULL if it cannot be
 * read: libdw is missing, the path is no regular file, or the file's build
 * id is not the one recorded (a build id of size 0 matches any). */
trace_module *trace_symbols_open(trace_symbols *symbols, const char *path,
                                 const uint8_t *build_id, size_t build_id_size, uint64_t bias);

/* The function, source file and line of the code at run-time `address`;
 * "" and 0 for what is unknown.  The strings live as long as `symbols`. */
void trace_symbols_name(trace_module *module, uint64_t address, const char **function,
                        const char **file, unsigned *line);

/* With every module and name it gave (NULL is fine). */
void trace_symbols_free(trace_symbols *symbols);

#endif /* MMKIT_TRACE_SYMBOLS_H */
