/* policy_ws.c - working set (Tanenbaum's scan): on a fault every resident
 * page is visited; a referenced page gets its last-use time refreshed and
 * its bit cleared; the first unreferenced page older than tau (outside the
 * working set) leaves.  If every page is in the working set, the oldest
 * unreferenced one leaves, and if all were referenced, the first clean one
 * (or the first).  Pages leave only on faults. */
#include "policy_state.h"

/* value[frame] is the page's last-use time as of the last scan. */
static uint32_t ws_victim(void *opaque, uint64_t now)
{
    struct policy_state *state = opaque;
    const uint32_t none = UINT32_MAX;
    uint32_t outside = none, oldest = none, clean = none;
    for (uint64_t i = 0; i < state->set.count; i++) {
        uint32_t frame = state->set.members[i];
        const struct frame *resident = &state->frames[frame];
        if (clean == none && !frame_dirty(resident))
            clean = frame;
        if (frame_referenced(resident)) {
            state->value[frame] = now;
            frame_clear_referenced(resident);
        } else if (now - state->value[frame] > state->tau && outside == none) {
            outside = frame;
        } else if (oldest == none || state->value[frame] < state->value[oldest]) {
            oldest = frame;
        }
    }
    uint32_t victim = outside != none  ? outside
                      : oldest != none ? oldest
                      : clean != none  ? clean
                                       : state->set.members[0];
    frame_set_remove(&state->set, victim);
    return victim;
}

const struct policy_ops policy_ws = {
    .name = "ws",
    .summary = "working set with window tau",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = policy_state_set_loaded,
    .victim = ws_victim,
};
