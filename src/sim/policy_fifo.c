/* policy_fifo.c - first in, first out: the page loaded longest ago leaves,
 * however busy it is.  More frames can mean more faults (Belady). */
#include "policy_state.h"

static uint32_t fifo_victim(void *opaque, uint64_t now)
{
    struct policy_state *state = opaque;
    return frame_ring_take(&state->ring);
}

static void fifo_candidates(const void *state, char *text, size_t size)
{
    policy_state_ring_candidates(state, "oldest first", text, size);
}

const struct policy_ops policy_fifo = {
    .name = "fifo",
    .summary = "first in, first out",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = policy_state_ring_loaded,
    .victim = fifo_victim,
    .candidates = fifo_candidates,
};
