/*
 * free_keeps_errno_at_the_mapping_limit.c - free() leaves errno as it was
 * (POSIX 2024 requires it, and glibc does), also when the kernel refuses
 * what free asks of it: here the process has as many mappings as it may
 * (vm.max_map_count), so unmapping or protecting part of a large block
 * would split a mapping and fails.  Checked in every mode, which each do
 * something else with a large freed block.
 *
 * argv[1] names the allocator it must run on (runs_on.h).
 */
#include "test_util.h"

#include <sys/mman.h>

#include "runs_on.h"

enum { BIG = 48 << 20, MAPPINGS_MAX = 1 << 16 };

/* Weak, so the compiler cannot see through it: it would otherwise take
 * errno to be unchanged by free() of a block malloc() returned. */
int __attribute__((weak)) errno_now(void)
{
    return errno;
}

int main(int argc, char **argv)
{
    if (!runs_on(argc > 1 ? argv[1] : NULL))
        return 1;
    /* Two freed blocks that a checking mode may still hold back when the
     * large one is freed, and then let go. */
    for (int i = 0; i < 2; i++) {
        void *volatile held = malloc(5 << 20);
        check(held != NULL);
        free(held);
    }
    void *volatile blocks[3];
    for (int i = 0; i < 3; i++)
        check((blocks[i] = malloc(BIG - 100)) != NULL);
    /* Small mappings of a file, which the kernel cannot merge, until it
     * refuses one more. */
    FILE *file = tmpfile();
    check(file != NULL);
    check(fputc('x', file) != EOF && fflush(file) == 0);
    int mapped = 0;
    while (mapped < MAPPINGS_MAX &&
           mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fileno(file), 0) != MAP_FAILED)
        mapped++;
    errno = 1789;
    free(blocks[1]);
    int after = errno_now();
    if (after != 1789) {
        fprintf(stderr, "FAILED: after %d mappings, free changed errno from 1789 to %d (%s)\n",
                mapped, after, strerror(after));
        return 1;
    }
    free(blocks[0]);
    free(blocks[2]);
    fclose(file);
    printf("free kept errno with %d mappings in the way\n", mapped);
    return 0;
}
