/* main.c - `mmkit SUBCOMMAND ...`: the one front door to the allocator and
 * the simulator. */
#include <stdarg.h>
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
    {"trace", cmd_trace, "record a program's memory or allocation trace (mmkit trace [--alloc] -- prog)"},
};

static void print_help(FILE *out)
{
    fprintf(out, "usage: mmkit SUBCOMMAND [options] [args]\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\n'mmkit SUBCOMMAND --help' tells more.\n");
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mmkit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
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
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(argc - 1, argv + 1);
    return cli_usage_error("unknown subcommand '%s' (try 'mmkit --help')", argv[1]);
}
