/* page_index.c - an open-addressing hash table from (process, page) to a
 * dense id, kept at most half full. */
#include <stdlib.h>

#include "page_index.h"

int page_index_init(struct page_index *index)
{
    *index = (struct page_index){.mask = 1023};
    index->slots = calloc(index->mask + 1, sizeof *index->slots);
    return index->slots ? SIM_OK : SIM_ERR_NOMEM;
}

void page_index_free(struct page_index *index)
{
    free(index->slots);
    *index = (struct page_index){0};
}

static struct page_slot *slot_of(struct page_slot *slots, size_t mask, uint64_t vpn,
                                 uint32_t pid_plus_one, uint64_t hash)
{
    size_t i = (size_t)hash & mask;
    while (slots[i].pid_plus_one && (slots[i].vpn != vpn || slots[i].pid_plus_one != pid_plus_one))
        i = (i + 1) & mask;
    return &slots[i];
}

static int grow(struct page_index *index)
{
    size_t mask = index->mask * 2 + 1;
    struct page_slot *slots = calloc(mask + 1, sizeof *slots);
    if (!slots)
        return SIM_ERR_NOMEM;
    for (size_t i = 0; i <= index->mask; i++) {
        const struct page_slot *old = &index->slots[i];
        if (old->pid_plus_one)
            *slot_of(slots, mask, old->vpn, old->pid_plus_one,
                     page_hash(old->vpn, (uint16_t)(old->pid_plus_one - 1))) = *old;
    }
    free(index->slots);
    index->slots = slots;
    index->mask = mask;
    return SIM_OK;
}

int page_index_probe(struct page_index *index, uint64_t vpn, uint16_t pid, uint64_t hash,
                     uint32_t *id)
{
    struct page_slot *slot = slot_of(index->slots, index->mask, vpn, pid + 1u, hash);
    if (!slot->pid_plus_one) {
        if ((size_t)index->count * 2 >= index->mask) {
            if (grow(index))
                return SIM_ERR_NOMEM;
            slot = slot_of(index->slots, index->mask, vpn, pid + 1u, hash);
        }
        *slot = (struct page_slot){.vpn = vpn, .pid_plus_one = pid + 1u, .id = index->count++};
    }
    *id = slot->id;
    return SIM_OK;
}

void page_walk_init(struct page_walk *walk, const struct sim_config *config, bool valid_only)
{
    *walk = (struct page_walk){.split = config->split_straddling};
    while ((1ull << walk->shift) < config->page_size)
        walk->shift++;
    uint64_t top = config->address_bits >= 64 ? UINT64_MAX : (1ull << config->address_bits) - 1;
    walk->max_vpn = valid_only ? top >> walk->shift : UINT64_MAX;
}

int page_ids_build(const struct page_walk *walk, const struct sim_record *records, size_t count,
                   uint32_t **ids, size_t *references, uint32_t *footprint)
{
    struct page_index index;
    size_t cap = count ? count : 1, n = 0;
    uint32_t *out = malloc(sizeof *out * cap);
    if (!out || page_index_init(&index)) {
        free(out);
        return SIM_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        uint64_t vpns[2];
        unsigned pages = page_walk_record(walk, &records[i], vpns);
        if (n + pages > cap) {
            uint32_t *bigger = realloc(out, sizeof *out * (cap *= 2));
            if (!bigger)
                goto nomem;
            out = bigger;
        }
        for (unsigned k = 0; k < pages; k++)
            if (page_index_id(&index, vpns[k], records[i].pid, page_hash(vpns[k], records[i].pid),
                              &out[n++]))
                goto nomem;
    }
    *ids = out;
    *references = n;
    *footprint = index.count;
    page_index_free(&index);
    return SIM_OK;
nomem:
    free(out);
    page_index_free(&index);
    return SIM_ERR_NOMEM;
}
