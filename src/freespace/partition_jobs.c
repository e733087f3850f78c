/* partition_jobs.c - process jobs as text: a line "arrive size duration"
 * per job ("0 100 5": arrives at tick 0, needs 100 bytes for 5 ticks),
 * '#' starting a comment, blank lines skipped, the jobs in order of
 * arrival.  The inline form of the command line ends a line at ';' too.
 * Every refusal names the input, the line and the field. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "partition.h"
#include "sim/diag.h"
#include "sim/value.h"

#define FIELDS 3
#define FIELD_TEXT_MAX 32 /* characters of a field read, or quoted in a message */

struct field {
    const char *at;
    size_t length;
};

/* The fields of one job and what each must be. */
static const struct {
    const char *name;
    bool size;        /* a size in bytes ("64K"); else a number of ticks */
    uint64_t minimum; /* ticks */
    const char *expected;
} fields[FIELDS] = {
    {"arrive", false, 0, "a tick from 0 to 1000000000"},
    {"size", true, 1, "a size above 0, such as 100 or 64K"},
    {"duration", false, 1, "ticks from 1 to 1000000000"},
};

/* Field k's value from its text; false if it is not one. */
static bool field_value(size_t k, struct field f, uint64_t *value)
{
    char text[FIELD_TEXT_MAX + 1];
    if (f.length > FIELD_TEXT_MAX)
        return false;
    snprintf(text, sizeof text, "%.*s", (int)f.length, f.at);
    if (fields[k].size)
        return value_parse_size(text, value) && *value > 0;
    return value_parse_u64(text, value) && *value >= fields[k].minimum &&
           *value <= PARTITION_TICKS_MAX;
}

/* Split [at, end) into whitespace-separated fields: how many there are
 * (the first FIELDS + 1 of them kept). */
static size_t split_fields(const char *at, const char *end, struct field *out)
{
    size_t count = 0;
    while (at < end) {
        if (isspace((unsigned char)*at)) {
            at++;
            continue;
        }
        const char *start = at;
        while (at < end && !isspace((unsigned char)*at))
            at++;
        if (count <= FIELDS)
            out[count] = (struct field){start, (size_t)(at - start)};
        count++;
    }
    return count;
}

/* One line, [at, end) without its comment; *job filled when it holds one.
 * previous: the arrival of the job before it. */
static int parse_line(const char *at, const char *end, const char *source, unsigned long line,
                      uint64_t previous, struct partition_job *job, bool *found,
                      struct sim_diag *diag)
{
    struct field f[FIELDS + 1];
    size_t count = split_fields(at, end, f);
    *found = count > 0;
    if (!count)
        return SIM_OK;
    if (count != FIELDS)
        return diag_set(diag, SIM_ERR_PARSE, source, line, NULL,
                        "expected three fields, 'arrive size duration'; found %zu", count);
    uint64_t value[FIELDS];
    for (size_t k = 0; k < FIELDS; k++) {
        if (!field_value(k, f[k], &value[k]))
            return diag_set(diag, SIM_ERR_PARSE, source, line, fields[k].name,
                            "expected %s; found '%.*s%s'", fields[k].expected,
                            (int)(f[k].length > FIELD_TEXT_MAX ? FIELD_TEXT_MAX : f[k].length),
                            f[k].at, f[k].length > FIELD_TEXT_MAX ? "..." : "");
    }
    if (value[0] < previous)
        return diag_set(diag, SIM_ERR_PARSE, source, line, "arrive",
                        "%llu is before the job above, which arrives at %llu (list the jobs "
                        "in order of arrival)",
                        (unsigned long long)value[0], (unsigned long long)previous);
    *job = (struct partition_job){value[0], value[1], value[2], line};
    return SIM_OK;
}

int partition_jobs_parse(const char *text, size_t length, const char *source, bool inline_form,
                         struct partition_job **jobs, size_t *count, struct sim_diag *diag)
{
    const char *end = text + length;
    const char *breaks = inline_form ? "\n;" : "\n";
    struct partition_job *out = NULL;
    size_t n = 0, capacity = 0;
    unsigned long line = 0;
    int status = SIM_OK;
    for (const char *at = text; at < end && !status;) {
        const char *stop = at;
        while (stop < end && *stop && !strchr(breaks, *stop))
            stop++;
        line++;
        if (stop < end && !*stop) {
            status = diag_set(diag, SIM_ERR_PARSE, source, line, NULL,
                              "a NUL byte: this is not a text file");
            break;
        }
        const char *comment = memchr(at, '#', (size_t)(stop - at));
        struct partition_job *room = partition_room(out, &capacity, n + 1, sizeof *room);
        if (!room) {
            status = SIM_ERR_NOMEM;
            break;
        }
        out = room;
        bool found;
        status = parse_line(at, comment ? comment : stop, source, line,
                            n ? out[n - 1].arrive : 0, &out[n], &found, diag);
        n += found && !status;
        at = stop < end ? stop + 1 : end;
    }
    if (!status && !n)
        status = diag_set(diag, SIM_ERR_PARSE, source, 0, NULL, "no jobs");
    if (status) {
        free(out);
        return status;
    }
    *jobs = out;
    *count = n;
    return SIM_OK;
}

int partition_jobs_load(const char *path, struct partition_job **jobs, size_t *count,
                        struct sim_diag *diag)
{
    FILE *in = diag_open_to_read(path, diag);
    if (!in)
        return SIM_ERR_IO;
    char *text = NULL;
    size_t length = 0, capacity = 0, got;
    do {
        char *room = partition_room(text, &capacity, length + 1, 1);
        if (!room) {
            free(text);
            fclose(in);
            return SIM_ERR_NOMEM;
        }
        text = room;
        got = fread(text + length, 1, capacity - length, in);
        length += got;
    } while (got);
    int status = ferror(in) ? diag_set(diag, SIM_ERR_IO, path, 0, NULL, "read error")
                            : partition_jobs_parse(text, length, path, false, jobs, count, diag);
    fclose(in);
    free(text);
    return status;
}

int partition_jobs_check(const struct partition_config *config, const struct partition_job *jobs,
                         size_t count, const char *source, struct sim_diag *diag)
{
    uint64_t largest = 0;
    for (size_t i = 0; i < config->fixed; i++)
        if (config->fixed_size[i] > largest)
            largest = config->fixed_size[i];
    for (size_t i = 0; i < count; i++) {
        unsigned long long size = jobs[i].size;
        if (config->fixed && size > largest)
            return diag_set(diag, SIM_ERR_PARSE, source, jobs[i].line, "size",
                            "%llu bytes do not fit in the largest partition, of %llu bytes",
                            size, (unsigned long long)largest);
        if (size > config->heap.size)
            return diag_set(diag, SIM_ERR_PARSE, source, jobs[i].line, "size",
                            "%llu bytes do not fit in the %llu-byte memory", size,
                            (unsigned long long)config->heap.size);
    }
    return SIM_OK;
}
