/* compare.c - several policies on the same operations: each runs them on
 * its own heap, and one table sets their totals side by side. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "heap.h"
#include "sim/diag.h"
#include "sim/items.h"

int freespace_compare_parse(const char *text, char names[][16], size_t *count,
                            struct sim_diag *diag)
{
    struct items items = {.at = text};
    const char *item, *empty;
    size_t length;
    *count = 0;
    while (items_next(&items, &item, &length, &empty)) {
        char name[32];
        snprintf(name, sizeof name, "%.*s", length > 24 ? 24 : (int)length, item);
        struct freespace_config probe;
        freespace_config_default(&probe);
        if (empty)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "compare", "item %zu: %s",
                            *count + 1, empty);
        if (*count == FREESPACE_COMPARE_MAX)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "compare",
                            "more than %d policies", FREESPACE_COMPARE_MAX);
        if (length >= 16 || freespace_config_set(&probe, "policy", name, NULL))
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "compare",
                            "'%s' is no policy (first, best, worst, next, segregated, tlsf, "
                            "buddy, slab or mmkit)",
                            name);
        memcpy(names[(*count)++], probe.policy, sizeof probe.policy);
    }
    if (!*count)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "compare", "no policies");
    return SIM_OK;
}

void freespace_comparison_destroy(struct freespace_comparison *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++) {
        free(c->run[i].blocks);
        free(c->run[i].external);
    }
    free(c);
}

struct freespace_comparison *freespace_comparison_create(void)
{
    return calloc(1, sizeof(struct freespace_comparison));
}

int freespace_comparison_add(struct freespace_comparison *c, const struct freespace_heap *heap)
{
    if (c->count == FREESPACE_COMPARE_MAX)
        return SIM_ERR_CONFIG;
    struct policy_run *run = &c->run[c->count++];
    run->config = *freespace_heap_config(heap);
    memcpy(run->name, run->config.policy, sizeof run->name);
    freespace_heap_stats(heap, &run->stats);
    if (c->count == 1) { /* every run replays the same calls */
        c->operations = run->stats.operations;
        c->allocations = run->stats.allocations;
    }
    return SIM_OK;
}

/* Note in run's history what the operation did to its block. */
static void record(struct policy_run *run, const struct freespace_result *r)
{
    if (r->op.kind == FREESPACE_ALLOC)
        run->blocks[r->index] = (struct block_life){r->block, r->failed ? 0 : r->block_size,
                                                    r->number, 0};
    else
        run->blocks[r->index].freed = r->number;
}

static int run_one(struct policy_run *run, const struct freespace_op *ops, size_t count,
                   uint64_t allocations, bool history, struct sim_diag *diag)
{
    struct freespace_heap *heap;
    int status = freespace_heap_create(&heap, &run->config, diag);
    if (status)
        return status;
    run->config = *freespace_heap_config(heap);
    if (history && (!(run->blocks = calloc(allocations ? allocations : 1, sizeof *run->blocks)) ||
                    !(run->external = calloc(count, sizeof *run->external))))
        status = SIM_ERR_NOMEM;
    for (size_t i = 0; i < count && !status; i++) {
        struct freespace_result r;
        status = freespace_apply(heap, &ops[i], &r, diag);
        if (!status && history) {
            record(run, &r);
            run->external[i] = heap->stats.external_now;
        }
    }
    freespace_heap_stats(heap, &run->stats);
    freespace_heap_destroy(heap);
    return status;
}

int freespace_compare(const struct freespace_config *config, char names[][16], size_t count,
                      const struct freespace_op *ops, size_t op_count, bool history,
                      struct freespace_comparison **out, struct sim_diag *diag)
{
    *out = NULL;
    int status = freespace_ops_check(config, ops, op_count, diag);
    if (status)
        return status;
    struct freespace_comparison *c = calloc(1, sizeof *c);
    if (!c)
        return SIM_ERR_NOMEM;
    c->operations = op_count;
    for (size_t i = 0; i < op_count; i++)
        c->allocations += ops[i].kind == FREESPACE_ALLOC;
    for (size_t i = 0; i < count && i < FREESPACE_COMPARE_MAX && !status; i++) {
        struct policy_run *run = &c->run[c->count++];
        memcpy(run->name, names[i], sizeof run->name);
        run->config = *config;
        memcpy(run->config.policy, names[i], sizeof run->config.policy);
        status = run_one(run, ops, op_count, c->allocations, history, diag);
    }
    if (status) {
        freespace_comparison_destroy(c);
        return status;
    }
    *out = c;
    return SIM_OK;
}

/* ---- the table ----------------------------------------------------------- */

struct column {
    const char *title; /* two lines of it, split at '|' */
    int width;
    size_t offset; /* in struct freespace_stats */
    bool ratio;    /* a double there; else a uint64_t */
};

#define COUNT(field) offsetof(struct freespace_stats, field), false
#define RATIO(field) offsetof(struct freespace_stats, field), true

static const struct column columns[] = {
    {"|operations", 10, COUNT(operations)},
    {"|failed", 7, COUNT(failures)},
    {"peak|live", 10, COUNT(peak_live_bytes)},
    {"peak|footprint", 10, COUNT(peak_footprint)},
    {"fragmen-|tation", 8, RATIO(fragmentation)},
    {"external|mean", 8, RATIO(external_mean)},
    {"external|worst", 8, RATIO(external_worst)},
    {"internal|at peak", 9, COUNT(peak_padding_bytes)},
    {"search|mean", 8, RATIO(searched_mean)},
    {"search|worst", 7, COUNT(searched_worst)},
};

#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

/* The internal fragmentation column counts headers and padding together. */
static double column_value(const struct freespace_stats *s, const struct column *column)
{
    const char *at = (const char *)s + column->offset;
    if (column->ratio)
        return *(const double *)at;
    uint64_t value = *(const uint64_t *)at;
    if (column->offset == offsetof(struct freespace_stats, peak_padding_bytes))
        value += s->peak_header_bytes;
    return (double)value;
}

void freespace_compare_text(FILE *out, const struct freespace_comparison *c)
{
    /* A trace's fits grow their heaps: what the others had is told. */
    const struct freespace_config *config = &c->run[0].config;
    size_t fixed = 0;
    while (fixed < c->count && c->run[fixed].config.grow)
        fixed++;
    fprintf(out, "heap: ");
    if (fixed)
        fprintf(out, "for the fits, grown from 64K as needed%s",
                fixed < c->count ? "; for the others, " : "");
    if (fixed < c->count)
        freespace_describe_heap(out, &c->run[fixed].config);
    else
        fprintf(out, ", requests rounded up to a multiple of %" PRIu64, config->align);
    fprintf(out, "\n%" PRIu64 " operations, %" PRIu64 " allocations, on each policy\n\n",
            c->operations, c->allocations);
    for (int line = 0; line < 2; line++) {
        fprintf(out, "%-11s", line ? "policy" : "");
        for (size_t i = 0; i < COLUMN_COUNT; i++) {
            const char *bar = strchr(columns[i].title, '|');
            int length = line ? (int)strlen(bar + 1) : (int)(bar - columns[i].title);
            fprintf(out, " %*.*s", columns[i].width, length,
                    line ? bar + 1 : columns[i].title);
        }
        fputc('\n', out);
    }
    for (size_t r = 0; r < c->count; r++) {
        fprintf(out, "%-11s", c->run[r].name);
        for (size_t i = 0; i < COLUMN_COUNT; i++) {
            double value = column_value(&c->run[r].stats, &columns[i]);
            if (columns[i].ratio)
                fprintf(out, " %*.3f", columns[i].width, value);
            else
                fprintf(out, " %*.0f", columns[i].width, value);
        }
        fputc('\n', out);
    }
}

void freespace_compare_json(FILE *out, const struct freespace_comparison *c)
{
    const struct freespace_config *config = &c->run[0].config;
    fprintf(out,
            "{\n  \"heap\": {\"base\": %" PRIu64 ", \"size\": %" PRIu64 ", \"header\": %" PRIu64
            ", \"align\": %" PRIu64 "},\n  \"operations\": %" PRIu64 ",\n  \"policies\": [",
            config->base, config->size, config->header, config->align, c->operations);
    for (size_t r = 0; r < c->count; r++) {
        fprintf(out, "%s\n    {\"policy\": \"%s\", \"totals\": ", r ? "," : "", c->run[r].name);
        freespace_json_totals(out, &c->run[r].stats, "    ");
        fputc('}', out);
    }
    fprintf(out, "\n  ]\n}\n");
}
