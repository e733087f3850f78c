/*
 * usage.c - reading a subcommand's options, and saying what is wrong with
 * a command line: an unknown option (with the nearest known one), a value
 * that is missing.  Usage errors exit 2; errors in an input (a file) exit 1.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

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

int cli_input_error(const struct sim_diag *diag)
{
    char text[700];
    fprintf(stderr, "mmkit: %s\n", sim_diag_format(diag, text, sizeof text));
    return 1;
}

int cli_run_error(const struct sim_diag *diag, int status)
{
    if (status == SIM_ERR_NOMEM && !diag->message[0]) {
        fprintf(stderr, "mmkit: out of memory\n");
        return 1;
    }
    return cli_input_error(diag);
}

/* Edit distance of a and b (insertions, deletions, substitutions), capped:
 * names longer than 47 characters count as far from everything. */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 47 || m > 47)
        return SIZE_MAX;
    size_t row[48];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[m];
}

const char *cli_nearest_option(const struct cli_option *options, size_t count, const char *name)
{
    const char *nearest = NULL;
    size_t best = 3; /* a typo or two, not a different word */
    for (size_t i = 0; i < count; i++) {
        size_t d = distance(name, options[i].name);
        if (d < best) {
            best = d;
            nearest = options[i].name;
        }
    }
    return nearest;
}

const struct cli_option *cli_option_next(const struct cli_option *options, size_t count,
                                         int argc, char **argv, int *i, const char **value,
                                         const char *command)
{
    const char *arg = argv[*i];
    size_t length = strcspn(arg, "=");
    *value = NULL;
    for (size_t k = 0; k < count; k++) {
        const struct cli_option *option = &options[k];
        if (strlen(option->name) != length || strncmp(arg, option->name, length))
            continue;
        if (!option->takes_value) {
            if (arg[length] == '=') {
                cli_usage_error("%s: %s takes no value", command, option->name);
                return NULL;
            }
            return option;
        }
        if (arg[length] == '=') {
            *value = arg + length + 1;
        } else if (*i + 1 < argc) {
            *value = argv[++*i];
        } else {
            cli_usage_error("%s: %s needs a value (try 'mmkit %s --help')", command,
                            option->name, command);
            return NULL;
        }
        return option;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)length, arg);
    const char *nearest = cli_nearest_option(options, count, name);
    if (nearest)
        cli_usage_error("%s: unknown option '%s' (did you mean %s?)", command, name, nearest);
    else
        cli_usage_error("%s: unknown option '%s' (try 'mmkit %s --help')", command, name,
                        command);
    return NULL;
}
