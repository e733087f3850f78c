/* fuzz_trace.c - any bytes as a trace (lackey text, binary, compressed),
 * read to the end, with and without --skip-bad, and run through a small
 * machine.  A parser must answer with records or an error, never crash. */
#include "fuzz_input.h"
#include "mmkit/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_input_file(data, size);
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL, .skip_bad = size % 2};
    struct sim_workload workload;
    struct sim_diag diag;
    if (sim_workload_load(&workload, &path, 1, &options, 100, &diag) != SIM_OK)
        return 0;
    struct sim_config config;
    sim_config_default(&config);
    config.frames = 4;
    config.tlb_entries = 4;
    struct sim_machine *machine = NULL;
    if (sim_run_workload(&machine, &config, &workload, NULL, &diag) == SIM_OK) {
        struct sim_stats stats;
        sim_machine_stats(machine, -1, &stats);
        if (stats.references < workload.count)
            abort(); /* every record is at least one reference */
    }
    sim_machine_destroy(machine);
    sim_workload_free(&workload);
    return 0;
}
