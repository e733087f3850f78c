/* fuzz_suppressions.c - any bytes as a suppressions=FILE file, then every
 * kind matched against a stack of known names.  Reading must never crash
 * or read past the text, each warning must be one line of the documented
 * form, and matching must end, whatever the patterns. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "suppressions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- what the module asks of the rest of the allocator ------------------------ */

static void *reserved[4];
static size_t reserved_count;

void *os_reserve(size_t size)
{
    if (reserved_count == sizeof reserved / sizeof reserved[0])
        abort(); /* the module maps its text and its rules, nothing more */
    return reserved[reserved_count++] = calloc(1, size);
}

void os_unreserve(void *addr, size_t size)
{
    (void)size;
    size_t i = 0;
    while (i < reserved_count && reserved[i] != addr)
        i++;
    if (i == reserved_count)
        abort();
    reserved[i] = reserved[--reserved_count];
    free(addr);
}

static char file_path[64];

/* Every message of the reader is a warning of one line naming the file. */
void os_printf(const char *format, ...)
{
    char text[8192];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "mmkit: warning: %s:", file_path);
    size_t len = strlen(text);
    if (strncmp(text, prefix, strlen(prefix)) != 0 || text[len - 1] != '\n' ||
        memchr(text, '\n', len) != text + len - 1 ||
        !strstr(text, "; the line is ignored\n"))
        abort();
}

void os_print_json_string(const char *key, const char *text)
{
    (void)key, (void)text;
}

const char *os_program_name(void)
{
    return "fuzz";
}

/* A stack of two frames with names of each sort a rule may match. */
size_t stack_frames(stack_id id, uintptr_t *pcs, size_t max)
{
    (void)id;
    size_t n = max < 2 ? max : 2;
    for (size_t i = 0; i < n; i++)
        pcs[i] = i + 1;
    return n;
}

bool stack_symbolize(uintptr_t pc, symbol *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->function, sizeof out->function, pc == 1 ? "leak_from_parser" : "_ZN3foo3barEv");
    snprintf(out->file, sizeof out->file, "/src/project/parser.c");
    snprintf(out->module, sizeof out->module, pc == 1 ? "/usr/lib/libleaky.so.1" : "");
    return true;
}

/* ---- the harness ---------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("rules", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    snprintf(file_path, sizeof file_path, "/proc/self/fd/%d", fd);
    suppressions_load(file_path);
    for (unsigned kind = 0; kind <= SUPPRESS_LEAK; kind++) {
        int rule = suppressions_match(kind, 1);
        if (rule >= 0 && !suppressions_of(kind))
            abort();
    }
    close(fd);
    while (reserved_count > 0)
        os_unreserve(reserved[reserved_count - 1], 0);
    return 0;
}
