/* quiz.h - the exercises `mmkit quiz` sets (quiz.c): a machine (or a
 * heap) and the addresses, references or operations to work, drawn from a
 * seed, so that the same seed always sets the same exercise.  The answers
 * are the simulator's own (cmd_quiz.c). */
#ifndef MMKIT_CLI_QUIZ_H
#define MMKIT_CLI_QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUIZ_SETTINGS 16

struct quiz {
    const char *kind;
    uint64_t seed;
    const char *task; /* what to work out, a sentence */
    /* the machine file's settings (for freespace, the heap's flags) */
    struct {
        char key[16];
        char value[160];
    } setting[QUIZ_SETTINGS];
    size_t settings;
    char input[512];  /* --addrs, --refs or --ops */
    bool addresses;   /* input is virtual addresses (else page numbers or ops) */
    bool freespace;   /* a heap's operations, not a machine's references */
    char *image;      /* multilevel: the memory image as a hex dump (malloc'ed), or NULL */
};

/* The kinds, NULL-terminated: relocation, segmentation, paging,
 * multilevel, tlb, replacement, freespace, cache. */
extern const char *const quiz_kinds[];

/* The exercise of kind for seed: 0, or -1 if kind is none of quiz_kinds
 * or memory ran out. */
int quiz_make(const char *kind, uint64_t seed, struct quiz *quiz);
void quiz_free(struct quiz *quiz);

#endif
