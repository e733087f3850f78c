/* slab_cache.c - objects in slabs, slabs in pages (slab_cache.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "slab_cache.h"

#define NONE UINT32_MAX
#define LARGE SLAB_MAX_CACHES

static const char *const list_names[] = {"full", "partial", "empty", "none"};

void slab_heap_destroy(void *state)
{
    struct slab_heap *h = state;
    if (!h)
        return;
    for (uint32_t i = 0; i < h->slab_count; i++)
        free(h->slab[i].free_bits);
    free(h->slab);
    free(h->slab_at);
    if (h->runs)
        freespace_policy_tree.destroy(h->runs);
    free(h);
}

struct slab_heap *slab_heap_create(const struct freespace_config *config,
                                   const struct slab_rules *rules)
{
    uint64_t pages = config->size / rules->page;
    struct slab_heap *h = calloc(1, sizeof *h);
    if (!h || pages > UINT32_MAX) {
        free(h);
        return NULL;
    }
    h->rules = *rules;
    h->base = config->base;
    h->pages = pages;
    h->heap_tail = h->overhead = config->size - pages * rules->page;
    h->spare = NONE;
    for (size_t c = 0; c < SLAB_MAX_CACHES; c++) {
        h->cache[c].current = NONE;
        for (int l = 0; l < SLAB_LISTS; l++)
            h->cache[c].head[l] = NONE;
    }
    struct freespace_config runs = *config;
    runs.size = pages * rules->page;
    runs.coalesce = true;
    runs.min_split = 1;
    h->slab_at = calloc(pages ? pages : 1, sizeof *h->slab_at);
    if (!h->slab_at || (pages && !(h->runs = freespace_policy_tree.create(&runs, FIT_FIRST)))) {
        slab_heap_destroy(h);
        return NULL;
    }
    return h;
}

/* ---- a cache's lists of slabs ------------------------------------------------ */

static void list_remove(struct slab_heap *h, uint32_t s)
{
    struct slab *slab = &h->slab[s];
    uint32_t *head = &h->cache[slab->cache].head[slab->list];
    if (slab->prev != NONE)
        h->slab[slab->prev].next = slab->next;
    else
        *head = slab->next;
    if (slab->next != NONE)
        h->slab[slab->next].prev = slab->prev;
    slab->list = SLAB_NONE;
}

static void list_push(struct slab_heap *h, uint32_t s, enum slab_list list)
{
    struct slab *slab = &h->slab[s];
    uint32_t *head = &h->cache[slab->cache].head[list];
    slab->list = list;
    slab->prev = NONE;
    slab->next = *head;
    if (*head != NONE)
        h->slab[*head].prev = s;
    *head = s;
}

static enum slab_list list_by_use(const struct slab *slab)
{
    return slab->used == slab->capacity ? SLAB_FULL : slab->used ? SLAB_PARTIAL : SLAB_EMPTY;
}

/* ---- pages --------------------------------------------------------------- */

static uint64_t page_index(const struct slab_heap *h, uint64_t addr)
{
    return (addr - h->base) / h->rules.page;
}

/* Take pages for a slab of the cache from the free runs: its record, or
 * NONE when no run holds them.  0 or SIM_ERR_NOMEM in *status. */
static uint32_t take_pages(struct slab_heap *h, size_t cache, uint64_t pages, int *status)
{
    struct freespace_result run = {.holes = freespace_policy_tree.holes(h->runs, NULL, 0)};
    *status = freespace_policy_tree.place(h->runs, pages * h->rules.page, &run);
    if (*status || run.failed)
        return NONE;
    uint32_t s = h->spare;
    if (s != NONE) {
        h->spare = h->slab[s].next;
    } else if (h->slab_count == h->slab_capacity) {
        uint32_t capacity = h->slab_capacity ? h->slab_capacity * 2 : 16;
        struct slab *grown = realloc(h->slab, sizeof *grown * capacity);
        if (!grown) {
            freespace_policy_tree.release(h->runs, run.block, run.block_size, &run);
            *status = SIM_ERR_NOMEM;
            return NONE;
        }
        h->slab = grown;
        h->slab_capacity = capacity;
        s = h->slab_count++;
    } else {
        s = h->slab_count++;
    }
    uint64_t object = cache == LARGE ? run.block_size : h->rules.object_size[cache];
    struct slab *slab = &h->slab[s];
    *slab = (struct slab){.addr = run.block, .size = run.block_size, .cache = cache,
                          .capacity = run.block_size / object, .list = SLAB_NONE};
    if (cache != LARGE) {
        uint64_t words = (slab->capacity + 63) / 64;
        slab->free_bits = malloc(sizeof *slab->free_bits * words);
        if (!slab->free_bits) {
            freespace_policy_tree.release(h->runs, run.block, run.block_size, &run);
            slab->next = h->spare;
            h->spare = s;
            *status = SIM_ERR_NOMEM;
            return NONE;
        }
        memset(slab->free_bits, 0xff, sizeof *slab->free_bits * words);
        if (slab->capacity % 64)
            slab->free_bits[words - 1] = ((uint64_t)1 << (slab->capacity % 64)) - 1;
        h->free_objects += slab->capacity;
    }
    h->overhead += slab->size - slab->capacity * object;
    for (uint64_t p = page_index(h, slab->addr); p < page_index(h, slab->addr + slab->size); p++)
        h->slab_at[p] = s + 1;
    if (slab->addr + slab->size - h->base > h->footprint)
        h->footprint = slab->addr + slab->size - h->base;
    return s;
}

/* Give a slab's pages back to the free runs, and its record to the spares. */
static int give_back(struct slab_heap *h, uint32_t s)
{
    struct slab *slab = &h->slab[s];
    struct freespace_result run = {0};
    uint64_t object = slab->cache == LARGE ? slab->size : h->rules.object_size[slab->cache];
    if (slab->list != SLAB_NONE)
        list_remove(h, s);
    if (slab->cache != LARGE && h->cache[slab->cache].current == s)
        h->cache[slab->cache].current = NONE;
    h->overhead -= slab->size - slab->capacity * object;
    h->free_objects -= slab->capacity - slab->used;
    for (uint64_t p = page_index(h, slab->addr); p < page_index(h, slab->addr + slab->size); p++)
        h->slab_at[p] = 0;
    free(slab->free_bits);
    slab->free_bits = NULL;
    slab->next = h->spare;
    h->spare = s;
    return freespace_policy_tree.release(h->runs, slab->addr, slab->size, &run);
}

/* Pages for a new slab, reaping the empty slabs of every cache if the
 * free runs cannot hold it as they are. */
static uint32_t new_slab(struct slab_heap *h, size_t cache, uint64_t pages, int *status)
{
    *status = SIM_OK;
    uint32_t s = h->pages ? take_pages(h, cache, pages, status) : NONE;
    if (s != NONE || *status || !h->pages)
        return s;
    for (size_t c = 0; c < h->rules.caches && !*status; c++)
        while (h->cache[c].head[SLAB_EMPTY] != NONE && !*status) {
            *status = give_back(h, h->cache[c].head[SLAB_EMPTY]);
            h->last.reaped++;
        }
    return h->last.reaped && !*status ? take_pages(h, cache, pages, status) : NONE;
}

/* ---- objects ------------------------------------------------------------- */

/* The cache for a block of size bytes; LARGE if none holds it. */
static size_t cache_for(const struct slab_rules *rules, uint64_t size)
{
    size_t low = 0, high = rules->caches;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (rules->object_size[mid] < size)
            low = mid + 1;
        else
            high = mid;
    }
    return low < rules->caches ? low : LARGE;
}

/* The cache's slab to take an object from, as its style says; NONE if it
 * has none with a free object. */
static uint32_t slab_with_room(const struct slab_heap *h, size_t cache)
{
    uint32_t current = h->cache[cache].current;
    if (h->rules.style == SLAB_CURRENT_PAGE && current != NONE &&
        h->slab[current].used < h->slab[current].capacity)
        return current;
    if (h->cache[cache].head[SLAB_PARTIAL] != NONE)
        return h->cache[cache].head[SLAB_PARTIAL];
    return h->cache[cache].head[SLAB_EMPTY];
}

static uint64_t take_object(struct slab *slab)
{
    uint64_t word = 0;
    while (!slab->free_bits[word])
        word++;
    uint64_t bit = (uint64_t)__builtin_ctzll(slab->free_bits[word]);
    slab->free_bits[word] &= ~((uint64_t)1 << bit);
    return word * 64 + bit;
}

/* Move a slab to the list its use says, noting the move. */
static void settle(struct slab_heap *h, uint32_t s)
{
    struct slab *slab = &h->slab[s];
    h->last.to = list_by_use(slab);
    if (slab->list == h->last.to)
        return;
    if (slab->list != SLAB_NONE)
        list_remove(h, s);
    list_push(h, s, h->last.to);
}

static struct freespace_hole largest_hole(const struct slab_heap *h);

int slab_heap_place(void *state, uint64_t size, struct freespace_result *r)
{
    struct slab_heap *h = state;
    size_t cache = cache_for(&h->rules, size);
    uint64_t pages = cache == LARGE ? (size + h->rules.page - 1) / h->rules.page
                                    : h->rules.slab_pages[cache];
    h->last = (struct slab_event){.cache = cache, .from = SLAB_NONE, .to = SLAB_NONE};
    uint32_t s = cache == LARGE ? NONE : slab_with_room(h, cache);
    int status = SIM_OK;
    if (s == NONE)
        s = new_slab(h, cache, pages, &status);
    if (status)
        return status;
    if (s == NONE) {
        h->last.no_pages = true;
        r->failed = true;
        r->hole = largest_hole(h);
        return SIM_OK;
    }
    struct slab *slab = &h->slab[s];
    h->last.from = slab->list;
    r->searched = 1;
    if (cache == LARGE) {
        slab->used = 1;
        r->block = slab->addr;
        r->block_size = slab->size;
    } else {
        uint64_t object = h->rules.object_size[cache];
        r->block = slab->addr + take_object(slab) * object;
        r->block_size = object;
        slab->used++;
        h->free_objects--;
        h->cache[cache].current = s;
        settle(h, s);
    }
    r->hole = (struct freespace_hole){r->block, r->block_size};
    h->last.slab_addr = slab->addr;
    h->last.slab_size = slab->size;
    h->last.used = slab->used;
    h->last.capacity = slab->capacity;
    return SIM_OK;
}

int slab_heap_release(void *state, uint64_t block, uint64_t size, struct freespace_result *r)
{
    (void)size;
    (void)r;
    struct slab_heap *h = state;
    uint32_t s = h->slab_at[page_index(h, block)] - 1;
    struct slab *slab = &h->slab[s];
    h->last = (struct slab_event){.cache = slab->cache, .slab_addr = slab->addr,
                                  .slab_size = slab->size, .capacity = slab->capacity,
                                  .from = slab->list, .to = SLAB_NONE};
    if (slab->cache == LARGE)
        return give_back(h, s);
    uint64_t index = (block - slab->addr) / h->rules.object_size[slab->cache];
    slab->free_bits[index / 64] |= (uint64_t)1 << (index % 64);
    slab->used--;
    h->free_objects++;
    h->last.used = slab->used;
    settle(h, s);
    if (slab->used == 0 && h->rules.style == SLAB_CURRENT_PAGE &&
        h->cache[slab->cache].current != s) {
        h->last.to = SLAB_NONE;
        return give_back(h, s);
    }
    return SIM_OK;
}

/* ---- the holes ------------------------------------------------------------ */

static int by_address(const void *a, const void *b)
{
    uint64_t x = ((const struct freespace_hole *)a)->addr;
    uint64_t y = ((const struct freespace_hole *)b)->addr;
    return (x > y) - (x < y);
}

/* Every hole, by address, in a buffer to free; NULL when out of memory. */
static struct freespace_hole *all_holes(const struct slab_heap *h, size_t *count)
{
    size_t runs = h->pages ? freespace_policy_tree.holes(h->runs, NULL, 0) : 0;
    *count = runs + h->free_objects;
    struct freespace_hole *holes = malloc(sizeof *holes * (*count ? *count : 1));
    if (!holes)
        return NULL;
    if (runs)
        freespace_policy_tree.holes(h->runs, holes, runs);
    size_t n = runs;
    for (uint32_t s = 0; s < h->slab_count; s++) {
        const struct slab *slab = &h->slab[s];
        if (!slab->free_bits)
            continue; /* a spare record, or a large block */
        uint64_t object = h->rules.object_size[slab->cache];
        for (uint64_t i = 0; i < slab->capacity; i++)
            if (slab->free_bits[i / 64] >> (i % 64) & 1)
                holes[n++] = (struct freespace_hole){slab->addr + i * object, object};
    }
    qsort(holes, n, sizeof *holes, by_address);
    return holes;
}

size_t slab_heap_holes(const void *state, struct freespace_hole *out, size_t cap)
{
    const struct slab_heap *h = state;
    size_t count;
    if (!cap)
        return (h->pages ? freespace_policy_tree.holes(h->runs, NULL, 0) : 0) + h->free_objects;
    struct freespace_hole *holes = all_holes(h, &count);
    if (holes)
        memcpy(out, holes, sizeof *out * (count < cap ? count : cap));
    free(holes);
    return count;
}

uint64_t slab_heap_largest(const void *state)
{
    const struct slab_heap *h = state;
    uint64_t largest = h->pages ? freespace_policy_tree.largest(h->runs) : 0;
    for (size_t c = h->rules.caches; c-- > 0 && h->rules.object_size[c] > largest;)
        if (slab_with_room(h, c) != NONE)
            largest = h->rules.object_size[c];
    return largest;
}

static struct freespace_hole largest_hole(const struct slab_heap *h)
{
    struct freespace_hole largest = {0, 0};
    size_t count;
    struct freespace_hole *holes = all_holes(h, &count);
    for (size_t i = 0; holes && i < count; i++)
        if (holes[i].size > largest.size)
            largest = holes[i];
    free(holes);
    return largest;
}

uint64_t slab_heap_overhead(const void *state)
{
    const struct slab_heap *h = state;
    return h->overhead;
}

uint64_t slab_heap_footprint(const void *state)
{
    const struct slab_heap *h = state;
    return h->footprint;
}

/* ---- telling it ------------------------------------------------------------ */

static void print_slab(FILE *out, const struct slab_heap *h, const struct slab_event *e)
{
    fprintf(out, "%s ", h->rules.slab_word);
    freespace_print_hole(out, (struct freespace_hole){e->slab_addr, e->slab_size});
}

static void explain_reaped(FILE *out, const struct slab_heap *h)
{
    if (h->last.reaped)
        fprintf(out, "  no run of free pages was large enough: %" PRIu64 " empty %s%s gave %s "
                     "pages back\n",
                h->last.reaped, h->rules.slab_word, h->last.reaped == 1 ? "" : "s",
                h->last.reaped == 1 ? "its" : "their");
}

static void explain_alloc(FILE *out, const struct slab_heap *h, const struct freespace_result *r)
{
    const struct slab_event *e = &h->last;
    explain_reaped(out, h);
    if (e->cache == LARGE) {
        fprintf(out, "  larger than the largest cache (%" PRIu64 " bytes): ",
                h->rules.caches ? h->rules.object_size[h->rules.caches - 1] : 0);
        if (r->failed) {
            fprintf(out, "no run of free pages holds it\n");
            return;
        }
        fprintf(out, "%" PRIu64 " page%s of its own, ", e->slab_size / h->rules.page,
                e->slab_size == h->rules.page ? "" : "s");
        freespace_print_hole(out, r->hole);
        fputc('\n', out);
        return;
    }
    fprintf(out, "  the cache of %" PRIu64 "-byte objects", h->rules.object_size[e->cache]);
    if (r->failed) {
        fprintf(out, " has no free object, and no free pages make a new %s\n",
                h->rules.slab_word);
        return;
    }
    fprintf(out, ": ");
    if (e->from == SLAB_NONE)
        fprintf(out, "no %s with a free object, so a new ", h->rules.slab_word);
    print_slab(out, h, e);
    if (e->from == SLAB_NONE)
        fprintf(out, " from the free pages");
    else
        fprintf(out, ", %s", list_names[e->from]);
    fprintf(out, "\n  object %" PRIu64 " of %" PRIu64 ", ", (r->block - e->slab_addr) /
            r->block_size + 1, e->capacity);
    freespace_print_hole(out, r->hole);
    fprintf(out, ", %" PRIu64 " bytes over the request; the %s is now %s (%" PRIu64 " of %" PRIu64
            " used)\n", r->block_size - r->request, h->rules.slab_word, list_names[e->to],
            e->used, e->capacity);
}

static void explain_free(FILE *out, const struct slab_heap *h)
{
    const struct slab_event *e = &h->last;
    if (e->cache == LARGE) {
        fprintf(out, "  its %" PRIu64 " page%s back to the free pages\n",
                e->slab_size / h->rules.page, e->slab_size == h->rules.page ? " goes" : "s go");
        return;
    }
    fprintf(out, "  back to ");
    print_slab(out, h, e);
    fprintf(out, " of the %" PRIu64 "-byte cache, %s", h->rules.object_size[e->cache],
            list_names[e->from]);
    if (e->to != SLAB_NONE) {
        fprintf(out, " and now %s (%" PRIu64 " of %" PRIu64 " used)%s\n", list_names[e->to],
                e->used, e->capacity,
                e->to != SLAB_EMPTY ? ""
                : h->rules.style == SLAB_BONWICK ? ": kept for the cache until pages run out"
                                                  : ": kept, as the cache's current page");
        return;
    }
    fprintf(out, " and now empty: its pages go back to the free pages\n");
}

void slab_heap_explain(const void *state, FILE *out, const struct freespace_result *r)
{
    const struct slab_heap *h = state;
    if (r->op.kind == FREESPACE_ALLOC)
        explain_alloc(out, h, r);
    else
        explain_free(out, h);
}

#define RUNS_SHOWN 8

void slab_heap_show(const void *state, FILE *out)
{
    const struct slab_heap *h = state;
    for (size_t c = 0; c < h->rules.caches; c++) {
        uint64_t count[SLAB_LISTS] = {0}, used = 0, capacity = 0;
        for (int l = 0; l < SLAB_LISTS; l++)
            for (uint32_t s = h->cache[c].head[l]; s != NONE; s = h->slab[s].next) {
                count[l]++;
                used += h->slab[s].used;
                capacity += h->slab[s].capacity;
            }
        if (count[SLAB_FULL] + count[SLAB_PARTIAL] + count[SLAB_EMPTY])
            fprintf(out, "  cache %" PRIu64 ": %" PRIu64 " full, %" PRIu64 " partial, %" PRIu64
                         " empty %ss; %" PRIu64 " of %" PRIu64 " objects used\n",
                    h->rules.object_size[c], count[SLAB_FULL], count[SLAB_PARTIAL],
                    count[SLAB_EMPTY], h->rules.slab_word, used, capacity);
    }
    if (!h->pages) {
        fprintf(out, "  no whole page of %" PRIu64 " bytes fits in the heap\n", h->rules.page);
        return;
    }
    struct freespace_hole runs[RUNS_SHOWN];
    size_t count = freespace_policy_tree.holes(h->runs, runs, RUNS_SHOWN);
    fprintf(out, "  free pages:%s", count ? "" : " none");
    freespace_print_some_holes(out, runs, count, RUNS_SHOWN);
    fputc('\n', out);
}
