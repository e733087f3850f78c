/* memcheck_bugs.c - one memory bug per subcommand, for
 * memcheck_sees_same_errors.py to run under memcheck on glibc and on mmkit.
 * Built -O0 so every bad access stays in the program as written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE 100

/* volatile: the compiler must do every access, bad ones too. */
static volatile char sink;

static char *block(void)
{
    char *p = malloc(SIZE);
    memset(p, 1, SIZE);
    return p;
}

#define HUGE_SIZE (8 << 20) /* above the mmap threshold: a mapping of its own */

/* No bug, but every path a block takes: calloc'd memory is defined,
 * realloc keeps the contents, and blocks of many sizes come and go, so
 * that (with a small quarantine) freed memory is reused, huge mappings too. */
static int correct_use(void)
{
    char *p = calloc(SIZE, 1);
    p = realloc(p, 3 * SIZE);
    memset(p + SIZE, 3, 2 * SIZE);
    int sum = p[0] + p[2 * SIZE];
    free(p);
    for (int round = 0; round < 3; round++) {
        char *big = calloc(HUGE_SIZE, 1);
        sum += big[HUGE_SIZE - 1];
        memset(big, 4, HUGE_SIZE);
        free(big);
    }
    static char *slots[256];
    for (unsigned i = 0; i < 20000; i++) {
        unsigned k = (i * 7919) % 256;
        free(slots[k]);
        size_t size = (i * 131) % 3000;
        slots[k] = i % 3 ? malloc(size) : calloc(size, 1);
        memset(slots[k], 5, size);
    }
    for (unsigned k = 0; k < 256; k++)
        free(slots[k]);
    return sum;
}

int main(int argc, char **argv)
{
    const char *bug = argc > 1 ? argv[1] : "";
    if (!strcmp(bug, "overflow_read")) {
        char *p = block();
        sink = p[SIZE];
        free(p);
    } else if (!strcmp(bug, "overflow_write")) {
        char *p = block();
        p[SIZE] = 2;
        free(p);
    } else if (!strcmp(bug, "underflow_write")) {
        char *p = block();
        p[-1] = 2;
        free(p);
    } else if (!strcmp(bug, "use_after_free_read")) {
        char *p = block();
        free(p);
        sink = p[10];
    } else if (!strcmp(bug, "use_after_free_write")) {
        char *p = block();
        free(p);
        p[10] = 2;
    } else if (!strcmp(bug, "uninit")) {
        char *p = malloc(SIZE);
        if (p[5] == 42)
            puts("forty-two");
        free(p);
    } else if (!strcmp(bug, "double_free")) {
        char *p = block();
        free(p);
        free(p);
    } else if (!strcmp(bug, "invalid_free_middle")) {
        char *p = block();
        free(p + 10);
        free(p);
    } else if (!strcmp(bug, "realloc_freed")) {
        char *p = block();
        free(p);
        char *q = realloc(p, 2 * SIZE);
        printf("realloc of a freed block gave %s\n", q ? "a block" : "NULL");
        free(q);
    } else if (!strcmp(bug, "leak")) {
        char *p = block();
        p = NULL;
        sink = p == NULL;
    } else if (!strcmp(bug, "ok")) {
        printf("sum %d\n", correct_use());
    } else {
        fprintf(stderr, "usage: memcheck_bugs overflow_read|overflow_write|underflow_write|"
                        "use_after_free_read|use_after_free_write|uninit|double_free|"
                        "invalid_free_middle|realloc_freed|leak|ok\n");
        return 2;
    }
    return 0;
}
