/* policy_lru.c - least recently used: the page whose last reference is
 * oldest leaves.  A stack algorithm: more frames never mean more faults. */
#include "policy_state.h"

/* value[frame] is the time of the page's last reference. */
static void lru_accessed(void *opaque, uint32_t frame, uint64_t now, uint64_t next_use)
{
    struct policy_state *state = opaque;
    state->value[frame] = now;
}

static uint32_t lru_victim(void *opaque, uint64_t now)
{
    return policy_state_take_extreme(opaque, false);
}

static void lru_candidates(const void *state, char *text, size_t size)
{
    policy_state_value_candidates(state, "by last use", false, text, size);
}

const struct policy_ops policy_lru = {
    .name = "lru",
    .summary = "least recently used",
    .create = policy_state_create,
    .destroy = policy_state_destroy,
    .loaded = policy_state_set_loaded,
    .accessed = lru_accessed,
    .victim = lru_victim,
    .candidates = lru_candidates,
};
