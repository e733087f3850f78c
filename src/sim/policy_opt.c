/* policy_opt.c - Belady's optimal (MIN): the page used again furthest in
 * the future leaves.  It needs the future, so the machine reads the whole
 * trace ahead and hands each reference its page's next use. */
#include "policy_state.h"

/* value[frame] is the time of the page's next reference (NEVER if none). */
static void opt_seen(void *opaque, uint32_t frame, uint64_t now, uint64_t next_use)
{
    struct policy_state *state = opaque;
    state->value[frame] = next_use;
}

static void opt_loaded(void *opaque, uint32_t frame, uint64_t now, uint64_t next_use)
{
    struct policy_state *state = opaque;
    frame_set_add(&state->set, frame);
    opt_seen(state, frame, now, next_use);
}

static uint32_t opt_victim(void *opaque, uint64_t now)
{
    return policy_state_take_extreme(opaque, true);
}

static void opt_candidates(const void *state, char *text, size_t size)
{
    policy_state_value_candidates(state, "by next use", false, text, size);
}

const struct policy_ops policy_opt = {
    .name = "opt",
    .summary = "Belady's optimal: evict the page used furthest ahead",
    .needs_future = true,
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = opt_loaded,
    .accessed = opt_seen,
    .victim = opt_victim,
    .candidates = opt_candidates,
};
