/* machine_file.c - machine files and presets.
 *
 * A machine file is lines of "setting = value" using the names of
 * sim_config_set; '#' starts a comment; "segment" may appear several times.
 * A preset is a machine file built in, and "preset = NAME" starts a file
 * from one. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "machine_file.h"

struct preset {
    const char *name;
    const char *text;
};

static const struct preset presets[] = {
    {"x86-64", "translation = paging\naddress-bits = 48\npage-size = 4K\nlevels = 9,9,9,9\n"},
    {"x86-64-2m", "translation = paging\naddress-bits = 48\npage-size = 2M\nlevels = 9,9,9\n"},
    {"x86-32", "translation = paging\naddress-bits = 32\npage-size = 4K\nlevels = 10,10\n"},
    {"tiny", "translation = paging\naddress-bits = 16\npage-size = 256\nlevels = linear\n"
             "frames = 8\ntlb-entries = 4\ntlb-ways = 4\n"},
};

static char *trim(char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        text[--n] = '\0';
    return text;
}

/* Apply one line, counting it in *settings if it holds one; 0 or an error
 * with line and field in diag. */
static int apply_line(struct sim_config *config, char *line, const char *file,
                      unsigned long number, unsigned *settings, struct sim_diag *diag)
{
    char *comment = strchr(line, '#');
    if (comment)
        *comment = '\0';
    char *text = trim(line);
    if (!*text)
        return SIM_OK;
    ++*settings;
    char *equals = strchr(text, '=');
    if (!equals)
        return diag_set(diag, SIM_ERR_PARSE, file, number, NULL,
                        "expected 'setting = value', found '%.60s'", text);
    *equals = '\0';
    int status = sim_config_set(config, trim(text), trim(equals + 1), diag);
    if (status && diag) {
        snprintf(diag->file, sizeof diag->file, "%s", file);
        diag->line = number;
    }
    return status;
}

static int apply_text(struct sim_config *config, const char *text, const char *file,
                      struct sim_diag *diag)
{
    char line[512];
    unsigned long number = 0;
    unsigned settings = 0;
    while (*text) {
        size_t n = strcspn(text, "\n");
        number++;
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), text);
        int status = apply_line(config, line, file, number, &settings, diag);
        if (status)
            return status;
        text += n + (text[n] == '\n');
    }
    return SIM_OK;
}

bool machine_preset_apply(struct sim_config *config, const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        if (!strcmp(presets[i].name, name)) {
            sim_config_default(config);
            return apply_text(config, presets[i].text, presets[i].name, NULL) == SIM_OK;
        }
    }
    return false;
}

int sim_config_load(struct sim_config *config, const char *path_or_preset, struct sim_diag *diag)
{
    if (machine_preset_apply(config, path_or_preset))
        return SIM_OK;
    FILE *in = diag_open_to_read(path_or_preset, diag);
    if (!in) {
        if (diag)
            snprintf(diag->message + strlen(diag->message),
                     sizeof diag->message - strlen(diag->message),
                     " (and no preset has that name: x86-64, x86-64-2m, x86-32, tiny)");
        return SIM_ERR_IO;
    }
    char line[512];
    unsigned long number = 0;
    unsigned settings = 0;
    int status = SIM_OK;
    while (!status && fgets(line, sizeof line, in)) {
        number++;
        if (!strchr(line, '\n') && !feof(in)) {
            status = diag_set(diag, SIM_ERR_PARSE, path_or_preset, number, NULL,
                              "line longer than %zu characters", sizeof line - 2);
            break;
        }
        status = apply_line(config, line, path_or_preset, number, &settings, diag);
    }
    if (!status && ferror(in))
        status = diag_set(diag, SIM_ERR_IO, path_or_preset, number, NULL, "read error");
    /* An empty file is more likely the wrong file than a wish for the
     * defaults, which need no file at all. */
    if (!status && settings == 0)
        status = diag_set(diag, SIM_ERR_PARSE, path_or_preset, 0, NULL,
                          "no settings in this machine file (lines are 'setting = value')");
    fclose(in);
    return status;
}
