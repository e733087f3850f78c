/* mrc_lru.c - the exact LRU miss-ratio curve in one pass: LRU keeps the
 * f most recently used pages in f frames, so a reference hits with f
 * frames exactly when its stack distance is at most f (Mattson et al.,
 * 1970). */
#include <stdint.h>

#include "mrc_histogram.h"
#include "page_index.h"
#include "reuse.h"

int sim_mrc_lru(struct sim_mrc *curve, const struct sim_config *config,
                const struct sim_workload *workload, struct sim_diag *diag)
{
    *curve = (struct sim_mrc){.name = "lru", .sample_rate = 1};
    int status = sim_mrc_check_config(config, diag);
    if (status)
        return status;
    struct page_walk walk;
    page_walk_init(&walk, config, true);
    struct page_index index;
    struct reuse reuse;
    struct mrc_histogram histogram;
    int a = page_index_init(&index), b = reuse_init(&reuse), c = mrc_histogram_init(&histogram);
    status = a ? a : b ? b : c;
    /* The page referenced last: references to it again (most of a real
     * trace's) are at distance 1 and need no look-up. */
    uint64_t last_vpn = UINT64_MAX;
    uint16_t last_pid = 0;
    uint64_t repeats = 0;
    for (size_t i = 0; !status && i < workload->count; i++) {
        const struct sim_record *r = &workload->records[i];
        uint64_t vpns[2];
        unsigned pages = page_walk_record(&walk, r, vpns);
        for (unsigned k = 0; !status && k < pages; k++) {
            curve->references++;
            if (vpns[k] == last_vpn && r->pid == last_pid) {
                repeats++;
                continue;
            }
            last_vpn = vpns[k];
            last_pid = r->pid;
            uint32_t id;
            uint64_t distance;
            status = page_index_id(&index, vpns[k], r->pid, page_hash(vpns[k], r->pid), &id);
            if (!status)
                status = reuse_touch(&reuse, id, &distance);
            if (!status)
                status = mrc_histogram_add(&histogram, distance, 1);
        }
    }
    if (!status && repeats)
        status = mrc_histogram_add(&histogram, 1, (double)repeats);
    curve->footprint = index.count;
    if (!status)
        status = mrc_histogram_curve(&histogram, curve);
    page_index_free(&index);
    reuse_free(&reuse);
    mrc_histogram_free(&histogram);
    return status;
}
