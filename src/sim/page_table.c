/* page_table.c - allocation and walks of multi-level page tables. */
#include <stdlib.h>

#include "page_table.h"

const struct pte_bit_name pte_bit_names[PTE_NAMED_BITS] = {
    {PTE_PRESENT, "present"},   {PTE_WRITABLE, "writable"}, {PTE_USER, "user"},
    {PTE_ACCESSED, "accessed"}, {PTE_DIRTY, "dirty"},       {PTE_NO_EXEC, "no-execute"},
    {PTE_IN_SWAP, "in-swap"},
};

/* A table, with its place among this address space's tables in the word
 * before it (page_table_place). */
static void *table_alloc(struct page_table *table, unsigned level)
{
    /* Interior entries are pointers, leaf entries 64-bit words: both 8 bytes. */
    uint64_t entries = table->mask[level] + 1;
    uint64_t *node = calloc(entries + 1, sizeof(uint64_t));
    if (!node)
        return NULL;
    node[0] = table->bytes;
    table->bytes += entries * sizeof(uint64_t);
    return node + 1;
}

int page_table_init(struct page_table *table, unsigned levels, const unsigned *bits)
{
    *table = (struct page_table){.levels = levels};
    unsigned shift = 0;
    for (unsigned level = levels; level-- > 0;) {
        table->shift[level] = shift;
        table->mask[level] = (1ull << bits[level]) - 1;
        shift += bits[level];
    }
    table->root = table_alloc(table, 0);
    return table->root ? SIM_OK : SIM_ERR_NOMEM;
}

static void node_free(void *node, const struct page_table *table, unsigned level)
{
    if (!node)
        return;
    if (level + 1 < table->levels) {
        void **children = node;
        for (uint64_t i = 0; i <= table->mask[level]; i++)
            node_free(children[i], table, level + 1);
    }
    free((uint64_t *)node - 1);
}

void page_table_free(struct page_table *table)
{
    node_free(table->root, table, 0);
    table->root = NULL;
}

uint64_t *page_table_make(struct page_table *table, uint64_t vpn)
{
    void *node = table->root;
    for (unsigned level = 0; level + 1 < table->levels; level++) {
        void **slot = &((void **)node)[(vpn >> table->shift[level]) & table->mask[level]];
        if (!*slot && !(*slot = table_alloc(table, level + 1)))
            return NULL;
        node = *slot;
    }
    return &((uint64_t *)node)[vpn & table->mask[table->levels - 1]];
}

void page_table_indices(const struct page_table *table, uint64_t vpn, uint64_t *indices)
{
    for (unsigned level = 0; level < table->levels; level++)
        indices[level] = (vpn >> table->shift[level]) & table->mask[level];
}
