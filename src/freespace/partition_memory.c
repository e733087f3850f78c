/* partition_memory.c - where a job goes in memory.  Dynamic partitions
 * are blocks of a free-space heap: the policy (policy.h) keeps the holes,
 * in address order with coalescing, and its fit picks one.  Fixed
 * partitions are cut once; a job takes the smallest free one that holds
 * it, the lowest of those if several are as small, and all of it.
 * Either way memory keeps the resident jobs' regions, by address. */
#include <stdlib.h>
#include <string.h>

#include "partition.h"

int memory_init(struct partition_memory *m, const struct partition_config *config)
{
    *m = (struct partition_memory){.config = config};
    if (config->fixed)
        return SIM_OK;
    m->policy = freespace_policy_find(&config->heap, &m->fit);
    m->holes = m->policy->create(&config->heap, m->fit);
    return m->holes ? SIM_OK : SIM_ERR_NOMEM;
}

void memory_fini(struct partition_memory *m)
{
    if (m->policy)
        m->policy->destroy(m->holes);
    free(m->regions);
    free(m->scratch);
}

static int add_region(struct partition_memory *m, struct region region)
{
    struct region *regions =
        partition_room(m->regions, &m->region_capacity, m->region_count + 1, sizeof *regions);
    if (!regions)
        return SIM_ERR_NOMEM;
    m->regions = regions;
    size_t i = m->region_count;
    for (; i > 0 && m->regions[i - 1].addr > region.addr; i--)
        m->regions[i] = m->regions[i - 1];
    m->regions[i] = region;
    m->region_count++;
    m->held += region.held;
    return SIM_OK;
}

static void place_dynamic(struct partition_memory *m, uint64_t size, struct placement *p)
{
    struct freespace_result r = {.holes = m->policy->holes(m->holes, NULL, 0)};
    m->policy->place(m->holes, size, &r);
    *p = (struct placement){.placed = !r.failed, .addr = r.block, .held = r.block_size,
                            .searched = r.searched, .hole = r.hole};
}

/* The smallest free partition that holds size bytes. */
static void place_fixed(struct partition_memory *m, uint64_t size, struct placement *p)
{
    const struct partition_config *c = m->config;
    *p = (struct placement){0};
    for (size_t i = 0; i < c->fixed; i++) {
        if (m->busy[i])
            continue;
        p->searched++;
        struct freespace_hole partition = {partition_fixed_address(c, i), c->fixed_size[i]};
        bool holds = partition.size >= size;
        if (holds && (!p->placed || partition.size < p->hole.size)) {
            p->placed = true;
            p->partition = i;
            p->hole = partition;
        } else if (!p->placed && partition.size > p->hole.size) {
            p->hole = partition; /* the largest, to say why none holds it */
        }
    }
    if (p->placed) {
        m->busy[p->partition] = true;
        p->addr = p->hole.addr;
        p->held = p->hole.size;
    }
}

int memory_place(struct partition_memory *m, size_t job, uint64_t size, struct placement *p)
{
    if (m->config->fixed)
        place_fixed(m, size, p);
    else
        place_dynamic(m, size, p);
    return p->placed ? add_region(m, (struct region){p->addr, p->held, job}) : SIM_OK;
}

int memory_release(struct partition_memory *m, size_t job)
{
    size_t i = 0;
    while (m->regions[i].job != job)
        i++;
    struct region gone = m->regions[i];
    memmove(&m->regions[i], &m->regions[i + 1], sizeof gone * (m->region_count - i - 1));
    m->region_count--;
    m->held -= gone.held;
    for (size_t k = 0; k < m->config->fixed; k++)
        if (partition_fixed_address(m->config, k) == gone.addr)
            m->busy[k] = false;
    if (m->config->fixed)
        return SIM_OK;
    struct freespace_result r = {0};
    return m->policy->release(m->holes, gone.addr, gone.held, &r);
}

int memory_compact(struct partition_memory *m)
{
    /* Memory with one hole, all of it: whatever the fit, each region in
     * turn is carved from that hole's front. */
    void *fresh = m->policy->create(&m->config->heap, m->fit);
    if (!fresh)
        return SIM_ERR_NOMEM;
    m->policy->destroy(m->holes);
    m->holes = fresh;
    for (size_t i = 0; i < m->region_count; i++) {
        struct freespace_result r = {.holes = 1};
        m->policy->place(m->holes, m->regions[i].held, &r);
        m->regions[i].addr = r.block;
    }
    return SIM_OK;
}

const struct freespace_hole *memory_holes(struct partition_memory *m, size_t *count)
{
    const struct partition_config *c = m->config;
    size_t n = c->fixed ? c->fixed : m->policy->holes(m->holes, NULL, 0);
    struct freespace_hole *scratch =
        partition_room(m->scratch, &m->scratch_capacity, n, sizeof *scratch);
    if (!scratch)
        return NULL;
    m->scratch = scratch;
    if (!c->fixed) {
        *count = m->policy->holes(m->holes, m->scratch, n);
        return m->scratch;
    }
    *count = 0;
    for (size_t i = 0; i < c->fixed; i++)
        if (!m->busy[i])
            m->scratch[(*count)++] = (struct freespace_hole){partition_fixed_address(c, i),
                                                             c->fixed_size[i]};
    return m->scratch;
}

uint64_t memory_largest(const struct partition_memory *m)
{
    if (!m->config->fixed)
        return m->policy->largest(m->holes);
    uint64_t largest = 0;
    for (size_t i = 0; i < m->config->fixed; i++)
        if (!m->busy[i] && m->config->fixed_size[i] > largest)
            largest = m->config->fixed_size[i];
    return largest;
}

uint64_t memory_free(const struct partition_memory *m)
{
    return m->config->heap.size - m->held;
}

uint64_t memory_room_without(struct partition_memory *m, size_t i, bool compacting)
{
    struct region r = m->regions[i];
    if (m->config->fixed)
        return r.held;
    if (compacting)
        return memory_free(m) + r.held;
    /* Its region, merged with the holes on either side. */
    size_t count;
    const struct freespace_hole *holes = memory_holes(m, &count);
    uint64_t room = r.held;
    for (size_t k = 0; holes && k < count; k++)
        if (holes[k].addr + holes[k].size == r.addr || holes[k].addr == r.addr + r.held)
            room += holes[k].size;
    return room;
}
