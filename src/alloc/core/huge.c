/*
 * huge.c - blocks above the mmap threshold, each in a mapping of its own.
 *
 * The mapping is a segment of kind SEGMENT_HUGE so that free() finds it by
 * masking like any other block: the segment header sits at the 4 MiB
 * boundary the mapping starts on, the block after it.  An alignment of
 * 4 MiB or more cannot leave room for a header below the block inside the
 * same 4 MiB, so there the header sits in the page just before the block
 * (MAP_HEADER_BEFORE_BLOCK in the segment map).
 *
 * Freed mappings wait a little in a small cache: programs that allocate
 * and free big buffers in a loop then skip both the system calls and the
 * page faults.  A cached mapping goes back to the OS after purge_delay_ms.
 */
#include <string.h>

#include "core.h"
#include "locks.h"

/* Every huge segment in use, under the global lock. */
static segment *huge_segments;

#define HUGE_CACHE_SLOTS 16
#define HUGE_CACHE_MAX_BYTES ((size_t)64 << 20)
#define HUGE_CACHE_MAX_BLOCK ((size_t)32 << 20)
/* How much bigger than a request a cached mapping may be and still serve
 * it whole: as much again, or 16 MiB.  Mapping afresh faults in every page
 * of the request; a larger mapping only keeps resident what it had. */
#define HUGE_CACHE_SLACK(need) ((need) > ((size_t)16 << 20) ? (need) : ((size_t)16 << 20))
static struct {
    segment *seg;
    uint64_t freed_at_ns;
} huge_cache[HUGE_CACHE_SLOTS];
static size_t huge_cache_bytes;
/* When the oldest cached mapping is due back to the OS; 0 when the cache is
 * empty.  Read without the lock by every allocation slow path. */
static _Atomic uint64_t huge_cache_due;

/* Under the lock, after the cache changed. */
static void huge_cache_update_due(void)
{
    uint64_t oldest = 0;
    for (size_t i = 0; i < HUGE_CACHE_SLOTS; i++)
        if (huge_cache[i].seg && (oldest == 0 || huge_cache[i].freed_at_ns < oldest))
            oldest = huge_cache[i].freed_at_ns;
    uint64_t due = oldest ? oldest + mmkit_options.purge_delay_ms * 1000000u : 0;
    atomic_store_explicit(&huge_cache_due, due, memory_order_relaxed);
}

static size_t block_offset(size_t alignment)
{
    if (alignment < MIN_BLOCK_SIZE)
        alignment = MIN_BLOCK_SIZE;
    return align_up(SEGMENT_HEADER_SIZE, alignment);
}

/* Enter the mapping in the segment map, or take it out: the granule its
 * segment is found from, and the later ones up to its end (at most
 * MAP_INSIDE_HUGE_SPAN of them), so lookups find the block from anywhere
 * in it.  Taken out before the addresses go back to the OS: another thread
 * may map them again at once and enter them as its own. */
static void huge_map_enter(const segment *seg, bool present)
{
    bool header_first = (const uint8_t *)seg == seg->mapping;
    uintptr_t first = header_first ? (uintptr_t)seg : (uintptr_t)seg->pages[0].start;
    uintptr_t end = (uintptr_t)seg->mapping + seg->mapped_size;
    uint8_t kind = header_first ? MAP_SEGMENT_AT_GRANULE : MAP_HEADER_BEFORE_BLOCK;
    segment_map_set((const void *)first, present ? kind : MAP_NONE);
    uintptr_t granule = first + SEGMENT_SIZE;
    for (unsigned back = 1; granule < end && back <= MAP_INSIDE_HUGE_SPAN; back++) {
        segment_map_set((const void *)granule, present ? (uint8_t)(MAP_INSIDE_HUGE + back - 1) : MAP_NONE);
        granule += SEGMENT_SIZE;
    }
}

static void huge_unmap(segment *seg)
{
    huge_map_enter(seg, false);
    stats_shared_add(&os_stats.committed, -(int64_t)seg->mapped_size, NULL);
    os_unmap(seg->mapping, seg->mapped_size);
}

/* A cached mapping for `need` bytes: the smallest of at least `need` and
 * at most HUGE_CACHE_SLACK more, else the largest smaller one, which the
 * caller grows by moving its pages (so only the growth faults in). */
static segment *huge_cache_take(size_t need)
{
    size_t fit = HUGE_CACHE_SLOTS, grow = HUGE_CACHE_SLOTS;
    for (size_t i = 0; i < HUGE_CACHE_SLOTS; i++) {
        segment *seg = huge_cache[i].seg;
        if (!seg)
            continue;
        size_t size = seg->mapped_size;
        if (size >= need && size - need <= HUGE_CACHE_SLACK(need)) {
            if (fit == HUGE_CACHE_SLOTS || size < huge_cache[fit].seg->mapped_size)
                fit = i;
        } else if (size < need) {
            if (grow == HUGE_CACHE_SLOTS || size > huge_cache[grow].seg->mapped_size)
                grow = i;
        }
    }
    size_t best = fit != HUGE_CACHE_SLOTS ? fit : grow;
    if (best == HUGE_CACHE_SLOTS)
        return NULL;
    segment *seg = huge_cache[best].seg;
    huge_cache[best].seg = NULL;
    huge_cache_bytes -= seg->mapped_size;
    huge_cache_update_due();
    return seg;
}

/* Put a freed mapping in the cache, evicting the oldest if need be;
 * returns what the caller must unmap (outside the lock), or NULL. */
static segment *huge_cache_put(segment *seg)
{
    if (seg->mapped_size > HUGE_CACHE_MAX_BLOCK || mmkit_options.purge_delay_ms == 0 ||
        (uint8_t *)seg != seg->mapping) {
        seg->next = NULL;
        return seg;
    }
    size_t slot = HUGE_CACHE_SLOTS, oldest = 0;
    for (size_t i = 0; i < HUGE_CACHE_SLOTS; i++) {
        if (!huge_cache[i].seg)
            slot = i;
        else if (huge_cache[i].freed_at_ns < huge_cache[oldest].freed_at_ns || !huge_cache[oldest].seg)
            oldest = i;
    }
    segment *evicted = NULL;
    if (slot == HUGE_CACHE_SLOTS || huge_cache_bytes + seg->mapped_size > HUGE_CACHE_MAX_BYTES) {
        evicted = huge_cache[oldest].seg;
        huge_cache_bytes -= evicted->mapped_size;
        slot = oldest;
        if (huge_cache_bytes + seg->mapped_size > HUGE_CACHE_MAX_BYTES) {
            huge_cache[slot].seg = NULL;
            evicted->next = seg;
            seg->next = NULL;
            return evicted;
        }
        evicted->next = NULL;
    }
    huge_cache[slot].seg = seg;
    huge_cache[slot].freed_at_ns = os_now_ns();
    huge_cache_bytes += seg->mapped_size;
    huge_cache_update_due();
    return evicted;
}

/* Take out of the cache what has waited long enough (everything if `all`);
 * the caller unmaps the returned list outside the lock. */
static segment *huge_cache_expire(bool all)
{
    uint64_t now = all ? 0 : os_now_ns();
    uint64_t delay = mmkit_options.purge_delay_ms * 1000000u;
    segment *expired = NULL;
    for (size_t i = 0; i < HUGE_CACHE_SLOTS; i++) {
        segment *seg = huge_cache[i].seg;
        if (seg && (all || now - huge_cache[i].freed_at_ns >= delay)) {
            huge_cache[i].seg = NULL;
            huge_cache_bytes -= seg->mapped_size;
            seg->next = expired;
            expired = seg;
        }
    }
    huge_cache_update_due();
    return expired;
}

static void unmap_list(segment *list)
{
    while (list) {
        segment *next = list->next;
        huge_unmap(list);
        list = next;
    }
}

/* Describe the mapping in the segment header: where it is, and where the
 * block starts (every slice of the segment points at its one page). */
static void huge_describe(segment *seg, uint8_t *mapping, size_t mapped, uint8_t *start)
{
    seg->mapping = mapping;
    seg->mapped_size = mapped;
    seg->pages[0].start = start;
    for (size_t i = 0; i < SLICES_PER_SEGMENT; i++)
        seg->slice_page[i] = &seg->pages[0];
}

static segment *huge_map(size_t size, size_t alignment)
{
    segment *seg;
    uint8_t *mapping, *start;
    size_t mapped;
    if (alignment < SEGMENT_SIZE) {
        size_t offset = block_offset(alignment);
        mapped = align_up(offset + size, OS_PAGE_SIZE);
        if (mapped < size)
            return NULL;
        mapping = os_map_aligned(mapped, SEGMENT_SIZE);
        if (!mapping)
            return NULL;
        seg = (segment *)mapping;
        start = mapping + offset;
    } else {
        mapped = align_up(alignment + size, OS_PAGE_SIZE);
        if (mapped < size)
            return NULL;
        mapping = os_map_aligned(mapped, alignment);
        if (!mapping)
            return NULL;
        start = mapping + alignment;
        seg = (segment *)(start - SEGMENT_HEADER_SIZE);
    }
    os_name(mapping, mapped, "mmkit-huge");
    seg->kind = SEGMENT_HUGE;
    seg->pages[0].class_index = HUGE_CLASS;
    huge_describe(seg, mapping, mapped, start);
    huge_map_enter(seg, true);
    stats_shared_add(&os_stats.committed, (int64_t)mapped, &os_stats.peak_committed);
    return seg;
}

/* Resize a huge segment's mapping (which may move it); the segment at its
 * new place, or NULL with the old one untouched.  `seg` is in no list while
 * this runs (and a listed block is resized under the global lock). */
static segment *huge_remap(segment *seg, size_t mapped)
{
    bool header_first = (uint8_t *)seg == seg->mapping;
    uint8_t *old_mapping = seg->mapping;
    size_t old_size = seg->mapped_size;
    size_t offset = (size_t)(seg->pages[0].start - old_mapping);
    /* The header sits before the block: it may only shrink in place. */
    if (!header_first && mapped > old_size)
        return NULL;
    huge_map_enter(seg, false);
    uint8_t *moved = os_remap(old_mapping, old_size, mapped, header_first ? SEGMENT_SIZE : 1);
    if (!moved) {
        huge_map_enter(seg, true);
        return NULL;
    }
    stats_shared_add(&os_stats.committed, (int64_t)mapped - (int64_t)old_size, &os_stats.peak_committed);
    if (moved == old_mapping) {
        seg->mapped_size = mapped;
    } else {
        seg = (segment *)moved;
        huge_describe(seg, moved, mapped, moved + offset);
    }
    huge_map_enter(seg, true);
    return seg;
}

void *huge_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
{
    if (size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    segment *seg = NULL;
    if (alignment < SEGMENT_SIZE) {
        size_t offset = block_offset(alignment);
        size_t need = align_up(offset + size, OS_PAGE_SIZE);
        lock_take(LOCK_GLOBAL);
        seg = huge_cache_take(need);
        lock_release(LOCK_GLOBAL);
        if (seg && seg->mapped_size < need) {
            /* Growing moves the pages: only the growth faults in.  (A mapping
             * too big is used as it is: shrinking it and growing it again
             * later costs more faults than the memory is worth.) */
            segment *grown = huge_remap(seg, need);
            if (!grown)
                huge_unmap(seg); /* and map afresh below */
            seg = grown;
        }
        if (seg) {
            seg->pages[0].start = seg->mapping + offset;
            if (zero)
                memset(seg->pages[0].start, 0, size);
        }
    }
    if (!seg)
        seg = huge_map(size, alignment);
    if (!seg)
        return os_out_of_memory(size);
    segment_set_heap(seg, heap == &empty_heap ? NULL : heap);
    size_t offset = (size_t)(seg->pages[0].start - seg->mapping);
    size_t usable = align_up(offset + size, OS_PAGE_SIZE) - offset;
    seg->huge_usable = usable;
    seg->pages[0].used = 1; /* live: hardened frees tell a second free by it */
    lock_take(LOCK_GLOBAL);
    segment_list_push(&huge_segments, seg);
    lock_release(LOCK_GLOBAL);
    atomic_fetch_add_explicit(&os_stats.huge_allocs, 1, memory_order_relaxed);
    stats_shared_add(&os_stats.huge_live, (int64_t)usable, &os_stats.huge_peak);
    return seg->pages[0].start;
}

void huge_free(segment *seg)
{
    size_t usable = seg->huge_usable;
    seg->pages[0].used = 0;
    atomic_fetch_add_explicit(&os_stats.huge_frees, 1, memory_order_relaxed);
    stats_shared_add(&os_stats.huge_live, -(int64_t)usable, NULL);
    lock_take(LOCK_GLOBAL);
    segment_list_remove(&huge_segments, seg);
    segment *expired = huge_cache_expire(false);
    segment *unwanted = huge_cache_put(seg);
    lock_release(LOCK_GLOBAL);
    unmap_list(unwanted);
    unmap_list(expired);
}

void *huge_resize(segment *seg, size_t size)
{
    size_t offset = (size_t)(seg->pages[0].start - seg->mapping);
    size_t mapped = align_up(offset + size, OS_PAGE_SIZE);
    if (mapped < size)
        return NULL;
    size_t old_usable = seg->huge_usable;
    /* Within the mapping as it is (and not wasting half of it): no call. */
    if (mapped > seg->mapped_size || mapped < seg->mapped_size / 2) {
        /* Under the lock: the segment leaves the list while it moves, and a
         * thread exiting meanwhile must still find it to disown it. */
        lock_take(LOCK_GLOBAL);
        segment_list_remove(&huge_segments, seg);
        segment *resized = huge_remap(seg, mapped);
        segment_list_push(&huge_segments, resized ? resized : seg);
        lock_release(LOCK_GLOBAL);
        if (!resized)
            return NULL;
        seg = resized;
    }
    seg->huge_usable = mapped - offset;
    stats_shared_add(&os_stats.huge_live, (int64_t)seg->huge_usable - (int64_t)old_usable,
                     &os_stats.huge_peak);
    return seg->pages[0].start;
}

/* Unmap the cached mappings that waited long enough (every one if `all`). */
static void huge_cache_give_back(bool all)
{
    lock_take(LOCK_GLOBAL);
    segment *expired = huge_cache_expire(all);
    lock_release(LOCK_GLOBAL);
    unmap_list(expired);
}

void huge_expire_due(void)
{
    uint64_t due = atomic_load_explicit(&huge_cache_due, memory_order_relaxed);
    if (due == 0 || os_now_ns() < due)
        return;
    huge_cache_give_back(false);
}

void huge_trim(void)
{
    huge_cache_give_back(true);
}

void huge_free_all_of(struct mmkit_heap *heap)
{
    for (;;) {
        lock_take(LOCK_GLOBAL);
        segment *seg = huge_segments;
        while (seg && segment_heap(seg) != heap)
            seg = seg->next;
        lock_release(LOCK_GLOBAL);
        if (!seg)
            return;
        huge_free(seg);
    }
}

void huge_disown_all_of(struct mmkit_heap *heap)
{
    lock_take(LOCK_GLOBAL);
    for (segment *seg = huge_segments; seg; seg = seg->next)
        if (segment_heap(seg) == heap)
            segment_set_heap(seg, NULL);
    lock_release(LOCK_GLOBAL);
}
