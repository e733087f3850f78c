/* policy_state.c - the shared state of the replacement policies. */
#include <stdlib.h>

#include "policy_state.h"

void *policy_state_create(const struct policy_env *env)
{
    struct policy_state *state = calloc(1, sizeof *state);
    if (!state)
        return NULL;
    state->frames = env->frames;
    state->random_state = env->seed | 1;
    state->tau = env->tau;
    state->value = calloc(env->frame_count ? env->frame_count : 1, sizeof(uint64_t));
    if (frame_ring_init(&state->ring, env->capacity) ||
        frame_set_init(&state->set, env->capacity, env->frame_count) || !state->value) {
        policy_state_destroy(state);
        return NULL;
    }
    return state;
}

void policy_state_destroy(void *opaque)
{
    struct policy_state *state = opaque;
    if (!state)
        return;
    frame_ring_free(&state->ring);
    frame_set_free(&state->set);
    free(state->value);
    free(state);
}

void policy_state_ring_loaded(void *opaque, uint32_t frame, uint64_t now, uint64_t next_use)
{
    struct policy_state *state = opaque;
    frame_ring_insert(&state->ring, frame);
    state->value[frame] = now;
}

void policy_state_set_loaded(void *opaque, uint32_t frame, uint64_t now, uint64_t next_use)
{
    struct policy_state *state = opaque;
    frame_set_add(&state->set, frame);
    state->value[frame] = now;
}

uint32_t policy_state_take_extreme(struct policy_state *state, bool largest)
{
    uint32_t best = state->set.members[0];
    for (uint64_t i = 1; i < state->set.count; i++) {
        uint32_t frame = state->set.members[i];
        if (largest ? state->value[frame] > state->value[best]
                    : state->value[frame] < state->value[best])
            best = frame;
    }
    frame_set_remove(&state->set, best);
    return best;
}
