/* policy_registry.c - the one list that knows every free-space policy, and
 * which structure serves a config. */
#include <string.h>

#include "policy.h"

static const struct {
    const char *name;
    enum fit fit;
    const struct freespace_policy_ops *family; /* NULL: the free list, in the
                                                * structure the config asks for */
} policies[] = {
    {"first", FIT_FIRST, NULL},
    {"best", FIT_BEST, NULL},
    {"worst", FIT_WORST, NULL},
    {"next", FIT_NEXT, NULL},
    {"segregated", FIT_FIRST, &freespace_policy_segregated},
    {"tlsf", FIT_FIRST, &freespace_policy_tlsf},
    {"buddy", FIT_FIRST, &freespace_policy_buddy},
    {"slab", FIT_FIRST, &freespace_policy_slab},
    {"mmkit", FIT_FIRST, &freespace_policy_mmkit},
};

#define POLICY_COUNT (sizeof policies / sizeof policies[0])

const char *const freespace_policy_names[POLICY_COUNT + 1] = {
    "first", "best", "worst", "next", "segregated", "tlsf", "buddy", "slab", "mmkit", NULL,
};

const struct freespace_policy_ops *freespace_policy_find(const struct freespace_config *config,
                                                         enum fit *fit)
{
    for (size_t i = 0; i < POLICY_COUNT; i++) {
        if (strcmp(policies[i].name, config->policy))
            continue;
        *fit = policies[i].fit;
        if (policies[i].family)
            return policies[i].family;
        return config->structure == FREESPACE_TREE ? &freespace_policy_tree
                                                   : &freespace_policy_list;
    }
    return NULL;
}
