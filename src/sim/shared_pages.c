/* shared_pages.c - the table of shared and file-backed pages (shared_pages.h). */
#include <stdlib.h>

#include "shared_pages.h"

static uint64_t slot_of(uint64_t key, uint64_t capacity)
{
    return (key * 0x9e3779b97f4a7c15ull >> 17) & (capacity - 1);
}

static bool grow(struct shared_pages *table)
{
    uint64_t capacity = table->capacity ? table->capacity * 2 : 64;
    struct shared_page **pages = calloc(capacity, sizeof *pages);
    if (!pages)
        return false;
    for (uint64_t i = 0; i < table->capacity; i++) {
        struct shared_page *page = table->pages[i];
        if (!page)
            continue;
        uint64_t slot = slot_of(page->key, capacity);
        while (pages[slot])
            slot = (slot + 1) & (capacity - 1);
        pages[slot] = page;
    }
    free(table->pages);
    table->pages = pages;
    table->capacity = capacity;
    return true;
}

struct shared_page *shared_pages_find(struct shared_pages *table, uint64_t key,
                                      bool file_backed)
{
    if ((table->count + 1) * 2 > table->capacity && !grow(table))
        return NULL;
    uint64_t slot = slot_of(key, table->capacity);
    for (; table->pages[slot]; slot = (slot + 1) & (table->capacity - 1))
        if (table->pages[slot]->key == key)
            return table->pages[slot];
    struct shared_page *page = calloc(1, sizeof *page);
    if (!page)
        return NULL;
    *page = (struct shared_page){.key = key, .file_backed = file_backed};
    table->pages[slot] = page;
    table->count++;
    return page;
}

bool shared_page_map(struct shared_page *page, uint64_t *pte, uint64_t vpn, uint16_t pid)
{
    if (page->count == page->capacity) {
        unsigned capacity = page->capacity ? page->capacity * 2 : 2;
        struct shared_mapper *mapper = realloc(page->mapper, capacity * sizeof *mapper);
        if (!mapper)
            return false;
        page->mapper = mapper;
        page->capacity = capacity;
    }
    page->mapper[page->count++] = (struct shared_mapper){.pte = pte, .vpn = vpn, .pid = pid};
    return true;
}

void shared_pages_free(struct shared_pages *table)
{
    for (uint64_t i = 0; i < table->capacity; i++)
        if (table->pages[i]) {
            free(table->pages[i]->mapper);
            free(table->pages[i]);
        }
    free(table->pages);
    *table = (struct shared_pages){0};
}
