/* story.h - the story of each reference, assembled from the
 * machine's events (story.c), and its writers: --explain and --steps
 * (explain.c), the JSON steps (explain_json.c). */
#ifndef MMKIT_SIM_STORY_H
#define MMKIT_SIM_STORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "events.h"
#include "memory_image.h"

/* What happened to one reference, assembled from the machine's events
 * (story.c) for the writers that tell it. */
struct step {
    uint64_t reference; /* 1-based */
    uint64_t addr, vpn;
    uint16_t pid;
    uint8_t kind;
    bool tlb_hit;
    bool walked;
    unsigned walk_reads;   /* levels read before finding the entry or a hole */
    bool was_present;      /* the walk found a present entry */
    bool page_fault;       /* the kernel brought the page in */
    bool from_swap;        /* ... from swap (else zero-filled) */
    bool victim_taken;     /* the frame was taken from another page */
    bool victim_dirty;
    uint16_t victim_pid;
    uint64_t victim_vpn;
    uint64_t frame;
    uint64_t pte; /* the entry after the reference */
    uint64_t paddr;
    const char *protection_reason; /* set for a protection fault */
    int protection_segment;        /* the segment it broke; -1: none */
    struct image_walk image_walk;  /* with a memory image */
    char candidates[400];          /* a victim's choice: the policy's view */
    char second_chances[200];      /* pages whose reference bits it cleared */
    unsigned segment;              /* segmentation: the segment used */
    bool segment_found;
};

/* The story of the run: where each writer tells it (NULL: not told). */
struct story {
    FILE *text;      /* --explain */
    FILE *json;      /* the JSON objects of "steps" */
    FILE *steps;     /* --steps, a line a reference */
    uint64_t json_told;
    struct step step; /* the reference being told */
};

/* The story's observer (events.h). */
void story_event(struct sim_machine *m, void *story, const struct sim_event *event);

/* A step as --explain tells it, and as --steps draws it. */
void explain_text(const struct sim_machine *m, FILE *out, const struct step *s);
void explain_steps_line(const struct sim_machine *m, FILE *out, const struct step *s);
/* A step as a JSON object; a context switch as one. */
void explain_step_json(const struct sim_machine *m, FILE *out, const struct step *s);
void explain_switch_json(FILE *out, unsigned pid, bool flushed);

#endif
