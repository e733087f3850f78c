/*
 * heap_profile_program.c - allocations of known sizes from known functions
 * at known lines, for the heap profile's test (check_heap_profile.py): each
 * allocating line ends in a comment "site: NAME", by which the test finds
 * it.  Built with -g -O0 and the functions kept apart, so that every call
 * is a frame of its own and each line where it is written.
 *
 * At the peak, after make_table and the big block: the table's 100 rows of
 * 1000 bytes, the big block's 50000, the leaked 777 and the name's 13.
 * churn makes 500 temporary allocations of 64 bytes; the 777 bytes of
 * leak_one are never freed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#define ROWS 100
#define ROW_BYTES 1000
#define BIG_BYTES 50000
#define CHURNS 500

static void *table[ROWS];
static void *leaked;

__attribute__((noinline)) static void make_table(void)
{
    for (int i = 0; i < ROWS; i++)
        table[i] = malloc(ROW_BYTES); /* site: make_table */
}

__attribute__((noinline)) static void churn(void)
{
    for (int i = 0; i < CHURNS; i++) {
        char *p = malloc(64); /* site: churn */
        p[0] = (char)i;
        free(p);
    }
}

__attribute__((noinline)) static void leak_one(void)
{
    leaked = malloc(777); /* site: leak_one */
}

/* strdup is the C library's: the site is the line that calls it. */
__attribute__((noinline)) static char *copy_name(const char *name)
{
    return strdup(name); /* site: copy_name */
}

__attribute__((noinline)) static void *big_block(void)
{
    return calloc(1, BIG_BYTES); /* site: big_block */
}

int main(void)
{
    leak_one();
    char *name = copy_name("heap profile");
    churn();
    make_table();
    void *big = big_block();
    for (int i = 0; i < ROWS; i++)
        free(table[i]);
    free(big);
    free(name);
    return leaked == NULL;
}
