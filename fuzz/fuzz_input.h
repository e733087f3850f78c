/* fuzz_input.h - the simulator's parsers read files by name, so the fuzz
 * harnesses hand each input over in one scratch file per process,
 * rewritten for every input and removed at exit; the parsers of command
 * lines take strings.  What the harnesses print goes to fuzz_sink. */
#ifndef MMKIT_FUZZ_INPUT_H
#define MMKIT_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_scratch_path[64];

static inline void fuzz_scratch_remove(void)
{
    unlink(fuzz_scratch_path);
}

/* The scratch file's path, now holding exactly data[0 .. size). */
static inline const char *fuzz_input_file(const uint8_t *data, size_t size)
{
    if (!fuzz_scratch_path[0]) {
        snprintf(fuzz_scratch_path, sizeof fuzz_scratch_path, "/tmp/mmkit-fuzz-%ld",
                 (long)getpid());
        atexit(fuzz_scratch_remove);
    }
    FILE *file = fopen(fuzz_scratch_path, "wb");
    if (!file || (size && fwrite(data, 1, size, file) != size))
        abort();
    fclose(file);
    return fuzz_scratch_path;
}

/* data[0 .. size) as a string: a malloc'ed copy with a NUL after it. */
static inline char *fuzz_input_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* /dev/null, for what a harness writes only to have it written. */
static inline FILE *fuzz_sink(void)
{
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    return sink;
}

#endif
