/* partition_report.c - what a partitioning run did, in totals: memory and
 * its partitions in words, then one table of totals that serves the text
 * report and the JSON alike, so that they cannot disagree. */
#include <inttypes.h>
#include <stddef.h>

#include "partition.h"

#define SIZES_LISTED 8 /* fixed partitions' sizes named in words */

void partition_describe(FILE *out, const struct partition_config *c)
{
    fprintf(out, "%" PRIu64 " bytes at %" PRIu64 ", ", c->heap.size, c->heap.base);
    if (!c->fixed) {
        fprintf(out, "dynamic partitions, %s fit, %s, ", c->heap.policy,
                c->compact ? "compaction" : "no compaction");
    } else {
        fprintf(out, "%zu fixed partition%s (", c->fixed, c->fixed == 1 ? "" : "s");
        for (size_t i = 0; i < c->fixed && i < SIZES_LISTED; i++)
            fprintf(out, "%s%" PRIu64, i ? ", " : "", c->fixed_size[i]);
        if (c->fixed > SIZES_LISTED)
            fprintf(out, " and %zu more", c->fixed - SIZES_LISTED);
        fprintf(out, " bytes), ");
    }
    fprintf(out, "%s", c->swap ? "swapping" : "no swapping");
}

/* One row of the totals: where its number is in struct partition_totals,
 * and whether it is a mean or a ratio (a double) or a count. */
struct row {
    const char *label, *json_key;
    size_t offset;
    bool is_double;
    const char *meaning;
};

#define U64(name) offsetof(struct partition_totals, name), false
#define REAL(name) offsetof(struct partition_totals, name), true

static const struct row rows[] = {
    {"jobs", "jobs", U64(jobs), ""},
    {"first arrival", "first_arrival", U64(first_arrival), "tick"},
    {"last finish", "end", U64(end), "tick"},
    {"wait, mean", "wait_mean", REAL(wait_mean), "ticks in the queue, per job"},
    {"  worst", "wait_worst", U64(wait_worst), ""},
    {"utilisation", "utilisation", REAL(utilisation), "bytes the jobs use / memory, over time"},
    {"internal fragmentation, mean", "internal_mean", REAL(internal_mean),
     "bytes held in partitions and not used, over time"},
    {"  worst", "internal_worst", U64(internal_worst), "at one time"},
    {"external fragmentation, mean", "external_mean", REAL(external_mean),
     "1 - largest hole / free bytes, over time"},
    {"  worst", "external_worst", REAL(external_worst), ""},
    {"compactions", "compactions", U64(compactions), ""},
    {"  bytes moved", "compaction_bytes", U64(compaction_bytes), "by compaction"},
    {"swaps out", "swaps_out", U64(swaps_out), ""},
    {"swaps in", "swaps_in", U64(swaps_in), ""},
    {"  swap traffic", "swap_bytes", U64(swap_bytes),
     "bytes written to the backing store and read back"},
};

#define ROW_COUNT (sizeof rows / sizeof rows[0])

static void print_value(FILE *out, const char *format_u64, const char *format_double,
                        const struct partition_totals *totals, const struct row *row)
{
    const char *field = (const char *)totals + row->offset;
    if (row->is_double)
        fprintf(out, format_double, *(const double *)field);
    else
        fprintf(out, format_u64, *(const uint64_t *)field);
}

void partition_totals_json(FILE *out, const struct partition_totals *totals, const char *indent)
{
    for (size_t i = 0; i < ROW_COUNT; i++) {
        fprintf(out, "%s\n%s\"%s\": ", i ? "," : "", indent, rows[i].json_key);
        print_value(out, "%" PRIu64, "%.6f", totals, &rows[i]);
    }
}

void partition_report_text(FILE *out, const struct partition_config *config,
                           const struct partition_outcome *outcome)
{
    fprintf(out, "memory: ");
    partition_describe(out, config);
    fputc('\n', out);
    for (size_t i = 0; i < ROW_COUNT; i++) {
        fprintf(out, "  %-30s ", rows[i].label);
        print_value(out, "%10" PRIu64, "%10.3f", &outcome->totals, &rows[i]);
        fprintf(out, "%s%s\n", rows[i].meaning[0] ? "  " : "", rows[i].meaning);
    }
}
