/*
 * guarded.c - blocks on pages of their own, each followed by an
 * inaccessible guard page (see guarded.h).
 *
 * One region of address space, inaccessible, so that guarded_owns is one
 * range check.  It is reserved as slots need it, 8 MiB at a time, upward
 * from an address far below the ordinary mappings: address space counts
 * against RLIMIT_AS, which a program may lower after start-up, and a region
 * that cannot grow is full.  It is cut into slots: a slot is a
 * run of data pages and the guard page after them; the region starts with
 * a guard page, so every slot has one before it too.  A block sits at the
 * end of its slot's data pages and only the pages it covers are made
 * accessible; the bytes it leaves on them hold a pattern checked on free.
 * A freed slot is made inaccessible again and waits in a FIFO quarantine;
 * leaving it, its memory goes back to the OS and the slot serves the next
 * block of its size class, least recently freed first.
 *
 * Sample mode: a pool of a fixed number of slots of POOL_SLOT_PAGES data
 * pages.  guard=all: slots carved from a large region as blocks need them,
 * their data pages rounded up to a class so freed slots suit other sizes.
 * Debug mode: a budget of slots of one data page, carved as blocks need
 * them; a freed slot is never used again, so its block faults on every
 * later access, and its page goes back to the OS at once.  As a live
 * block's page lies between guard pages, each costs the process two
 * mappings (vm.max_map_count), a freed one none.
 *
 * What is known about a slot lives in a table outside the region, and a
 * map names the slot of every region page: no write through a user
 * pointer can corrupt them.  All memory comes straight from the OS: this
 * runs inside malloc.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "guarded.h"
#include "core.h"
#include "locks.h"
#include "report.h"

#define POOL_SLOT_PAGES 16                        /* sample mode's largest block: 64 KiB */
#define ALL_REGION_SIZE ((size_t)64 << 30)       /* address space guard=all reserves */
#define SLACK_BYTE 0xcb
/* Classes of data page counts: every count up to 16, then four a doubling,
 * enough for any 32-bit count. */
#define PAGE_CLASSES (17 + 4 * 28)

typedef enum slot_state { SLOT_EMPTY, SLOT_LIVE, SLOT_FREED } slot_state;

typedef struct guarded_slot {
    size_t first_page;    /* region page index of its first data page */
    uint32_t pages;       /* its data pages; the guard page follows */
    uint32_t next;        /* the next slot in the quarantine or a free list */
    slot_state state;     /* a freed slot keeps its block's facts until reused */
    uintptr_t block;
    size_t size;          /* as requested */
    stack_id alloc_stack, free_stack;
} guarded_slot;

/* Slots are numbered from 1, so that 0 means none. */
typedef struct slot_fifo {
    uint32_t head, tail;
} slot_fifo;

/* The region grows by this much at a time. */
#define GROW_BYTES ((size_t)8 << 20)
/* How far below the ordinary mappings it starts: the kernel places those
 * downward from near the top of the address space, so the region grows
 * upward into addresses nobody else takes before the process has mapped
 * this much. */
#define BELOW_MAPPINGS ((uintptr_t)1 << 40)

static struct {
    uint8_t *base;
    _Atomic size_t size;       /* of the region reserved so far, in bytes */
    size_t limit;              /* the most it may grow to */
    guarded_kind kind;
    size_t max_slots;
    guarded_slot *slots;       /* slots[1..count] */
    uint32_t *page_slot;       /* the slot of each region page below next_page */
    uint32_t count;
    size_t next_page;          /* where the next slot is carved */
    slot_fifo free_lists[PAGE_CLASSES];
    slot_fifo quarantine;
    size_t quarantined, quarantine_limit; /* slots (pool) or bytes (guard=all) */
    atomic_bool spent;         /* debug mode: every slot of the budget was used */
} area;

/* ---- slots -------------------------------------------------------------------- */

static void fifo_push(slot_fifo *q, uint32_t i)
{
    area.slots[i].next = 0;
    if (q->tail)
        area.slots[q->tail].next = i;
    else
        q->head = i;
    q->tail = i;
}

static uint32_t fifo_pop(slot_fifo *q)
{
    uint32_t i = q->head;
    if (i) {
        q->head = area.slots[i].next;
        if (!q->head)
            q->tail = 0;
    }
    return i;
}

static unsigned page_class(size_t pages)
{
    if (pages <= 16)
        return (unsigned)pages;
    unsigned w = 63 - (unsigned)__builtin_clzll(pages - 1); /* 2^w < pages <= 2^(w+1) */
    return 17 + (w - 4) * 4 + (unsigned)(((pages - 1) >> (w - 2)) & 3);
}

static size_t class_pages(unsigned c)
{
    if (c <= 16)
        return c;
    unsigned w = 4 + (c - 17) / 4;
    return ((size_t)1 << w) + (((size_t)(c - 17) % 4 + 1) << (w - 2));
}

static uint8_t *slot_data(const guarded_slot *s)
{
    return area.base + s->first_page * OS_PAGE_SIZE;
}

static uint8_t *slot_data_end(const guarded_slot *s)
{
    return slot_data(s) + (size_t)s->pages * OS_PAGE_SIZE;
}

/* The first page of the block, where its accessible pages start. */
static uint8_t *block_page(const guarded_slot *s)
{
    return (uint8_t *)(s->block & ~(OS_PAGE_SIZE - 1));
}

static uint32_t slot_at_page(size_t index)
{
    return index < area.next_page ? area.page_slot[index] : 0;
}

/* The slot whose data or guard page holds p; NULL if none. */
static guarded_slot *slot_of(const void *p)
{
    if (!guarded_owns(p))
        return NULL;
    uint32_t i = slot_at_page(((uintptr_t)p - (uintptr_t)area.base) / OS_PAGE_SIZE);
    return i ? &area.slots[i] : NULL;
}

/* Room for `pages` more pages after next_page: the region reserved up to
 * them, if it can grow so far. */
static bool region_room(size_t pages)
{
    size_t reserved = atomic_load_explicit(&area.size, memory_order_relaxed);
    size_t need = (area.next_page + pages) * OS_PAGE_SIZE;
    if (need <= reserved)
        return true;
    if (need > area.limit)
        return false;
    size_t grow = align_up(need - reserved, GROW_BYTES);
    if (grow > area.limit - reserved)
        grow = area.limit - reserved;
    if (!os_reserve_inaccessible_at(area.base + reserved, grow)) {
        area.limit = reserved; /* something lies in the way: the region is full */
        return false;
    }
    os_name(area.base + reserved, grow, "mmkit-guard");
    atomic_store_explicit(&area.size, reserved + grow, memory_order_release);
    return true;
}

static uint32_t slot_carve(size_t pages)
{
    if (area.count == area.max_slots || !region_room(pages + 1))
        return 0;
    uint32_t i = ++area.count;
    area.slots[i] = (guarded_slot){.first_page = area.next_page, .pages = (uint32_t)pages};
    for (size_t p = 0; p <= pages; p++)
        area.page_slot[area.next_page + p] = i;
    area.next_page += pages + 1;
    return i;
}

/* A slot with room for `pages` data pages: the least recently freed of its
 * class, else a new one; 0 if the pool or the region is full. */
static uint32_t slot_take(size_t pages)
{
    size_t want = area.kind == GUARDED_POOL ? POOL_SLOT_PAGES : class_pages(page_class(pages));
    uint32_t i = fifo_pop(&area.free_lists[page_class(want)]);
    return i ? i : slot_carve(want);
}

/* ---- the quarantine ----------------------------------------------------------- */

/* The pool counts slots; guard=all counts address space, guard included. */
static size_t quarantine_weight(const guarded_slot *s)
{
    return area.kind == GUARDED_POOL ? 1 : ((size_t)s->pages + 1) * OS_PAGE_SIZE;
}

/* Called without the lock, which it takes: the system calls happen with it
 * released, on slots no list holds, so other threads need not wait. */
static void slot_quarantine(uint32_t i)
{
    lock_take(LOCK_GUARDED);
    fifo_push(&area.quarantine, i);
    area.quarantined += quarantine_weight(&area.slots[i]);
    while (area.quarantined > area.quarantine_limit) {
        uint32_t oldest = fifo_pop(&area.quarantine);
        guarded_slot *s = &area.slots[oldest];
        area.quarantined -= quarantine_weight(s);
        lock_release(LOCK_GUARDED);
        /* The pages stay inaccessible; reused, they read as zeros. */
        os_discard(block_page(s), (size_t)(slot_data_end(s) - block_page(s)));
        lock_take(LOCK_GUARDED);
        fifo_push(&area.free_lists[page_class(s->pages)], oldest);
    }
    lock_release(LOCK_GUARDED);
}

/* ---- blocks ------------------------------------------------------------------- */

/* Data pages a block needs wherever its slot lies: an alignment above a
 * page may move its start down by up to alignment - 1 bytes. */
static size_t pages_needed(size_t size, size_t alignment)
{
    size_t span = size + (alignment > OS_PAGE_SIZE ? alignment - 1 : 0);
    size_t pages = (span + OS_PAGE_SIZE - 1) / OS_PAGE_SIZE;
    return pages ? pages : 1;
}

/* Debug mode's budget of slots is spent: say so, once. */
static void say_budget_spent(void)
{
    if (atomic_exchange(&area.spent, true))
        return;
    char line[256];
    snprintf(line, sizeof line,
             "mmkit: debug: %u guarded blocks in use; later blocks are checked by poison only, "
             "and a read after free of them goes unseen (guard_blocks=N sets the budget)\n",
             area.count);
    os_write_stderr(line);
}

void *guarded_alloc(size_t size, size_t alignment, stack_id alloc_stack)
{
    /* At least what the core's blocks have: what malloc promises. */
    if (alignment < MIN_BLOCK_SIZE)
        alignment = MIN_BLOCK_SIZE;
    if (size > area.limit || alignment > area.limit)
        return NULL;
    size_t pages = pages_needed(size, alignment);
    if ((area.kind == GUARDED_POOL && pages > POOL_SLOT_PAGES) ||
        (area.kind == GUARDED_SMALL && pages > 1))
        return NULL;

    lock_take(LOCK_GUARDED);
    uint32_t i = slot_take(pages);
    lock_release(LOCK_GUARDED);
    if (!i) {
        if (area.kind == GUARDED_SMALL)
            say_budget_spent();
        return NULL;
    }
    /* No list holds the slot now: it is this thread's to open without the
     * lock, so other threads' guarded calls do not wait on mprotect. */
    guarded_slot *s = &area.slots[i];
    uint8_t *end = slot_data_end(s);
    uint8_t *start = (uint8_t *)(((uintptr_t)end - size) & ~(alignment - 1));
    uint8_t *first = (uint8_t *)((uintptr_t)start & ~(OS_PAGE_SIZE - 1));
    int saved_errno = errno;
    if (os_set_access(first, (size_t)(end - first), OS_READ_WRITE) != 0) {
        /* Too many mappings, most likely: let the caller fall back. */
        errno = saved_errno;
        lock_take(LOCK_GUARDED);
        fifo_push(&area.free_lists[page_class(s->pages)], i);
        lock_release(LOCK_GUARDED);
        return NULL;
    }
    memset(first, SLACK_BYTE, (size_t)(start - first));
    memset(start + size, SLACK_BYTE, (size_t)(end - start - size));
    lock_take(LOCK_GUARDED);
    s->state = SLOT_LIVE;
    s->block = (uintptr_t)start;
    s->size = size;
    s->alloc_stack = alloc_stack;
    s->free_stack = 0;
    lock_release(LOCK_GUARDED);
    stats_count_outside_alloc(size);
    return start;
}

bool guarded_may_take(size_t size, size_t alignment)
{
    return area.kind != GUARDED_SMALL ||
           (pages_needed(size, alignment) == 1 &&
            !atomic_load_explicit(&area.spent, memory_order_relaxed));
}

bool guarded_owns(const void *p)
{
    return (uintptr_t)p - (uintptr_t)area.base <
           atomic_load_explicit(&area.size, memory_order_acquire);
}

bool guarded_size(const void *p, size_t *size)
{
    lock_take(LOCK_GUARDED);
    const guarded_slot *s = slot_of(p);
    bool live = s && s->state == SLOT_LIVE && s->block == (uintptr_t)p;
    if (live)
        *size = s->size;
    lock_release(LOCK_GUARDED);
    return live;
}

void guarded_freeze(void)
{
    lock_take(LOCK_GUARDED);
}

void guarded_thaw(void)
{
    lock_release(LOCK_GUARDED);
}

size_t guarded_live(void (*visit)(void *arg, uintptr_t block, size_t size, stack_id alloc_stack),
                    void *arg)
{
    size_t live = 0;
    for (uint32_t i = 1; i <= area.count; i++) {
        const guarded_slot *s = &area.slots[i];
        if (s->state != SLOT_LIVE)
            continue;
        live++;
        if (visit)
            visit(arg, s->block, s->size, s->alloc_stack);
    }
    return live;
}

static bool within(const void *p, const void *table, size_t bytes)
{
    return (uintptr_t)p - (uintptr_t)table < bytes;
}

bool guarded_bookkeeping(const void *p)
{
    return guarded_owns(p) || within(p, area.slots, (area.max_slots + 1) * sizeof(guarded_slot)) ||
           within(p, area.page_slot, area.limit / OS_PAGE_SIZE * sizeof(uint32_t));
}

static void describe_block(error_report *r, const guarded_slot *s)
{
    r->block = (const void *)s->block;
    r->block_size = s->size;
    r->alloc_stack = s->alloc_stack;
    r->free_stack = s->free_stack;
}

/* A page of the slack pattern, to compare slack with at memcmp's speed:
 * before a small block lies most of a page of it. */
static uint8_t slack_page[OS_PAGE_SIZE];

static bool slack_intact(const uint8_t *from, const uint8_t *to)
{
    for (; from < to; from += OS_PAGE_SIZE) {
        size_t n = (size_t)(to - from) < OS_PAGE_SIZE ? (size_t)(to - from) : OS_PAGE_SIZE;
        if (memcmp(from, slack_page, n) != 0)
            return false;
    }
    return true;
}

/* The changed slack byte nearest the block, if any: after it (an
 * overflow), then before it (an underflow). */
static bool find_changed_slack(const guarded_slot *s, error_report *r)
{
    const uint8_t *start = (const uint8_t *)s->block, *end = slot_data_end(s);
    if (slack_intact(start + s->size, end) && slack_intact(block_page(s), start))
        return false;
    for (const uint8_t *b = start + s->size; b < end; b++)
        if (*b != SLACK_BYTE) {
            r->kind = ERROR_HEAP_OVERFLOW;
            r->address = b;
            return true;
        }
    for (const uint8_t *b = start; b > block_page(s); b--)
        if (b[-1] != SLACK_BYTE) {
            r->kind = ERROR_HEAP_UNDERFLOW;
            r->address = b - 1;
            return true;
        }
    return false;
}

/* The slot of the live block that starts at p; else NULL, and r says what
 * p is: the error `freed` for a freed block's start, `invalid` for any
 * other pointer, with the block it falls in if any.  Under the lock. */
static guarded_slot *live_block_at(const void *p, error_report *r, error_kind invalid,
                                   error_kind freed)
{
    guarded_slot *s = slot_of(p);
    if (s && s->state == SLOT_LIVE && s->block == (uintptr_t)p)
        return s;
    r->kind = s && s->state == SLOT_FREED && s->block == (uintptr_t)p ? freed : invalid;
    if (s && s->state != SLOT_EMPTY)
        describe_block(r, s);
    return NULL;
}

void guarded_realloc_refused(const void *p)
{
    error_report r = {.address = p};
    lock_take(LOCK_GUARDED);
    bool live = live_block_at(p, &r, ERROR_INVALID_REALLOC, ERROR_REALLOC_FREED) != NULL;
    lock_release(LOCK_GUARDED);
    if (!live)
        report_error(&r);
}

void guarded_free(void *p, stack_id free_stack)
{
    error_report r = {.address = p};
    bool bad = true;
    guarded_slot *freed = NULL;
    int saved_errno = errno; /* free leaves errno alone */
    lock_take(LOCK_GUARDED);
    guarded_slot *s = live_block_at(p, &r, ERROR_INVALID_FREE, ERROR_DOUBLE_FREE);
    if (s) {
        /* Freed from here on: a second free reports a double free.  No list
         * holds the slot until it enters the quarantine, closed. */
        s->state = SLOT_FREED;
        s->free_stack = free_stack;
        describe_block(&r, s);
        freed = s;
    }
    lock_release(LOCK_GUARDED);
    if (freed) {
        stats_count_outside_free(freed->size);
        bad = find_changed_slack(freed, &r);
        r.detail = "found in the bytes beside the block on its pages when it was freed";
        uint8_t *first = block_page(freed);
        size_t bytes = (size_t)(slot_data_end(freed) - first);
        /* Debug mode's slots are never used again: their pages go back, and
         * their mappings merge into the area's. */
        if (area.kind != GUARDED_SMALL || os_reset_inaccessible(first, bytes) != 0)
            os_set_access(first, bytes, OS_NO_ACCESS);
        if (area.kind != GUARDED_SMALL)
            slot_quarantine((uint32_t)(freed - area.slots));
    }
    errno = saved_errno;
    /* Reported outside the lock: reporting may allocate, and allocations
     * may come here. */
    if (bad)
        report_error(&r);
}

/* ---- faults ------------------------------------------------------------------- */

static uintptr_t distance_to_block(const guarded_slot *s, uintptr_t a)
{
    if (a < s->block)
        return s->block - a;
    return a >= s->block + s->size ? a - (s->block + s->size) + 1 : 0;
}

/* The block a fault at `a` concerns: the nearest of those in the slot
 * holding a and in the slots on either side of it; NULL if none. */
static const guarded_slot *nearest_block(uintptr_t a)
{
    size_t index = (a - (uintptr_t)area.base) / OS_PAGE_SIZE;
    uint32_t candidates[3] = {slot_at_page(index), 0, 0};
    if (candidates[0]) {
        const guarded_slot *s = &area.slots[candidates[0]];
        candidates[1] = slot_at_page(s->first_page - 1);
        candidates[2] = slot_at_page(s->first_page + s->pages + 1);
    } else if (index >= area.next_page) {
        candidates[1] = slot_at_page(area.next_page - 1); /* past the last slot */
    } else {
        candidates[1] = slot_at_page(index + 1); /* the region's first guard page */
    }
    const guarded_slot *nearest = NULL;
    for (size_t c = 0; c < 3; c++) {
        const guarded_slot *s = candidates[c] ? &area.slots[candidates[c]] : NULL;
        if (s && s->state != SLOT_EMPTY &&
            (!nearest || distance_to_block(s, a) < distance_to_block(nearest, a)))
            nearest = s;
    }
    return nearest;
}

bool guarded_fault(const void *address, const char *access)
{
    if (!guarded_owns(address))
        return false;
    error_report r = {.kind = ERROR_HEAP_OVERFLOW, .address = address,
                      .access = access, .fatal = true,
                      .detail = "no guarded block is near the address"};
    char detail[96];
    lock_take(LOCK_GUARDED);
    const guarded_slot *s = nearest_block((uintptr_t)address);
    if (s) {
        describe_block(&r, s);
        bool live = s->state == SLOT_LIVE;
        if (!live)
            r.kind = ERROR_USE_AFTER_FREE;
        else if ((uintptr_t)address < s->block)
            r.kind = ERROR_HEAP_UNDERFLOW;
        snprintf(detail, sizeof detail,
                 "of the guarded blocks around the address, this %s one is the nearest",
                 live ? "live" : "freed");
        r.detail = detail;
    }
    lock_release(LOCK_GUARDED);
    report_error(&r);
    return true;
}

/* ---- start-up ----------------------------------------------------------------- */

/* The region's first `bytes`, BELOW_MAPPINGS under where the kernel puts a
 * mapping now; anywhere if that address is taken. */
static uint8_t *region_start(size_t bytes)
{
    uint8_t *probe = os_reserve_inaccessible(OS_PAGE_SIZE);
    if (probe) {
        os_unreserve(probe, OS_PAGE_SIZE);
        uintptr_t at = ((uintptr_t)probe - BELOW_MAPPINGS) & ~(uintptr_t)(GROW_BYTES - 1);
        if ((uintptr_t)probe > 2 * BELOW_MAPPINGS && os_reserve_inaccessible_at((void *)at, bytes))
            return (uint8_t *)at;
    }
    return os_reserve_inaccessible(bytes);
}

static uint8_t *region_reserve(size_t bytes)
{
    uint8_t *base = region_start(bytes);
    if (base)
        os_name(base, bytes, "mmkit-guard");
    return base;
}

size_t guarded_small_blocks_in(size_t bytes)
{
    /* A data page and a guard page, a slot's record, their two pages' map. */
    return bytes / (2 * OS_PAGE_SIZE + sizeof(guarded_slot) + 2 * sizeof(uint32_t));
}

bool guarded_init(guarded_kind kind, size_t count)
{
    area.kind = kind;
    size_t slots = kind == GUARDED_ALL ? 0 : count;
    /* Every slot has at least a data page and a guard page. */
    size_t region_pages = kind == GUARDED_POOL    ? 1 + slots * (POOL_SLOT_PAGES + 1)
                          : kind == GUARDED_SMALL ? 1 + slots * 2
                                                  : ALL_REGION_SIZE / OS_PAGE_SIZE;
    area.max_slots = kind == GUARDED_ALL ? region_pages / 2 : slots;
    size_t first = region_pages * OS_PAGE_SIZE < GROW_BYTES ? region_pages * OS_PAGE_SIZE
                                                             : GROW_BYTES;
    uint8_t *base = region_reserve(first);
    area.slots = os_reserve((area.max_slots + 1) * sizeof(guarded_slot));
    area.page_slot = os_reserve(region_pages * sizeof(uint32_t));
    if (!base || !area.slots || !area.page_slot) {
        if (base)
            os_unreserve(base, first);
        if (area.slots)
            os_unreserve(area.slots, (area.max_slots + 1) * sizeof(guarded_slot));
        if (area.page_slot)
            os_unreserve(area.page_slot, region_pages * sizeof(uint32_t));
        os_write_stderr("mmkit: cannot reserve address space for guarded blocks\n");
        return false;
    }
    memset(slack_page, SLACK_BYTE, sizeof slack_page);
    area.next_page = 1; /* after the region's first guard page */
    int64_t bytes = mmkit_options.quarantine;
    /* At most half the pool waits, so that frees always free some slots. */
    area.quarantine_limit = kind == GUARDED_POOL ? slots / 2
                            : bytes >= 0     ? (size_t)bytes
                                             : GUARDED_ALL_QUARANTINE_DEFAULT;

    /* Last: guarded_owns reads these without the lock. */
    area.base = base;
    area.limit = region_pages * OS_PAGE_SIZE;
    atomic_store_explicit(&area.size, first, memory_order_release);
    return true;
}
