/* partition_config.c - how memory is partitioned for process jobs: its
 * settings, one setter by name that the command's flags share, and the
 * check that settles the partitions' sizes. */
#include <stdio.h>
#include <string.h>

#include "mmkit/partition.h"
#include "sim/diag.h"
#include "sim/items.h"
#include "sim/value.h"

void partition_config_default(struct partition_config *c)
{
    *c = (struct partition_config){0};
    freespace_config_default(&c->heap);
    /* Dynamic partitions merge with the holes they touch when a job
     * leaves, as an operating system's would. */
    c->heap.base = 0;
    c->heap.size = 0;
    c->heap.coalesce = true;
}

const char *const partition_config_names[] = {
    "memory", "partitions", "compact", "swap", "policy", "base", "structure", NULL,
};

/* Whether policy is one of the fits, which carve a job's region from the
 * front of a hole, as compaction expects. */
static bool is_fit(const char *policy)
{
    static const char *const fits[] = {"first", "best", "worst", "next"};
    for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++)
        if (!strcmp(policy, fits[i]))
            return true;
    return false;
}

/* "4" (equal partitions) or "100,200,300" (their sizes); false if neither. */
static bool set_partitions(struct partition_config *c, const char *text)
{
    uint64_t equal;
    c->fixed = c->equal = 0;
    if (!strchr(text, ',') && value_parse_u64(text, &equal)) {
        if (equal < 1 || equal > PARTITION_FIXED_MAX)
            return false;
        c->equal = (size_t)equal;
        return true;
    }
    struct items items = {.at = text};
    const char *item, *empty;
    size_t length;
    while (items_next(&items, &item, &length, &empty)) {
        char size[32];
        if (empty || length >= sizeof size || c->fixed == PARTITION_FIXED_MAX)
            return false;
        snprintf(size, sizeof size, "%.*s", (int)length, item);
        if (!value_parse_size(size, &c->fixed_size[c->fixed]) || !c->fixed_size[c->fixed])
            return false;
        c->fixed++;
    }
    return c->fixed > 0;
}

int partition_config_set(struct partition_config *c, const char *key, const char *v,
                         struct sim_diag *diag)
{
    const char *why = NULL;
    bool valid;
    if (!strcmp(key, "memory")) {
        why = "a size above 0, such as 1000 or 64K";
        valid = value_parse_size(v, &c->heap.size) && c->heap.size > 0;
        c->memory_given = true;
    } else if (!strcmp(key, "partitions")) {
        why = "a count from 1 to 256, or sizes such as 100,200,300";
        valid = set_partitions(c, v);
    } else if (!strcmp(key, "compact")) {
        valid = value_parse_bool(v, &c->compact);
    } else if (!strcmp(key, "swap")) {
        valid = value_parse_bool(v, &c->swap);
    } else if (!strcmp(key, "policy")) {
        why = "first, best, worst or next: the fits that place dynamic partitions";
        valid = freespace_config_set(&c->heap, key, v, NULL) == SIM_OK && is_fit(c->heap.policy);
    } else if (!strcmp(key, "base") || !strcmp(key, "structure")) {
        return freespace_config_set(&c->heap, key, v, diag);
    } else {
        for (const char *const *name = freespace_config_names; *name; name++)
            if (!strcmp(key, *name))
                return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, key,
                                "applies to --ops, not to process jobs");
        return value_refused(diag, key, v, false, NULL);
    }
    return valid ? SIM_OK : value_refused(diag, key, v, true, why);
}

/* Equal partitions: memory / N each, which must come out whole. */
static int settle_equal(struct partition_config *c, struct sim_diag *diag)
{
    if (!c->memory_given)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "partitions",
                        "%zu equal partitions of what? Give the memory's size with --memory",
                        c->equal);
    if (c->heap.size % c->equal)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "partitions",
                        "%llu bytes do not divide into %zu equal partitions (give their sizes, "
                        "such as 100,200,300)",
                        (unsigned long long)c->heap.size, c->equal);
    c->fixed = c->equal;
    for (size_t i = 0; i < c->fixed; i++)
        c->fixed_size[i] = c->heap.size / c->equal;
    c->equal = 0;
    return SIM_OK;
}

/* Given sizes: memory is their sum, and --memory, if given, must agree. */
static int settle_given(struct partition_config *c, struct sim_diag *diag)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < c->fixed; i++) {
        if (c->fixed_size[i] > UINT64_MAX - sum)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "partitions",
                            "the sizes add up to more than 2^64 bytes");
        sum += c->fixed_size[i];
    }
    if (c->memory_given && sum != c->heap.size)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "partitions",
                        "the partitions add up to %llu bytes, not the %llu of --memory",
                        (unsigned long long)sum, (unsigned long long)c->heap.size);
    c->heap.size = sum;
    return SIM_OK;
}

int partition_config_finish(struct partition_config *c, struct sim_diag *diag)
{
    int status = c->equal ? settle_equal(c, diag) : c->fixed ? settle_given(c, diag) : SIM_OK;
    if (status)
        return status;
    if (!c->heap.size)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "memory",
                        "give the memory's size with --memory (or the partitions' sizes "
                        "with --partitions)");
    if (c->fixed && c->compact)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "compact",
                        "fixed partitions do not move; compaction needs dynamic ones (no "
                        "--partitions)");
    c->heap.order = FREESPACE_BY_ADDRESS;
    c->heap.coalesce = true;
    c->heap.header = 0;
    c->heap.align = c->heap.min_split = 1;
    status = freespace_config_finish(&c->heap, diag);
    if (status && diag && !strcmp(diag->field, "heap"))
        snprintf(diag->field, sizeof diag->field, "memory");
    return status;
}

uint64_t partition_fixed_address(const struct partition_config *c, size_t i)
{
    uint64_t addr = c->heap.base;
    for (size_t k = 0; k < i; k++)
        addr += c->fixed_size[k];
    return addr;
}
