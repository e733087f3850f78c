/* policy_aging.c - aging: each page keeps a 32-bit history; every clock
 * tick shifts it right and moves the reference bit into the top.  The page
 * with the smallest history leaves, a reference since the last tick counting
 * above all older history. */
#include "policy_state.h"

#define AGING_TOP_BIT (1ull << 31)

/* value[frame] is the page's history; a new page has none yet. */
static void aging_loaded(void *opaque, uint32_t frame, uint64_t now, uint64_t next_use)
{
    struct policy_state *state = opaque;
    frame_set_add(&state->set, frame);
    state->value[frame] = 0;
}

static void aging_tick(void *opaque)
{
    struct policy_state *state = opaque;
    for (uint64_t i = 0; i < state->set.count; i++) {
        uint32_t frame = state->set.members[i];
        bool referenced = frame_referenced(&state->frames[frame]);
        state->value[frame] = (state->value[frame] >> 1) | (referenced ? AGING_TOP_BIT : 0);
        frame_clear_referenced(&state->frames[frame]);
    }
}

static uint64_t aging_rank(const struct policy_state *state, uint32_t frame)
{
    return (uint64_t)frame_referenced(&state->frames[frame]) << 32 | state->value[frame];
}

static uint32_t aging_victim(void *opaque, uint64_t now)
{
    struct policy_state *state = opaque;
    uint32_t best = state->set.members[0];
    for (uint64_t i = 1; i < state->set.count; i++)
        if (aging_rank(state, state->set.members[i]) < aging_rank(state, best))
            best = state->set.members[i];
    frame_set_remove(&state->set, best);
    return best;
}

static void aging_candidates(const void *state, char *text, size_t size)
{
    policy_state_value_candidates(state, "by history", true, text, size);
}

const struct policy_ops policy_aging = {
    .name = "aging",
    .summary = "aging counters shifted every tick; smallest leaves",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = aging_loaded,
    .tick = aging_tick,
    .victim = aging_victim,
    .candidates = aging_candidates,
};
