/* mrc_opt.c - the exact OPT miss-ratio curve in one pass.  Belady's MIN is
 * a stack algorithm (Mattson et al., 1970): the pages OPT keeps in f
 * frames are the top f of one stack, so a reference hits with f frames
 * exactly when its page is among the top f.
 *
 * The stack's update: the referenced page goes on top; the page that left
 * the top is carried down, and at each level the carried page and the page
 * there compete: the one used again sooner stays, the other (the one the
 * cache of that size evicts) is carried on, until the referenced page's old
 * level takes it.  O(depth) per reference. */
#include <stdlib.h>

#include "machine.h"
#include "mrc_histogram.h"
#include "page_index.h"

/* Run the stack over the page references ids[0..count). */
static int opt_stack(const uint32_t *ids, const uint64_t *next, size_t count, uint32_t footprint,
                     uint64_t max_frames, struct mrc_histogram *histogram)
{
    uint64_t depth_max = max_frames && max_frames < footprint ? max_frames : footprint;
    uint32_t *stack = malloc(sizeof *stack * (depth_max ? depth_max : 1));
    uint64_t *position = malloc(sizeof *position * (footprint ? footprint : 1));
    uint64_t *next_use = malloc(sizeof *next_use * (footprint ? footprint : 1));
    int status = SIM_ERR_NOMEM;
    if (!stack || !position || !next_use)
        goto out;
    /* position[page] is 1-based; 0: not on the stack. */
    for (uint32_t page = 0; page < footprint; page++)
        position[page] = 0;
    uint64_t depth = 0;
    status = SIM_OK;
    for (size_t t = 0; !status && t < count; t++) {
        uint32_t page = ids[t];
        uint64_t level = position[page]; /* the distance, 0 if not on the stack */
        next_use[page] = next[t];
        status = mrc_histogram_add(histogram, level, 1);
        if (level == 1)
            continue;
        if (depth == 0) {
            stack[depth++] = page;
            position[page] = 1;
            continue;
        }
        uint32_t carried = stack[0];
        stack[0] = page;
        position[page] = 1;
        /* Where the carried page lands: the referenced page's old level,
         * else a new bottom one (past depth_max: it falls off). */
        uint64_t end = level ? level : depth + 1;
        for (uint64_t i = 2; i < end && i <= depth; i++) {
            uint32_t here = stack[i - 1];
            if (next_use[carried] < next_use[here]) {
                stack[i - 1] = carried;
                position[carried] = i;
                carried = here;
            }
        }
        if (end > depth_max) {
            position[carried] = 0;
            continue;
        }
        if (end > depth)
            depth = end;
        stack[end - 1] = carried;
        position[carried] = end;
    }
out:
    free(stack);
    free(position);
    free(next_use);
    return status;
}

int sim_mrc_opt(struct sim_mrc *curve, const struct sim_config *config,
                const struct sim_workload *workload, uint64_t max_frames, struct sim_diag *diag)
{
    *curve = (struct sim_mrc){.name = "opt", .sample_rate = 1};
    int status = sim_mrc_check_config(config, diag);
    if (status)
        return status;
    struct page_future future;
    struct mrc_histogram histogram;
    if (page_future_build(&future, config, true, workload->records, workload->count))
        return SIM_ERR_NOMEM;
    status = mrc_histogram_init(&histogram);
    if (!status) {
        status = opt_stack(future.ids, future.next, future.count, future.footprint, max_frames,
                           &histogram);
        curve->references = future.count;
        curve->footprint = max_frames && max_frames < future.footprint ? max_frames
                                                                       : future.footprint;
        if (!status)
            status = mrc_histogram_curve(&histogram, curve);
        mrc_histogram_free(&histogram);
    }
    page_future_free(&future);
    return status;
}
