/*
 * suppressed_bugs.c - findings for the rules of suppressions=FILE, each in
 * a function of its own name, so that a rule can name it
 * (check_suppressions.py).  `suppressed_bugs CASE` does the case, prints
 * "survived" and exits 0 when nothing stopped it:
 *
 *   two_leaks       loses two 40-byte blocks in leak_from_parser and one
 *                   72-byte block in leak_from_cache
 *   library_leak    loses a 56-byte block in leaky_library_init, a
 *                   function of libleaky.so, and a 16-byte one in
 *                   leak_in_program
 *   chain           loses a 48-byte block from leak_chain_head that points
 *                   to a 32-byte block from leak_chain_tail, neither
 *                   function calling the other: one direct and one
 *                   indirect leak
 *   double_free     frees a 24-byte block twice, in free_twice
 *
 * Run on libmmkit by LD_PRELOAD; built with -O0 -g so that every function
 * is a frame of its own with its file and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scrub_stack.h"

void leaky_library_init(void);

/* Out of the compiler's sight: blocks it holds are lost once cleared. */
static void *volatile kept;

static void *lose(size_t size)
{
    void *p = malloc(size);
    if (!p) {
        fprintf(stderr, "suppressed_bugs: malloc failed\n");
        exit(2);
    }
    memset(p, 0x11, size);
    kept = p;
    kept = NULL;
    return p;
}

static __attribute__((noinline)) void leak_from_parser(void)
{
    for (int i = 0; i < 2; i++)
        lose(40);
}

static __attribute__((noinline)) void leak_from_cache(void)
{
    lose(72);
}

static void two_leaks(void)
{
    leak_from_parser();
    leak_from_cache();
    scrub_stack();
}

static __attribute__((noinline)) void leak_in_program(void)
{
    lose(16);
}

static void library_leak(void)
{
    leaky_library_init();
    leak_in_program();
    scrub_stack();
}

static __attribute__((noinline)) void *leak_chain_tail(void)
{
    return lose(32);
}

static __attribute__((noinline)) void leak_chain_head(void *tail)
{
    void **head = lose(48);
    head[0] = tail;
}

/* Its frame, which held the tail, is gone when the stack is scrubbed. */
static __attribute__((noinline)) void make_chain(void)
{
    leak_chain_head(leak_chain_tail());
}

static void chain(void)
{
    make_chain();
    scrub_stack();
}

static __attribute__((noinline)) void free_twice(void)
{
    void *p = lose(24);
    kept = p;
    free(kept);
    free(kept);
}

static void double_free(void)
{
    free_twice();
}

static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    {"two_leaks", two_leaks},
    {"library_leak", library_leak},
    {"chain", chain},
    {"double_free", double_free},
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc == 2 && i < sizeof cases / sizeof cases[0]; i++)
        if (strcmp(argv[1], cases[i].name) == 0) {
            cases[i].run();
            printf("survived\n");
            return 0;
        }
    fprintf(stderr, "usage: suppressed_bugs two_leaks|library_leak|chain|double_free\n");
    return 2;
}
