/*
 * output_file.c - how the mmkit command writes a file it was asked for:
 * never over one of its own inputs, and never half of it.  The bytes go to
 * a temporary file in the same folder (so that the rename cannot cross file
 * systems) and take the file's name only once all of them are written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* stat() follows links, so a link to an input, or a hard link of one, is
 * that input. */
static const char *input_named_by(const char *path, const char *const *inputs, size_t count)
{
    struct stat out, in;
    if (stat(path, &out) != 0)
        return NULL; /* no such file yet: it cannot be an input */
    for (size_t i = 0; i < count; i++)
        if (inputs[i] && strcmp(inputs[i], "-") && stat(inputs[i], &in) == 0 &&
            same_file(&out, &in))
            return inputs[i];
    return NULL;
}

int output_file_open(struct output_file *out, const char *path, const char *const *inputs,
                     size_t count)
{
    *out = (struct output_file){.path = path};
    if (!strcmp(path, "-")) {
        out->file = stdout;
        return 0;
    }
    const char *input = input_named_by(path, inputs, count);
    if (input) {
        fprintf(stderr, "mmkit: %s: this output is the input %s; name another file\n", path,
                input);
        return 1;
    }
    /* A device or a pipe (/dev/null, a FIFO) is written to: renaming a file
     * over it would replace it, for everyone. */
    struct stat existing;
    if (stat(path, &existing) == 0 && !S_ISREG(existing.st_mode) && !S_ISDIR(existing.st_mode)) {
        out->file = fopen(path, "wb");
        if (out->file)
            return 0;
        fprintf(stderr, "mmkit: %s: cannot write it: %s\n", path, strerror(errno));
        return 1;
    }
    char folder[sizeof out->temp], name[sizeof out->temp];
    snprintf(folder, sizeof folder, "%s", path);
    snprintf(name, sizeof name, "%s", path);
    if ((size_t)snprintf(out->temp, sizeof out->temp, "%s/.%s.XXXXXX", dirname(folder),
                         basename(name)) >= sizeof out->temp) {
        fprintf(stderr, "mmkit: %s: the name is too long\n", path);
        return 1;
    }
    int fd = mkstemp(out->temp);
    if (fd < 0) {
        fprintf(stderr, "mmkit: %s: cannot create it: %s\n", path, strerror(errno));
        out->temp[0] = '\0';
        return 1;
    }
    /* mkstemp makes the file private (0600); the output gets the mode any
     * new file would. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    out->file = fdopen(fd, "wb");
    if (!out->file) {
        fprintf(stderr, "mmkit: %s: %s\n", path, strerror(errno));
        close(fd);
        output_file_discard(out);
        return 1;
    }
    return 0;
}

int output_file_commit(struct output_file *out)
{
    if (out->file == stdout) {
        out->file = NULL;
        if (fflush(stdout) == 0 && !ferror(stdout))
            return 0;
        fprintf(stderr, "mmkit: cannot write the standard output\n");
        return 1;
    }
    bool written = !ferror(out->file);
    written &= fclose(out->file) == 0;
    out->file = NULL;
    if (written && !out->temp[0])
        return 0;
    if (written && rename(out->temp, out->path) == 0) {
        out->temp[0] = '\0';
        return 0;
    }
    fprintf(stderr, "mmkit: %s: cannot write it: %s\n", out->path, strerror(errno));
    output_file_discard(out);
    return 1;
}

void output_file_discard(struct output_file *out)
{
    if (out->file && out->file != stdout)
        fclose(out->file);
    out->file = NULL;
    if (out->temp[0])
        unlink(out->temp);
    out->temp[0] = '\0';
}
