/*
 * core.h - the allocator itself: segments, pages, heaps, huge blocks, the
 * private heap, and the one lookup of a pointer.  It calls only down, into
 * platform/; a layer above that must hear of a core event registers a hook
 * (core_hooks).  types.h documents the structures; start reading there.
 * Prefixes: segment_, page_, heap_, huge_, private_heap_, core_.
 */
#ifndef MMKIT_CORE_H
#define MMKIT_CORE_H

#include <stdio.h>

#include "platform.h"
#include "types.h"

/* Most blocks one carving makes: a page of 16-byte blocks. */
#define CARVE_MAX (OS_PAGE_SIZE / MIN_BLOCK_SIZE)
_Static_assert(CARVE_MAX == SHUFFLE_MAX, "the option shuffle reaches a whole carving");

/* ---- segments (segment.c) --------------------------------------------------- */

/* The segment holding p, or NULL if p is not a block of ours.  One byte per
 * 4 MiB of address space tells whether a segment starts there. */
extern uint8_t segment_map[] INTERNAL;
#define SEGMENT_MAP_BITS 26   /* covers 2^(26+22) = 256 TiB of addresses */

/* What the map says of a 4 MiB granule.  A huge block's mapping spans many
 * granules: its later ones say how far back the granule its segment is
 * found from lies (MAP_INSIDE_HUGE: one granule back, and so on up to
 * MAP_INSIDE_HUGE_SPAN), so a pointer anywhere in its first GiB leads to
 * its segment.  Only lookups follow them: free() takes a pointer there for
 * what it is, not a block's start. */
enum { MAP_NONE = 0, MAP_SEGMENT_AT_GRANULE = 1, MAP_HEADER_BEFORE_BLOCK = 2, MAP_INSIDE_HUGE = 3 };
#define MAP_INSIDE_HUGE_SPAN (255 - MAP_INSIDE_HUGE + 1)

static inline uint8_t segment_map_kind(uintptr_t a)
{
    /* Relaxed: a plain load, but other threads rewrite entries of segments
     * they map and unmap.  Addresses beyond the map's 48 bits alias; the
     * kernel hands out none to a process that does not ask for them. */
    return __atomic_load_n(
        &segment_map[(a >> SEGMENT_SHIFT) & (((uintptr_t)1 << SEGMENT_MAP_BITS) - 1)], __ATOMIC_RELAXED);
}

/* The segment whose mapping holds address a, wherever in it a lies (the
 * metadata, a block's start or inside it); NULL if none of ours does. */
static inline segment *segment_containing(uintptr_t a)
{
    uint8_t kind = segment_map_kind(a);
    if (likely(kind == MAP_SEGMENT_AT_GRANULE))
        return (segment *)(a & ~SEGMENT_MASK);
    if (kind >= MAP_INSIDE_HUGE) {
        a -= (uintptr_t)(kind - MAP_INSIDE_HUGE + 1) << SEGMENT_SHIFT;
        kind = segment_map_kind(a);
    }
    if (kind == MAP_SEGMENT_AT_GRANULE)
        return (segment *)(a & ~SEGMENT_MASK);
    if (kind == MAP_HEADER_BEFORE_BLOCK)
        return (segment *)((a & ~SEGMENT_MASK) - SEGMENT_HEADER_SIZE);
    return NULL;
}

/* The segment of a pointer that is not at a segment's granule start. */
static inline segment *segment_of_huge_aligned(uintptr_t a, uint8_t kind)
{
    if (kind == MAP_HEADER_BEFORE_BLOCK && (a & SEGMENT_MASK) == 0)
        return (segment *)(a - SEGMENT_HEADER_SIZE);
    return NULL;
}

static inline segment *segment_of(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    uint8_t kind = segment_map_kind(a);
    if (likely(kind == MAP_SEGMENT_AT_GRANULE))
        return (segment *)(a & ~SEGMENT_MASK);
    return segment_of_huge_aligned(a, kind);
}

/* The heap that owns a segment, or NULL. */
static inline struct mmkit_heap *segment_heap(const segment *seg)
{
    return atomic_load_explicit(&((segment *)seg)->heap, memory_order_relaxed);
}

static inline void segment_set_heap(segment *seg, struct mmkit_heap *heap)
{
    atomic_store_explicit(&seg->heap, heap, memory_order_relaxed);
}

/* A page's carved blocks (relaxed: plain moves, yet whole for readers). */
static inline uint32_t page_capacity(const page *pg)
{
    return atomic_load_explicit(&((page *)pg)->capacity, memory_order_relaxed);
}

static inline void page_capacity_set(page *pg, uint32_t capacity)
{
    atomic_store_explicit(&pg->capacity, capacity, memory_order_relaxed);
}

/* The segment whose metadata holds a page descriptor. */
static inline segment *segment_of_page(const page *pg)
{
    return (segment *)((uintptr_t)pg & ~SEGMENT_MASK);
}

static inline page *page_of(const segment *seg, const void *p)
{
    return seg->slice_page[((uintptr_t)p - (uintptr_t)seg) >> SLICE_SHIFT];
}

/* A list of segments through their next and prev (a heap's segments, the
 * huge blocks in use): push one at the head, take one out. */
static inline void segment_list_push(segment **head, segment *seg)
{
    seg->prev = NULL;
    seg->next = *head;
    if (*head)
        (*head)->prev = seg;
    *head = seg;
}

static inline void segment_list_remove(segment **head, segment *seg)
{
    if (seg->prev)
        seg->prev->next = seg->next;
    else
        *head = seg->next;
    if (seg->next)
        seg->next->prev = seg->prev;
    seg->next = seg->prev = NULL;
}

void segment_map_set(const void *granule, uint8_t kind) INTERNAL;
/* A page of `slices` slices for `heap` from one of its segments, or NULL. */
page *segment_page_find(struct mmkit_heap *heap, size_t slices) INTERNAL;
/* The same from one segment only, or from a new one. */
page *segment_page_take(struct mmkit_heap *heap, segment *seg, size_t slices) INTERNAL;
page *segment_page_new(struct mmkit_heap *heap, size_t slices) INTERNAL;
/* The page in use at or after slice *i, advancing *i past it; NULL at the end. */
page *segment_next_page(const segment *seg, size_t *i) INTERNAL;
/* Let a page take the free slices after it, to span `slices`; false if
 * they are not free (or past the segment's end). */
bool segment_page_grow(struct mmkit_heap *heap, page *pg, size_t slices) INTERNAL;
/* Hardened: leave guard pages in slices [first, first + count) only at the
 * end of the last one, and there only if `guard_last`.  A guard stays when
 * its page is freed, so a page made again on the same slices costs no
 * system call. */
void segment_set_guards(segment *seg, size_t first, size_t count, bool guard_last) INTERNAL;
/* Is p in the guard page at the end of a slice?  Then *before is the page
 * that ends there and *after the one that starts after it (each NULL if
 * none), and *offset is p's offset in the guard page.  Reads without locks:
 * for the fault handler. */
bool segment_guard_at(const void *p, const page **before, const page **after, size_t *offset) INTERNAL;
/* Give a page's slices back to its segment (the page is empty). */
void segment_page_free(struct mmkit_heap *heap, page *pg) INTERNAL;
/* Purge free slices whose delay has passed (all of them if `force`). */
void segment_purge_due(struct mmkit_heap *heap, bool force) INTERNAL;
/* Unmap the heap's segments that hold no page. */
void segment_release_empty(struct mmkit_heap *heap, size_t keep) INTERNAL;
void segment_unmap(segment *seg) INTERNAL;
/* Hand the heap's segments to the abandoned list / take one back. */
void segment_abandon(segment *seg) INTERNAL;
segment *segment_reclaim(struct mmkit_heap *heap) INTERNAL;

/* ---- pages (page.c) ------------------------------------------------------- */

extern page empty_page INTERNAL;
extern const uint32_t class_block_size[CLASS_COUNT] INTERNAL;
/* 2^40 / block size + 1, to divide by a multiply (lookup.h). */
extern const uint64_t class_reciprocal[CLASS_COUNT] INTERNAL;
extern const uint8_t small_class_of[SMALL_DIRECT_COUNT] INTERNAL;

static inline size_t class_of(size_t size)
{
    if (likely(size <= SMALL_DIRECT_MAX))
        return small_class_of[(size + 15) >> 4];
    size_t w = 63 - (size_t)__builtin_clzll(size - 1); /* 2^w < size <= 2^(w+1) */
    return 8 + (w - 7) * 4 + (((size - 1) >> (w - 2)) & 3);
}

/* Move blocks freed locally and by other threads onto the free list. */
void page_collect(page *pg) INTERNAL;
/* Carve up to a few OS pages' worth of new blocks onto the free list. */
void page_extend(page *pg) INTERNAL;
void page_init(page *pg, struct mmkit_heap *heap, size_t class_index) INTERNAL;
/* Hardened: end the page with a guard page (its last OS page). */
void page_guard(page *pg) INTERNAL;
/* Give the page an owner (and the owner's counters for its class). */
void page_set_heap(page *pg, struct mmkit_heap *heap) INTERNAL;
/* A page holding one large block of the page's whole span. */
void page_init_large(page *pg, struct mmkit_heap *heap, size_t class_index) INTERNAL;
void queue_push(page_queue *q, page *pg) INTERNAL;
void queue_remove(page_queue *q, page *pg) INTERNAL;

/* ---- heaps (heap.c) ------------------------------------------------------- */

extern struct mmkit_heap empty_heap INTERNAL;
extern __thread struct mmkit_heap *thread_heap INTERNAL;
/* The allocation slow path: refill direct[class] and pop a block of the
 * class for a request of `size` bytes. */
void *heap_malloc_slow(struct mmkit_heap *heap, size_t class_index, size_t size) INTERNAL;
/* A block above the largest size of multi-block pages: a page of its own. */
void *heap_malloc_large(struct mmkit_heap *heap, size_t size) INTERNAL;
/* Grow a large block where it is; false if the slices after it are taken. */
bool heap_large_grow(page *pg, size_t size) INTERNAL;
/* A local free left `pg` empty or moved it out of the full queue. */
void heap_page_freed_slow(page *pg) INTERNAL;
/* Take in the frees other threads made into this thread's pages, and the
 * pages exited threads left behind; returns the thread's heap. */
struct mmkit_heap *heap_collect_pending(void) INTERNAL;
/* Give back what the heap can: empty pages, free slices, empty segments. */
void heap_trim(struct mmkit_heap *heap) INTERNAL;
/* After fork, in the child: forget every heap but the running thread's. */
void heap_forget_other_threads(void) INTERNAL;
/* A thread watched with thread_exit_watch(heap) exits: hand its heap on. */
void heap_thread_exited(void *heap) INTERNAL;
/* A user heap (mmkit_heap_new), and its end: every block of it at once. */
struct mmkit_heap *heap_new_pool(void) INTERNAL;
void heap_destroy_pool(struct mmkit_heap *heap) INTERNAL;
/* A class's counters over every heap, live or gone (under the global lock):
 * allocations, frees, and a bound on the peak of live blocks. */
void heap_class_totals(size_t c, uint64_t *allocs, uint64_t *frees, uint64_t *peak) INTERNAL;

/* ---- huge blocks (huge.c) --------------------------------------------------- */

/* A block of its own mapping; `zero` asks for zeros (fresh maps are). */
void *huge_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero) INTERNAL;
void huge_free(segment *seg) INTERNAL;
/* Resize a huge block without copying it: the block's new address, or
 * NULL if its mapping cannot be resized (the block is then untouched). */
void *huge_resize(segment *seg, size_t size) INTERNAL;
/* Free every huge block of `heap` (heap destroy). */
void huge_free_all_of(struct mmkit_heap *heap) INTERNAL;
/* Give cached huge mappings back to the OS now. */
void huge_trim(void) INTERNAL;
/* Give back the cached huge mappings that waited purge_delay_ms; cheap
 * when none did (the allocation slow paths call it). */
void huge_expire_due(void) INTERNAL;
/* The heap's thread is gone: its huge blocks now belong to no heap. */
void huge_disown_all_of(struct mmkit_heap *heap) INTERNAL;

/* ---- frees (free.c) ------------------------------------------------------- */

/* keyed false (fast mode) leaves the page's key alone: it shares a cache
 * line with the owner's lists, which other threads must not pull. */
void free_remote(segment *seg, page *pg, block *b, bool keyed) INTERNAL;

/* ---- the core calls, for the callers above (alloc.c, free.c) --------------- */

/* Allocate from `heap` (the thread's may still be empty_heap); alignment 0
 * or up to 16: the default; zero: the block reads as zeros. */
void *core_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero) INTERNAL;
void core_free(void *ptr) INTERNAL;
void *core_realloc(struct mmkit_heap *heap, void *ptr, size_t size) INTERNAL;
size_t core_usable_size(const void *ptr) INTERNAL;
/* Give back what can go: the calling thread's empty pages and free slices,
 * the pages exited threads left, the cached huge mappings.  1 if anything
 * went back to the OS, else 0. */
int core_trim(void) INTERNAL;

/* ---- the private heap (private_heap.c) ------------------------------------------ */

/* The allocator's own allocations: between enter and leave (which nest,
 * and hold no lock in between), what the running thread allocates through
 * a caller above that asks private_heap_inside comes from a heap of the
 * allocator's own.  private_heap_init at start-up. */
void private_heap_init(void) INTERNAL;
void private_heap_enter(void) INTERNAL;
void private_heap_leave(void) INTERNAL;
bool private_heap_inside(void) INTERNAL;
void *private_heap_alloc(size_t size, size_t alignment, bool zero) INTERNAL;
/* realloc for a thread inside, or of a block of the private heap. */
void *private_heap_realloc(void *ptr, size_t size) INTERNAL;
bool private_heap_owns(const void *ptr) INTERNAL;
/* Called, under the heap's lock, when the first thread enters and when the
 * last leaves. */
void private_heap_set_hooks(void (*first_in)(void), void (*last_out)(void)) INTERNAL;

/* ---- what the layers above hear of the core -------------------------------------- */

typedef struct core_hooks {
    /* A page is about to be carved over a span: a caller above that marked
     * an earlier page's blocks there (red zones, say) forgets the marks. */
    void (*span_reused)(const void *start, size_t size);
    /* Hardened and debug mode: the free-list link kept in the freed block
     * at `block` leads out of its page: something wrote over it. */
    void (*link_overwritten)(const void *block);
    /* A thread's heap is about to look for a page with free blocks, holding
     * no lock: work done from time to time goes here (stats_interval). */
    void (*page_wanted)(void);
} core_hooks;
extern core_hooks core_hook INTERNAL;

/* ---- statistics (stats.c) --------------------------------------------------- */

/* glibc's malloc_info format. */
void stats_print_xml(FILE *out) INTERNAL;
/* stats=1 and stats=2 at exit: the text or the JSON of mmkit_stats_print,
 * printed where the allocator prints its messages (platform.h). */
void stats_print_at_exit(bool json) INTERNAL;
/* stats_interval: print them (as stats=2 says, text or JSON) every
 * interval_ms while the program runs.  No thread of ours does it: start-up
 * makes stats_print_if_due the hook page_wanted, so a thread whose heap
 * needs a page finds it due, and a program that stops allocating prints no
 * more until exit. */
void stats_print_every(uint64_t interval_ms) INTERNAL;
void stats_print_if_due(void) INTERNAL;
/* The bytes of live blocks, huge ones included, in what mmkit_stats_get
 * filled in. */
uint64_t stats_live_bytes(const mmkit_stats *s) INTERNAL;
/* A block the checking layer served from memory of its own (guarded.h), or
 * its free: counted in the class of its size, or as a large block past the
 * classes, so the statistics and mallinfo see every block the program has. */
void stats_count_outside_alloc(size_t size) INTERNAL;
void stats_count_outside_free(size_t size) INTERNAL;
/* A block of the core (`usable` bytes) that the program freed, held back by
 * the checking layer (held true: its quarantine), or that left its hands
 * (false): the statistics count it freed while it is held. */
void stats_count_held(size_t usable, bool held) INTERNAL;
/* The counters of a heap, updated on the allocation fast path. */
static inline void stats_count_alloc(class_counters *c)
{
    uint64_t allocs = counter_get(&c->allocs) + 1;
    atomic_store_explicit(&c->allocs, allocs, memory_order_relaxed);
    /* Signed: a heap that adopted an exited thread's pages counts frees of
     * blocks it never handed out. */
    int64_t live;
    if (unlikely(counter_difference_above(allocs, &c->frees, &c->peak_live, &live)))
        atomic_store_explicit(&c->peak_live, (uint64_t)live, memory_order_relaxed);
}
/* ---- hardening --------------------------------------------------------------- */

/* Nonzero in the hardened and debug modes: the key that pages' keys derive
 * from.  Then links inside free blocks are encoded (an overwritten link does
 * not lead where its writer chose), fresh blocks are handed out in random
 * order, and each multi-block page ends with a guard page. */
extern uint64_t hardening_secret INTERNAL;

/* A link as stored in a block, and back: XOR with the page's key.  The
 * fast paths of mmkit_malloc and mmkit_free run only when no checking mode
 * is on, when every key is 0: they pass keyed=false and skip the XOR, so
 * the hardening costs fast mode nothing.  Every other path is keyed. */
static inline block *block_link(const page *pg, block *next, bool keyed)
{
    return keyed ? (block *)((uintptr_t)next ^ pg->key) : next;
}
static inline block *block_next(const page *pg, const block *b, bool keyed)
{
    return keyed ? (block *)((uintptr_t)b->next ^ pg->key) : b->next;
}

/* Keyed links are checked as they are followed: one that leads out of
 * the page's span was overwritten (a decoded garbage word lands anywhere),
 * and is reported rather than followed into a crash. */
static inline bool link_in_page(const page *pg, const block *next)
{
    return !next ||
           (uintptr_t)next - (uintptr_t)pg->start < (size_t)pg->slice_count << SLICE_SHIFT;
}

/* The pop itself: next becomes the first free block. */
static inline void *page_take(page *pg, block *b, block *next, bool keyed)
{
    pg->free = next;
    /* A live block must not look freed to block_verdict(). */
    if (keyed)
        b->next = NULL;
    pg->used++;
    stats_count_alloc(pg->counters);
    return b;
}

/* page_pop when b's link leads out of its segment: the end of the list
 * (NULL), or a link overwritten, which is reported (core_hooks) and ends
 * the list at b.  Out of line, reached by a tail call: the fast path's
 * check is one XOR and a shift, and saves no registers. */
void *page_pop_checked(page *pg, block *b) INTERNAL;

/* Hand out the first free block of a page that has one. */
static inline void *page_pop(page *pg, bool keyed)
{
    block *b = pg->free;
    block *next = block_next(pg, b, keyed);
    if (keyed && unlikely((((uintptr_t)next ^ (uintptr_t)b) >> SEGMENT_SHIFT) != 0))
        return page_pop_checked(pg, b);
    return page_take(pg, b, next, keyed);
}

/* ---- the fast paths, inlined into the entry points ----------------------------- */

/* The allocation fast path.  keyed: see block_link(); false only when no
 * checking mode is on. */
static inline void *heap_malloc(struct mmkit_heap *heap, size_t size, bool keyed)
{
    if (likely(size <= SMALL_DIRECT_MAX)) {
        size_t i = (size + 15) >> 4;
        page *pg = heap->direct_small[i];
        if (likely(pg->free))
            return page_pop(pg, keyed);
        return heap_malloc_slow(heap, small_class_of[i], size);
    }
    if (unlikely(size > mmkit_options.mmap_threshold))
        return huge_alloc(heap, size, 0, false);
    if (unlikely(size > MEDIUM_PAGE_BLOCK_MAX))
        return heap_malloc_large(heap, size);
    size_t class_index = class_of(size);
    page *pg = heap->direct[class_index];
    if (likely(pg->free))
        return page_pop(pg, keyed);
    return heap_malloc_slow(heap, class_index, size);
}

/* Free the block at ptr, the start of a live block of page pg in seg. */
static inline void core_free_block(segment *seg, page *pg, void *ptr, bool keyed)
{
    block *b = ptr;
    if (likely(thread_is_current(atomic_load_explicit(&seg->thread_id, memory_order_relaxed)))) {
        b->next = block_link(pg, pg->local_free, keyed);
        pg->local_free = b;
        counter_add(&pg->counters->frees, 1);
        if (unlikely(decrement_to_nonpositive(&pg->used_or_full))) /* emptied, or full */
            heap_page_freed_slow(pg);
        return;
    }
    free_remote(seg, pg, b, keyed);
}

/* Free a block of ours; does nothing for NULL or an address that is not one. */
static inline void core_free_inline(void *ptr, bool keyed)
{
    uintptr_t a = (uintptr_t)ptr;
    uint8_t kind = segment_map_kind(a);
    if (likely(kind == MAP_SEGMENT_AT_GRANULE)) {
        segment *seg = (segment *)(a & ~SEGMENT_MASK);
        core_free_block(seg, page_of(seg, ptr), ptr, keyed);
        return;
    }
    segment *seg = segment_of_huge_aligned(a, kind);
    if (seg)
        core_free_block(seg, page_of(seg, ptr), ptr, keyed);
    /* else NULL, or not a block of ours */
}

#endif /* MMKIT_CORE_H */
