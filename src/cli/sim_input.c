/* sim_input.c - the input of the commands that read what `mmkit sim`
 * reads (sim, mrc): the workload the arguments name, and drawings that
 * must not overwrite it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sim_args.h"

/* The reference string as a one-process workload. */
static int load_refs(const struct sim_args *a, const struct sim_config *config,
                     struct sim_workload *workload)
{
    struct sim_diag diag = {0};
    *workload = (struct sim_workload){0};
    int status = sim_refs_parse(a->refs ? a->refs : a->addrs, !a->refs, config->page_size,
                                &workload->records, &workload->count, &diag);
    if (status) {
        char text[700];
        return cli_usage_error("%s", sim_diag_format(&diag, text, sizeof text));
    }
    for (size_t i = 0; i < workload->count; i++)
        if (workload->records[i].pid >= workload->processes)
            workload->processes = workload->records[i].pid + 1u;
    return 0;
}

int sim_input_load(const struct sim_args *a, const struct sim_config *config,
                   struct sim_workload *workload)
{
    if (a->refs || a->addrs)
        return load_refs(a, config, workload);
    struct sim_diag diag = {0};
    int status = sim_workload_load(workload, a->traces, a->trace_count, &a->run.trace,
                                   config->quantum, &diag);
    return status ? cli_run_error(&diag, status) : 0;
}

/* The file name of the first input, to title a drawing. */
static const char *input_title(const struct sim_args *a)
{
    const char *title = a->trace_count ? a->traces[0] : "reference string";
    const char *slash = strrchr(title, '/');
    return slash ? slash + 1 : title;
}

/* Draw into path, refused if it is an input: 0, or 1 after a message. */
int sim_input_draw(const struct sim_args *a, const char *path, const char *what_it_is,
                   void (*draw_into)(FILE *, const void *, const char *), const void *what)
{
    const char *inputs[SIM_ARGS_MAX_TRACES + 1];
    size_t count = 0;
    for (size_t i = 0; i < a->trace_count; i++)
        inputs[count++] = a->traces[i];
    if (a->machine)
        inputs[count++] = a->machine;
    struct output_file out;
    if (output_file_open(&out, path, inputs, count))
        return 1;
    draw_into(out.file, what, input_title(a));
    if (output_file_commit(&out))
        return 1;
    fprintf(stderr, "mmkit: %s drawn in %s\n", what_it_is, path);
    return 0;
}

