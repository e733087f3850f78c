/*
 * segment.c - 4 MiB aligned segments cut into 64 KiB slices: finding a run
 * of free slices for a page, giving slices back, purging them after a
 * delay, and handing segments of exited threads to the living.
 */
#include <string.h>

#include "core.h"
#include "locks.h"

_Static_assert(SLICES_PER_SEGMENT == 64, "a segment's slices fit one 64-bit mask");
#define ALL_PAGE_SLICES (~(uint64_t)1) /* every slice but slice 0, the metadata */

uint8_t segment_map[(size_t)1 << SEGMENT_MAP_BITS];

/* Segments of exited threads, waiting for a thread to adopt them.  Changed
 * under the global lock; read without it to skip the lock when empty. */
static _Atomic(segment *) abandoned;

void segment_map_set(const void *granule, uint8_t kind)
{
    uintptr_t index = ((uintptr_t)granule >> SEGMENT_SHIFT) & (((uintptr_t)1 << SEGMENT_MAP_BITS) - 1);
    __atomic_store_n(&segment_map[index], kind, __ATOMIC_RELEASE);
}

static uint64_t span_mask(size_t first, size_t count)
{
    return (count >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << count) - 1)) << first;
}

/* The lowest slice starting a run of `count` free slices, or -1. */
static int find_free_run(uint64_t free_slices, size_t count)
{
    uint64_t runs = free_slices;
    size_t have = 1;
    while (have < count && runs) {
        size_t shift = have < count - have ? have : count - have;
        runs &= runs >> shift;
        have += shift;
    }
    return runs ? __builtin_ctzll(runs) : -1;
}

static uint64_t committed_slices(const segment *seg)
{
    return ~seg->purged_slices;
}

static segment *segment_new(struct mmkit_heap *heap)
{
    segment *seg = os_map_aligned(SEGMENT_SIZE, SEGMENT_SIZE);
    if (!seg)
        return NULL;
    os_name(seg, SEGMENT_SIZE, "mmkit-segment");
    atomic_store_explicit(&seg->thread_id, heap->thread_id, memory_order_relaxed);
    seg->kind = SEGMENT_NORMAL;
    segment_set_heap(seg, heap);
    seg->mapping = (uint8_t *)seg;
    seg->mapped_size = SEGMENT_SIZE;
    seg->free_slices = ALL_PAGE_SLICES;
    /* Fresh slices hold no data: count them as purged until a page uses them. */
    seg->purged_slices = ALL_PAGE_SLICES;
    stats_shared_add(&os_stats.committed, SLICE_SIZE, &os_stats.peak_committed);
    segment_map_set(seg, MAP_SEGMENT_AT_GRANULE);
    segment_list_push(&heap->segments, seg);
    heap->empty_segments++;
    return seg;
}

void segment_unmap(segment *seg)
{
    segment_map_set(seg, MAP_NONE);
    int64_t committed = (int64_t)__builtin_popcountll(committed_slices(seg)) * (int64_t)SLICE_SIZE;
    stats_shared_add(&os_stats.committed, -committed, NULL);
    os_unmap(seg, SEGMENT_SIZE);
}

static uint8_t *slice_guard_page(segment *seg, size_t slice)
{
    return (uint8_t *)seg + (slice + 1) * SLICE_SIZE - OS_PAGE_SIZE;
}

void segment_set_guards(segment *seg, size_t first, size_t count, bool guard_last)
{
    uint64_t span = span_mask(first, count);
    uint64_t want = guard_last ? (uint64_t)1 << (first + count - 1) : 0;
    for (uint64_t stale = seg->guard_slices & span & ~want; stale; stale &= stale - 1)
        os_protect(slice_guard_page(seg, (size_t)__builtin_ctzll(stale)), OS_PAGE_SIZE, true);
    if (want & ~seg->guard_slices)
        os_protect(slice_guard_page(seg, first + count - 1), OS_PAGE_SIZE, false);
    seg->guard_slices = (seg->guard_slices & ~span) | want;
}

/* The page covering slice i, or NULL if the slice is free. */
static const page *slice_in_use(const segment *seg, size_t i)
{
    const page *pg = i < SLICES_PER_SEGMENT ? seg->slice_page[i] : NULL;
    return pg && pg->slice_count ? pg : NULL;
}

bool segment_guard_at(const void *p, const page **before, const page **after, size_t *offset)
{
    uintptr_t a = (uintptr_t)p;
    if (segment_map_kind(a) != MAP_SEGMENT_AT_GRANULE)
        return false;
    segment *seg = (segment *)(a & ~SEGMENT_MASK);
    size_t slice = (a & SEGMENT_MASK) >> SLICE_SHIFT;
    uint8_t *guard = slice_guard_page(seg, slice);
    if (seg->kind != SEGMENT_NORMAL || !(seg->guard_slices >> slice & 1) || (uint8_t *)p < guard)
        return false;
    *before = slice_in_use(seg, slice);
    *after = slice_in_use(seg, slice + 1);
    *offset = (size_t)((uint8_t *)p - guard);
    return true;
}

/* Mark slices [first, first + count) in use, counting those that come back
 * from being purged as committed again. */
static void segment_claim_slices(struct mmkit_heap *heap, segment *seg, size_t first, size_t count)
{
    uint64_t span = span_mask(first, count);
    if (seg->free_slices == ALL_PAGE_SLICES)
        heap->empty_segments--;
    seg->free_slices &= ~span;
    seg->dirty_slices &= ~span;
    uint64_t recommitted = seg->purged_slices & span;
    if (recommitted) {
        stats_shared_add(&os_stats.committed,
                         (int64_t)__builtin_popcountll(recommitted) * (int64_t)SLICE_SIZE,
                         &os_stats.peak_committed);
        seg->purged_slices &= ~span;
    }
}

/* Point slices [first, first + count) at the page that covers them. */
static void segment_cover(segment *seg, page *pg, size_t first, size_t count)
{
    for (size_t i = first; i < first + count; i++)
        seg->slice_page[i] = pg;
}

static page *segment_take_span(struct mmkit_heap *heap, segment *seg, size_t first, size_t count)
{
    segment_claim_slices(heap, seg, first, count);
    page *pg = &seg->pages[first];
    pg->slice_count = (uint8_t)count;
    pg->start = (uint8_t *)seg + first * SLICE_SIZE;
    segment_cover(seg, pg, first, count);
    return pg;
}

bool segment_page_grow(struct mmkit_heap *heap, page *pg, size_t slices)
{
    segment *seg = segment_of_page(pg);
    size_t first = (size_t)(pg - seg->pages), have = pg->slice_count;
    if (first + slices > SLICES_PER_SEGMENT)
        return false;
    uint64_t more = span_mask(first + have, slices - have);
    if ((seg->free_slices & more) != more)
        return false;
    segment_claim_slices(heap, seg, first + have, slices - have);
    if (seg->guard_slices)
        segment_set_guards(seg, first + have, slices - have, false);
    segment_cover(seg, pg, first + have, slices - have);
    pg->slice_count = (uint8_t)slices;
    return true;
}

page *segment_page_take(struct mmkit_heap *heap, segment *seg, size_t slices)
{
    int first = find_free_run(seg->free_slices, slices);
    return first >= 0 ? segment_take_span(heap, seg, (size_t)first, slices) : NULL;
}

page *segment_page_find(struct mmkit_heap *heap, size_t slices)
{
    for (segment *seg = heap->segments; seg; seg = seg->next) {
        page *pg = segment_page_take(heap, seg, slices);
        if (pg)
            return pg;
    }
    return NULL;
}

page *segment_page_new(struct mmkit_heap *heap, size_t slices)
{
    segment *seg = segment_new(heap);
    return seg ? segment_take_span(heap, seg, 1, slices) : NULL;
}

/* Purge the dirty free slices of one segment, a run at a time. */
static void segment_purge(segment *seg)
{
    uint64_t dirty = seg->dirty_slices;
    while (dirty) {
        size_t first = (size_t)__builtin_ctzll(dirty);
        size_t count = (size_t)__builtin_ctzll(~(dirty >> first));
        if (first + count > 64)
            count = 64 - first;
        os_purge((uint8_t *)seg + first * SLICE_SIZE, count * SLICE_SIZE);
        dirty &= ~span_mask(first, count);
    }
    stats_shared_add(&os_stats.committed,
                     -(int64_t)__builtin_popcountll(seg->dirty_slices) * (int64_t)SLICE_SIZE, NULL);
    seg->purged_slices |= seg->dirty_slices;
    seg->dirty_slices = 0;
    seg->purge_at_ns = 0;
}

void segment_page_free(struct mmkit_heap *heap, page *pg)
{
    segment *seg = segment_of_page(pg);
    size_t first = (size_t)(pg - seg->pages);
    uint64_t span = span_mask(first, pg->slice_count);
    pg->slice_count = 0;
    seg->free_slices |= span;
    seg->dirty_slices |= span;
    if (mmkit_options.purge_delay_ms == 0) {
        segment_purge(seg);
    } else {
        /* Each free postpones the purge: a segment in steady use keeps its
         * memory, one that goes quiet gives it back after the delay. */
        seg->purge_at_ns = os_now_ns() + mmkit_options.purge_delay_ms * 1000000u;
        if (heap->next_purge_ns == 0)
            heap->next_purge_ns = seg->purge_at_ns;
    }
    if (seg->free_slices == ALL_PAGE_SLICES) {
        heap->empty_segments++;
        /* Keep one empty segment for the next page; give back the rest. */
        if (heap->empty_segments > 1) {
            segment_list_remove(&heap->segments, seg);
            heap->empty_segments--;
            segment_unmap(seg);
        }
    }
}

void segment_purge_due(struct mmkit_heap *heap, bool force)
{
    if (!force) {
        if (heap->next_purge_ns == 0 || os_now_ns() < heap->next_purge_ns)
            return;
    }
    uint64_t now = os_now_ns(), next = 0;
    for (segment *seg = heap->segments; seg; seg = seg->next) {
        if (!seg->dirty_slices)
            continue;
        if (force || seg->purge_at_ns <= now)
            segment_purge(seg);
        else if (next == 0 || seg->purge_at_ns < next)
            next = seg->purge_at_ns;
    }
    heap->next_purge_ns = next;
}

void segment_release_empty(struct mmkit_heap *heap, size_t keep)
{
    segment *seg = heap->segments;
    while (seg && heap->empty_segments > keep) {
        segment *next = seg->next;
        if (seg->free_slices == ALL_PAGE_SLICES) {
            segment_list_remove(&heap->segments, seg);
            heap->empty_segments--;
            segment_unmap(seg);
        }
        seg = next;
    }
}

page *segment_next_page(const segment *seg, size_t *i)
{
    while (*i < SLICES_PER_SEGMENT) {
        if (seg->free_slices >> *i & 1) {
            (*i)++;
            continue;
        }
        page *pg = (page *)&seg->pages[*i];
        *i += pg->slice_count;
        return pg;
    }
    return NULL;
}

void segment_abandon(segment *seg)
{
    size_t i = 1;
    for (page *pg; (pg = segment_next_page(seg, &i));)
        atomic_store_explicit(&pg->heap, NULL, memory_order_relaxed);
    atomic_store_explicit(&seg->thread_id, 0, memory_order_relaxed);
    segment_set_heap(seg, NULL);
    lock_take(LOCK_GLOBAL);
    seg->prev = NULL;
    seg->next = atomic_load_explicit(&abandoned, memory_order_relaxed);
    atomic_store_explicit(&abandoned, seg, memory_order_release);
    lock_release(LOCK_GLOBAL);
}

segment *segment_reclaim(struct mmkit_heap *heap)
{
    if (!atomic_load_explicit(&abandoned, memory_order_relaxed))
        return NULL;
    lock_take(LOCK_GLOBAL);
    segment *seg = atomic_load_explicit(&abandoned, memory_order_relaxed);
    if (seg)
        atomic_store_explicit(&abandoned, seg->next, memory_order_relaxed);
    lock_release(LOCK_GLOBAL);
    if (!seg)
        return NULL;
    atomic_fetch_add_explicit(&os_stats.heaps_reclaimed, 1, memory_order_relaxed);
    atomic_store_explicit(&seg->thread_id, heap->thread_id, memory_order_relaxed);
    segment_set_heap(seg, heap);
    segment_list_push(&heap->segments, seg);
    if (seg->free_slices == ALL_PAGE_SLICES)
        heap->empty_segments++;
    if (seg->dirty_slices && (heap->next_purge_ns == 0 || seg->purge_at_ns < heap->next_purge_ns))
        heap->next_purge_ns = seg->purge_at_ns ? seg->purge_at_ns : os_now_ns();
    return seg;
}
