/* shared_pages.h - pages that several processes map, or that a file
 * backs (shared_pages.c): each is resident at most once, in one frame that
 * every process mapping it points to, and lives in swap or in its file
 * while it is not. */
#ifndef MMKIT_SIM_SHARED_PAGES_H
#define MMKIT_SIM_SHARED_PAGES_H

#include <stdbool.h>
#include <stdint.h>

/* A process's entry for a shared page. */
struct shared_mapper {
    uint64_t *pte;
    uint64_t vpn;
    uint16_t pid;
};

struct shared_page {
    uint64_t key;         /* shared_page_key */
    bool resident;        /* in frame */
    bool file_backed;     /* leaves to its file (dirty) or is dropped (clean), not swap */
    bool in_swap;         /* not file-backed: swap holds it */
    uint64_t frame;
    unsigned count, capacity;
    struct shared_mapper *mapper; /* the processes mapping it while resident */
};

struct shared_pages {
    struct shared_page **pages; /* by hash, open addressing; NULL: empty */
    uint64_t capacity, count;
};

/* A page's identity: the shared region or file it belongs to (a segment's
 * shared id, or 1 << 16 plus its file's index), and its page number in it. */
static inline uint64_t shared_page_key(unsigned source, uint64_t page)
{
    return (uint64_t)source << 40 | page;
}

/* The page with this key, made (not resident) if new; NULL if out of memory. */
struct shared_page *shared_pages_find(struct shared_pages *table, uint64_t key,
                                      bool file_backed);
/* One more process maps the resident page: false if out of memory. */
bool shared_page_map(struct shared_page *page, uint64_t *pte, uint64_t vpn, uint16_t pid);
void shared_pages_free(struct shared_pages *table);

#endif
