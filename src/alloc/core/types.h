/*
 * types.h - the allocator's structures and the invariants that hold them
 * together.  Start reading here.
 *
 * Memory comes from the OS in *segments*: 4 MiB spans aligned to 4 MiB, so
 * the segment that holds any block is found by masking the block's address.
 * A segment is cut into 64 *slices* of 64 KiB; slice 0 holds the segment's
 * own metadata (this struct), the others are grouped into *pages*.  A page
 * holds blocks of one size class and spans 1 slice (blocks up to 8 KiB) or
 * 8 slices (up to 128 KiB).  A *large* block (up to 1 MiB) is a page of its
 * own, of just enough slices, so it can grow in place into free slices
 * after it.  Blocks above the mmap threshold get a *huge* segment of their
 * own.
 *
 * Every segment belongs to one heap, and a heap to one thread: the owner
 * allocates and frees in its pages without locks or atomics.  Other threads
 * free by pushing onto the page's thread_free list with one CAS; the owner
 * collects those blocks when it runs out of free ones.
 */
#ifndef MMKIT_TYPES_H
#define MMKIT_TYPES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmkit/mmkit.h"
#include "platform.h"

#define SEGMENT_SHIFT 22
#define SEGMENT_SIZE ((size_t)1 << SEGMENT_SHIFT)
#define SEGMENT_MASK (SEGMENT_SIZE - 1)
#define SLICE_SHIFT 16
#define SLICE_SIZE ((size_t)1 << SLICE_SHIFT)
#define SLICES_PER_SEGMENT (SEGMENT_SIZE / SLICE_SIZE)


/* Size classes: multiples of 16 up to 128 bytes, then four classes per
 * doubling (spacing 1/4 of the power of two below), so a block wastes at
 * most 20% of its size (a request of 2^k+1 bytes gets 1.25 * 2^k). */
#define MIN_BLOCK_SIZE 16
#define SMALL_PAGE_BLOCK_MAX ((size_t)8 << 10)     /* 1-slice pages up to here */
#define MEDIUM_PAGE_BLOCK_MAX ((size_t)128 << 10)  /* 8-slice pages up to here */
#define MEDIUM_PAGE_SLICES 8
#define LARGEST_CLASS_SIZE ((size_t)1 << 20)       /* above: huge segments */
#define CLASS_COUNT 60
#define SMALL_DIRECT_MAX 1024                          /* sizes served by direct_small */
#define SMALL_DIRECT_COUNT (SMALL_DIRECT_MAX / 16 + 1)
_Static_assert(CLASS_COUNT <= MMKIT_MAX_CLASSES, "public stats must hold every class");
_Static_assert(LARGEST_CLASS_SIZE == MMAP_THRESHOLD_MAX, "the threshold stops at the largest class");
_Static_assert(LARGEST_CLASS_SIZE <= (SLICES_PER_SEGMENT - 1) * SLICE_SIZE,
               "the largest block fits in a segment beside its metadata");

/* A free block: the first word links it into one of its page's lists,
 * encoded with the page's key (see block_next). */
typedef struct block {
    struct block *next;
} block;

struct mmkit_heap;

/*
 * A page: blocks of one class, carved from its slices on demand.  The
 * fields the fast paths touch come first.
 *
 * Invariant: capacity = used + |free| + |local_free|, where blocks pushed on
 * thread_free are still counted in used until the owner collects them.  So
 * used == 0 means no block of the page is out anywhere and nobody else will
 * touch the page.
 */
typedef struct page {
    block *free;                /* owner: blocks ready to hand out */
    block *local_free;          /* owner: blocks it freed since the last collect */
    struct class_counters *counters; /* the owner's counters of this class */
    uintptr_t key;              /* links inside blocks are XORed with it; 0 unless hardened */
    /* Blocks out (see the invariant), and the mark of a page on the heap's
     * full queue rather than its class queue.  The free path reads the two
     * as one signed word: the mark is its sign bit, so the word drops to 0
     * or below exactly when the page needs the slow path, emptied or full. */
    union {
        struct {
            uint32_t used;
            uint32_t full_mark; /* PAGE_FULL_MARK or 0 */
        };
        int64_t used_or_full;
    };
    /* Blocks carved so far: only the owner writes it (page_capacity_set),
     * but other threads vetting a free read it (lookup.h). */
    _Atomic uint32_t capacity;
    uint32_t reserved;          /* blocks that fit */
    uint32_t block_size;
    uint8_t class_index;        /* HUGE_CLASS for a huge block */
    uint8_t slice_count;        /* slices spanned; 0 while the slice is free */
    bool large;                 /* one block of the whole page, on the large queue */
    uint8_t *start;             /* first block */
    struct page *next, *prev;   /* in the owner heap's class or full queue */
    /* Other threads write here: a cache line apart from the owner's fields,
     * so their frees do not steal the line the owner allocates from. */
    _Alignas(64) _Atomic(block *) thread_free;  /* other threads' frees */
    _Atomic(struct mmkit_heap *) heap;           /* owner; NULL while abandoned */
} page;

#define PAGE_FULL_MARK 0x80000000u
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "used is the low half of used_or_full");

#define HUGE_CLASS 255

typedef enum segment_kind { SEGMENT_NORMAL = 1, SEGMENT_HUGE = 2 } segment_kind;

/*
 * A segment's metadata, at the start of slice 0.  slice_page[i] is the page
 * that covers slice i (its descriptor lives in pages[first slice of span]).
 * A huge segment has one page, pages[0], and every slice_page points at it.
 */
typedef struct segment {
    _Atomic uintptr_t thread_id;    /* owner thread; 0: abandoned or huge */
    segment_kind kind;
    /* Owner heap (a huge segment's allocating heap); NULL once its thread
     * is gone.  Read by any thread that looks a pointer up. */
    _Atomic(struct mmkit_heap *) heap;
    struct segment *next, *prev;    /* in the heap's segment list, or a global list */
    size_t mapped_size;             /* bytes mapped for this segment */
    size_t huge_usable;             /* huge: the block's usable bytes (the
                                       mapping may be larger when reused) */
    uint8_t *mapping;               /* where the mapping starts (huge: may precede) */
    uint64_t free_slices;           /* bit i: slice i belongs to no page */
    uint64_t dirty_slices;          /* free slices still committed (not purged) */
    uint64_t purged_slices;         /* slices given back (or never touched) */
    uint64_t guard_slices;          /* hardened: slice i ends with a guard page */
    uint64_t purge_at_ns;           /* when dirty_slices go back to the OS; 0: never */
    page *slice_page[SLICES_PER_SEGMENT];
    page pages[SLICES_PER_SEGMENT];
} segment;

/* Slice 0 holds the metadata; the first page starts at slice 1. */
_Static_assert(sizeof(segment) <= SLICE_SIZE, "segment metadata fits in slice 0");
#define SEGMENT_HEADER_SIZE ((sizeof(segment) + OS_PAGE_SIZE - 1) & ~(OS_PAGE_SIZE - 1))

/* A doubly linked list of pages. */
typedef struct page_queue {
    page *first, *last;
} page_queue;

/* Counters of one class in one heap.  Only the owner writes them (relaxed
 * atomics, so other threads may read them for statistics). */
typedef struct class_counters {
    _Atomic uint64_t allocs, frees, peak_live;
} class_counters;

/*
 * A heap: the pages one thread (or one user pool) allocates from.
 * direct[c] is the page the fast path pops from for class c; it is never
 * NULL (an empty page stands in) so the fast path needs no NULL check.
 * direct_small[(size + 15) / 16] is direct[class of size] for sizes up to
 * 1 KiB, so the most common allocations skip the class lookup.
 */
struct mmkit_heap {
    page *direct_small[SMALL_DIRECT_COUNT];
    page *direct[CLASS_COUNT];
    uintptr_t thread_id;
    class_counters counters[CLASS_COUNT];
    page_queue queue[CLASS_COUNT];      /* pages that may have free blocks */
    page_queue full[CLASS_COUNT];       /* pages found with no free block */
    page_queue large;                   /* pages of one large block each */
    segment *segments;                  /* segments this heap owns */
    size_t empty_segments;              /* of those, how many have no page */
    uint64_t next_purge_ns;             /* earliest purge_at_ns of its segments; 0: none */
    bool is_thread_heap;
    struct mmkit_heap *next, *prev;     /* in the registry of live heaps */
};

#endif /* MMKIT_TYPES_H */
