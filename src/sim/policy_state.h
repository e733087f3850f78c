/* policy_state.h - the state every policy is built from: a ring of frames
 * in load order, a set of frames, and one number per frame whose meaning
 * each policy names (last use, next use, age counter).  Sharing it keeps
 * each policy file down to the decision that makes it that policy. */
#ifndef MMKIT_SIM_POLICY_STATE_H
#define MMKIT_SIM_POLICY_STATE_H

#include <stdbool.h>

#include "frame_ring.h"
#include "frame_set.h"
#include "policy.h"

struct policy_state {
    const struct frame *frames;
    struct frame_ring ring;
    struct frame_set set;
    uint64_t *value; /* indexed by frame id */
    uint64_t random_state;
    uint64_t tau;
};

void *policy_state_create(const struct policy_env *env);
void policy_state_destroy(void *state);

/* loaded() for ring policies: the frame joins the ring; value = now. */
void policy_state_ring_loaded(void *state, uint32_t frame, uint64_t now, uint64_t next_use);
/* loaded() for set policies: the frame joins the set; value = now. */
void policy_state_set_loaded(void *state, uint32_t frame, uint64_t now, uint64_t next_use);
/* Remove and return the set member with the smallest (or largest) value;
 * ties go to the earliest member. */
uint32_t policy_state_take_extreme(struct policy_state *state, bool largest);

/* --explain: the ring from the hand (or oldest first), each page with its
 * reference and dirty bits ("0x7 R D"), after heading. */
void policy_state_ring_candidates(const struct policy_state *state, const char *heading,
                                  char *text, size_t size);
/* --explain: the set's pages after heading, each with its value ("0x7 at
 * 5"; NEVER as "never"; hex for bit histories). */
void policy_state_value_candidates(const struct policy_state *state, const char *heading,
                                   bool hex, char *text, size_t size);

#endif
