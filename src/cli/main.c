/* main.c - `mmkit SUBCOMMAND ...`: the one front door to the allocator and
 * the simulator. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"run", cmd_run, "run a program on libmmkit (mmkit run [--stats] -- prog args)"},
    {"sim", cmd_sim, "simulate virtual memory on a trace (mmkit sim TRACE | --refs 7,0,1)"},
    {"mrc", cmd_mrc, "miss-ratio curves: faults at every memory size in one pass (mmkit mrc TRACE)"},
    {"trace", cmd_trace, "record a program's memory or allocation trace (mmkit trace [--alloc] -- prog)"},
    {"freespace", cmd_freespace, "free-space policies on allocations and frees (mmkit freespace --ops +10,-0)"},
    {"maps", cmd_maps, "a live process's memory, region by region (mmkit maps PID | -- prog)"},
    {"quiz", cmd_quiz, "a textbook exercise, set from a seed, answered on request (mmkit quiz paging --seed 3)"},
};

static void print_help(FILE *out)
{
    fprintf(out, "usage: mmkit SUBCOMMAND [options] [args]\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\n'mmkit SUBCOMMAND --help' tells more; 'mmkit --version' prints the version.\n"
                 "Exit status: 0 done, 1 an input or output failed, 2 the command line is wrong;\n"
                 "run, trace and maps -- PROGRAM exit with the program's own status.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        print_help(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("mmkit %s\n", MMKIT_COMMAND_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    return cli_usage_error("unknown subcommand '%s' (try 'mmkit --help')", argv[1]);
}
