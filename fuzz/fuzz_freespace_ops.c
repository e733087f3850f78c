/* fuzz_freespace_ops.c - any bytes as free-space operations ("+10,-0"):
 * the first byte picks the heap's policy, order, coalescing, structure,
 * header and rounding; the rest is the text.  The parser must refuse it
 * with a message or give operations, which a run must refuse or apply,
 * telling every step and writing the JSON, and leave the heap whole: its
 * holes add up to its free bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "mmkit/freespace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_holes(const struct freespace_heap *heap)
{
    struct freespace_stats stats;
    freespace_heap_stats(heap, &stats);
    size_t count = freespace_heap_holes(heap, NULL, 0);
    struct freespace_hole *holes = malloc(sizeof *holes * (count + 1));
    if (!holes)
        abort();
    freespace_heap_holes(heap, holes, count);
    uint64_t free_bytes = 0;
    for (size_t i = 0; i < count; i++)
        free_bytes += holes[i].size;
    free(holes);
    if (free_bytes != stats.free_bytes || stats.free_bytes > freespace_heap_config(heap)->size)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *sink = fuzz_sink();
    if (size < 1 || size > 4096)
        return 0;
    char *text = fuzz_input_text(data + 1, size - 1);
    uint8_t pick = data[0];
    struct freespace_config config;
    freespace_config_default(&config);
    config.size = 1000;
    strcpy(config.policy, freespace_policy_names[pick & 3]);
    config.coalesce = pick & 4;
    config.structure = pick & 8 ? FREESPACE_LIST : FREESPACE_ANY;
    config.order = (enum freespace_order)((pick >> 4 & 7) % 5);
    if (pick & 0x80) {
        config.header = 4;
        config.align = 8;
        config.min_split = 16;
    }
    struct freespace_op *ops;
    size_t count;
    struct sim_diag diag;
    struct freespace_heap *heap;
    if (freespace_ops_parse(text, &ops, &count, &diag) == SIM_OK) {
        if (freespace_heap_create(&heap, &config, &diag) != SIM_OK)
            abort(); /* the config is good */
        struct freespace_run_options options = {.explain = sink, .json = size % 2 ? sink : NULL};
        freespace_run(heap, ops, count, &options, &diag);
        check_holes(heap);
        freespace_report_text(sink, heap);
        freespace_heap_destroy(heap);
        free(ops);
    }
    free(text);
    return 0;
}
