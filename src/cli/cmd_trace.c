/* cmd_trace.c - `mmkit trace`: record a real program's memory references
 * with valgrind's lackey, or convert a trace to mmkit's binary format; the
 * allocation traces' forms (--alloc, --dump) have files of their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mmkit/sim.h"

static const char usage[] =
    "usage: mmkit trace [-o FILE] -- PROGRAM [ARGS...]\n"
    "       mmkit trace convert [--kinds ILSM] [--skip-bad] IN [OUT]\n"
    "       mmkit trace --alloc [-o FILE] -- PROGRAM [ARGS...]\n"
    "       mmkit trace --dump [--json | --svg OUT] FILE\n"
    "       mmkit trace --dump [--summary [--json]] [--flame OUT] [--heap OUT]\n"
    "                          [--folded OUT] [--top N] FILE\n"
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
    "address, size, stack; with --json, one JSON object a line.  The format is in\n"
    "docs/ALLOC-TRACE.md.  The last form profiles the heap from the allocations'\n"
    "stacks (recorded unless MMKIT_OPTIONS has trace_stacks=0): who allocated what.\n"
    "\n"
    "  -o FILE        where the recorded trace goes\n"
    "  --kinds L      convert only these record kinds (I, L, S, M)\n"
    "  --skip-bad     count and skip malformed lines instead of failing\n"
    "  --json         --dump prints JSON\n"
    "  --svg OUT      --dump draws the live bytes over the run to OUT (SVG)\n"
    "  --summary      the peak of the live bytes and when it came, and the top\n"
    "                 allocating sites (function, file, line) by bytes live at the\n"
    "                 peak, by calls, by temporary allocations and by bytes leaked\n"
    "  --flame OUT    a flame graph of the bytes allocated, by call stack (SVG)\n"
    "  --heap OUT     the live bytes over the run with the top sites stacked (SVG)\n"
    "  --folded OUT   the bytes allocated by stack as folded stacks, the text\n"
    "                 flame graph tools read (\"main;f;g 4096\" a line)\n"
    "  --top N        sites in each list of --summary and in --heap (default 10)\n";

/* Convert the trace at in_path (named `in_name` in messages) to the binary
 * format in `out`, which is refused if it is `input`. */
static int convert(const char *in_path, const char *in_name, const char *out_path,
                   const char *input, const struct sim_trace_options *options)
{
    struct output_file out;
    if (output_file_open(&out, out_path, &input, 1))
        return 1;
    struct sim_diag diag = {0};
    struct sim_trace *trace = NULL;
    struct sim_trace_writer *writer = NULL;
    struct sim_record *batch = malloc(sizeof *batch * 8192);
    int status = batch ? sim_trace_open(&trace, in_path, options, &diag) : SIM_ERR_NOMEM;
    if (!status)
        status = sim_trace_writer_open(&writer, out.file, out_path, sim_trace_processes(trace),
                                       &diag);
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
    if (status) {
        output_file_discard(&out);
        if (status == SIM_ERR_NOMEM)
            fprintf(stderr, "mmkit: out of memory\n");
        else if (!strcmp(diag.file, in_path))
            snprintf(diag.file, sizeof diag.file, "%s", in_name);
        return status == SIM_ERR_NOMEM ? 1 : cli_input_error(&diag);
    }
    if (output_file_commit(&out))
        return 1;
    fprintf(stderr, "mmkit: %llu records written to %s", (unsigned long long)records, out_path);
    if (skipped)
        fprintf(stderr, " (%llu malformed lines skipped)", (unsigned long long)skipped);
    fputc('\n', stderr);
    return 0;
}

static int cmd_convert(const struct trace_args *a)
{
    char out[4096];
    const char *out_path = a->out;
    if (!out_path) {
        snprintf(out, sizeof out, "%s.mmt", a->in);
        out_path = out;
    }
    return convert(a->in, a->in, out_path, a->in, &a->options);
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && !strcmp(text + n - m, suffix);
}

static bool file_is_empty(const char *path)
{
    struct stat st;
    return stat(path, &st) != 0 || st.st_size == 0;
}

/* Run the program under valgrind's lackey with its log going to log_path;
 * the program's status (valgrind passes it through), or 127 if it did not
 * run. */
static int record(char **program, const char *log_path)
{
    char log_flag[4200];
    snprintf(log_flag, sizeof log_flag, "--log-file=%s", log_path);
    int count = 0;
    while (program[count])
        count++;
    char **args = calloc((size_t)count + 5, sizeof *args);
    if (!args) {
        fprintf(stderr, "mmkit: trace: out of memory\n");
        return 127;
    }
    args[0] = "valgrind";
    args[1] = "--tool=lackey";
    args[2] = "--trace-mem=yes";
    args[3] = log_flag;
    memcpy(args + 4, program, sizeof *args * (size_t)count);
    int status = program_run(args, "trace");
    free(args);
    /* valgrind always writes its banner: an empty log means it never ran
     * (not installed, or refused its arguments). */
    if (file_is_empty(log_path)) {
        fprintf(stderr, "mmkit: trace: valgrind wrote no trace\n");
        return 127;
    }
    return status;
}

/* `mmkit trace [-o FILE] -- PROGRAM ...`: the trace keeps what the
 * program did even when it fails, and mmkit exits with its status. */
static int cmd_record(const struct trace_args *a)
{
    const char *out_path = a->out ? a->out : "trace.lackey";
    struct output_file log;
    if (output_file_open(&log, out_path, NULL, 0))
        return 1;
    int status = record(a->program, log.temp);
    if (status == 127) {
        output_file_discard(&log);
        return 127;
    }
    int written;
    if (ends_with(out_path, ".mmt")) {
        /* the text goes through the temporary file, converted into place */
        struct sim_trace_options options = {.kinds = SIM_KIND_ALL};
        written = convert(log.temp, a->program[0], out_path, NULL, &options);
        output_file_discard(&log);
    } else {
        written = output_file_commit(&log);
        if (!written)
            fprintf(stderr, "mmkit: trace written to %s\n", out_path);
    }
    if (status)
        fprintf(stderr, "mmkit: %s exited with status %d; the trace holds what it did\n",
                a->program[0], status);
    return status ? status : written;
}

int cmd_trace(int argc, char **argv)
{
    struct trace_args a;
    int status = trace_args_parse(argc, argv, &a);
    if (status)
        return status;
    if (a.help) {
        fputs(usage, stdout);
        return 0;
    }
    switch (a.form) {
    case TRACE_CONVERT:
        return cmd_convert(&a);
    case TRACE_ALLOC:
        return cmd_trace_alloc(&a);
    case TRACE_DUMP:
        return cmd_trace_dump(&a);
    case TRACE_RECORD:
        break;
    }
    return cmd_record(&a);
}
