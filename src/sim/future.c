/* future.c - what Belady's policy needs: for every page reference, when
 * the same page of the same process is referenced next.  One backward pass
 * over the references' page ids, remembering each page's nearest future
 * reference. */
#include <stdlib.h>

#include "future.h"
#include "machine.h"
#include "page_index.h"

int page_future_build(struct page_future *future, const struct sim_config *config,
                      bool valid_only, const struct sim_record *records, size_t count)
{
    *future = (struct page_future){0};
    struct page_walk walk;
    page_walk_init(&walk, config, valid_only);
    if (page_ids_build(&walk, records, count, &future->ids, &future->count, &future->footprint))
        return SIM_ERR_NOMEM;
    future->next = malloc(sizeof *future->next * (future->count ? future->count : 1));
    uint64_t *upcoming = malloc(sizeof *upcoming * (future->footprint ? future->footprint : 1));
    if (!future->next || !upcoming) {
        free(upcoming);
        page_future_free(future);
        return SIM_ERR_NOMEM;
    }
    for (uint32_t page = 0; page < future->footprint; page++)
        upcoming[page] = NEVER;
    for (size_t i = future->count; i-- > 0;) {
        /* Times are 1-based, as the machine's clock. */
        future->next[i] = upcoming[future->ids[i]];
        upcoming[future->ids[i]] = i + 1;
    }
    free(upcoming);
    return SIM_OK;
}

void page_future_free(struct page_future *future)
{
    free(future->ids);
    free(future->next);
    *future = (struct page_future){0};
}

int future_compute(const struct sim_machine *m, const struct sim_record *records, size_t count,
                   uint64_t **next_use, size_t *references)
{
    /* Every page reference ticks the machine's clock, also one that ends
     * in a protection fault. */
    struct page_future future;
    if (page_future_build(&future, &m->config, false, records, count))
        return SIM_ERR_NOMEM;
    *next_use = future.next;
    *references = future.count;
    free(future.ids);
    return SIM_OK;
}
