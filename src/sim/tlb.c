/* tlb.c - TLB fills, shootdowns and flushes (lookups are inline in tlb.h). */
#include <stdlib.h>
#include <string.h>

#include "mmkit/sim.h"
#include "random.h"
#include "tlb.h"

int tlb_init(struct tlb *tlb, unsigned entries, unsigned ways,
             enum tlb_replacement replacement, uint64_t seed)
{
    *tlb = (struct tlb){.replacement = replacement, .random_state = seed | 1};
    if (entries == 0)
        return SIM_OK;
    tlb->ways = ways;
    tlb->sets = entries / ways;
    tlb->entries = malloc(sizeof(struct tlb_entry) * entries);
    if (!tlb->entries)
        return SIM_ERR_NOMEM;
    tlb_flush(tlb);
    return SIM_OK;
}

void tlb_free(struct tlb *tlb)
{
    free(tlb->entries);
    tlb->entries = NULL;
}

bool tlb_replacement_parse(const char *name, enum tlb_replacement *out)
{
    static const char *const names[] = {"lru", "fifo", "random"};
    for (unsigned i = 0; i < 3; i++) {
        if (!strcmp(name, names[i])) {
            *out = (enum tlb_replacement)i;
            return true;
        }
    }
    return false;
}

void tlb_insert(struct tlb *tlb, uint16_t asid, uint64_t vpn, uint64_t *pte)
{
    struct tlb_entry *set = &tlb->entries[(vpn & (tlb->sets - 1)) * tlb->ways];
    unsigned chosen = 0;
    for (unsigned way = 0; way < tlb->ways; way++) {
        if (set[way].vpn == TLB_INVALID_VPN) {
            chosen = way;
            goto fill;
        }
        if (set[way].stamp < set[chosen].stamp)
            chosen = way;
    }
    /* A full set: lru and fifo both evict the smallest stamp. */
    if (tlb->replacement == TLB_RANDOM)
        chosen = (unsigned)(random_next(&tlb->random_state) % tlb->ways);
fill:
    set[chosen] = (struct tlb_entry){.vpn = vpn, .pte = pte, .stamp = ++tlb->clock, .asid = asid};
    tlb->last = &set[chosen];
}

void tlb_invalidate(struct tlb *tlb, uint16_t asid, uint64_t vpn)
{
    if (!tlb->sets)
        return;
    struct tlb_entry *set = &tlb->entries[(vpn & (tlb->sets - 1)) * tlb->ways];
    for (unsigned way = 0; way < tlb->ways; way++)
        if (set[way].vpn == vpn && set[way].asid == asid)
            set[way].vpn = TLB_INVALID_VPN;
}

void tlb_flush(struct tlb *tlb)
{
    tlb->last = tlb->entries;
    for (unsigned i = 0; i < tlb->sets * tlb->ways; i++)
        tlb->entries[i] = (struct tlb_entry){.vpn = TLB_INVALID_VPN};
}
