/* cmd_trace.c - `mmkit trace`: record a real program's memory references
 * with valgrind's lackey, or convert a trace to mmkit's binary format; the
 * allocation traces' forms (--alloc, --dump) have files of their own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "mmkit/sim.h"

static const char usage[] =
    "usage: mmkit trace [-o FILE] -- PROGRAM [ARGS...]\n"
    "       mmkit trace convert [--kinds ILSM] [--skip-bad] IN [OUT]\n"
    "       mmkit trace --alloc [-o FILE] -- PROGRAM [ARGS...]\n"
    "       mmkit trace --dump [--json | --svg OUT] FILE\n"
    "\n"
    "The first form runs PROGRAM under valgrind's lackey and writes every memory\n"
    "reference it makes to FILE (default trace.lackey; a name ending in .mmt gets\n"
    "mmkit's binary format).  The second converts a lackey trace (plain, gzip, zstd\n"
    "or xz; '-' is standard input) to the binary format, which `mmkit sim` reads\n"
    "several times faster; OUT defaults to IN with .mmt added, '-' is standard output.\n"
    "\n"
    "--alloc runs PROGRAM on libmmkit with every malloc, calloc, realloc, aligned\n"
    "allocation and free recorded to FILE (default alloc.mmat; MMKIT_OPTIONS gains\n"
    "trace=FILE; child processes write FILE.PID) and exits with PROGRAM's status.\n"
    "--dump prints such a trace, one call a line: time in ns, thread, call,\n"
    "address, size; with --json, one JSON object a line.  The format is in\n"
    "docs/ALLOC-TRACE.md.\n"
    "\n"
    "  -o FILE        where the recorded trace goes\n"
    "  --kinds L      convert only these record kinds (I, L, S, M)\n"
    "  --skip-bad     count and skip malformed lines instead of failing\n"
    "  --json         --dump prints JSON\n"
    "  --svg OUT      --dump draws the live bytes over the run to OUT (SVG)\n";

static int report(const struct sim_diag *diag)
{
    char text[700];
    fprintf(stderr, "mmkit: %s\n", sim_diag_format(diag, text, sizeof text));
    return 1;
}

static int convert(const char *in_path, const char *out_path,
                   const struct sim_trace_options *options)
{
    struct sim_diag diag = {0};
    struct sim_trace *trace = NULL;
    struct sim_trace_writer *writer = NULL;
    struct sim_record *batch = malloc(sizeof *batch * 8192);
    int status = batch ? sim_trace_open(&trace, in_path, options, &diag) : SIM_ERR_NOMEM;
    if (!status)
        status = sim_trace_writer_open(&writer, out_path, sim_trace_processes(trace), &diag);
    uint64_t records = 0;
    for (size_t got = 1; !status && got;) {
        status = sim_trace_read(trace, batch, 8192, &got, &diag);
        if (!status)
            status = sim_trace_writer_put(writer, batch, got, &diag);
        records += got;
    }
    if (writer) {
        int closed = sim_trace_writer_close(writer, status ? NULL : &diag);
        status = status ? status : closed;
    }
    uint64_t skipped = trace ? sim_trace_skipped(trace) : 0;
    sim_trace_close(trace);
    free(batch);
    if (status == SIM_ERR_NOMEM) {
        fprintf(stderr, "mmkit: out of memory\n");
        return 1;
    }
    if (status)
        return report(&diag);
    fprintf(stderr, "mmkit: %llu records written to %s", (unsigned long long)records, out_path);
    if (skipped)
        fprintf(stderr, " (%llu malformed lines skipped)", (unsigned long long)skipped);
    fputc('\n', stderr);
    return 0;
}

static int cmd_convert(int argc, char **argv)
{
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    const char *paths[2] = {NULL, NULL};
    int count = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--skip-bad")) {
            options.skip_bad = true;
        } else if (!strcmp(argv[i], "--kinds")) {
            if (i + 1 == argc || !sim_kinds_parse(argv[++i], &options.kinds))
                return cli_usage_error("--kinds needs a set of the letters I, L, S, M");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("unknown option '%s' (try 'mmkit trace --help')", argv[i]);
        } else if (count == 2) {
            return cli_usage_error("trace convert takes IN and OUT, found '%s' too", argv[i]);
        } else {
            paths[count++] = argv[i];
        }
    }
    if (count == 0)
        return cli_usage_error("trace convert needs a trace (try 'mmkit trace --help')");
    char out[4096];
    if (count == 1) {
        if (!strcmp(paths[0], "-"))
            return cli_usage_error("trace convert: name the output when reading standard input");
        snprintf(out, sizeof out, "%s.mmt", paths[0]);
        paths[1] = out;
    }
    return convert(paths[0], paths[1], &options);
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && !strcmp(text + n - m, suffix);
}

/* Run valgrind --tool=lackey on argv[0..]; its log file is the trace. */
static int record(char **program, const char *log_path)
{
    char log_flag[4200];
    snprintf(log_flag, sizeof log_flag, "--log-file=%s", log_path);
    int count = 0;
    while (program[count])
        count++;
    char **args = calloc((size_t)count + 5, sizeof *args);
    if (!args)
        return cli_usage_error("out of memory");
    args[0] = "valgrind";
    args[1] = "--tool=lackey";
    args[2] = "--trace-mem=yes";
    args[3] = log_flag;
    memcpy(args + 4, program, sizeof *args * (size_t)count);
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        execvp(args[0], args);
        fprintf(stderr, "mmkit: valgrind: %s (install the valgrind package)\n", strerror(errno));
        _exit(127);
    }
    free(args);
    int wstatus = 0;
    if (child < 0 || waitpid(child, &wstatus, 0) < 0) {
        fprintf(stderr, "mmkit: cannot run valgrind: %s\n", strerror(errno));
        return 1;
    }
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
        return 1;
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus))
        fprintf(stderr, "mmkit: %s exited abnormally; the trace holds what it did\n", program[0]);
    return 0;
}

int cmd_trace(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "convert"))
        return cmd_convert(argc - 1, argv + 1);
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--alloc"))
            return cmd_trace_alloc(argc, argv);
        if (!strcmp(argv[i], "--dump"))
            return cmd_trace_dump(argc, argv);
    }
    const char *out = "trace.lackey";
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else {
            return cli_usage_error("unexpected '%s' (try 'mmkit trace --help')", argv[i]);
        }
    }
    if (i + 1 >= argc)
        return cli_usage_error("name a program after '--' (try 'mmkit trace --help')");
    if (!ends_with(out, ".mmt")) {
        int status = record(argv + i + 1, out);
        if (!status)
            fprintf(stderr, "mmkit: trace written to %s\n", out);
        return status;
    }
    char text_path[4200];
    snprintf(text_path, sizeof text_path, "%s.lackey.tmp", out);
    struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
    int status = record(argv + i + 1, text_path);
    if (!status)
        status = convert(text_path, out, &options);
    remove(text_path);
    return status;
}
