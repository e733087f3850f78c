/*
 * trace_args.c - the command line of `mmkit trace`, all four forms:
 *
 *   mmkit trace [-o FILE] -- PROGRAM ...           record references
 *   mmkit trace convert [--kinds L] [--skip-bad] IN [OUT]
 *   mmkit trace --alloc [-o FILE] -- PROGRAM ...   record allocations
 *   mmkit trace --dump [--json] [--summary] [--svg OUT] [--flame OUT]
 *                      [--heap OUT] [--folded OUT] [--top N] FILE
 *
 * Parsing only: nothing is opened or run here, so the parser can be fuzzed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_option record_options[] = {
    {"-o", true}, {"--help", false}, {"-h", false},
};
static const struct cli_option alloc_options[] = {
    {"--alloc", false}, {"-o", true}, {"--help", false}, {"-h", false},
};
static const struct cli_option convert_options[] = {
    {"--kinds", true}, {"--skip-bad", false}, {"--help", false}, {"-h", false},
};
static const struct cli_option dump_options[] = {
    {"--dump", false},   {"--json", false}, {"--svg", true},    {"--summary", false},
    {"--flame", true},   {"--heap", true},  {"--folded", true}, {"--top", true},
    {"--help", false},   {"-h", false},
};

/* --top: sites listed in the summary and drawn in --heap. */
#define TOP_DEFAULT 10
#define TOP_MAX 100

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Which form: "convert" first, or --alloc / --dump before any "--". */
static enum trace_form form_of(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "convert"))
        return TRACE_CONVERT;
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--alloc"))
            return TRACE_ALLOC;
        if (!strcmp(argv[i], "--dump"))
            return TRACE_DUMP;
    }
    return TRACE_RECORD;
}

static const char *form_name(enum trace_form form)
{
    return form == TRACE_CONVERT ? "trace convert"
           : form == TRACE_ALLOC ? "trace --alloc"
           : form == TRACE_DUMP  ? "trace --dump"
                                 : "trace";
}

/* The operands: a program after "--" for the recording forms, files for
 * the others. */
static int take_operand(struct trace_args *a, const char *arg)
{
    const char *command = form_name(a->form);
    if (a->form == TRACE_RECORD || a->form == TRACE_ALLOC)
        return cli_usage_error("%s: unexpected '%s': the program goes after '--' (try "
                               "'mmkit trace --help')", command, arg);
    if (a->form == TRACE_DUMP) {
        if (a->in)
            return cli_usage_error("%s takes one file, found '%s' too", command, arg);
        a->in = arg;
        return 0;
    }
    if (a->in && a->out)
        return cli_usage_error("%s takes IN and OUT, found '%s' too", command, arg);
    if (!a->in)
        a->in = arg;
    else
        a->out = arg;
    return 0;
}

static int parse_top(struct trace_args *a, const char *value)
{
    char *end;
    long n = strtol(value, &end, 10);
    if (end == value || *end || n < 1 || n > TOP_MAX)
        return cli_usage_error("trace --dump: --top: invalid value '%s' (a count from 1 to %d)",
                               value, TOP_MAX);
    a->top = (unsigned)n;
    return 0;
}

static int apply_option(struct trace_args *a, const char *name, const char *value)
{
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        a->help = true;
    else if (!strcmp(name, "-o"))
        a->out = value;
    else if (!strcmp(name, "--kinds") && !sim_kinds_parse(value, &a->options.kinds))
        return cli_usage_error("trace convert: --kinds: '%s' is not a set of the letters I, L, "
                               "S, M", value);
    else if (!strcmp(name, "--skip-bad"))
        a->options.skip_bad = true;
    else if (!strcmp(name, "--json"))
        a->json = true;
    else if (!strcmp(name, "--svg"))
        a->svg = value;
    else if (!strcmp(name, "--summary"))
        a->summary = true;
    else if (!strcmp(name, "--flame"))
        a->flame = value;
    else if (!strcmp(name, "--heap"))
        a->heap = value;
    else if (!strcmp(name, "--folded"))
        a->folded = value;
    else if (!strcmp(name, "--top"))
        return parse_top(a, value);
    return 0;
}

/* --dump's outputs: the records or the summary on standard output, each
 * picture to a file of its own ('-': standard output too). */
static int check_dump(struct trace_args *a)
{
    const char *command = form_name(a->form);
    const struct {
        const char *option, *path;
    } pictures[] = {{"--svg", a->svg}, {"--flame", a->flame}, {"--heap", a->heap},
                    {"--folded", a->folded}};
    size_t count = sizeof pictures / sizeof pictures[0];
    const char *on_stdout = a->summary ? "--summary" : NULL;
    for (size_t i = 0; i < count; i++) {
        if (!pictures[i].path)
            continue;
        if (a->json && !a->summary)
            return cli_usage_error("%s: --json and %s exclude each other (--json prints the "
                                   "records, or with --summary the summary)",
                                   command, pictures[i].option);
        for (size_t j = 0; j < i; j++)
            if (pictures[j].path && !strcmp(pictures[j].path, pictures[i].path))
                return cli_usage_error("%s: %s and %s both write '%s'", command,
                                       pictures[j].option, pictures[i].option, pictures[i].path);
        if (!strcmp(pictures[i].path, "-")) {
            if (on_stdout)
                return cli_usage_error("%s: %s and %s both write to standard output", command,
                                       on_stdout, pictures[i].option);
            on_stdout = pictures[i].option;
        }
    }
    if (a->top && !a->summary && !a->heap)
        return cli_usage_error("%s: --top counts the sites of --summary and --heap; give one",
                               command);
    if (!a->top)
        a->top = TOP_DEFAULT;
    return 0;
}

/* What the form needs once every argument is read. */
static int check_complete(struct trace_args *a)
{
    const char *command = form_name(a->form);
    switch (a->form) {
    case TRACE_RECORD:
    case TRACE_ALLOC:
        if (!a->program)
            return cli_usage_error("%s: name a program after '--' (try 'mmkit trace --help')",
                                   command);
        break;
    case TRACE_CONVERT:
        if (!a->in)
            return cli_usage_error("%s needs a trace (try 'mmkit trace --help')", command);
        if (!a->out && !strcmp(a->in, "-"))
            return cli_usage_error("%s: name the output when reading standard input", command);
        break;
    case TRACE_DUMP:
        if (!a->in)
            return cli_usage_error("%s needs a file (try 'mmkit trace --help')", command);
        return check_dump(a);
    }
    return 0;
}

int trace_args_parse(int argc, char **argv, struct trace_args *a)
{
    *a = (struct trace_args){.form = form_of(argc, argv), .options.kinds = SIM_KIND_ALL};
    const struct cli_option *options = record_options;
    size_t count = COUNT(record_options);
    if (a->form == TRACE_ALLOC)
        options = alloc_options, count = COUNT(alloc_options);
    else if (a->form == TRACE_CONVERT)
        options = convert_options, count = COUNT(convert_options);
    else if (a->form == TRACE_DUMP)
        options = dump_options, count = COUNT(dump_options);

    for (int i = a->form == TRACE_CONVERT ? 2 : 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--") && (a->form == TRACE_RECORD || a->form == TRACE_ALLOC)) {
            if (i + 1 < argc)
                a->program = argv + i + 1;
            break;
        }
        int status;
        if (arg[0] == '-' && arg[1]) {
            const char *value;
            const struct cli_option *option =
                cli_option_next(options, count, argc, argv, &i, &value, form_name(a->form));
            status = option ? apply_option(a, option->name, value) : 2;
        } else {
            status = take_operand(a, arg);
        }
        if (status)
            return status;
        if (a->help)
            return 0;
    }
    return check_complete(a);
}
