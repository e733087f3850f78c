/*
 * leaky_library.c - a shared library that loses a block, for the
 * suppression of leaks by library name (check_suppressions.py).
 */
#include <stdlib.h>
#include <string.h>

/* Out of the compiler's sight: the block is lost when this returns. */
void *volatile leaky_library_last;

__attribute__((noinline)) void leaky_library_init(void)
{
    char *table = malloc(56);
    if (table)
        memset(table, 0x22, 56);
    leaky_library_last = table;
    leaky_library_last = NULL;
}
