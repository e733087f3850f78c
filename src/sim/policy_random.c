/* policy_random.c - a uniformly random resident page leaves; seeded, so a
 * run repeats exactly. */
#include "policy_state.h"
#include "random.h"

static uint32_t random_victim(void *opaque, uint64_t now)
{
    struct policy_state *state = opaque;
    uint32_t frame = state->set.members[random_next(&state->random_state) % state->set.count];
    frame_set_remove(&state->set, frame);
    return frame;
}

const struct policy_ops policy_random = {
    .name = "random",
    .summary = "a random page (seeded)",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = policy_state_set_loaded,
    .victim = random_victim,
};
