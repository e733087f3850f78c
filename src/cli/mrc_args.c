/* mrc_args.c - `mmkit mrc`'s command line.  The input and the machine are
 * read by sim's parser (sim_args.c), which hands the options below back
 * here; sim's own outputs that mean nothing here are refused after. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mrc_args.h"

const char mrc_usage[] =
    "usage: mmkit mrc [TRACE...] [options]\n"
    "       mmkit mrc --refs 1,2,3,4,1,2,5,1,2,3,4,5 [options]\n"
    "\n"
    "Miss-ratio curves: the page faults and miss ratio at every memory size from\n"
    "one frame to the footprint, in one pass over the trace (docs/MRC.md).\n"
    "\n"
    "input: as 'mmkit sim' (TRACE..., --refs, --addrs, --kinds, --skip-bad,\n"
    "  --split-straddling, --quantum, --page-size, --address-bits, --machine)\n"
    "\n"
    "curves:\n"
    "  --curves LIST        policies (default lru): lru and opt exact, the others\n"
    "                       (fifo, clock, ...) by miniature simulation of a sample\n"
    "  --sample R           LRU estimated from a sample of the pages at rate R, 0 < R <= 1\n"
    "                       (SHARDS), instead of the exact curve; also the rate of the\n"
    "                       miniature simulations (default: about 8192 pages' worth)\n"
    "  --sample-size N      SHARDS following at most N pages (the rate adapts)\n"
    "  --check              with a sample: the exact LRU curve too, and the mean\n"
    "                       absolute error of the estimate\n"
    "  --working-set        Denning's working set instead: mean size and faults by\n"
    "                       window tau (in references)\n"
    "\n"
    "output:\n"
    "  --sizes LIST         frame counts (or windows) to print, e.g. 1,2,8..16,100\n"
    "                       (default: powers of two and the footprint)\n"
    "  --json, --csv        the table as JSON or CSV\n"
    "  --svg FILE           miss ratio against frames, the knee and footprint marked\n"
    "  --x-axis log|linear  the frames axis of --svg (default log)\n"
    "  --threads N          miniature simulations' workers (default 2)\n";

static const struct cli_option mrc_options[] = {
    {"--curves", true}, {"--sample", true}, {"--sample-size", true}, {"--check", false},
    {"--working-set", false}, {"--sizes", true}, {"--x-axis", true},
};

static int parse_count(const char *option, const char *text, uint64_t *value)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (end == text || *end || errno || n < 1 || text[0] == '-')
        return cli_usage_error("%s: '%s' is not a count of at least 1", option, text);
    *value = n;
    return 0;
}

static int compare_sizes(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int mrc_args_sizes(const char *option, const char *text, uint64_t *sizes, size_t *count)
{
    char list[1024];
    if (strlen(text) >= sizeof list || !*text)
        return cli_usage_error("%s: expected a list like 1,2,8..16,100", option);
    strcpy(list, text);
    size_t n = 0;
    for (char *save, *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        uint64_t low = 0, high = 0;
        char *dots = strstr(item, "..");
        if (dots)
            *dots = '\0';
        if (parse_count(option, item, &low) || parse_count(option, dots ? dots + 2 : item, &high))
            return 2;
        if (high < low || high - low >= MRC_ARGS_MAX_SIZES - n)
            return cli_usage_error("%s: '%s' is not a range A..B with A <= B within %d sizes",
                                   option, text, MRC_ARGS_MAX_SIZES);
        for (uint64_t f = low; f <= high; f++)
            sizes[n++] = f;
    }
    if (!n || text[strlen(text) - 1] == ',')
        return cli_usage_error("%s: expected a list like 1,2,8..16,100", option);
    qsort(sizes, n, sizeof *sizes, compare_sizes);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!kept || sizes[kept - 1] != sizes[i])
            sizes[kept++] = sizes[i];
    *count = kept;
    return 0;
}

static int parse_curves(struct mrc_args *a, const char *text)
{
    a->lru = a->opt = false;
    a->mini_count = 0;
    char list[256];
    snprintf(list, sizeof list, "%s", text);
    for (char *save, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (sim_policy_names[i] && strcmp(sim_policy_names[i], name))
            i++;
        if (!sim_policy_names[i])
            return cli_usage_error("--curves: '%s' is not a policy (lru, opt, fifo, clock, ...)",
                                   name);
        if (!strcmp(name, "lru"))
            a->lru = true;
        else if (!strcmp(name, "opt"))
            a->opt = true;
        else if (a->mini_count < sizeof a->mini / sizeof a->mini[0])
            a->mini[a->mini_count++] = sim_policy_names[i];
    }
    return a->lru || a->opt || a->mini_count ? 0 : cli_usage_error("--curves: name a policy");
}

static int apply_option(void *context, const char *name, const char *value)
{
    struct mrc_args *a = context;
    if (!strcmp(name, "--curves"))
        return parse_curves(a, value);
    if (!strcmp(name, "--sample")) {
        char *end;
        errno = 0;
        a->sample = strtod(value, &end);
        if (end == value || *end || errno || !(a->sample > 0 && a->sample <= 1))
            return cli_usage_error("--sample: '%s' is not a rate above 0 and at most 1", value);
    } else if (!strcmp(name, "--sample-size")) {
        return parse_count(name, value, &a->sample_size);
    } else if (!strcmp(name, "--check")) {
        a->check = true;
    } else if (!strcmp(name, "--working-set")) {
        a->working_set = true;
    } else if (!strcmp(name, "--sizes")) {
        return mrc_args_sizes(name, value, a->sizes, &a->size_count);
    } else if (!strcmp(name, "--x-axis")) {
        if (strcmp(value, "log") && strcmp(value, "linear"))
            return cli_usage_error("--x-axis: '%s' is not log or linear", value);
        a->linear = !strcmp(value, "linear");
    }
    return 0;
}

/* sim's options that have no meaning for curves. */
static int refuse_sim_options(const struct mrc_args *a)
{
    const struct sim_args *s = &a->sim;
    const char *refused = s->sweep ? "--sweep" : s->policies ? "--policies"
                          : s->explain ? "--explain" : NULL;
    for (size_t i = 0; !refused && i < s->setting_count; i++)
        if (!strcmp(s->settings[i].key, "policy") || !strcmp(s->settings[i].key, "frames") ||
            !strcmp(s->settings[i].key, "memory"))
            refused = s->settings[i].key;
    if (refused)
        return cli_usage_error("mrc: %s%s is sim's; the curves cover every memory size and "
                               "their policies are chosen with --curves",
                               refused[0] == '-' ? "" : "--", refused);
    return 0;
}

int mrc_args_parse(int argc, char **argv, struct mrc_args *a)
{
    *a = (struct mrc_args){.lru = true};
    struct sim_args_extra extra = {"mrc", mrc_options, sizeof mrc_options / sizeof mrc_options[0],
                                   apply_option, a};
    int status = sim_args_parse_extra(argc, argv, &a->sim, &extra);
    if (status || a->sim.help)
        return status;
    if ((status = refuse_sim_options(a)))
        return status;
    bool sampled = a->sample > 0 || a->sample_size > 0;
    if (a->check && (!sampled || !a->lru))
        return cli_usage_error("mrc: --check measures the LRU sample; give --sample or "
                               "--sample-size, and lru in --curves");
    if (sampled && !a->lru && !a->mini_count)
        return cli_usage_error("mrc: --sample samples the LRU curve and the miniature ones; "
                               "--curves must include lru or a policy other than opt");
    if (a->working_set && (sampled || a->sim.svg))
        return cli_usage_error("mrc: --working-set goes with none of --sample, --sample-size "
                               "and --svg");
    return 0;
}
