/* policy_nru.c - not recently used: every clock tick clears the reference
 * bits; a victim is a random page of the lowest non-empty class
 * 2 * referenced + dirty (0: neither, 1: dirty, 2: referenced, 3: both). */
#include "policy_state.h"
#include "random.h"

static void nru_tick(void *opaque)
{
    struct policy_state *state = opaque;
    for (uint64_t i = 0; i < state->set.count; i++)
        frame_clear_referenced(&state->frames[state->set.members[i]]);
}

static unsigned nru_class(const struct frame *frame)
{
    return 2u * frame_referenced(frame) + frame_dirty(frame);
}

static uint32_t nru_victim(void *opaque, uint64_t now)
{
    struct policy_state *state = opaque;
    uint64_t in_class[4] = {0};
    for (uint64_t i = 0; i < state->set.count; i++)
        in_class[nru_class(&state->frames[state->set.members[i]])]++;
    unsigned lowest = 0;
    while (!in_class[lowest])
        lowest++;
    uint64_t pick = random_next(&state->random_state) % in_class[lowest];
    uint32_t frame = 0;
    for (uint64_t i = 0; i < state->set.count; i++) {
        frame = state->set.members[i];
        if (nru_class(&state->frames[frame]) == lowest && pick-- == 0)
            break;
    }
    frame_set_remove(&state->set, frame);
    return frame;
}

const struct policy_ops policy_nru = {
    .name = "nru",
    .summary = "not recently used: random page of the lowest (referenced, dirty) class",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = policy_state_set_loaded,
    .tick = nru_tick,
    .victim = nru_victim,
};
