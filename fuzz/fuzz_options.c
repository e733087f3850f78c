/* fuzz_options.c - any bytes as MMKIT_OPTIONS.  The parser must never
 * crash or read past the text, must keep every option in its range, and
 * must say what it rejected in one warning line of the documented form. */
#include <stdlib.h>
#include <string.h>

#include "platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parser's only way out: check each warning as it is written. */
void os_write_stderr(const char *text)
{
    static const char prefix[] = "mmkit: warning: MMKIT_OPTIONS: ";
    size_t len = strlen(text);
    if (strncmp(text, prefix, sizeof prefix - 1) != 0 || len == 0 || text[len - 1] != '\n' ||
        memchr(text, '\n', len) != text + len - 1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    options_init(text);
    free(text);
    if (mmkit_options.mmap_threshold < 1024 || mmkit_options.mmap_threshold > MMAP_THRESHOLD_MAX ||
        mmkit_options.mode < MODE_FAST || mmkit_options.mode > MODE_SAMPLE ||
        mmkit_options.sample_rate < 1 || mmkit_options.stack_depth > 64 ||
        mmkit_options.guard < 0 || mmkit_options.guard > 1 || mmkit_options.leaks > 2 ||
        mmkit_options.error_exitcode < 0 || mmkit_options.error_exitcode > 255 ||
        mmkit_options.children < 0 || mmkit_options.children > 1 ||
        mmkit_options.stats_interval_ms > 7 * 24 * 3600 * 1000ull ||
        memchr(mmkit_options.suppressions, '\0', sizeof mmkit_options.suppressions) == NULL ||
        strchr(mmkit_options.suppressions, ',') ||
        memchr(mmkit_options.trace_path, '\0', sizeof mmkit_options.trace_path) == NULL ||
        strchr(mmkit_options.trace_path, ',') ||
        memchr(mmkit_options.log_file, '\0', sizeof mmkit_options.log_file) == NULL ||
        strchr(mmkit_options.log_file, ','))
        abort();
    return 0;
}
