/* story.h - the story of each reference, assembled from the
 * machine's events (story.c), and its writers: --explain and --steps
 * (explain.c), the JSON steps (explain_json.c). */
#ifndef MMKIT_SIM_STORY_H
#define MMKIT_SIM_STORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"

/* The story's observer (events.h). */
void story_event(struct sim_machine *m, void *story, const struct sim_event *event);

/* A step as --explain tells it, and as --steps draws it. */
void explain_text(const struct sim_machine *m, FILE *out, const struct step *s);
void explain_steps_line(const struct sim_machine *m, FILE *out, const struct step *s);
/* A step as a JSON object; a context switch as one. */
void explain_step_json(const struct sim_machine *m, FILE *out, const struct step *s);
void explain_switch_json(FILE *out, unsigned pid, bool flushed);

#endif
