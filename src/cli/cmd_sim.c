/* cmd_sim.c - `mmkit sim`: run traces or reference strings through the
 * simulated machine and report what it cost.  The command line is read in
 * sim_args.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mmkit/sim.h"
#include "sim_args.h"

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
    if (a->run.explain_json)
        sim_report_json_steps(stdout, machine, a->run.explain_json);
    else if (a->json)
        sim_report_json(stdout, machine);
    else if (a->csv)
        sim_report_csv(stdout, machine);
    else
        sim_report_text(stdout, machine);
    if (skipped)
        fprintf(stderr, "mmkit: skipped %llu malformed trace lines\n", (unsigned long long)skipped);
}

static void draw_sweep(FILE *out, const void *sweep, const char *title)
{
    sim_sweep_svg(out, sweep, title);
}

static void draw_timeline(FILE *out, const void *machine, const char *title)
{
    sim_report_svg(out, machine, title);
}

static int run_sweep(const struct sim_args *a, const struct sim_config *config,
                     const struct sim_workload *workload)
{
    struct sim_sweep sweep = {0};
    struct sim_diag diag = {0};
    int status = sim_sweep_parse(&sweep, a->sweep, a->policies, &diag);
    if (status) {
        char text[700];
        return cli_usage_error("%s", sim_diag_format(&diag, text, sizeof text));
    }
    if (a->run.progress)
        sweep.progress = show_sweep_progress;
    status = sim_sweep_run(&sweep, config, workload, a->threads, &diag);
    if (a->run.progress)
        fputs("\r\033[K", stderr);
    if (status) {
        sim_sweep_free(&sweep);
        return cli_run_error(&diag, status);
    }
    if (a->json)
        sim_sweep_json(stdout, &sweep);
    else if (a->csv)
        sim_sweep_csv(stdout, &sweep);
    else
        sim_sweep_text(stdout, &sweep);
    status = a->svg ? sim_input_draw(a, a->svg, "fault curve", draw_sweep, &sweep) : 0;
    sim_sweep_free(&sweep);
    return status;
}

int cmd_sim(int argc, char **argv)
{
    struct sim_args a;
    int status = sim_args_parse(argc, argv, &a);
    if (!status && a.help) {
        fputs(sim_usage, stdout);
        return 0;
    }
    struct sim_config config;
    if (status || (status = sim_args_config(&a, &config)))
        return status;
    a.run.explain = a.explain && !a.json ? stdout : NULL;
    a.run.steps = a.steps ? stdout : NULL;
    if (isatty(STDERR_FILENO) && !a.explain && !a.steps)
        a.run.progress = show_progress;

    struct sim_workload workload = {0};
    struct sim_diag diag = {0};
    if ((a.refs || a.addrs || a.sweep) && (status = sim_input_load(&a, &config, &workload)))
        return status;
    if (a.sweep) {
        status = run_sweep(&a, &config, &workload);
        sim_workload_free(&workload);
        return status;
    }

    /* --explain --json: the steps wait in a file of their own, so that the
     * summary, which comes first, can be written once the run is done */
    if (a.explain && a.json && !(a.run.explain_json = tmpfile())) {
        perror("mmkit: a temporary file for the steps");
        sim_workload_free(&workload);
        return 1;
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
        status = cli_run_error(&diag, status);
    } else {
        report_run(&a, machine, skipped);
        if (a.svg)
            status = sim_input_draw(&a, a.svg, "fault timeline", draw_timeline, machine);
    }
    sim_machine_destroy(machine);
    sim_workload_free(&workload);
    if (a.run.explain_json)
        fclose(a.run.explain_json);
    return status;
}
