/* future.c - what Belady's policy needs: for every page reference, when
 * the same page of the same process is referenced next.  One backward pass
 * over the references with a hash table from page to its latest (in the
 * pass: nearest future) reference. */
#include <stdlib.h>

#include "machine.h"

struct page_key {
    uint64_t vpn;
    uint64_t pid_plus_one; /* 0 marks an empty slot */
    uint64_t next;         /* time of the nearest later reference */
};

struct page_map {
    struct page_key *slots;
    size_t mask, used;
};

static size_t key_hash(uint64_t vpn, uint64_t pid)
{
    uint64_t h = (vpn ^ (pid << 48)) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17);
}

static struct page_key *map_slot(struct page_map *map, uint64_t vpn, uint64_t pid)
{
    size_t i = key_hash(vpn, pid) & map->mask;
    while (map->slots[i].pid_plus_one &&
           (map->slots[i].vpn != vpn || map->slots[i].pid_plus_one != pid + 1))
        i = (i + 1) & map->mask;
    return &map->slots[i];
}

/* Keep the table at most half full. */
static int map_grow(struct page_map *map)
{
    struct page_map bigger = {.mask = map->mask * 2 + 1};
    bigger.slots = calloc(bigger.mask + 1, sizeof *bigger.slots);
    if (!bigger.slots)
        return SIM_ERR_NOMEM;
    for (size_t i = 0; i <= map->mask; i++) {
        const struct page_key *old = &map->slots[i];
        if (old->pid_plus_one)
            *map_slot(&bigger, old->vpn, old->pid_plus_one - 1) = *old;
    }
    bigger.used = map->used;
    free(map->slots);
    *map = bigger;
    return SIM_OK;
}

/* The page of reference number i (0-based) among records, in run order. */
static void reference_pages(const struct sim_machine *m, const struct sim_record *records,
                            size_t count, uint64_t *vpns, uint16_t *pids)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t vpn;
        unsigned pages = record_pages(m, &records[i], &vpn);
        for (unsigned k = 0; k < pages; k++) {
            vpns[n] = vpn + k;
            pids[n++] = records[i].pid;
        }
    }
}

int future_compute(const struct sim_machine *m, const struct sim_record *records, size_t count,
                   uint64_t **next_use, size_t *references)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t vpn;
        n += record_pages(m, &records[i], &vpn);
    }
    uint64_t *next = malloc(sizeof *next * (n ? n : 1));
    uint64_t *vpns = malloc(sizeof *vpns * (n ? n : 1));
    uint16_t *pids = malloc(sizeof *pids * (n ? n : 1));
    struct page_map map = {.mask = 1023};
    map.slots = calloc(map.mask + 1, sizeof *map.slots);
    int status = SIM_ERR_NOMEM;
    if (!next || !vpns || !pids || !map.slots)
        goto out;
    reference_pages(m, records, count, vpns, pids);
    for (size_t i = n; i-- > 0;) {
        if (map.used * 2 > map.mask && map_grow(&map))
            goto out;
        struct page_key *key = map_slot(&map, vpns[i], pids[i]);
        if (!key->pid_plus_one) {
            *key = (struct page_key){.vpn = vpns[i], .pid_plus_one = pids[i] + 1ull, .next = NEVER};
            map.used++;
        }
        /* Times are 1-based, as the machine's clock. */
        next[i] = key->next;
        key->next = i + 1;
    }
    *next_use = next;
    *references = n;
    next = NULL;
    status = SIM_OK;
out:
    free(next);
    free(vpns);
    free(pids);
    free(map.slots);
    return status;
}
