/* mrc_ws.c - Denning's working set W(t, tau): the pages referenced in the
 * tau references up to and including t.  Both of its curves come from the
 * gaps between references to the same page, in one pass:
 *  - the reference at time t keeps its page in the working set from t
 *    until its next reference or tau references later, whichever comes
 *    first, so the sum of |W(t, tau)| over t is the sum over references of
 *    min(tau, forward gap), a gap running to the end of the trace for a
 *    page's last reference;
 *  - the reference faults when its page is outside W(t - 1, tau): its
 *    backward gap exceeds tau, or it is the page's first.
 * Each gap lands in the bucket of the first window at least as large, so
 * the cost is O(log windows) per reference. */
#include <stdlib.h>

#include "machine.h"
#include "mmkit/mrc.h"
#include "page_index.h"

/* Sums over the gaps g falling between taus[i - 1] and taus[i]. */
struct gap_bucket {
    uint64_t forward_count;   /* forward gaps with taus[i-1] < g <= taus[i] */
    double forward_sum;       /* their sum */
    uint64_t backward_count;  /* backward gaps with taus[i-1] < g <= taus[i] */
};

/* The first window at least `gap` long; count if none. */
static size_t bucket_of(const uint64_t *taus, size_t count, uint64_t gap)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (taus[mid] < gap)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

int sim_working_set(struct sim_working_set *ws, const struct sim_config *config,
                    const struct sim_workload *workload, const uint64_t *taus, size_t count,
                    struct sim_diag *diag)
{
    *ws = (struct sim_working_set){.count = count};
    int status = sim_mrc_check_config(config, diag);
    if (status)
        return status;
    struct page_future future;
    if (page_future_build(&future, config, true, workload->records, workload->count))
        return SIM_ERR_NOMEM;
    size_t n = future.count;
    uint64_t *last = calloc(future.footprint ? future.footprint : 1, sizeof *last);
    struct gap_bucket *buckets = calloc(count + 1, sizeof *buckets);
    ws->tau = malloc(sizeof *ws->tau * (count ? count : 1));
    ws->mean_size = malloc(sizeof *ws->mean_size * (count ? count : 1));
    ws->faults = malloc(sizeof *ws->faults * (count ? count : 1));
    status = SIM_ERR_NOMEM;
    if (!last || !buckets || !ws->tau || !ws->mean_size || !ws->faults)
        goto out;
    uint64_t first_references = 0;
    for (size_t t = 1; t <= n; t++) {
        uint32_t page = future.ids[t - 1];
        uint64_t next = future.next[t - 1];
        uint64_t forward = (next == NEVER ? n + 1 : next) - t;
        struct gap_bucket *f = &buckets[bucket_of(taus, count, forward)];
        f->forward_count++;
        f->forward_sum += (double)forward;
        if (last[page])
            buckets[bucket_of(taus, count, t - last[page])].backward_count++;
        else
            first_references++;
        last[page] = t;
    }
    /* With window taus[i]: gaps up to it count whole, longer ones count
     * tau; backward gaps longer than it fault. */
    double below_sum = 0;
    uint64_t forward_above = n, backward_above = n - first_references;
    for (size_t i = 0; i < count; i++) {
        below_sum += buckets[i].forward_sum;
        forward_above -= buckets[i].forward_count;
        backward_above -= buckets[i].backward_count;
        ws->tau[i] = taus[i];
        ws->mean_size[i] = n ? (below_sum + (double)taus[i] * (double)forward_above) / (double)n : 0;
        ws->faults[i] = first_references + backward_above;
    }
    ws->references = n;
    status = SIM_OK;
out:
    page_future_free(&future);
    free(last);
    free(buckets);
    if (status)
        sim_working_set_free(ws);
    return status;
}

void sim_working_set_free(struct sim_working_set *ws)
{
    free(ws->tau);
    free(ws->mean_size);
    free(ws->faults);
    *ws = (struct sim_working_set){0};
}
