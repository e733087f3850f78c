/* fuzz_machine.c - any bytes as a machine file: read, checked and, when
 * accepted and of a size worth building, run on a short reference string
 * under every translation mode the file may choose. */
#include "fuzz_input.h"
#include "mmkit/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Machines the fuzzer may build without exhausting memory. */
static int small_enough(const struct sim_config *config)
{
    for (unsigned level = 0; level < config->levels; level++)
        if (config->level_bits[level] > 16)
            return 0;
    return config->frames <= 4096 && config->tlb_entries <= 4096;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_input_file(data, size);
    struct sim_config config;
    struct sim_diag diag;
    sim_config_default(&config);
    if (sim_config_load(&config, path, &diag) != SIM_OK ||
        sim_config_finish(&config, &diag) != SIM_OK || !small_enough(&config))
        return 0;
    static const struct sim_record refs[] = {
        {.addr = 0x0, .size = 1, .kind = SIM_INSTR},
        {.addr = 0x7fff, .size = 8, .kind = SIM_STORE, .pid = 1},
        {.addr = 0x1234, .size = 4, .kind = SIM_MODIFY},
        {.addr = 0xffffffffff600000, .size = 16, .kind = SIM_LOAD, .pid = 1},
        {.addr = 0x0, .size = 1, .kind = SIM_LOAD},
    };
    struct sim_workload workload = {.records = (struct sim_record *)refs,
                                    .count = sizeof refs / sizeof refs[0], .processes = 2};
    struct sim_machine *machine = NULL;
    sim_run_workload(&machine, &config, &workload, NULL, &diag);
    sim_machine_destroy(machine);
    return 0;
}
