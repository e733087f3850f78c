/* cmd_sim.c - `mmkit sim`: run traces or reference strings through the
 * simulated machine and report what it cost.
 *
 * Every machine setting is also a flag of the same name (--frames,
 * --page-size, --policy, ...), applied after --machine, so flags win. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mmkit/sim.h"

static const char usage[] =
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
    "  --machine FILE|NAME  machine file, or preset x86-64, x86-64-2m, x86-32, tiny\n"
    "  --frames N           physical frames          --memory SIZE   or memory size\n"
    "  --page-size BYTES    e.g. 4K, 2M              --address-bits N\n"
    "  --policy P           fifo lru opt clock esc nru aging random ws wsclock\n"
    "  --levels L           linear, a count, or bits per level (9,9,9,9)\n"
    "  --tlb-entries N      0 for none               --tlb-ways N, --tlb-policy lru|fifo|random\n"
    "  --tlb-switch S       flush or asid            --allocation global|local\n"
    "  --quantum N          references between context switches (default 10000)\n"
    "  --tau N, --tick N, --seed N, --translation paging|segmentation|base-bounds,\n"
    "  --base A, --bounds N, --segment 'NAME BASE LIMIT PROT [PHYS] [down]',\n"
    "  --cost-tlb T, --cost-memory T, --cost-fault T, --cost-swap-write T (e.g. 5ms)\n"
    "\n"
    "output:\n"
    "  --json               the summary as JSON\n"
    "  --csv                the summary (or sweep table) as CSV\n"
    "  --explain            every reference step by step\n"
    "  --sweep frames=A..B  fault counts of several policies over memory sizes\n"
    "  --policies LIST      for --sweep (default fifo,lru,opt,clock; 'all' for all)\n"
    "  --svg FILE           draw faults over time (with --sweep: the fault curve,\n"
    "                       default sweep.svg)\n"
    "  --threads N          sweep workers (default 2)\n";

struct sim_args {
    const char *traces[64];
    size_t trace_count;
    const char *refs, *addrs, *machine;
    struct {
        char key[48];
        const char *value;
    } settings[64]; /* in command-line order */
    size_t setting_count;
    struct sim_run_options run;
    bool json, csv, explain;
    const char *sweep, *policies, *svg;
    unsigned threads;
};

/* The value of --name VALUE or --name=VALUE; NULL (after a usage error) if
 * missing.  *i moves past a separate value. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    const char *eq = strchr(argv[*i], '=');
    if (eq)
        return eq + 1;
    if (*i + 1 >= argc) {
        cli_usage_error("%s needs a value (try 'mmkit sim --help')", name);
        return NULL;
    }
    return argv[++*i];
}

static bool add_setting(struct sim_args *a, const char *key, const char *value)
{
    if (a->setting_count == sizeof a->settings / sizeof a->settings[0])
        return false;
    snprintf(a->settings[a->setting_count].key, sizeof a->settings[0].key, "%s", key);
    a->settings[a->setting_count++].value = value;
    return true;
}

static int parse_args(int argc, char **argv, struct sim_args *a)
{
    *a = (struct sim_args){.run.trace = {.kinds = SIM_KIND_ALL}, .threads = 2};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !strcmp(arg, "-")) {
            if (a->trace_count == sizeof a->traces / sizeof a->traces[0])
                return cli_usage_error("too many traces");
            a->traces[a->trace_count++] = arg;
            continue;
        }
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
        const char *key = name + 2;
        const char *value = NULL;
        bool takes_value = strcmp(name, "--json") && strcmp(name, "--csv") &&
                           strcmp(name, "--explain") &&
                           strcmp(name, "--split-straddling") && strcmp(name, "--skip-bad") &&
                           strcmp(name, "--help") && strcmp(name, "-h");
        if (takes_value && !(value = flag_value(argc, argv, &i, name)))
            return 2;
        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            fputs(usage, stdout);
            exit(0);
        } else if (!strcmp(name, "--json")) {
            a->json = true;
        } else if (!strcmp(name, "--csv")) {
            a->csv = true;
        } else if (!strcmp(name, "--explain")) {
            a->explain = true;
        } else if (!strcmp(name, "--skip-bad")) {
            a->run.trace.skip_bad = true;
        } else if (!strcmp(name, "--split-straddling")) {
            add_setting(a, "split-straddling", "yes");
        } else if (!strcmp(name, "--refs")) {
            a->refs = value;
        } else if (!strcmp(name, "--addrs")) {
            a->addrs = value;
        } else if (!strcmp(name, "--machine")) {
            a->machine = value;
        } else if (!strcmp(name, "--kinds")) {
            if (!sim_kinds_parse(value, &a->run.trace.kinds))
                return cli_usage_error("--kinds: '%s' is not a set of the letters I, L, S, M",
                                       value);
        } else if (!strcmp(name, "--sweep")) {
            a->sweep = value;
        } else if (!strcmp(name, "--policies")) {
            a->policies = value;
        } else if (!strcmp(name, "--svg")) {
            a->svg = value;
        } else if (!strcmp(name, "--threads")) {
            char *end;
            a->threads = (unsigned)strtoul(value, &end, 10);
            if (*end || a->threads < 1 || a->threads > 64)
                return cli_usage_error("--threads: '%s' is not from 1 to 64", value);
        } else if (!strncmp(name, "--", 2) && sim_config_has(key)) {
            if (!add_setting(a, key, value))
                return cli_usage_error("too many settings");
        } else {
            return cli_usage_error("unknown option '%s' (try 'mmkit sim --help')", name);
        }
    }
    if (!a->refs + !a->addrs + !a->trace_count != 2)
        return cli_usage_error("give traces, --refs or --addrs (one of them; try 'mmkit sim --help')");
    a->run.timeline = a->svg && !a->sweep;
    if (a->explain && (a->json || a->csv || a->sweep))
        return cli_usage_error("--explain goes with none of --json, --csv and --sweep");
    if (a->json && a->csv)
        return cli_usage_error("choose --json or --csv");
    return 0;
}

static int report_diag(const struct sim_diag *diag, int status)
{
    char text[700];
    fprintf(stderr, "mmkit: %s\n", sim_diag_format(diag, text, sizeof text));
    return status == SIM_ERR_CONFIG ? 2 : 1;
}

static int build_config(const struct sim_args *a, struct sim_config *config)
{
    struct sim_diag diag = {0};
    sim_config_default(config);
    int status = a->machine ? sim_config_load(config, a->machine, &diag) : SIM_OK;
    if (status)
        return report_diag(&diag, status);
    for (size_t i = 0; i < a->setting_count; i++) {
        if (sim_config_set(config, a->settings[i].key, a->settings[i].value, &diag))
            return cli_usage_error("--%s: %s", a->settings[i].key, diag.message);
    }
    status = sim_config_finish(config, &diag);
    if (!status)
        return 0;
    /* Name where the inconsistent setting came from: a flag, else the
     * machine file. */
    bool from_flag = false;
    for (size_t i = 0; i < a->setting_count; i++)
        from_flag |= !strcmp(a->settings[i].key, diag.field);
    if (from_flag)
        return cli_usage_error("--%s: %s", diag.field, diag.message);
    if (a->machine)
        snprintf(diag.file, sizeof diag.file, "%s", a->machine);
    return report_diag(&diag, status);
}

/* The reference string as a one-process workload. */
static int load_refs(const struct sim_args *a, const struct sim_config *config,
                     struct sim_workload *workload)
{
    struct sim_diag diag = {0};
    *workload = (struct sim_workload){0};
    int status = sim_refs_parse(a->refs ? a->refs : a->addrs, !a->refs, config->page_size,
                                &workload->records, &workload->count, &diag);
    if (status)
        return report_diag(&diag, SIM_ERR_CONFIG);
    for (size_t i = 0; i < workload->count; i++)
        if (workload->records[i].pid >= workload->processes)
            workload->processes = workload->records[i].pid + 1u;
    return 0;
}

static void show_progress(uint64_t done, void *arg)
{
    fprintf(stderr, "\rmmkit: %.1f million references", (double)done / 1e6);
}

static void show_sweep_progress(uint64_t done, uint64_t total, void *arg)
{
    fprintf(stderr, "\rmmkit: sweep %llu/%llu runs", (unsigned long long)done,
            (unsigned long long)total);
}

static void report_run(const struct sim_args *a, const struct sim_machine *machine,
                       uint64_t skipped)
{
    if (a->json)
        sim_report_json(stdout, machine);
    else if (a->csv)
        sim_report_csv(stdout, machine);
    else
        sim_report_text(stdout, machine);
    if (skipped)
        fprintf(stderr, "mmkit: skipped %llu malformed trace lines\n", (unsigned long long)skipped);
}

/* Open path for a drawing; *title names the input (its file name). */
static FILE *open_svg(const struct sim_args *a, const char *path, const char **title)
{
    *title = a->trace_count ? a->traces[0] : "reference string";
    const char *slash = strrchr(*title, '/');
    *title = slash ? slash + 1 : *title;
    return fopen(path, "w");
}

/* 0 if the drawing reached path, else 1 after saying why not. */
static int close_svg(FILE *svg, const char *path, const char *what)
{
    if (!svg || ferror(svg) || fclose(svg)) {
        fprintf(stderr, "mmkit: %s: cannot write the %s\n", path, what);
        return 1;
    }
    fprintf(stderr, "mmkit: %s drawn in %s\n", what, path);
    return 0;
}

static int run_sweep(const struct sim_args *a, const struct sim_config *config,
                     const struct sim_workload *workload)
{
    struct sim_sweep sweep = {0};
    struct sim_diag diag = {0};
    int status = sim_sweep_parse(&sweep, a->sweep, a->policies, &diag);
    if (status)
        return report_diag(&diag, status);
    if (a->run.progress)
        sweep.progress = show_sweep_progress;
    status = sim_sweep_run(&sweep, config, workload, a->threads, &diag);
    if (a->run.progress)
        fputs("\r\033[K", stderr);
    if (status) {
        sim_sweep_free(&sweep);
        return report_diag(&diag, status);
    }
    if (a->json)
        sim_sweep_json(stdout, &sweep);
    else if (a->csv)
        sim_sweep_csv(stdout, &sweep);
    else
        sim_sweep_text(stdout, &sweep);
    const char *title;
    FILE *svg = open_svg(a, a->svg ? a->svg : "sweep.svg", &title);
    if (svg)
        sim_sweep_svg(svg, &sweep, title);
    status = close_svg(svg, a->svg ? a->svg : "sweep.svg", "fault curve");
    sim_sweep_free(&sweep);
    return status;
}

int cmd_sim(int argc, char **argv)
{
    struct sim_args a;
    int status = parse_args(argc, argv, &a);
    struct sim_config config;
    if (status || (status = build_config(&a, &config)))
        return status;
    a.run.explain = a.explain ? stdout : NULL;
    if (isatty(STDERR_FILENO) && !a.explain)
        a.run.progress = show_progress;

    struct sim_workload workload = {0};
    struct sim_diag diag = {0};
    if (a.refs || a.addrs) {
        if ((status = load_refs(&a, &config, &workload)))
            return status;
    } else if (a.sweep) {
        status = sim_workload_load(&workload, a.traces, a.trace_count, &a.run.trace,
                                   config.quantum, &diag);
        if (status)
            return report_diag(&diag, status);
    }
    if (a.sweep) {
        status = run_sweep(&a, &config, &workload);
        sim_workload_free(&workload);
        return status;
    }

    struct sim_machine *machine = NULL;
    uint64_t skipped = workload.skipped;
    if (workload.records)
        status = sim_run_workload(&machine, &config, &workload, &a.run, &diag);
    else
        status = sim_run_traces(&machine, &config, a.traces, a.trace_count, &a.run, &skipped,
                                &diag);
    if (a.run.progress)
        fputs("\r\033[K", stderr);
    if (status) {
        if (status == SIM_ERR_NOMEM)
            fprintf(stderr, "mmkit: out of memory\n");
        else
            report_diag(&diag, status);
    } else {
        report_run(&a, machine, skipped);
        const char *title;
        FILE *svg = a.svg ? open_svg(&a, a.svg, &title) : NULL;
        if (svg)
            sim_report_svg(svg, machine, title);
        if (a.svg && close_svg(svg, a.svg, "fault timeline"))
            status = SIM_ERR_IO;
    }
    sim_machine_destroy(machine);
    sim_workload_free(&workload);
    return status ? 1 : 0;
}
