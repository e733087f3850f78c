/* config.c - the heap's settings: defaults, one setter by name that the
 * command's flags share, and the check that they go together. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "sim/diag.h"
#include "sim/value.h"

void freespace_config_default(struct freespace_config *c)
{
    *c = (struct freespace_config){
        .base = 1000,
        .size = 100,
        .header = 0,
        .align = 1,
        .min_split = 1,
        .policy = "best",
        .order = FREESPACE_BY_ADDRESS,
        .coalesce = false,
        .structure = FREESPACE_ANY,
    };
}

const char *const freespace_order_names[] = {"addr", "size-up", "size-down", "front", "back",
                                             NULL};

/* The same orders as malloc.py's -l spells them, so that its command lines
 * carry over. */
static const char *const textbook_order_names[] = {"ADDRSORT", "SIZESORT+", "SIZESORT-",
                                                   "INSERT-FRONT", "INSERT-BACK"};

static bool set_order(const char *text, enum freespace_order *order)
{
    for (unsigned i = 0; freespace_order_names[i]; i++) {
        if (!strcmp(text, freespace_order_names[i]) || !strcasecmp(text, textbook_order_names[i])) {
            *order = (enum freespace_order)i;
            return true;
        }
    }
    return false;
}

/* A policy name, in either case (malloc.py's -p says FIRST). */
static bool set_policy(const char *text, char *policy, size_t size)
{
    for (const char *const *name = freespace_policy_names; *name; name++) {
        if (!strcasecmp(text, *name)) {
            snprintf(policy, size, "%s", *name);
            return true;
        }
    }
    return false;
}

static bool set_structure(const char *text, enum freespace_structure *structure)
{
    static const char *const names[] = {"any", "list", "tree"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(text, names[i]))
            return *structure = (enum freespace_structure)i, true;
    return false;
}

const char *const freespace_config_names[] = {
    "heap", "base", "header", "align", "min-split", "policy", "order", "coalesce", "structure",
    "page", NULL,
};

int freespace_config_set(struct freespace_config *c, const char *key, const char *v,
                         struct sim_diag *diag)
{
    const char *why = NULL; /* what a valid value is, when the name does not say */
    bool valid;
    if (!strcmp(key, "heap")) {
        why = "a size above 0, such as 100 or 64K";
        valid = value_parse_size(v, &c->size) && c->size > 0;
    } else if (!strcmp(key, "base")) {
        valid = value_parse_size(v, &c->base);
    } else if (!strcmp(key, "header")) {
        valid = value_parse_size(v, &c->header);
    } else if (!strcmp(key, "align")) {
        why = "a size above 0; 1 rounds nothing";
        valid = value_parse_size(v, &c->align) && c->align > 0;
    } else if (!strcmp(key, "min-split")) {
        valid = value_parse_size(v, &c->min_split);
    } else if (!strcmp(key, "policy")) {
        why = "first, best, worst, next, segregated, tlsf, buddy, slab or mmkit";
        valid = set_policy(v, c->policy, sizeof c->policy);
    } else if (!strcmp(key, "order")) {
        why = "addr, size-up, size-down, front or back";
        valid = set_order(v, &c->order);
    } else if (!strcmp(key, "coalesce")) {
        valid = value_parse_bool(v, &c->coalesce);
    } else if (!strcmp(key, "structure")) {
        why = "list or tree";
        valid = set_structure(v, &c->structure);
    } else if (!strcmp(key, "page")) {
        why = "a power of two, such as 4096 or 4K";
        valid = value_parse_size(v, &c->page) && c->page && !(c->page & (c->page - 1));
    } else {
        return value_refused(diag, key, v, false, NULL);
    }
    return valid ? SIM_OK : value_refused(diag, key, v, true, why);
}

int freespace_config_finish(struct freespace_config *c, struct sim_diag *diag)
{
    enum fit fit;
    if (c->size == 0 || c->size > UINT64_MAX - c->base)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "heap",
                        "a heap of %llu bytes at %llu does not fit below 2^64",
                        (unsigned long long)c->size, (unsigned long long)c->base);
    if (c->header >= c->size)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "header",
                        "a %llu-byte header leaves no room in a %llu-byte heap",
                        (unsigned long long)c->header, (unsigned long long)c->size);
    if (c->align == 0)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "align", "0 (1 rounds nothing)");
    if ((unsigned)c->order > FREESPACE_AT_BACK)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "order", "no order %u", (unsigned)c->order);
    const struct freespace_policy_ops *policy = freespace_policy_find(c, &fit);
    if (!policy)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "policy", "no policy is called '%.16s'",
                        c->policy);
    if (c->grow && policy->describe) /* a family: see freespace_trace_heap */
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "grow",
                        "only the fits grow the heap, not %s", c->policy);
    if (c->structure == FREESPACE_ANY)
        c->structure = c->order == FREESPACE_BY_ADDRESS ? FREESPACE_TREE : FREESPACE_LIST;
    if (c->structure == FREESPACE_TREE && c->order != FREESPACE_BY_ADDRESS)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "structure",
                        "the tree keeps the free list in address order, not in order '%s'",
                        freespace_order_names[c->order]);
    if (c->structure > FREESPACE_TREE)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "structure", "no structure %u",
                        (unsigned)c->structure);
    if (c->min_split == 0)
        c->min_split = 1; /* a rest of 0 bytes is no hole: the same as 1 */
    if (c->page & (c->page - 1))
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "page", "%llu is not a power of two",
                        (unsigned long long)c->page);
    if (c->page > c->size)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "page",
                        "a %llu-byte page does not fit in a %llu-byte heap",
                        (unsigned long long)c->page, (unsigned long long)c->size);
    if (c->page == 0) /* 4096, or a quarter of a heap too small for four of those */
        for (c->page = 4096; c->page > 1 && c->page > c->size / 4; c->page /= 2)
            ;
    return SIM_OK;
}
