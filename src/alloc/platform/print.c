/*
 * print.c - messages to stderr that never allocate: the allocator prints
 * from inside malloc and free, and from signal handlers (platform.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"

void os_printf(const char *format, ...)
{
    char line[1024];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n >= (int)sizeof line) {
        line[sizeof line - 2] = '\n';
        line[sizeof line - 1] = '\0';
    }
    os_write_stderr(line);
}

void os_write_stderr(const char *text)
{
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t n = write(STDERR_FILENO, text, left);
        if (n <= 0)
            return;
        text += n;
        left -= (size_t)n;
    }
}
