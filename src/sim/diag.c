/* diag.c - diagnostics: where and why a simulator call failed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"

int diag_set(struct sim_diag *diag, int status, const char *file, unsigned long line,
             const char *field, const char *fmt, ...)
{
    if (!diag)
        return status;
    snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
    diag->line = line;
    snprintf(diag->field, sizeof diag->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
    return status;
}

const char *sim_diag_format(const struct sim_diag *diag, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (diag->file[0])
        used += (size_t)snprintf(buf, size, "%s:", diag->file);
    if (diag->line && used < size)
        used += (size_t)snprintf(buf + used, size - used, "%lu:", diag->line);
    if (used && used < size)
        used += (size_t)snprintf(buf + used, size - used, " ");
    if (diag->field[0] && used < size)
        used += (size_t)snprintf(buf + used, size - used, "%s: ", diag->field);
    if (used < size)
        snprintf(buf + used, size - used, "%s", diag->message);
    return buf;
}

FILE *diag_open_to_read(const char *path, struct sim_diag *diag)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        diag_set(diag, SIM_ERR_IO, path, 0, NULL, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(file), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(file);
        diag_set(diag, SIM_ERR_IO, path, 0, NULL, "is a directory, not a file");
        return NULL;
    }
    return file;
}
