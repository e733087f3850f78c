/* machine_file.c - machine files.
 *
 * A machine file is lines of "setting = value" using the names of
 * sim_config_set; '#' starts a comment; "segment" may appear several times.
 * "preset = NAME" starts a file from a machine built in (config.c), and a
 * preset's name stands for the file it would be. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

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

/* A memory image the machine file names by a relative path is the one
 * beside the machine file, wherever the command runs. */
static int image_beside(struct sim_config *config, const char *machine_file,
                        struct sim_diag *diag)
{
    const char *slash = strrchr(machine_file, '/');
    if (config->memory_image[0] == '/' || !slash)
        return SIM_OK;
    char joined[sizeof config->memory_image];
    int length = snprintf(joined, sizeof joined, "%.*s/%s", (int)(slash - machine_file),
                          machine_file, config->memory_image);
    if (length < 0 || (size_t)length >= sizeof joined)
        return diag_set(diag, SIM_ERR_CONFIG, machine_file, 0, "memory-image",
                        "the path is too long");
    memcpy(config->memory_image, joined, sizeof joined);
    return SIM_OK;
}

int sim_config_load(struct sim_config *config, const char *path_or_preset, struct sim_diag *diag)
{
    if (sim_config_set(config, "preset", path_or_preset, NULL) == SIM_OK)
        return SIM_OK;
    FILE *in = diag_open_to_read(path_or_preset, diag);
    if (!in) {
        if (diag)
            snprintf(diag->message + strlen(diag->message),
                     sizeof diag->message - strlen(diag->message),
                     " (and no preset has that name: x86-64, x86-64-2m, x86-32, tiny, "
                     "x86-64-caches, cachegrind)");
        return SIM_ERR_IO;
    }
    char image_before[sizeof config->memory_image];
    memcpy(image_before, config->memory_image, sizeof image_before);
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
    if (!status && strcmp(image_before, config->memory_image))
        status = image_beside(config, path_or_preset, diag);
    return status;
}
