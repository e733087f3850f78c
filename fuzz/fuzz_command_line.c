/* fuzz_command_line.c - any bytes as a command line of `mmkit sim`,
 * `mmkit mrc`, `mmkit freespace` or `mmkit trace`: the first byte picks the
 * command ('m' for mrc, any other odd byte for sim, 'f' for freespace, any
 * other for trace), the rest are arguments
 * separated by newlines.  The parsers must refuse with a message or accept,
 * and a sim, mrc or freespace command line that is accepted must make a machine
 * or a heap or refuse it; nothing is run and no file is read (a --machine
 * is set aside: a file name from the fuzzer could be a pipe that never
 * ends). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "freespace_args.h"
#include "fuzz_input.h"
#include "mrc_args.h"
#include "sim_args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *text = fuzz_input_text(data + 1, size - 1);
    bool mrc = data[0] == 'm', sim = !mrc && data[0] & 1, freespace = data[0] == 'f';
    char *argv[MAX_ARGS + 1] = {mrc ? "mrc" : sim ? "sim" : freespace ? "freespace" : "trace"};
    int argc = 1;
    for (char *arg = text; argc < MAX_ARGS;) {
        argv[argc++] = arg;
        char *newline = strchr(arg, '\n');
        if (!newline)
            break;
        *newline = '\0';
        arg = newline + 1;
    }
    argv[argc] = NULL;
    if (mrc) {
        static struct mrc_args args;
        if (mrc_args_parse(argc, argv, &args) == 0 && !args.sim.help) {
            for (size_t i = 1; i < args.size_count; i++)
                if (args.sizes[i] <= args.sizes[i - 1] || !args.sizes[0])
                    abort();
            if (args.sample < 0 || args.sample > 1)
                abort();
            args.sim.machine = NULL;
            struct sim_config config;
            sim_args_config(&args.sim, &config);
        }
    } else if (sim) {
        struct sim_args args;
        if (sim_args_parse(argc, argv, &args) == 0 && !args.help) {
            args.machine = NULL;
            struct sim_config config;
            sim_args_config(&args, &config);
            struct sim_sweep sweep;
            if (args.sweep && sim_sweep_parse(&sweep, args.sweep, args.policies, NULL) == 0) {
                for (uint64_t i = 1; i < sweep.count; i++)
                    if (sweep.frames[i] <= sweep.frames[i - 1])
                        abort();
                if (!sweep.count || sweep.frames[0] != sweep.frames_min ||
                    sweep.frames[sweep.count - 1] != sweep.frames_max)
                    abort();
                sim_sweep_free(&sweep);
            }
        }
    } else if (freespace) {
        struct freespace_args args;
        struct freespace_config config;
        if (freespace_args_parse(argc, argv, &args) == 0 && !args.help)
            freespace_args_config(&args, &config);
    } else {
        struct trace_args args;
        trace_args_parse(argc, argv, &args);
    }
    free(text);
    return 0;
}
