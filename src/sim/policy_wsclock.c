/* policy_wsclock.c - WSClock: the clock hand visits pages in load order; a
 * referenced page gets its bit cleared and its last-use time refreshed; the
 * first clean page older than tau leaves.  After a full turn without one,
 * the first dirty old page leaves (the real algorithm would have scheduled
 * its write and waited), else the page at the hand. */
#include "policy_state.h"

/* value[frame] is the page's last-use time as of the hand's last visit. */
static uint32_t wsclock_victim(void *opaque, uint64_t now)
{
    struct policy_state *state = opaque;
    struct frame_ring *ring = &state->ring;
    uint64_t first_dirty_old = UINT64_MAX;
    for (uint64_t i = 0; i < ring->count; i++) {
        uint32_t frame = frame_ring_at_hand(ring);
        const struct frame *resident = &state->frames[frame];
        if (frame_referenced(resident)) {
            frame_clear_referenced(resident);
            state->value[frame] = now;
        } else if (now - state->value[frame] > state->tau) {
            if (!frame_dirty(resident))
                return frame_ring_take(ring);
            if (first_dirty_old == UINT64_MAX)
                first_dirty_old = ring->hand;
        }
        frame_ring_advance(ring);
    }
    if (first_dirty_old != UINT64_MAX)
        ring->hand = first_dirty_old;
    return frame_ring_take(ring);
}

static void wsclock_candidates(const void *state, char *text, size_t size)
{
    policy_state_ring_candidates(state, "from the hand", text, size);
}

const struct policy_ops policy_wsclock = {
    .name = "wsclock",
    .summary = "WSClock: clock over the working set, clean pages first",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = policy_state_ring_loaded,
    .victim = wsclock_victim,
    .candidates = wsclock_candidates,
};
