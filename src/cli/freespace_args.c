/* freespace_args.c - `mmkit freespace`'s command line: every option, then
 * the heap it describes.  Nothing is run here, so the parser can be fuzzed.
 * Every heap setting is a flag of the same name (--heap, --policy, ...). */
#include <string.h>

#include "cli.h"
#include "freespace_args.h"

const char freespace_usage[] =
    "usage: mmkit freespace --ops +10,+20,-0,+5 [options]\n"
    "       mmkit freespace --trace FILE.mmat [options]\n"
    "       mmkit freespace --jobs FILE --memory SIZE [options]\n"
    "\n"
    "Runs allocations and frees on a simulated heap and shows how a free-space\n"
    "policy places each block: the holes it searched, the one it chose and why,\n"
    "what it split and merged, the free list after, and how fragmented the heap\n"
    "became.  The answers are those of OSTEP's malloc.py -c for the same heap,\n"
    "policy, order and coalescing.\n"
    "\n"
    "input (one of):\n"
    "  --ops LIST          +N allocates N bytes; -K frees the block of allocation K\n"
    "                      (allocations count from 0), e.g. +10,+20,-0,+5\n"
    "  --trace FILE        a program's allocation trace, as 'mmkit trace --alloc'\n"
    "                      records it: every call replayed in order (realloc as a\n"
    "                      free and an allocation); the fits' heap grows from 64K,\n"
    "                      the families' is 4 times the trace's peak of live bytes\n"
    "                      (--heap: that heap for all, fixed); requests rounded to\n"
    "                      16 unless --align says otherwise\n"
    "  --jobs FILE         process jobs to partition memory for: a line\n"
    "                      'arrive size duration' each, in order of arrival, '#'\n"
    "                      comments; e.g. '0 100 5' needs 100 bytes for 5 ticks\n"
    "  --jobs-inline TEXT  the same, the jobs separated by ';': '0 100 5; 2 200 3'\n"
    "\n"
    "heap (defaults: 100 bytes at 1000, no header, requests not rounded):\n"
    "  --heap SIZE         bytes in the heap, e.g. 100 or 64K\n"
    "  --base ADDR         address of its first byte\n"
    "  --header BYTES      header in front of every block\n"
    "  --align BYTES       round every request up to a multiple of BYTES\n"
    "\n"
    "policy (defaults: best fit, free list by address, no coalescing):\n"
    "  --policy P          first, best, worst or next fit; or a family: segregated\n"
    "                      (free lists by size class), tlsf, buddy, slab, or mmkit\n"
    "                      (libmmkit's classes and pages)\n"
    "  --order O           the free list's order: addr, size-up, size-down, front or\n"
    "                      back (where a freed block goes); malloc.py's ADDRSORT,\n"
    "                      SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK also work\n"
    "  --coalesce          after each free, merge list neighbours that touch\n"
    "  --no-coalesce       do not (the default)\n"
    "  --min-split BYTES   split a hole only if BYTES or more stay free; else the\n"
    "                      block takes all of it (default 1: always split)\n"
    "  --structure S       list or tree (address order only): the same answers,\n"
    "                      at another cost (default: the tree when it can)\n"
    "  --page BYTES        slab: the size of a slab, a power of two (default 4096,\n"
    "                      or a quarter of a smaller heap)\n"
    "\n"
    "partitioning (with --jobs; --policy places dynamic partitions, --base too):\n"
    "  --memory SIZE       bytes of physical memory, e.g. 1000 or 64K\n"
    "  --partitions P      fixed partitions: a count of equal ones, or their sizes,\n"
    "                      e.g. 100,200,300 (default: dynamic partitions)\n"
    "  --compact           when no hole holds the next job but the free bytes would,\n"
    "                      slide the jobs together (dynamic partitions)\n"
    "  --swap              swap a resident job with more ticks to run out to the\n"
    "                      backing store to make room for the next job\n"
    "\n"
    "output (the totals always):\n"
    "  --explain           every operation step by step, then the totals (with\n"
    "                      --trace: every call, the free list cut to its first 8)\n"
    "  --json              every operation and the totals as JSON\n"
    "  --compare LIST      run the operations on each policy of LIST, e.g.\n"
    "                      first,best,worst,next,segregated,tlsf,buddy,slab,mmkit,\n"
    "                      and print one table, a row per policy (--json: as JSON)\n"
    "  --timing            with --trace: how fast each policy replayed, on stderr\n"
    "  --svg FILE          a picture (SVG; '-': standard output): with --ops or\n"
    "                      --trace each policy's heap and the fragmentation over\n"
    "                      time; with --jobs memory over time, address against tick\n"
    "  --colour-by C       what colours a block in --svg: size (its power of two;\n"
    "                      the default) or call (with --ops, each allocation its\n"
    "                      own; with --trace, the call site that allocated it)\n";

/* The options of the command; the value of a setting flag is its own. */
static const struct cli_option options[] = {
    {"--help", false}, {"-h", false}, {"--explain", false}, {"--json", false},
    {"--ops", true}, {"--coalesce", false}, {"--no-coalesce", false},
    {"--heap", true}, {"--base", true}, {"--header", true}, {"--align", true},
    {"--min-split", true}, {"--policy", true}, {"--order", true}, {"--structure", true},
    {"--page", true}, {"--compare", true}, {"--svg", true},
    {"--jobs", true}, {"--jobs-inline", true}, {"--memory", true}, {"--partitions", true},
    {"--compact", false}, {"--swap", false}, {"--trace", true}, {"--timing", false},
    {"--colour-by", true},
};

#define OPTION_COUNT (sizeof options / sizeof options[0])

static int add_setting(struct freespace_args *a, const char *key, const char *value)
{
    if (a->setting_count == FREESPACE_ARGS_MAX_SETTINGS)
        return cli_usage_error("freespace: more than %d settings", FREESPACE_ARGS_MAX_SETTINGS);
    a->settings[a->setting_count].key = key;
    a->settings[a->setting_count++].value = value;
    return 0;
}

static int apply_option(struct freespace_args *a, const char *name, const char *value)
{
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        a->help = true;
    else if (!strcmp(name, "--explain"))
        a->explain = true;
    else if (!strcmp(name, "--json"))
        a->json = true;
    else if (!strcmp(name, "--ops"))
        a->ops = value;
    else if (!strcmp(name, "--compare"))
        a->compare = value;
    else if (!strcmp(name, "--svg"))
        a->svg = value;
    else if (!strcmp(name, "--coalesce") || !strcmp(name, "--no-coalesce"))
        return add_setting(a, "coalesce", name[2] == 'c' ? "yes" : "no");
    else if (!strcmp(name, "--trace"))
        a->trace = value;
    else if (!strcmp(name, "--timing"))
        a->timing = true;
    else if (!strcmp(name, "--colour-by") && (!strcmp(value, "size") || !strcmp(value, "call")))
        a->colour_by_call = value[0] == 'c';
    else if (!strcmp(name, "--colour-by"))
        return cli_usage_error("--colour-by: invalid value '%s' (size or call)", value);
    else if (!strcmp(name, "--jobs"))
        a->jobs = value;
    else if (!strcmp(name, "--jobs-inline"))
        a->jobs_inline = value;
    else if (!strcmp(name, "--compact") || !strcmp(name, "--swap"))
        return add_setting(a, name + 2, "yes");
    else
        return add_setting(a, name + 2, value); /* a heap setting */
    return 0;
}

int freespace_args_parse(int argc, char **argv, struct freespace_args *a)
{
    *a = (struct freespace_args){0};
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || !strcmp(argv[i], "-"))
            return cli_usage_error("freespace: unexpected argument '%s' (give the operations "
                                   "with --ops)", argv[i]);
        const char *value;
        const struct cli_option *option =
            cli_option_next(options, OPTION_COUNT, argc, argv, &i, &value, "freespace");
        if (!option)
            return 2;
        int status = apply_option(a, option->name, value);
        if (status || a->help)
            return status;
    }
    if (!a->ops && !a->jobs && !a->jobs_inline && !a->trace)
        return cli_usage_error("freespace: give the operations with --ops (try 'mmkit "
                               "freespace --help')");
    if (!!a->ops + !!a->jobs + !!a->jobs_inline + !!a->trace > 1)
        return cli_usage_error("freespace: choose one input: --ops, --trace, --jobs or "
                               "--jobs-inline");
    if (a->timing && !a->trace)
        return cli_usage_error("freespace: --timing times the replay of a --trace");
    if (a->explain && a->json)
        return cli_usage_error("freespace: choose --explain or --json");
    if (a->compare && !a->ops && !a->trace)
        return cli_usage_error("freespace: --compare compares policies on --ops or --trace");
    if (a->colour_by_call && (!a->svg || a->jobs || a->jobs_inline))
        return cli_usage_error("freespace: --colour-by colours the blocks of --svg, with --ops "
                               "or --trace");
    if (a->explain && (a->compare || (a->svg && (a->ops || a->trace))))
        return cli_usage_error("freespace: --explain tells one policy; leave it out of a "
                               "comparison");
    if (a->svg && !strcmp(a->svg, "-") && (a->explain || a->json))
        return cli_usage_error("freespace: --svg - and --%s would share the standard output",
                               a->explain ? "explain" : "json");
    return 0;
}

int freespace_args_config(const struct freespace_args *a, struct freespace_config *config)
{
    struct sim_diag diag = {0};
    freespace_config_default(config);
    for (size_t i = 0; i < a->setting_count; i++) {
        const char *key = a->settings[i].key;
        bool jobs_only = true;
        for (const char *const *name = freespace_config_names; *name; name++)
            jobs_only &= strcmp(key, *name) != 0;
        if (jobs_only)
            return cli_usage_error("--%s: applies to process jobs (--jobs), not to --ops", key);
        if (freespace_config_set(config, key, a->settings[i].value, &diag))
            return cli_usage_error("--%s: %s", key, diag.message);
    }
    if (freespace_config_finish(config, &diag))
        return cli_usage_error("--%s: %s", diag.field, diag.message);
    return 0;
}

int freespace_args_partition_config(const struct freespace_args *a,
                                    struct partition_config *config)
{
    struct sim_diag diag = {0};
    partition_config_default(config);
    for (size_t i = 0; i < a->setting_count; i++)
        if (partition_config_set(config, a->settings[i].key, a->settings[i].value, &diag))
            return cli_usage_error("--%s: %s", a->settings[i].key, diag.message);
    if (partition_config_finish(config, &diag))
        return cli_usage_error("--%s: %s", diag.field, diag.message);
    return 0;
}
