/*
 * cmd_run.c - `mmkit run [options] -- prog args`: run a program with every
 * allocation going through libmmkit (by LD_PRELOAD), and exit with its
 * status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "maps.h"
#include "maps_mmkit.h"

static const char run_help[] =
    "usage: mmkit run [--mode=MODE] [--leaks | --leaks-json] [--stats | --stats-json]\n"
    "                 [--stats-interval=DURATION]\n"
    "                 [--log-file=FILE] [--error-exitcode=N] [--children=yes|no]\n"
    "                 [--suppressions=FILE] [--maps]\n"
    "                 [--options K=V,...] [--] PROGRAM [ARGS...]\n"
    "\n"
    "Run PROGRAM with libmmkit as its allocator (LD_PRELOAD) and exit with its status.\n"
    "\n"
    "  --mode=MODE      fast (default), hardened (double and invalid frees caught,\n"
    "                   for production), debug (also overflows, writes after free,\n"
    "                   junk, leaks) or sample (1 allocation in sample_rate guarded)\n"
    "  --leaks          report leaked blocks when the program exits (debug: on)\n"
    "  --leaks-json     the same, as one JSON object\n"
    "  --stats          print allocation statistics to stderr when the program exits\n"
    "  --stats-json     the same, as one JSON object\n"
    "  --stats-interval=DURATION\n"
    "                   also print them every DURATION while the program runs\n"
    "                   (500ms, 10s, 1m, 1h), as JSON lines with --stats-json\n"
    "  --log-file=FILE  print reports, leaks, statistics and warnings to FILE, not\n"
    "                   stderr; %p in FILE is the process id: a file per process\n"
    "  --error-exitcode=N\n"
    "                   exit with status N if libmmkit reported an error (with\n"
    "                   abort_on_error=0) or a leak; 0 (default): the program's own\n"
    "  --children=no    the programs PROGRAM starts run without libmmkit; yes\n"
    "                   (default): each runs on it and reports as its own process\n"
    "  --suppressions=FILE\n"
    "                   leaks and errors a rule of FILE names are not reported, one\n"
    "                   rule a line, as LeakSanitizer's: leak:FUNCTION, leak:libfoo.so,\n"
    "                   double_free:FILE.c ('*' any text, '^' start, '$' end)\n"
    "  --maps           print the program's memory, region by region, as it exits,\n"
    "                   with the allocator's statistics beside its regions (as\n"
    "                   'mmkit maps'; to stderr, through a statistics file of its own)\n"
    "  --options K=V,.. allocator options (added to MMKIT_OPTIONS), for example\n"
    "                   mmap_threshold=256K, guard=all, abort_on_error=0, verbose=1\n"
    "  -h, --help       show this help\n";

/* Append ",item" (or "item" to an empty list) to the options being built. */
static void options_add(char *list, size_t size, const char *item)
{
    size_t len = strlen(list);
    snprintf(list + len, size - len, "%s%s", len ? "," : "", item);
}

/* The value of option `name` if argv[*i] is it, as "--name=VALUE" or as
 * "--name VALUE" (moving *i past the value; "" if it is missing); else
 * NULL. */
static const char *value_of(const char *name, int argc, char **argv, int *i)
{
    size_t len = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, len) != 0)
        return NULL;
    if (arg[len] == '=')
        return arg + len + 1;
    if (arg[len] != '\0')
        return NULL;
    return *i + 1 < argc ? argv[++*i] : "";
}

/* "key=PATH" for a file option's value, made absolute as the program may
 * change folders; 0, or the status of a usage error. */
static int file_option(const char *flag, const char *given, const char *key, char *out,
                       size_t size)
{
    char path[PATH_MAX];
    if (!*given)
        return cli_usage_error("run: %s needs a file name", flag);
    int status = preload_path("run", given, path, sizeof path);
    if (status)
        return status;
    snprintf(out, size, "%s=%s", key, path);
    return 0;
}

/* A duration as the option stats_interval takes it: digits and a unit. */
static bool valid_duration(const char *text)
{
    size_t digits = strspn(text, "0123456789");
    const char *unit = text + digits;
    return digits > 0 && digits <= 9 &&
           (!strcmp(unit, "ms") || !strcmp(unit, "s") || !strcmp(unit, "m") || !strcmp(unit, "h"));
}

static bool known_mode(const char *mode)
{
    static const char *const modes[] = {"fast", "hardened", "debug", "sample"};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(mode, modes[i]))
            return true;
    return false;
}

/* --maps: the program traced to its exit, libmmkit's statistics written
 * to a folder of ours for the report to read. */
static int run_with_maps(char **program, char *ours, size_t size)
{
    char dir[PATH_MAX], log_file[PATH_MAX + 32];
    if (!maps_stats_folder(dir, sizeof dir)) {
        fprintf(stderr, "mmkit: run: --maps: cannot make a folder for the statistics: %s\n",
                strerror(errno));
        return 1;
    }
    snprintf(log_file, sizeof log_file, "stats=2,log_file=%s/stats.%%p", dir);
    options_add(ours, size, log_file);
    int status = preload_environment("run", ours);
    if (!status) {
        struct maps_request request = {.mmkit_stats = dir, .program = program};
        status = maps_run_program(&request, "run");
    }
    maps_stats_folder_remove(dir);
    return status;
}

int cmd_run(int argc, char **argv)
{
    const char *stats = NULL, *options = NULL, *leaks = NULL, *given;
    bool maps = false;
    char mode[64] = "", exitcode[32] = "", children[16] = "", interval[64] = "";
    char log_file[PATH_MAX + 16] = "", suppressions[PATH_MAX + 16] = "";
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--")) {
            i++;
            break;
        } else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            fputs(run_help, stdout);
            return 0;
        } else if (!strcmp(arg, "--stats")) {
            stats = "stats=1";
        } else if (!strcmp(arg, "--stats-json")) {
            stats = "stats=2";
        } else if (!strcmp(arg, "--maps")) {
            maps = true;
        } else if (!strcmp(arg, "--leaks")) {
            leaks = "leaks=1";
        } else if (!strcmp(arg, "--leaks-json")) {
            leaks = "leaks=2";
        } else if (!strncmp(arg, "--mode=", 7) || (!strcmp(arg, "--mode") && i + 1 < argc)) {
            const char *value = arg[6] == '=' ? arg + 7 : argv[++i];
            if (!known_mode(value))
                return cli_usage_error("run: unknown mode '%s' (fast, hardened, debug or sample)",
                                       value);
            snprintf(mode, sizeof mode, "mode=%s", value);
        } else if ((given = value_of("--log-file", argc, argv, &i))) {
            int status = file_option("--log-file", given, "log_file", log_file, sizeof log_file);
            if (status)
                return status;
        } else if ((given = value_of("--suppressions", argc, argv, &i))) {
            int status = file_option("--suppressions", given, "suppressions", suppressions,
                                     sizeof suppressions);
            if (status)
                return status;
            if (access(strchr(suppressions, '=') + 1, R_OK) != 0) {
                fprintf(stderr, "mmkit: run: --suppressions: cannot read '%s': %s\n", given,
                        strerror(errno));
                return 1;
            }
        } else if ((given = value_of("--error-exitcode", argc, argv, &i))) {
            char *end;
            errno = 0;
            long status = strtol(given, &end, 10);
            if (!*given || *end || errno || status < 0 || status > 255)
                return cli_usage_error("run: --error-exitcode: invalid value '%s' (a status "
                                       "from 0 to 255)", given);
            snprintf(exitcode, sizeof exitcode, "error_exitcode=%ld", status);
        } else if ((given = value_of("--stats-interval", argc, argv, &i))) {
            if (!valid_duration(given))
                return cli_usage_error("run: --stats-interval: invalid value '%s' (a number "
                                       "and a unit: ms, s, m or h)", given);
            snprintf(interval, sizeof interval, "stats_interval=%s", given);
        } else if ((given = value_of("--children", argc, argv, &i))) {
            if (strcmp(given, "yes") && strcmp(given, "no"))
                return cli_usage_error("run: --children: invalid value '%s' (yes or no)", given);
            snprintf(children, sizeof children, "children=%s", given);
        } else if (!strcmp(arg, "--options") && i + 1 < argc) {
            options = argv[++i];
        } else if (!strncmp(arg, "--options=", 10)) {
            options = arg + 10;
        } else if (arg[0] == '-') {
            return cli_usage_error("run: unknown option '%s' (try 'mmkit run --help')", arg);
        } else {
            break;
        }
    }
    if (i >= argc)
        return cli_usage_error("run: no program given (try 'mmkit run --help')");

    char ours[8192 + PATH_MAX] = "";
    const char *items[] = {mode,     options,  stats,    interval,
                           leaks,    log_file, exitcode, children, suppressions};
    for (size_t k = 0; k < sizeof items / sizeof items[0]; k++)
        if (items[k] && *items[k])
            options_add(ours, sizeof ours, items[k]);
    if (maps)
        return run_with_maps(argv + i, ours, sizeof ours);
    int status = preload_environment("run", ours);
    if (status)
        return status;
    if (program_is_static(argv[i]))
        fprintf(stderr, "mmkit: run: warning: %s is statically linked: libmmkit cannot be "
                        "preloaded into it, so it runs on its own malloc\n", argv[i]);
    execvp(argv[i], argv + i);
    fprintf(stderr, "mmkit: run: cannot run '%s': %s\n", argv[i], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
