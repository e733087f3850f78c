/* fuzz_memory_image.c - any bytes as a memory image (a hex dump or raw
 * bytes): loaded, then walked by a two-level exercise machine from a
 * page directory the input chooses, for a few addresses. */
#include "fuzz_input.h"
#include "mmkit/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_input_file(data, size);
    struct sim_config config;
    sim_config_default(&config);
    char pdbr[8];
    snprintf(pdbr, sizeof pdbr, "%u", size ? data[0] & 0x7f : 0);
    const char *settings[] = {"address-bits", "15", "page-size", "32", "levels", "5,5",
                              "frames", "128", "memory-image", path, "pdbr", pdbr,
                              "entry-size", "1", "entry-format", "valid:7 pfn:0-6"};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i += 2)
        if (sim_config_set(&config, settings[i], settings[i + 1], NULL) != SIM_OK)
            return 0;
    static const struct sim_record refs[] = {
        {.addr = 0x611c, .size = 1, .kind = SIM_LOAD},
        {.addr = 0x7fff, .size = 8, .kind = SIM_STORE},
        {.addr = 0x0, .size = 1, .kind = SIM_INSTR},
        {.addr = 0x10000, .size = 1, .kind = SIM_LOAD},
    };
    struct sim_workload workload = {.records = (struct sim_record *)refs,
                                    .count = sizeof refs / sizeof refs[0], .processes = 1};
    struct sim_machine *machine = NULL;
    FILE *sink = fopen("/dev/null", "w");
    struct sim_run_options options = {.explain = sink};
    struct sim_diag diag;
    sim_run_workload(&machine, &config, &workload, &options, &diag);
    sim_machine_destroy(machine);
    if (sink)
        fclose(sink);
    return 0;
}
