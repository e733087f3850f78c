/* policy_registry.c - the one list that knows every replacement policy. */
#include <string.h>

#include "mmkit/sim.h"
#include "policy.h"

extern const struct policy_ops policy_fifo, policy_lru, policy_opt, policy_clock, policy_esc,
    policy_nru, policy_aging, policy_random, policy_ws, policy_wsclock;

static const struct policy_ops *const policies[] = {
    &policy_fifo, &policy_lru,    &policy_opt, &policy_clock, &policy_esc,
    &policy_nru,  &policy_aging, &policy_random, &policy_ws, &policy_wsclock,
};

#define POLICY_COUNT (sizeof policies / sizeof policies[0])

const char *const sim_policy_names[POLICY_COUNT + 1] = {
    "fifo", "lru", "opt", "clock", "esc", "nru", "aging", "random", "ws", "wsclock", NULL,
};

const struct policy_ops *policy_find(const char *name)
{
    for (size_t i = 0; i < POLICY_COUNT; i++)
        if (!strcmp(policies[i]->name, name))
            return policies[i];
    return NULL;
}
