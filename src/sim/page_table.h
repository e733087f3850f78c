/* page_table.h - a multi-level (or linear) page table of one address space.
 *
 * Entries are 64-bit words with x86's bit positions for the hardware bits
 * and one software bit.  A linear table is the one-level case: it is
 * allocated whole, as hardware that walks it would need. */
#ifndef MMKIT_SIM_PAGE_TABLE_H
#define MMKIT_SIM_PAGE_TABLE_H

#include <stdint.h>

#include "mmkit/sim.h"

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITABLE (1ull << 1)
#define PTE_USER (1ull << 2)
#define PTE_ACCESSED (1ull << 5)
#define PTE_DIRTY (1ull << 6)
#define PTE_IN_SWAP (1ull << 9) /* software: swap holds a copy of the page */
#define PTE_NO_EXEC (1ull << 63)
#define PTE_FRAME_SHIFT 12
#define PTE_FRAME_MASK ((1ull << 40) - 1)

/* The entry's bits by name, in the order --explain and its JSON list them. */
#define PTE_NAMED_BITS 7
extern const struct pte_bit_name {
    uint64_t bit;
    const char *name;
} pte_bit_names[PTE_NAMED_BITS];

static inline uint64_t pte_frame(uint64_t pte)
{
    return (pte >> PTE_FRAME_SHIFT) & PTE_FRAME_MASK;
}

/* Invariant: interior tables (levels 0 .. levels-2) hold pointers to the
 * next level or NULL; the last level holds entries.  Tables are never freed
 * before the whole table, so a pointer to an entry stays valid (the TLB
 * keeps such pointers). */
struct page_table {
    unsigned levels;
    unsigned shift[SIM_MAX_LEVELS]; /* where a level's index starts in the page number */
    uint64_t mask[SIM_MAX_LEVELS];  /* (1 << bits) - 1 */
    void *root;
    uint64_t bytes;                 /* memory of the tables allocated, root included */
};

/* 0, or SIM_ERR_NOMEM. */
int page_table_init(struct page_table *table, unsigned levels, const unsigned *bits);
void page_table_free(struct page_table *table);

/* The entry of page vpn, or NULL if a table on the way is missing.
 * *reads counts the table entries read on the way (a walk's memory reads). */
static inline uint64_t *page_table_find(const struct page_table *table, uint64_t vpn,
                                        unsigned *reads)
{
    void *node = table->root;
    for (unsigned level = 0; level + 1 < table->levels; level++) {
        node = ((void **)node)[(vpn >> table->shift[level]) & table->mask[level]];
        if (!node) {
            *reads = level + 1;
            return NULL;
        }
    }
    *reads = table->levels;
    return &((uint64_t *)node)[vpn & table->mask[table->levels - 1]];
}

/* Where a table's entry lies among the address space's tables, in bytes
 * from the first: tables are laid out in the order they were made. */
static inline uint64_t page_table_place(const void *node, uint64_t index)
{
    return ((const uint64_t *)node)[-1] + index * sizeof(uint64_t);
}

/* page_table_find, also telling where each entry read lies (places[level],
 * page_table_place), for caches that see the walk's reads. */
static inline uint64_t *page_table_walk(const struct page_table *table, uint64_t vpn,
                                        unsigned *reads, uint64_t *places)
{
    void *node = table->root;
    for (unsigned level = 0; level + 1 < table->levels; level++) {
        uint64_t index = (vpn >> table->shift[level]) & table->mask[level];
        places[level] = page_table_place(node, index);
        node = ((void **)node)[index];
        if (!node) {
            *reads = level + 1;
            return NULL;
        }
    }
    uint64_t index = vpn & table->mask[table->levels - 1];
    places[table->levels - 1] = page_table_place(node, index);
    *reads = table->levels;
    return &((uint64_t *)node)[index];
}

/* The entry of page vpn, allocating missing tables; NULL if out of memory. */
uint64_t *page_table_make(struct page_table *table, uint64_t vpn);

/* The index into each level for vpn, root first. */
void page_table_indices(const struct page_table *table, uint64_t vpn, uint64_t *indices);

#endif
