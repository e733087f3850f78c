/* sim_args.c - `mmkit sim`'s command line: every option, then the machine
 * it describes.  Nothing is read or run here, so the parser can be fuzzed.
 *
 * Every machine setting is also a flag of the same name (--frames,
 * --page-size, --policy, ...), applied after --machine, so flags win. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sim_args.h"

const char sim_usage[] =
    "usage: mmkit sim [TRACE...] [options]\n"
    "       mmkit sim --refs 7,0,1,2,0,3 [options]\n"
    "\n"
    "Runs memory references through a simulated virtual-memory machine (MMU, TLB,\n"
    "page tables, frames, swap, a replacement policy) and prints what happened.\n"
    "\n"
    "input:\n"
    "  TRACE                valgrind lackey trace or mmkit binary trace, plain or\n"
    "                       gzip/zstd/xz; '-' reads standard input; several traces\n"
    "                       are several processes sharing physical memory\n"
    "  --refs LIST          page numbers, e.g. 7,0,1,2,0,3 ('3w' writes, '1:3' is process 1)\n"
    "  --addrs LIST         virtual addresses, e.g. 0x3a7,0x1f0c\n"
    "  --kinds LETTERS      which trace records count: I fetch, L load, S store, M modify\n"
    "                       (default ILSM; LSM is data only)\n"
    "  --split-straddling   an access crossing a page boundary touches both pages\n"
    "  --skip-bad           count and skip malformed trace lines instead of failing\n"
    "\n"
    "machine (defaults: x86-64-like, 48-bit, 4 KiB pages, 4 levels, 64-entry 4-way TLB,\n"
    "256 frames, clock):\n"
    "  --machine FILE|NAME  machine file, or preset x86-64, x86-64-2m, x86-32, tiny,\n"
    "                       x86-64-caches (with L1i, L1d, L2, L3), cachegrind\n"
    "  --cache 'L1d 32K 8 64 lru wb'  a cache: name, size, ways, line, [policy, writes,\n"
    "                       inclusion, latency]; repeat for each (docs/SIM.md)\n"
    "  --cpus N             CPUs with caches of their own above the last level, which\n"
    "                       they share; process P runs on CPU P mod N (default 1)\n"
    "  --coherence P        mesi (default), moesi or msi, between the CPUs' caches\n"
    "  --frames N           physical frames          --memory SIZE   or memory size\n"
    "  --page-size BYTES    e.g. 4K, 2M              --address-bits N\n"
    "  --policy P           fifo lru opt clock esc nru aging random ws wsclock\n"
    "  --levels L           linear, a count, or bits per level (9,9,9,9)\n"
    "  --tlb-entries N      0 for none               --tlb-ways N, --tlb-policy lru|fifo|random\n"
    "  --tlb-switch S       flush or asid            --allocation global|local\n"
    "  --quantum N          references between context switches (default 10000)\n"
    "  --tau N, --tick N, --seed N, --translation paging|segmentation|base-bounds,\n"
    "  --base A, --bounds N, --segment 'NAME BASE LIMIT PROT [PHYS] [down]',\n"
    "  --segment-bits N     the top N address bits choose the segment (default 0:\n"
    "                       the segment whose range holds the address)\n"
    "  --cost-tlb T, --cost-memory T, --cost-fault T, --cost-swap-write T (e.g. 5ms)\n"
    "\n"
    "output:\n"
    "  --json               the summary as JSON\n"
    "  --csv                the summary (or sweep table) as CSV\n"
    "  --steps              a line per reference, as textbooks draw a run:\n"
    "                       'ref 4 (page 2): MISS, evict 7, frames [2 0 1]'\n"
    "  --explain            every reference step by step (with --json: as the\n"
    "                       document's \"steps\")\n"
    "  --sweep frames=A..B  fault counts of several policies over memory sizes: every\n"
    "                       count, or A..B:STEP, A..B/COUNT, A..B/COUNTlog (e.g.\n"
    "                       frames=1..2048/64log); 'mmkit mrc' gives LRU and OPT at\n"
    "                       every size in one pass\n"
    "  --policies LIST      for --sweep (default fifo,lru,opt,clock; 'all' for all)\n"
    "  --svg FILE           draw faults over time (with --sweep: the fault curve)\n"
    "  --threads N          sweep workers (default 2)\n";

/* The options of the command itself; each machine setting adds one more. */
static const struct cli_option command_options[] = {
    {"--help", false}, {"-h", false}, {"--json", false}, {"--csv", false},
    {"--explain", false}, {"--steps", false}, {"--skip-bad", false}, {"--split-straddling", false},
    {"--refs", true}, {"--addrs", true}, {"--machine", true}, {"--kinds", true},
    {"--sweep", true}, {"--policies", true}, {"--svg", true}, {"--threads", true},
};

#define COMMAND_OPTIONS (sizeof command_options / sizeof command_options[0])
#define MAX_OPTIONS (COMMAND_OPTIONS + 40)

static bool listed(const struct cli_option *options, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (!strcmp(options[i].name, name))
            return true;
    return false;
}

/* The command's options and "--NAME" for every machine setting (but
 * split-straddling, which is a plain flag here). */
static size_t all_options(struct cli_option *options)
{
    static char names[MAX_OPTIONS][48];
    size_t count = 0;
    for (; count < COMMAND_OPTIONS; count++)
        options[count] = command_options[count];
    for (const char *const *name = sim_config_names; *name && count < MAX_OPTIONS; name++) {
        snprintf(names[count], sizeof names[count], "--%s", *name);
        if (!listed(options, count, names[count])) {
            options[count] = (struct cli_option){names[count], true};
            count++;
        }
    }
    return count;
}

static int add_setting(struct sim_args *a, const char *key, const char *value)
{
    if (a->setting_count == SIM_ARGS_MAX_SETTINGS)
        return cli_usage_error("sim: more than %d settings", SIM_ARGS_MAX_SETTINGS);
    a->settings[a->setting_count].key = key;
    a->settings[a->setting_count++].value = value;
    return 0;
}

static int apply_option(struct sim_args *a, const char *name, const char *value)
{
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        a->help = true;
    else if (!strcmp(name, "--json"))
        a->json = true;
    else if (!strcmp(name, "--csv"))
        a->csv = true;
    else if (!strcmp(name, "--explain"))
        a->explain = true;
    else if (!strcmp(name, "--steps"))
        a->steps = true;
    else if (!strcmp(name, "--skip-bad"))
        a->run.trace.skip_bad = true;
    else if (!strcmp(name, "--split-straddling"))
        return add_setting(a, "split-straddling", "yes");
    else if (!strcmp(name, "--refs"))
        a->refs = value;
    else if (!strcmp(name, "--addrs"))
        a->addrs = value;
    else if (!strcmp(name, "--machine"))
        a->machine = value;
    else if (!strcmp(name, "--kinds")) {
        if (!sim_kinds_parse(value, &a->run.trace.kinds))
            return cli_usage_error("--kinds: '%s' is not a set of the letters I, L, S, M", value);
    } else if (!strcmp(name, "--sweep"))
        a->sweep = value;
    else if (!strcmp(name, "--policies"))
        a->policies = value;
    else if (!strcmp(name, "--svg"))
        a->svg = value;
    else if (!strcmp(name, "--threads")) {
        char *end;
        unsigned long threads = strtoul(value, &end, 10);
        if (*end || !*value || threads < 1 || threads > 64)
            return cli_usage_error("--threads: '%s' is not from 1 to 64", value);
        a->threads = (unsigned)threads;
    } else {
        return add_setting(a, name + 2, value); /* a machine setting */
    }
    return 0;
}

int sim_args_parse_extra(int argc, char **argv, struct sim_args *a,
                         const struct sim_args_extra *extra)
{
    *a = (struct sim_args){.run.trace = {.kinds = SIM_KIND_ALL}, .threads = 2};
    const char *command = extra ? extra->command : "sim";
    struct cli_option options[MAX_OPTIONS + SIM_ARGS_MAX_EXTRA];
    size_t count = all_options(options);
    for (size_t i = 0; extra && i < extra->count && i < SIM_ARGS_MAX_EXTRA; i++)
        options[count++] = extra->options[i];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !strcmp(arg, "-")) {
            if (a->trace_count == SIM_ARGS_MAX_TRACES)
                return cli_usage_error("%s: more than %d traces", command, SIM_ARGS_MAX_TRACES);
            a->traces[a->trace_count++] = arg;
            continue;
        }
        const char *value;
        const struct cli_option *option = cli_option_next(options, count, argc, argv, &i, &value,
                                                          command);
        if (!option)
            return 2;
        int status = extra && listed(extra->options, extra->count, option->name)
                         ? extra->apply(extra->context, option->name, value)
                         : apply_option(a, option->name, value);
        if (status || a->help)
            return status;
    }
    if (!a->refs + !a->addrs + !a->trace_count != 2)
        return cli_usage_error("give traces, --refs or --addrs (one of them; try 'mmkit %s "
                               "--help')", command);
    a->run.timeline = a->svg && !a->sweep;
    if (a->explain && (a->csv || a->sweep))
        return cli_usage_error("--explain goes with none of --csv and --sweep");
    if (a->steps && (a->explain || a->json || a->csv || a->sweep))
        return cli_usage_error("--steps is a story of its own: leave out --explain, --json, "
                               "--csv and --sweep");
    if (a->json && a->csv)
        return cli_usage_error("choose --json or --csv");
    return 0;
}

int sim_args_parse(int argc, char **argv, struct sim_args *a)
{
    return sim_args_parse_extra(argc, argv, a, NULL);
}

int sim_args_config(const struct sim_args *a, struct sim_config *config)
{
    struct sim_diag diag = {0};
    sim_config_default(config);
    if (a->machine && sim_config_load(config, a->machine, &diag))
        return cli_input_error(&diag);
    for (size_t i = 0; i < a->setting_count; i++) {
        if (sim_config_set(config, a->settings[i].key, a->settings[i].value, &diag))
            return cli_usage_error("--%s: %s", a->settings[i].key, diag.message);
    }
    if (!sim_config_finish(config, &diag))
        return 0;
    /* Name where the inconsistent setting came from: a flag (a usage
     * error), else the machine file (an input error). */
    for (size_t i = 0; i < a->setting_count; i++)
        if (!strcmp(a->settings[i].key, diag.field))
            return cli_usage_error("--%s: %s", diag.field, diag.message);
    if (a->machine)
        snprintf(diag.file, sizeof diag.file, "%s", a->machine);
    return a->machine ? cli_input_error(&diag) : cli_usage_error("%s", diag.message);
}
