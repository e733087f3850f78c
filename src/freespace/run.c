/* run.c - a whole sequence of operations on a heap: checked first, so that
 * a refused one leaves nothing half written, then run and told. */
#include "heap.h"
#include "sim/diag.h"

int freespace_run(struct freespace_heap *heap, const struct freespace_op *ops, size_t count,
                  const struct freespace_run_options *options, struct sim_diag *diag)
{
    if (heap->stats.operations)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, NULL,
                        "a run needs a heap that has run nothing yet");
    int status = freespace_ops_check(&heap->config, ops, count, diag);
    if (status)
        return status;
    FILE *explain = options ? options->explain : NULL;
    FILE *json = options ? options->json : NULL;
    if (explain)
        freespace_explain_start(explain, heap);
    if (json)
        freespace_json_start(json, heap);
    for (size_t i = 0; i < count && !status; i++) {
        struct freespace_result result;
        status = freespace_apply(heap, &ops[i], &result, diag);
        if (!status && explain)
            freespace_explain_op(explain, heap, &result);
        if (!status && json)
            freespace_json_op(json, heap, &result);
    }
    if (json)
        freespace_json_end(json, heap);
    return status;
}
