/* report.c - what a run did: the heap and its policy in words, the totals
 * for people, and the JSON document of every operation and the totals.
 * One table of totals serves text and JSON, so they cannot disagree. */
#include <inttypes.h>
#include <stddef.h>

#include "heap.h"

void freespace_describe_heap(FILE *out, const struct freespace_config *c)
{
    fprintf(out, "%" PRIu64 " bytes at %" PRIu64 ", ", c->size, c->base);
    if (c->header)
        fprintf(out, "%" PRIu64 "-byte headers, ", c->header);
    else
        fprintf(out, "no headers, ");
    if (c->align > 1)
        fprintf(out, "requests rounded up to a multiple of %" PRIu64, c->align);
    else
        fprintf(out, "requests not rounded");
}

static const char *const order_words[] = {
    "free list by address", "free list by size, smallest first",
    "free list by size, largest first", "freed blocks to the front of the list",
    "freed blocks to the back of the list",
};

void freespace_describe_policy(FILE *out, const struct freespace_config *c)
{
    enum fit fit;
    const struct freespace_policy_ops *family = freespace_policy_find(c, &fit);
    if (family && family->describe) {
        fprintf(out, "%s: ", c->policy);
        family->describe(out, c);
        return;
    }
    fprintf(out, "%s fit, %s, %s", c->policy, order_words[c->order],
            c->coalesce ? "coalescing" : "no coalescing");
    if (c->min_split > 1)
        fprintf(out, ", a split must leave %" PRIu64 " bytes", c->min_split);
}

struct total {
    const char *label; /* text */
    const char *key;   /* JSON */
    size_t offset;     /* in struct freespace_stats */
    bool ratio;        /* a double there; else a uint64_t */
    const char *note;  /* text, after the number */
};

#define COUNT(field) offsetof(struct freespace_stats, field), false
#define RATIO(field) offsetof(struct freespace_stats, field), true

static const struct total totals[] = {
    {"operations", "operations", COUNT(operations), ""},
    {"  allocations", "allocations", COUNT(allocations), ""},
    {"  frees", "frees", COUNT(frees), ""},
    {"  failed allocations", "failures", COUNT(failures), ""},
    {"peak live bytes", "peak_live_bytes", COUNT(peak_live_bytes),
     "asked for by the blocks live at once"},
    {"  their headers", "peak_header_bytes", COUNT(peak_header_bytes),
     "internal fragmentation at the live peak"},
    {"  their padding", "peak_padding_bytes", COUNT(peak_padding_bytes),
     "rounding, and rests too small to split"},
    {"peak footprint", "peak_footprint", COUNT(peak_footprint),
     "bytes from the base to the end of the highest block"},
    {"fragmentation", "fragmentation", RATIO(fragmentation), "peak footprint / peak live bytes"},
    {"external fragmentation", "external_fragmentation_now", RATIO(external_now),
     "now: 1 - largest hole / free bytes"},
    {"  mean", "external_fragmentation_mean", RATIO(external_mean), "after each operation"},
    {"  worst", "external_fragmentation_worst", RATIO(external_worst), ""},
    {"search length, mean", "searched_mean", RATIO(searched_mean),
     "holes looked at per allocation"},
    {"  worst", "searched_worst", COUNT(searched_worst), ""},
    {"free bytes now", "free_bytes", COUNT(free_bytes), ""},
    {"  holes", "holes", COUNT(holes), ""},
    {"  largest hole", "largest_hole", COUNT(largest_hole), ""},
    {"overhead bytes now", "overhead_bytes", COUNT(overhead_bytes),
     "neither free nor in a block: ends of slabs and pages"},
    {"unmatched frees", "unmatched_frees", COUNT(unmatched_frees),
     "of addresses no live block had (traces only)"},
};

#define TOTAL_COUNT (sizeof totals / sizeof totals[0])

/* The total's value as text: 12 or 1.250. */
static void total_text(char *text, size_t size, const struct freespace_stats *s,
                       const struct total *t)
{
    const char *at = (const char *)s + t->offset;
    if (t->ratio)
        snprintf(text, size, "%.3f", *(const double *)at);
    else
        snprintf(text, size, "%" PRIu64, *(const uint64_t *)at);
}

void freespace_report_text(FILE *out, const struct freespace_heap *heap)
{
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    fprintf(out, "heap: ");
    freespace_describe_heap(out, &heap->config);
    if (heap->config.grow)
        fprintf(out, " (grown to that from 64K as the blocks needed)");
    fprintf(out, "\npolicy: ");
    freespace_describe_policy(out, &heap->config);
    if (heap->policy->describe)
        fputc('\n', out);
    else
        fprintf(out, " (the holes in a %s)\n", heap->policy->name);
    for (size_t i = 0; i < TOTAL_COUNT; i++) {
        char value[32];
        total_text(value, sizeof value, &s, &totals[i]);
        fprintf(out, "  %-24s %12s%s%s\n", totals[i].label, value, totals[i].note[0] ? "  " : "",
                totals[i].note);
    }
    if (heap->policy->show)
        heap->policy->show(heap->holes, out);
}

void freespace_json_start(FILE *out, const struct freespace_heap *heap)
{
    const struct freespace_config *c = &heap->config;
    fprintf(out,
            "{\n  \"heap\": {\"base\": %" PRIu64 ", \"size\": %" PRIu64 ", \"header\": %" PRIu64
            ", \"align\": %" PRIu64 "},\n  \"policy\": \"%s\",\n  \"order\": \"%s\",\n"
            "  \"coalesce\": %s,\n  \"min_split\": %" PRIu64 ",\n  \"structure\": \"%s\",\n"
            "  \"operations\": [",
            c->base, c->size, c->header, c->align, c->policy, freespace_order_names[c->order],
            c->coalesce ? "true" : "false", c->min_split, heap->policy->name);
}

void freespace_json_op(FILE *out, struct freespace_heap *heap, const struct freespace_result *r)
{
    bool alloc = r->op.kind == FREESPACE_ALLOC;
    fprintf(out, "%s\n    {\"op\": %" PRIu64 ", \"kind\": \"%s\", \"ptr\": %" PRIu64
                 ", \"request\": %" PRIu64,
            r->number > 1 ? "," : "", r->number, alloc ? "alloc" : "free", r->index, r->request);
    if (r->failed)
        fprintf(out, ", \"failed\": true, \"address\": null");
    else
        fprintf(out, ", \"address\": %" PRIu64 ", \"block\": %" PRIu64 ", \"block_size\": %" PRIu64,
                r->address, r->block, r->block_size);
    if (alloc) {
        fprintf(out, ", \"searched\": %" PRIu64 ", \"hole\": ", r->searched);
        freespace_print_hole(out, r->hole);
        if (!r->failed)
            fprintf(out, ", \"position\": %" PRIu64 ", \"split\": %s", r->position,
                    r->split ? "true" : "false");
    } else if (!r->failed) {
        fprintf(out, ", \"position\": %" PRIu64 ", \"merges\": %zu", r->position, r->merges);
    }
    fprintf(out, ", \"external_fragmentation\": %.6f, \"free_list\": [",
            heap->stats.external_now);
    size_t count;
    const struct freespace_hole *holes = freespace_heap_scratch_holes(heap, &count);
    for (size_t i = 0; holes && i < count; i++) {
        fprintf(out, "%s", i ? ", " : "");
        freespace_print_hole(out, holes[i]);
    }
    fprintf(out, "]}");
}

void freespace_json_totals(FILE *out, const struct freespace_stats *s, const char *indent)
{
    fputc('{', out);
    for (size_t i = 0; i < TOTAL_COUNT; i++) {
        char value[32];
        total_text(value, sizeof value, s, &totals[i]);
        fprintf(out, "%s\n%s  \"%s\": %s", i ? "," : "", indent, totals[i].key, value);
    }
    fprintf(out, "\n%s}", indent);
}

void freespace_json_end(FILE *out, const struct freespace_heap *heap)
{
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    fprintf(out, "\n  ],\n  \"totals\": ");
    freespace_json_totals(out, &s, "  ");
    fprintf(out, "\n}\n");
}

void freespace_report_json(FILE *out, const struct freespace_heap *heap)
{
    struct freespace_stats s;
    freespace_heap_stats(heap, &s);
    const struct freespace_config *c = &heap->config;
    fprintf(out,
            "{\n  \"heap\": {\"base\": %" PRIu64 ", \"size\": %" PRIu64 ", \"header\": %" PRIu64
            ", \"align\": %" PRIu64 "},\n  \"policy\": \"%s\",\n  \"totals\": ",
            c->base, c->size, c->header, c->align, c->policy);
    freespace_json_totals(out, &s, "  ");
    fprintf(out, "\n}\n");
}
