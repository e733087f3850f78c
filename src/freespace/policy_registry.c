/* policy_registry.c - the one list that knows every free-space policy, and
 * which structure serves a config. */
#include <string.h>

#include "policy.h"

static const struct {
    const char *name;
    enum fit fit;
} fits[] = {
    {"first", FIT_FIRST},
    {"best", FIT_BEST},
    {"worst", FIT_WORST},
    {"next", FIT_NEXT},
};

#define FIT_COUNT (sizeof fits / sizeof fits[0])

const char *const freespace_policy_names[FIT_COUNT + 1] = {"first", "best", "worst", "next", NULL};

const struct freespace_policy_ops *freespace_policy_find(const struct freespace_config *config,
                                                         enum fit *fit)
{
    for (size_t i = 0; i < FIT_COUNT; i++) {
        if (strcmp(fits[i].name, config->policy))
            continue;
        *fit = fits[i].fit;
        return config->structure == FREESPACE_TREE ? &freespace_policy_tree
                                                   : &freespace_policy_list;
    }
    return NULL;
}
