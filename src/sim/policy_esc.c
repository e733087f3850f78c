/* policy_esc.c - enhanced second chance: pages fall in four classes by
 * (referenced, dirty), and the hand takes the first of the lowest class:
 * (0,0) not used and clean, then (0,1) not used but would need a write,
 * then, having cleared reference bits on its way round, the rest. */
#include "policy_state.h"

static uint32_t esc_victim(void *opaque, uint64_t now)
{
    struct policy_state *state = opaque;
    struct frame_ring *ring = &state->ring;
    /* Each round of the two passes clears every reference bit, so the
     * second round at the latest finds a page in class (0,0) or (0,1). */
    for (;;) {
        for (uint64_t i = 0; i < ring->count; i++) {
            const struct frame *frame = &state->frames[frame_ring_at_hand(ring)];
            if (!frame_referenced(frame) && !frame_dirty(frame))
                return frame_ring_take(ring);
            frame_ring_advance(ring);
        }
        for (uint64_t i = 0; i < ring->count; i++) {
            const struct frame *frame = &state->frames[frame_ring_at_hand(ring)];
            if (!frame_referenced(frame))
                return frame_ring_take(ring);
            frame_clear_referenced(frame);
            frame_ring_advance(ring);
        }
    }
}

static void esc_candidates(const void *state, char *text, size_t size)
{
    policy_state_ring_candidates(state, "from the hand, classes (R, D)", text, size);
}

const struct policy_ops policy_esc = {
    .name = "esc",
    .summary = "enhanced second chance: prefer unreferenced, then clean pages",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = policy_state_ring_loaded,
    .victim = esc_victim,
    .candidates = esc_candidates,
};
