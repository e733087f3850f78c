/*
 * heap.c - heaps: one per thread (made on first use, handed on when the
 * thread exits) and the pools of mmkit_heap_new.  The allocation slow path
 * lives here: finding the next page with free blocks for a class.
 */
#include <string.h>

#include "core.h"
#include "locks.h"

/* The running thread's heap; the empty heap (page.c) until it allocates. */
__thread struct mmkit_heap *thread_heap __attribute__((tls_model("initial-exec"))) = &empty_heap;

/* The registry of live heaps, under the global lock. */
static struct mmkit_heap *heap_registry;

/* Heap structs come from mappings that are never given back, so a heap
 * pointer read by another thread always points at readable memory. */
static struct mmkit_heap *spare_heaps;
static uint8_t *heap_chunk, *heap_chunk_end;
#define HEAP_CHUNK_SIZE ((size_t)256 << 10)

static struct mmkit_heap *heap_struct_alloc(void)
{
    struct mmkit_heap *heap = spare_heaps;
    if (heap) {
        spare_heaps = heap->next;
        return heap;
    }
    size_t size = align_up(sizeof(struct mmkit_heap), 64);
    if (heap_chunk == NULL || heap_chunk + size > heap_chunk_end) {
        heap_chunk = os_map_aligned(HEAP_CHUNK_SIZE, OS_PAGE_SIZE);
        if (!heap_chunk)
            return NULL;
        heap_chunk_end = heap_chunk + HEAP_CHUNK_SIZE;
    }
    heap = (struct mmkit_heap *)heap_chunk;
    heap_chunk += size;
    return heap;
}

/* Make `pg` the page the fast path pops class `class_index` from. */
static void heap_set_direct(struct mmkit_heap *heap, size_t class_index, page *pg)
{
    heap->direct[class_index] = pg;
    if (class_block_size[class_index] > SMALL_DIRECT_MAX)
        return;
    /* The sizes of a class are a run of 16-byte steps up to its size. */
    size_t first = class_index ? class_block_size[class_index - 1] / 16 + 1 : 0;
    for (size_t i = first; i <= class_block_size[class_index] / 16; i++)
        heap->direct_small[i] = pg;
}

static void registry_remove(struct mmkit_heap *heap)
{
    if (heap->prev)
        heap->prev->next = heap->next;
    else
        heap_registry = heap->next;
    if (heap->next)
        heap->next->prev = heap->prev;
}

static struct mmkit_heap *heap_create(bool is_thread_heap)
{
    lock_take(LOCK_GLOBAL);
    struct mmkit_heap *heap = heap_struct_alloc();
    if (heap) {
        memset(heap, 0, sizeof *heap);
        for (size_t c = 0; c < CLASS_COUNT; c++)
            heap_set_direct(heap, c, &empty_page);
        heap->thread_id = current_thread_id();
        heap->is_thread_heap = is_thread_heap;
        heap->next = heap_registry;
        if (heap_registry)
            heap_registry->prev = heap;
        heap_registry = heap;
    }
    lock_release(LOCK_GLOBAL);
    if (!heap)
        errno = ENOMEM;
    return heap;
}

static void heap_retire_counters(struct mmkit_heap *heap, bool blocks_freed);

static void heap_struct_release(struct mmkit_heap *heap)
{
    lock_take(LOCK_GLOBAL);
    registry_remove(heap);
    heap_retire_counters(heap, !heap->is_thread_heap);
    heap->next = spare_heaps;
    spare_heaps = heap;
    lock_release(LOCK_GLOBAL);
}

/* The running thread's heap, made on first use. */
static struct mmkit_heap *heap_for_thread(void)
{
    if (thread_heap != &empty_heap)
        return thread_heap;
    struct mmkit_heap *heap = heap_create(true);
    if (!heap)
        return NULL;
    /* Set before registering: registering may allocate, and must find it. */
    thread_heap = heap;
    atomic_fetch_add_explicit(&os_stats.threads_live, 1, memory_order_relaxed);
    thread_exit_watch(heap);
    return heap;
}

/* An exited thread's segment joins the heap: every page joins its class
 * queue, empty or not.  The next allocations of the class use it, and
 * heap_trim gives back what stays empty. */
static void heap_adopt_pages(struct mmkit_heap *heap, segment *seg)
{
    size_t i = 1;
    for (page *pg; (pg = segment_next_page(seg, &i));) {
        page_set_heap(pg, heap);
        page_collect(pg);
        pg->full_mark = 0;
        queue_push(pg->large ? &heap->large : &heap->queue[pg->class_index], pg);
    }
}

/* The span of a multi-block page (large blocks get pages of their own). */
static size_t class_page_slices(size_t class_index)
{
    return class_block_size[class_index] <= SMALL_PAGE_BLOCK_MAX ? 1 : MEDIUM_PAGE_SLICES;
}

#define FULL_PAGES_CHECKED 8

/* Before taking fresh memory: give back what has waited long enough. */
static void heap_give_back_due(struct mmkit_heap *heap)
{
    segment_purge_due(heap, false);
    huge_expire_due();
}

/* Make `pg` have a free block if it can: collect, else carve more. */
static bool page_refill(page *pg)
{
    if (pg->free)
        return true;
    page_collect(pg);
    if (!pg->free && page_capacity(pg) < pg->reserved)
        page_extend(pg);
    return pg->free != NULL;
}

static void page_to_full(struct mmkit_heap *heap, page *pg)
{
    queue_remove(&heap->queue[pg->class_index], pg);
    queue_push(&heap->full[pg->class_index], pg);
    pg->full_mark = PAGE_FULL_MARK;
}

static void page_from_full(struct mmkit_heap *heap, page *pg)
{
    queue_remove(&heap->full[pg->class_index], pg);
    queue_push(&heap->queue[pg->class_index], pg);
    pg->full_mark = 0;
}

/* The first page of the class's queue with a free block; pages without
 * one move to the full queue on the way.  NULL if none has. */
static page *queue_page_with_room(struct mmkit_heap *heap, size_t class_index)
{
    for (page *pg = heap->queue[class_index].first; pg;) {
        page *next = pg->next;
        if (page_refill(pg))
            return pg;
        page_to_full(heap, pg);
        pg = next;
    }
    return NULL;
}

/* A page of `slices` slices for blocks of class `class_index` (CLASS_COUNT:
 * a large block's own pages): from the heap's segments, else from one an
 * exited thread left, else from a new segment.  Only thread heaps adopt: a
 * pool that did would unmap the adopted segment's live blocks when it is
 * destroyed.  An adopted segment's page of the class that still has room
 * comes before its free slices, since a fresh page for each new thread
 * would spread the blocks that outlive short-lived threads over as many
 * pages; such a page is in use already, and *fresh is false. */
static page *heap_page_alloc(struct mmkit_heap *heap, size_t slices, size_t class_index,
                             bool *fresh)
{
    *fresh = true;
    page *pg = segment_page_find(heap, slices);
    segment *seg;
    while (!pg && heap->is_thread_heap && (seg = segment_reclaim(heap))) {
        heap_adopt_pages(heap, seg);
        if (class_index < CLASS_COUNT && (pg = queue_page_with_room(heap, class_index))) {
            *fresh = false;
            return pg;
        }
        pg = segment_page_take(heap, seg, slices);
    }
    return pg ? pg : segment_page_new(heap, slices);
}

/* A page of the class with a free block, or NULL when out of memory. */
static page *heap_find_page(struct mmkit_heap *heap, size_t class_index)
{
    page *pg = heap->direct[class_index];
    if (pg != &empty_page) {
        if (page_refill(pg))
            return pg;
        page_to_full(heap, pg);
        heap_set_direct(heap, class_index, &empty_page);
    }
    if ((pg = queue_page_with_room(heap, class_index)))
        return pg;
    /* Other threads may have freed into full pages.  Look at a few of them,
     * oldest first, before mapping more: the cost stays bounded however
     * many full pages there are, and every full page is looked at again
     * after the heap has taken that many fresh pages. */
    for (int looked = 0; looked < FULL_PAGES_CHECKED && (pg = heap->full[class_index].first); looked++) {
        page_queue *full = &heap->full[class_index];
        if (atomic_load_explicit(&pg->thread_free, memory_order_relaxed)) {
            page_from_full(heap, pg);
            if (page_refill(pg))
                return pg;
        } else {
            queue_remove(full, pg);
            queue_push(full, pg);
        }
    }
    heap_give_back_due(heap);
    bool fresh;
    pg = heap_page_alloc(heap, class_page_slices(class_index), class_index, &fresh);
    if (!pg || !fresh)
        return pg;
    page_init(pg, heap, class_index);
    if (hardening_secret)
        page_guard(pg);
    page_extend(pg);
    queue_push(&heap->queue[class_index], pg);
    return pg;
}

void *heap_malloc_slow(struct mmkit_heap *heap, size_t class_index, size_t size)
{
    if (heap == &empty_heap && !(heap = heap_for_thread()))
        return os_out_of_memory(size);
    if (unlikely(core_hook.page_wanted != NULL))
        core_hook.page_wanted();
    page *pg = heap_find_page(heap, class_index);
    if (!pg)
        return os_out_of_memory(size);
    heap_set_direct(heap, class_index, pg);
    return page_pop(pg, true);
}

static page_queue *queue_of(struct mmkit_heap *heap, const page *pg)
{
    if (pg->large)
        return &heap->large;
    return pg->full_mark ? &heap->full[pg->class_index] : &heap->queue[pg->class_index];
}

static void heap_retire_page(struct mmkit_heap *heap, page *pg)
{
    size_t c = pg->class_index;
    queue_remove(queue_of(heap, pg), pg);
    if (heap->direct[c] == pg)
        heap_set_direct(heap, c, &empty_page);
    segment_page_free(heap, pg);
}

/* Large pages freed by other threads wait for their owner: look at a few
 * of them at each large allocation, as heap_find_page does with full pages. */
static void heap_collect_large(struct mmkit_heap *heap)
{
    page *pg;
    for (int looked = 0; looked < FULL_PAGES_CHECKED && (pg = heap->large.first); looked++) {
        page_collect(pg);
        if (pg->used == 0) {
            heap_retire_page(heap, pg);
        } else {
            queue_remove(&heap->large, pg);
            queue_push(&heap->large, pg);
        }
    }
}

void *heap_malloc_large(struct mmkit_heap *heap, size_t size)
{
    if (heap == &empty_heap && !(heap = heap_for_thread()))
        return os_out_of_memory(size);
    heap_collect_large(heap);
    heap_give_back_due(heap);
    bool fresh; /* always: a large block takes pages of its own */
    page *pg = heap_page_alloc(heap, (size + SLICE_SIZE - 1) / SLICE_SIZE, CLASS_COUNT, &fresh);
    if (!pg)
        return os_out_of_memory(size);
    size_t class_index = class_of(size);
    page_init_large(pg, heap, class_index);
    queue_push(&heap->large, pg);
    stats_count_alloc(&heap->counters[class_index]);
    /* As page_pop does: the slices may still hold this block's own link
     * from when it was last freed, and its key depends only on the address,
     * so a hardened free would take the live block for a freed one. */
    if (pg->key)
        ((block *)pg->start)->next = NULL;
    return pg->start;
}

bool heap_large_grow(page *pg, size_t size)
{
    struct mmkit_heap *heap = atomic_load_explicit(&pg->heap, memory_order_relaxed);
    if (!segment_page_grow(heap, pg, (size + SLICE_SIZE - 1) / SLICE_SIZE))
        return false;
    pg->block_size = (uint32_t)(pg->slice_count * SLICE_SIZE);
    return true;
}

void heap_page_freed_slow(page *pg)
{
    struct mmkit_heap *heap = atomic_load_explicit(&pg->heap, memory_order_relaxed);
    if (pg->large) {
        heap_retire_page(heap, pg);
        return;
    }
    if (pg->full_mark)
        page_from_full(heap, pg);
    /* The direct page stays even when empty: a program that allocates and
     * frees one block in a loop must not map and purge a page each time. */
    if (pg->used == 0 && heap->direct[pg->class_index] != pg)
        heap_retire_page(heap, pg);
}

/* Collect every page and retire the empty ones. */
static void queue_collect_all(struct mmkit_heap *heap, page_queue *queue)
{
    for (page *pg = queue->first; pg;) {
        page *next = pg->next;
        page_collect(pg);
        if (pg->used == 0)
            heap_retire_page(heap, pg);
        pg = next;
    }
}

static void heap_collect_all(struct mmkit_heap *heap)
{
    for (size_t c = 0; c < CLASS_COUNT; c++) {
        queue_collect_all(heap, &heap->queue[c]);
        queue_collect_all(heap, &heap->full[c]);
    }
    queue_collect_all(heap, &heap->large);
}

struct mmkit_heap *heap_collect_pending(void)
{
    struct mmkit_heap *heap = heap_for_thread();
    if (!heap)
        return NULL;
    for (segment *seg; (seg = segment_reclaim(heap));)
        heap_adopt_pages(heap, seg);
    heap_collect_all(heap);
    return heap;
}

void heap_trim(struct mmkit_heap *heap)
{
    heap_collect_all(heap);
    segment_purge_due(heap, true);
    segment_release_empty(heap, 0);
}

/* Hand every segment of the heap to `give_up` (which may unmap it). */
static void heap_give_up_segments(struct mmkit_heap *heap, void (*give_up)(segment *))
{
    for (segment *seg = heap->segments; seg;) {
        segment *next = seg->next;
        give_up(seg);
        seg = next;
    }
    heap->segments = NULL;
}

/* The thread owning `heap` is gone: hand its segments to others. */
static void heap_abandon(struct mmkit_heap *heap)
{
    heap_collect_all(heap);
    segment_release_empty(heap, 0);
    heap_give_up_segments(heap, segment_abandon);
    huge_disown_all_of(heap);
    atomic_fetch_sub_explicit(&os_stats.threads_live, 1, memory_order_relaxed);
    heap_struct_release(heap);
}

void heap_forget_other_threads(void)
{
    uintptr_t self = current_thread_id();
    for (struct mmkit_heap *heap = heap_registry; heap;) {
        struct mmkit_heap *next = heap->next;
        if (heap->thread_id != self) {
            /* Its thread may have stopped mid-update: never trust its pages
             * again.  With no owner, frees into them only push (a leak, not
             * a corruption). */
            for (segment *seg = heap->segments; seg; seg = seg->next)
                atomic_store_explicit(&seg->thread_id, 0, memory_order_relaxed);
            registry_remove(heap);
            if (heap->is_thread_heap)
                atomic_fetch_sub_explicit(&os_stats.threads_live, 1, memory_order_relaxed);
        }
        heap = next;
    }
}

void heap_thread_exited(void *value)
{
    struct mmkit_heap *heap = value;
    if (heap != thread_heap)
        return;
    thread_heap = &empty_heap;
    heap_abandon(heap);
}

/* ---- user heaps (pools) ----------------------------------------------------- */

struct mmkit_heap *heap_new_pool(void)
{
    return heap_create(false);
}

void heap_destroy_pool(struct mmkit_heap *heap)
{
    heap_give_up_segments(heap, segment_unmap);
    huge_free_all_of(heap);
    heap_struct_release(heap);
}

/* ---- the counters of heaps -------------------------------------------------- */

/* Class counters of heaps that no longer exist, under the global lock. */
static struct {
    uint64_t allocs, frees, peak_live;
} retired[CLASS_COUNT];

/* A bound on a class's live blocks since the last heap retired: the blocks
 * of the heaps that are gone still live (their allocations less their
 * frees: signed, as a heap can free blocks another handed out), and each
 * live heap's own peak.  The class's live count is that first term plus
 * each live heap's count, so this is exact for one thread; with several
 * it bounds the true peak from above, since the heaps need not have
 * peaked at the same moment. */
static uint64_t class_peak_bound(size_t c, const struct mmkit_heap *retiring)
{
    int64_t bound = (int64_t)(retired[c].allocs - retired[c].frees);
    for (struct mmkit_heap *heap = heap_registry; heap; heap = heap->next)
        bound += (int64_t)counter_get(&heap->counters[c].peak_live);
    if (retiring)
        bound += (int64_t)counter_get(&retiring->counters[c].peak_live);
    return bound > 0 ? (uint64_t)bound : 0;
}

/* Fold a heap's class counters into the totals of heaps that are gone. */
static void heap_retire_counters(struct mmkit_heap *heap, bool blocks_freed)
{
    for (size_t c = 0; c < CLASS_COUNT; c++) {
        uint64_t allocs = counter_get(&heap->counters[c].allocs);
        uint64_t frees = counter_get(&heap->counters[c].frees);
        uint64_t peak = class_peak_bound(c, heap);
        if (peak > retired[c].peak_live)
            retired[c].peak_live = peak;
        retired[c].allocs += allocs;
        /* A destroyed pool frees its blocks all at once. */
        retired[c].frees += blocks_freed && allocs > frees ? allocs : frees;
    }
}

void heap_class_totals(size_t c, uint64_t *allocs, uint64_t *frees, uint64_t *peak)
{
    *allocs = retired[c].allocs;
    *frees = retired[c].frees;
    for (struct mmkit_heap *heap = heap_registry; heap; heap = heap->next) {
        *allocs += counter_get(&heap->counters[c].allocs);
        *frees += counter_get(&heap->counters[c].frees);
    }
    *peak = class_peak_bound(c, NULL);
    if (*peak < retired[c].peak_live)
        *peak = retired[c].peak_live;
}
