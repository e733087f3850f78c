/* policy_clock.c - second chance: the hand passes over pages whose
 * reference bit is set (clearing it) and takes the first page without one.
 * A page just loaded has its bit set by the reference that faulted it in. */
#include "policy_state.h"

static uint32_t clock_victim(void *opaque, uint64_t now)
{
    struct policy_state *state = opaque;
    while (frame_referenced(&state->frames[frame_ring_at_hand(&state->ring)])) {
        frame_clear_referenced(&state->frames[frame_ring_at_hand(&state->ring)]);
        frame_ring_advance(&state->ring);
    }
    return frame_ring_take(&state->ring);
}

static void clock_candidates(const void *state, char *text, size_t size)
{
    policy_state_ring_candidates(state, "from the hand", text, size);
}

const struct policy_ops policy_clock = {
    .name = "clock",
    .summary = "second chance: skip (and clear) referenced pages",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = policy_state_ring_loaded,
    .victim = clock_victim,
    .candidates = clock_candidates,
};
