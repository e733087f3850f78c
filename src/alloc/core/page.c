/*
 * page.c - size classes and the blocks of one page: carving them on
 * demand, collecting the ones freed, and the queues pages wait in.
 */
#include <string.h>

#include "core.h"

/* Every class, as F(its block size): multiples of 16 up to 128 bytes, then
 * four classes per doubling, 5/4, 6/4, 7/4 and 8/4 of 2^w. */
#define DOUBLING(F, w) F(5u << ((w)-2)), F(6u << ((w)-2)), F(7u << ((w)-2)), F(8u << ((w)-2))
#define CLASSES(F)                                                                            \
    F(16), F(32), F(48), F(64), F(80), F(96), F(112), F(128), DOUBLING(F, 7), DOUBLING(F, 8),    \
        DOUBLING(F, 9), DOUBLING(F, 10), DOUBLING(F, 11), DOUBLING(F, 12), DOUBLING(F, 13),      \
        DOUBLING(F, 14), DOUBLING(F, 15), DOUBLING(F, 16), DOUBLING(F, 17), DOUBLING(F, 18),     \
        DOUBLING(F, 19)

#define BLOCK_SIZE(size) (size)
const uint32_t class_block_size[CLASS_COUNT] = {CLASSES(BLOCK_SIZE)};
_Static_assert(sizeof class_block_size / sizeof class_block_size[0] == CLASS_COUNT,
               "one block size per class");

/* index = offset / block_size as a multiply (lookup.h): for offsets below
 * 2^22 and blocks up to 128 KiB, (offset * (2^40 / size + 1)) >> 40 is exact. */
#define RECIPROCAL(size) (((uint64_t)1 << 40) / (size) + 1)
const uint64_t class_reciprocal[CLASS_COUNT] = {CLASSES(RECIPROCAL)};

/* class_of() for sizes up to 1 KiB, indexed by (size + 15) / 16: the same
 * formula as class_of() above 128 bytes, written out so the fast path needs
 * one load. */
const uint8_t small_class_of[SMALL_DIRECT_COUNT] = {
    0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11,
    11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15,
    15, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17,
    17, 18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19,
    19,
};

/* The stand-in for "no page yet": never has a free block. */
page empty_page;

/* Threads start on this heap: every direct page is the empty page, so the
 * first allocation takes the slow path, which makes the thread's heap. */
#define DIRECT_EMPTY(n) [0 ... (n)-1] = &empty_page
struct mmkit_heap empty_heap = {.direct_small = {DIRECT_EMPTY(SMALL_DIRECT_COUNT)},
                                .direct = {DIRECT_EMPTY(CLASS_COUNT)}};

core_hooks core_hook;

uint64_t hardening_secret;

void page_init(page *pg, struct mmkit_heap *heap, size_t class_index)
{
    size_t span = pg->slice_count * SLICE_SIZE;
    pg->block_size = class_block_size[class_index];
    pg->class_index = (uint8_t)class_index;
    pg->reserved = (uint32_t)(span / pg->block_size);
    page_capacity_set(pg, 0);
    pg->used = 0;
    pg->free = NULL;
    pg->local_free = NULL;
    pg->full_mark = 0;
    pg->large = false;
    pg->key = hardening_secret ? (uintptr_t)mix64(hardening_secret ^ (uintptr_t)pg->start) : 0;
    pg->next = pg->prev = NULL;
    atomic_store_explicit(&pg->thread_free, NULL, memory_order_relaxed);
    page_set_heap(pg, heap);
    /* The page writes its links anywhere in its span. */
    if (unlikely(core_hook.span_reused != NULL))
        core_hook.span_reused(pg->start, span);
}

void page_set_heap(page *pg, struct mmkit_heap *heap)
{
    atomic_store_explicit(&pg->heap, heap, memory_order_relaxed);
    pg->counters = &heap->counters[pg->class_index];
}

/* A large block's page has no guard page: take away those its slices
 * kept from earlier pages. */
static void page_clear_guards(page *pg)
{
    segment *seg = segment_of_page(pg);
    if (seg->guard_slices)
        segment_set_guards(seg, (size_t)(pg - seg->pages), pg->slice_count, false);
}

void page_init_large(page *pg, struct mmkit_heap *heap, size_t class_index)
{
    page_clear_guards(pg);
    page_init(pg, heap, class_index);
    pg->block_size = (uint32_t)(pg->slice_count * SLICE_SIZE);
    pg->reserved = pg->used = 1;
    page_capacity_set(pg, 1);
    pg->large = true;
}

void page_guard(page *pg)
{
    segment *seg = segment_of_page(pg);
    segment_set_guards(seg, (size_t)(pg - seg->pages), pg->slice_count, true);
    pg->reserved = (uint32_t)((pg->slice_count * SLICE_SIZE - OS_PAGE_SIZE) / pg->block_size);
}

/* The order in which `count` fresh blocks go on the free list: in address
 * order, or when hardened shuffled within each run of `shuffle` neighbours
 * (option shuffle), so which block comes next after a given one cannot be
 * predicted.  Runs keep allocation moving forward through memory: a
 * shuffle of the whole page defeats the processor's prefetching of the
 * program's own accesses to its fresh blocks, which cost python3 a fifth
 * of its time. */
static void carve_order(const page *pg, uint32_t count, uint16_t *order)
{
    for (uint32_t i = 0; i < count; i++)
        order[i] = (uint16_t)i;
    uint32_t run = (uint32_t)mmkit_options.shuffle;
    if (!pg->key || run < 2)
        return;
    uint64_t state = mix64(pg->key ^ page_capacity(pg) ^ os_now_ns());
    for (uint32_t first = 0; first < count; first += run) {
        uint32_t n = count - first < run ? count - first : run;
        for (uint32_t i = n - 1; i > 0; i--) {
            state = mix64(state + 0x9e3779b97f4a7c15ull);
            /* A random index in [0, i] by multiplying, not dividing. */
            uint32_t j = (uint32_t)(((state >> 32) * (i + 1)) >> 32);
            uint16_t t = order[first + i];
            order[first + i] = order[first + j];
            order[first + j] = t;
        }
    }
}

/* Carving touches the memory, so carve about one OS page at a time: a page
 * of which the program uses little costs little RSS. */
void page_extend(page *pg)
{
    uint32_t count = (uint32_t)(OS_PAGE_SIZE / pg->block_size);
    if (count == 0)
        count = 1;
    uint32_t capacity = page_capacity(pg);
    if (count > pg->reserved - capacity)
        count = pg->reserved - capacity;
    if (count == 0)
        return;
    uint8_t *first = pg->start + (size_t)capacity * pg->block_size;
    uint16_t order[CARVE_MAX];
    carve_order(pg, count, order);
    block *head = pg->free;
    for (uint32_t i = count; i-- > 0;) {
        block *b = (block *)(first + (size_t)order[i] * pg->block_size);
        b->next = block_link(pg, head, true);
        head = b;
    }
    pg->free = head;
    page_capacity_set(pg, capacity + count);
}

/* b's link leads out of its page: report it, and end the list at b (the
 * blocks past it are lost, and the page stays in use). */
static void link_overwritten(const page *pg, block *b)
{
    if (core_hook.link_overwritten)
        core_hook.link_overwritten(b);
    b->next = block_link(pg, NULL, true);
}

void *page_pop_checked(page *pg, block *b)
{
    if (!link_in_page(pg, block_next(pg, b, true)))
        link_overwritten(pg, b);
    return page_take(pg, b, block_next(pg, b, true), true);
}

/* The last block of a list, and how many it has; in the hardened and debug
 * modes (pages keyed) each link is checked on the way. */
static block *list_tail(const page *pg, block *b, uint32_t *count)
{
    uint32_t n = 1;
    for (block *next; (next = block_next(pg, b, true)); b = next) {
        if (pg->key && unlikely(!link_in_page(pg, next))) {
            link_overwritten(pg, b);
            break;
        }
        n++;
    }
    *count = n;
    return b;
}

void page_collect(page *pg)
{
    if (atomic_load_explicit(&pg->thread_free, memory_order_relaxed)) {
        block *remote = atomic_exchange_explicit(&pg->thread_free, NULL, memory_order_acquire);
        uint32_t n;
        block *tail = list_tail(pg, remote, &n);
        tail->next = block_link(pg, pg->free, true);
        pg->free = remote;
        pg->used -= n;
        /* Frees by other threads are counted here, by the owner. */
        counter_add(&pg->counters->frees, n);
    }
    if (pg->local_free) {
        if (pg->free) {
            uint32_t ignored;
            list_tail(pg, pg->local_free, &ignored)->next = block_link(pg, pg->free, true);
        }
        pg->free = pg->local_free;
        pg->local_free = NULL;
    }
}

void queue_push(page_queue *q, page *pg)
{
    pg->next = NULL;
    pg->prev = q->last;
    if (q->last)
        q->last->next = pg;
    else
        q->first = pg;
    q->last = pg;
}

void queue_remove(page_queue *q, page *pg)
{
    if (pg->prev)
        pg->prev->next = pg->next;
    else
        q->first = pg->next;
    if (pg->next)
        pg->next->prev = pg->prev;
    else
        q->last = pg->prev;
    pg->next = pg->prev = NULL;
}
