/*
 * check.c - the checking modes' layer (see check.h).  Every allocation
 * call of the process comes here while check_active is set.  What the layer
 * does follows from the options, fixed at start-up in `cfg`:
 *
 *   hardened  no header: the core vets every free (block_free_if_live), so
 *             double and invalid frees are caught; the core encodes its
 *             free lists, shuffles fresh blocks and puts guard pages after
 *             its pages.  Its malloc and free are served by the entry
 *             points themselves (CHECK_HARDENED), its other calls here.
 *   debug     the same hardening, and a sealed header before each block
 *             (which does the vetting): stacks and a live list (leak
 *             report), canary bytes after each block, junk in fresh
 *             blocks, poison in freed ones checked when they leave a
 *             quarantine, or at exit for those still in it; blocks of up to
 *             a page on guarded pages of their own while a budget of them
 *             lasts (guard_blocks)
 *   sample    no headers; one allocation in sample_rate gets guarded pages
 *   guard=all every block on guarded pages of its own
 *   valgrind  whatever the mode, under valgrind's memcheck: sealed headers
 *             and a quarantine, and memcheck is told where the blocks are
 *             (memcheck.c) so that it checks them as it checks its own
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "block_header.h"
#include "check.h"
#include "fault.h"
#include "freed_pages.h"
#include "guarded.h"
#include "core.h"
#include "lookup.h"
#include "leaks.h"
#include "locks.h"
#include "memcheck.h"
#include "quarantine.h"
#include "report.h"
#include "suppressions.h"
#include "trace_write.h"

/* Start-up sets this to 0 unless a mode needs the layer. */
uint8_t check_active = CHECK_ON;

#define JUNK_BYTE 0xbe   /* fresh blocks in debug mode: uninitialised reads show */
#define POISON_BYTE 0xdf /* freed blocks in debug mode: writes after free show */
#define CANARY_BYTE 0xca /* after each block in debug mode: overflows show */

enum { SEAL_LIVE = 0xa1, SEAL_FREED = 0xf7 };

static struct {
    bool headers;        /* a seal_header before each block */
    bool track;          /* also a track_header: stacks and the live list */
    bool canaries, junk; /* debug */
    bool zero_on_free;
    bool quarantine;
    bool keep_in_place;  /* realloc may keep the block (not in debug) */
    bool guarded;        /* guarded blocks on: guard=all, sample or debug mode */
    bool guard_all;      /* guard=all */
    guarded_kind guard;  /* which blocks are guarded: all, one in sample_rate, small ones */
    uint64_t sample_rate;
    bool memcheck;       /* running under memcheck: tell it about blocks */
    bool trace;          /* record every call (trace=FILE) */
    bool checked_frees;  /* hardened without headers: the core vets each free */
    int leaks;           /* 0, 1 text, 2 JSON */
    bool suppress;       /* suppressions=FILE gave rules */
    size_t lead;         /* header bytes before a block of default alignment */
    uint64_t secret;     /* key of the seals */
} cfg;

/* ---- seals ---------------------------------------------------------------- */

/* The seal's top byte, the one just before the block, is a canary: a random
 * byte there would go unnoticed when a stray write happened to store the
 * same value, one time in 256. */
static uint64_t seal_for(const void *user, uint8_t state)
{
    uint64_t hash = mix64((uintptr_t)user ^ cfg.secret) & 0x00ffffffffffff00ull;
    return (uint64_t)CANARY_BYTE << 56 | hash | state;
}

typedef enum seal_state {
    SEALED_LIVE,
    SEALED_FREED,
    SEALED_UNDERFLOW,
    SEALED_UNKNOWN,
    SEALED_INTERNAL, /* no seal: a block of the allocator's private heap */
} seal_state;

static seal_state seal_check(const void *user, uint64_t seal)
{
    uint64_t live = seal_for(user, SEAL_LIVE);
    if (seal == live)
        return SEALED_LIVE;
    if (seal == seal_for(user, SEAL_FREED))
        return SEALED_FREED;
    /* A write just before the block changes the seal's top bytes (the ones
     * nearest the block) and nothing else. */
    if (((seal ^ live) & 0x0000ffffffffffffull) == 0)
        return SEALED_UNDERFLOW;
    return SEALED_UNKNOWN;
}

/* ---- the private heap ------------------------------------------------------ */

/* Hardened and sample mode's entry points serve calls without the layer,
 * so they would not see that a thread is inside the private heap: while
 * threads are, the calls are sent through the layer (which serves every
 * other thread as those modes would).  The state they had, or CHECK_OFF.
 * Changed by the private heap's hooks, under its lock. */
static uint8_t paused_state;

static void pause_entry_points(void)
{
    uint8_t mode = check_mode();
    if (mode == CHECK_HARDENED || mode == CHECK_SAMPLE) {
        paused_state = mode;
        __atomic_store_n(&check_active, CHECK_ON, __ATOMIC_RELAXED);
    }
}

static void resume_entry_points(void)
{
    if (paused_state != CHECK_OFF) {
        __atomic_store_n(&check_active, paused_state, __ATOMIC_RELAXED);
        paused_state = CHECK_OFF;
    }
}

/* ---- finding the header of a pointer ------------------------------------- */

typedef struct found {
    seal_state state;
    uint8_t *start;  /* the allocator's block holding the header */
    size_t usable;   /* its usable bytes */
    size_t size;     /* the size asked for (when live) */
} found;

/* The header before ptr.  memcheck must not see the layer read it. */
static seal_header header_of(const void *ptr)
{
    return cfg.memcheck ? memcheck_header_read(ptr) : *seal_of(ptr);
}

static found find_block(const void *ptr)
{
    found f = {.state = SEALED_UNKNOWN};
    const uint8_t *hdr = (const uint8_t *)seal_of(ptr);
    if ((uintptr_t)ptr % MIN_BLOCK_SIZE != 0)
        return f;
    block_info b = block_lookup(hdr);
    if (b.place != PLACE_BLOCK) {
        /* A large block's page goes back to its segment when the block is
         * freed: a second free finds only the seal left in the free slice. */
        if (b.place == PLACE_FREE_SLICE && block_lookup(ptr).place == PLACE_FREE_SLICE &&
            seal_check(ptr, header_of(ptr).seal) == SEALED_FREED)
            f.state = SEALED_FREED;
        return f;
    }
    f.start = b.start;
    f.usable = b.usable;
    if ((const uint8_t *)ptr > f.start + f.usable)
        return f;
    seal_header s = header_of(ptr);
    f.state = seal_check(ptr, s.seal);
    f.size = s.size;
    if (f.size > f.usable - (size_t)((const uint8_t *)ptr - f.start)) {
        f.size = 0; /* a freed block's size word now holds a free-list link */
        if (f.state == SEALED_LIVE)
            f.state = SEALED_UNKNOWN; /* a seal that matches by chance */
    }
    return f;
}

/* ---- canaries, junk and poison (debug) -------------------------------------- */

static const uint8_t *first_byte_not(const uint8_t *p, const uint8_t *end, uint8_t value)
{
    for (; p < end; p++)
        if (*p != value)
            return p;
    return NULL;
}

static void report_block(error_kind kind, const void *address, const void *user, size_t size,
                         const char *detail)
{
    error_report r = {.kind = kind, .address = address, .block = user, .block_size = size,
                      .detail = detail};
    if (cfg.track && user) {
        r.alloc_stack = track_of(user)->alloc_stack;
        r.free_stack = track_of(user)->free_stack;
    }
    report_error(&r);
}

static void check_canary(const void *user, const found *f)
{
    const uint8_t *end = f->start + f->usable;
    const uint8_t *bad = first_byte_not((const uint8_t *)user + f->size, end, CANARY_BYTE);
    if (bad)
        report_block(ERROR_HEAP_OVERFLOW, bad, user, f->size,
                     "the bytes after the block were overwritten (found on free)");
}

/* ---- allocation ------------------------------------------------------------ */

static void *headed_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
{
    size_t lead = alignment > MIN_BLOCK_SIZE ? align_up(cfg.lead, alignment) : cfg.lead;
    size_t total;
    if (__builtin_add_overflow(size, lead + (cfg.canaries ? 1 : 0), &total) || total > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    /* Under memcheck the layer clears the block itself: the core's memset
     * would write into red zones an earlier block left there. */
    uint8_t *start = core_alloc(heap, total, alignment > MIN_BLOCK_SIZE ? alignment : 0,
                                zero && !cfg.memcheck);
    if (!start)
        return NULL;
    size_t usable = core_usable_size(start);
    if (cfg.memcheck)
        memcheck_block_taken(start, usable);
    uint8_t *user = start + lead;
    seal_header *s = seal_of(user);
    s->size = size;
    s->seal = seal_for(user, SEAL_LIVE);
    if (cfg.track) {
        track_header *t = track_of(user);
        t->alloc_stack = stack_capture(0);
        t->free_stack = 0;
        live_insert(t);
    }
    if (cfg.junk && !zero)
        memset(user, JUNK_BYTE, size);
    if (cfg.canaries)
        memset(user + size, CANARY_BYTE, usable - lead - size);
    if (cfg.memcheck) {
        if (zero)
            memset(user, 0, size);
        memcheck_block_allocated(user, size, zero, start, usable);
    }
    return user;
}

__thread uint64_t sample_countdown;

/* The countdown ran out, or has not started: each thread starts at a random
 * point of the period, so threads do not sample in step. */
bool check_sample_next(void)
{
    if (sample_countdown == 0) {
        sample_countdown = 1 + mix64(current_thread_id() ^ os_now_ns() ^ cfg.secret) % cfg.sample_rate;
        return check_sample_due();
    }
    sample_countdown = cfg.sample_rate;
    return true;
}

static void *guarded_alloc_filled(size_t size, size_t alignment, bool zero)
{
    void *p = guarded_alloc(size, alignment, stack_capture(0));
    if (p && (zero || cfg.junk))
        memset(p, zero ? 0 : JUNK_BYTE, size);
    return p;
}

/* Does this allocation go to the guarded area, if it has room?  Never a
 * pool's: destroying a pool frees its blocks at once. */
static bool guard_due(struct mmkit_heap *heap)
{
    return heap == thread_heap && (cfg.guard != GUARDED_POOL || check_sample_due());
}

static void *alloc_unrecorded(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
{
    if (unlikely(private_heap_inside()))
        return private_heap_alloc(size, alignment, zero);
    if (cfg.guarded && guard_due(heap) && guarded_may_take(size, alignment)) {
        void *p = guarded_alloc_filled(size, alignment, zero);
        if (p)
            return p; /* else no slot suits it or none is left: not guarded */
    }
    if (!cfg.headers)
        return core_alloc(heap, size, alignment, zero);
    return headed_alloc(heap, size, alignment, zero);
}

/* ---- free ------------------------------------------------------------------ */

/* The allocator block goes back to the core. */
static void release_block(uint8_t *start)
{
    if (cfg.memcheck)
        memcheck_block_released(start);
    core_free(start);
}

/* The first byte of a freed block's poison that was overwritten, or NULL. */
/* The first byte of a freed block's poison that changed, or NULL; the pages
 * freed_pages kept inaccessible (`sealed`) had no poison. */
static const uint8_t *spoiled_poison(const void *user, const found *f, bool sealed)
{
    uint8_t *end = (uint8_t *)user + f->size, *from = end, *to = end;
    if (sealed)
        freed_pages_span(user, f->size, &from, &to);
    const uint8_t *bad = first_byte_not(user, from, POISON_BYTE);
    return bad ? bad : first_byte_not(to, end, POISON_BYTE);
}

/* Debug mode: a freed block is poisoned, but for the whole pages of a large
 * one, which stay inaccessible while it waits (freed_pages.h). */
static void poison_freed(void *user, const found *f)
{
    stack_id alloc_stack = cfg.track ? track_of(user)->alloc_stack : 0;
    stack_id free_stack = cfg.track ? track_of(user)->free_stack : 0;
    uint8_t *end = (uint8_t *)user + f->size, *from = end, *to = end;
    if (cfg.quarantine && freed_pages_protect(user, f->size, alloc_stack, free_stack))
        freed_pages_span(user, f->size, &from, &to);
    memset(user, POISON_BYTE, (size_t)(from - (uint8_t *)user));
    memset(to, POISON_BYTE, (size_t)(end - to));
}

/* A block leaves the quarantine: its poison must be intact. */
static void release_from_quarantine(void *user)
{
    found f = find_block(user);
    bool sealed = freed_pages_release(user, f.size);
    const uint8_t *bad = cfg.junk ? spoiled_poison(user, &f, sealed) : NULL;
    if (bad)
        report_block(ERROR_WRITE_AFTER_FREE, bad, user, f.size,
                     "the freed block's poison was overwritten (found when it left the "
                     "quarantine)");
    release_block(f.start);
}

static bool poison_spoiled(void *user)
{
    found f = find_block(user);
    return spoiled_poison(user, &f, freed_pages_held(user, f.size)) != NULL;
}

/* At exit: a block still in the quarantine was checked by nobody yet.
 * Those whose poison changed stay out of it, reported. */
static void check_quarantine_at_exit(void)
{
    size_t cursor = 0;
    for (void *user; (user = quarantine_take_if(&cursor, poison_spoiled)) != NULL;) {
        found f = find_block(user);
        const uint8_t *bad = spoiled_poison(user, &f, freed_pages_held(user, f.size));
        report_block(ERROR_WRITE_AFTER_FREE, bad, user, f.size,
                     "the freed block's poison was overwritten (found at exit, the block "
                     "still in the quarantine)");
    }
}

/* A pointer that is no block's start, inside a block or not. */
static void report_not_a_block(error_kind kind, void *ptr, bool inside)
{
    report_block(kind, ptr, NULL, 0,
                 inside ? "the pointer is inside a block, not at its start"
                        : "the pointer is not a block of the heap");
}

/* Is ptr a live block?  Reports what it is otherwise, as the error
 * not_ours or freed. */
static bool validate(void *ptr, found *f, error_kind not_ours, error_kind freed)
{
    *f = find_block(ptr);
    if (f->state == SEALED_LIVE)
        return true;
    if (private_heap_owns(ptr)) {
        f->state = SEALED_INTERNAL; /* the caller frees it as it is */
        return false;
    }
    if (cfg.memcheck) {
        /* memcheck reports the free as it would with its own malloc, and
         * says nothing if ptr is its live block (with a header overwritten
         * by an underflow it reported when it happened). */
        memcheck_block_freed(ptr);
        return false;
    }
    switch (f->state) {
    case SEALED_FREED:
        report_block(freed, ptr, ptr, f->size, NULL);
        return false;
    case SEALED_UNDERFLOW:
        report_block(ERROR_HEAP_UNDERFLOW, (uint8_t *)ptr - 1, ptr, f->size,
                     "the bytes just before the block were overwritten (found on free)");
        return false;
    default:
        report_not_a_block(not_ours, ptr, block_lookup(ptr).place == PLACE_BLOCK);
        return false;
    }
}

static void headed_free(void *ptr)
{
    found f;
    if (!validate(ptr, &f, ERROR_INVALID_FREE, ERROR_DOUBLE_FREE)) {
        if (f.state == SEALED_INTERNAL)
            core_free(ptr);
        return; /* else, with abort_on_error=0: leave the block alone */
    }
    if (cfg.canaries)
        check_canary(ptr, &f);
    if (cfg.memcheck) {
        memcheck_block_freed(ptr);
        memcheck_header_open(ptr);
    }
    seal_of(ptr)->seal = seal_for(ptr, SEAL_FREED);
    if (cfg.memcheck)
        memcheck_header_close(ptr);
    if (cfg.track) {
        track_header *t = track_of(ptr);
        live_remove(t);
        t->free_stack = stack_capture(0);
    }
    if (cfg.junk)
        poison_freed(ptr, &f);
    else if (cfg.zero_on_free)
        memset(ptr, 0, f.size);
    if (cfg.quarantine)
        quarantine_push(ptr, f.usable, release_from_quarantine);
    else
        release_block(f.start);
}

/* A free or realloc the core refused: report it as the error not_ours or
 * freed. */
static void report_refused(block_check verdict, void *ptr, error_kind not_ours, error_kind freed)
{
    if (verdict == BLOCK_FREED)
        report_block(freed, ptr, ptr, 0, NULL);
    else
        report_not_a_block(not_ours, ptr, verdict == BLOCK_INSIDE);
}

static void hardened_free(void *ptr)
{
    if (cfg.zero_on_free && block_verdict(ptr) == BLOCK_OK)
        memset(ptr, 0, core_usable_size(ptr));
    block_check verdict = block_free_if_live(ptr);
    if (verdict != BLOCK_OK)
        report_refused(verdict, ptr, ERROR_INVALID_FREE, ERROR_DOUBLE_FREE);
}

static void free_unrecorded(void *ptr)
{
    if (!ptr)
        return;
    if (cfg.guarded && guarded_owns(ptr)) {
        guarded_free(ptr, stack_capture(0));
        return;
    }
    if (cfg.checked_frees)
        hardened_free(ptr);
    else if (cfg.headers)
        headed_free(ptr);
    else
        core_free(ptr);
}

/* ---- realloc and usable size ------------------------------------------------ */

static void *headed_realloc(struct mmkit_heap *heap, void *ptr, size_t size)
{
    found f;
    if (!validate(ptr, &f, ERROR_INVALID_REALLOC, ERROR_REALLOC_FREED)) {
        errno = EINVAL;
        return NULL;
    }
    size_t room = f.usable - (size_t)((uint8_t *)ptr - f.start);
    if (cfg.keep_in_place && size <= room && size >= f.size / 2) {
        seal_of(ptr)->size = size;
        return ptr;
    }
    void *moved = alloc_unrecorded(heap, size, 0, false);
    if (!moved)
        return NULL;
    memcpy(moved, ptr, size < f.size ? size : f.size);
    headed_free(ptr);
    return moved;
}

/* A guarded block always moves: to a guarded block again if one is due. */
static void *guarded_realloc(struct mmkit_heap *heap, void *ptr, size_t size)
{
    size_t old;
    if (!guarded_size(ptr, &old)) {
        guarded_realloc_refused(ptr);
        errno = EINVAL;
        return NULL;
    }
    void *moved = alloc_unrecorded(heap, size, 0, false);
    if (!moved)
        return NULL;
    memcpy(moved, ptr, size < old ? size : old);
    guarded_free(ptr, stack_capture(0));
    return moved;
}

static void *realloc_unrecorded(struct mmkit_heap *heap, void *ptr, size_t size)
{
    if (unlikely(private_heap_inside()) || (ptr && private_heap_owns(ptr)))
        return private_heap_realloc(ptr, size);
    if (!ptr)
        return alloc_unrecorded(heap, size, 0, false);
    if (size == 0) {
        free_unrecorded(ptr); /* glibc's behaviour, as in fast mode */
        return NULL;
    }
    if (size > PTRDIFF_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    if (cfg.guarded && guarded_owns(ptr))
        return guarded_realloc(heap, ptr, size);
    if (cfg.checked_frees) {
        block_check verdict = block_verdict(ptr);
        if (verdict != BLOCK_OK) {
            report_refused(verdict, ptr, ERROR_INVALID_REALLOC, ERROR_REALLOC_FREED);
            errno = EINVAL;
            return NULL;
        }
    }
    if (!cfg.headers)
        return core_realloc(heap, ptr, size);
    return headed_realloc(heap, ptr, size);
}

void *check_alloc_sampled(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
{
    void *p = guarded_alloc_filled(size, alignment, zero);
    return p ? p : core_alloc(heap, size, alignment, zero);
}

/* The entry points: the checked calls, each recorded when tracing (the
 * allocator's own allocations are not).  Hardened and sample mode's malloc
 * and free seldom come here: the entry points serve them (check.h). */
void *check_alloc(struct mmkit_heap *heap, size_t size, size_t alignment, bool zero)
{
    void *p = alloc_unrecorded(heap, size, alignment, zero);
    if (cfg.trace && !private_heap_inside()) {
        if (zero)
            trace_calloc(p, 1, size);
        else
            trace_malloc(p, size, alignment);
    }
    return p;
}

void check_free(void *ptr)
{
    if (cfg.trace && ptr && !private_heap_inside() && !private_heap_owns(ptr))
        trace_free(ptr);
    free_unrecorded(ptr);
}

void *check_realloc(struct mmkit_heap *heap, void *ptr, size_t size)
{
    bool traced = cfg.trace && !private_heap_inside() && !(ptr && private_heap_owns(ptr));
    void *moved = realloc_unrecorded(heap, ptr, size);
    if (traced)
        trace_realloc(ptr, moved, size);
    return moved;
}

void check_free_refused(void *ptr, block_check verdict)
{
    report_refused(verdict, ptr, ERROR_INVALID_FREE, ERROR_DOUBLE_FREE);
}

size_t check_usable_size(const void *ptr)
{
    size_t guarded;
    if (cfg.guarded && guarded_owns(ptr))
        return guarded_size(ptr, &guarded) ? guarded : 0;
    if (!ptr || !cfg.headers || private_heap_owns(ptr))
        return core_usable_size(ptr);
    found f = find_block(ptr);
    return f.state == SEALED_LIVE ? f.size : 0;
}

/* ---- pools ----------------------------------------------------------------- */

/* Is the block the pool's?  Then it leaves the quarantine: its pages are
 * opened again for the pool's memory to go back. */
static bool in_heap(void *user, void *heap)
{
    block_info b = block_lookup(user);
    if (b.place != PLACE_BLOCK || segment_heap(b.segment) != heap)
        return false;
    freed_pages_release(user, find_block(user).size);
    return true;
}

void check_heap_destroyed(struct mmkit_heap *heap)
{
    if (cfg.quarantine)
        quarantine_drop_if(in_heap, heap);
    if (cfg.track)
        live_forget_heap(heap);
}

/* ---- start-up --------------------------------------------------------------- */

/* Run by atexit, after the handlers the program registered since
 * start-up: what no free or reuse has checked yet, then the leaks. */
static void check_at_exit(void)
{
    if (cfg.junk && cfg.quarantine)
        check_quarantine_at_exit();
    if (cfg.leaks && leaks_report(cfg.leaks == 2) > 0)
        report_found();
    /* The leak report lists the rules used; without it, they come here. */
    if (cfg.suppress && cfg.leaks != 2)
        suppressions_print_report();
}

/*
 * error_exitcode=N: a process that reported an error (with
 * abort_on_error=0, or it would have aborted) or leaks exits with status N.
 * Registered with atexit before the leak report and the statistics, so it
 * runs after them, and after every handler the program registers (and, in
 * a preloaded or linked libmmkit, whose start-up runs before the C
 * library's, after the destructors of every library).  _exit skips the C
 * library's flush of stdio, which comes last: it is done here.
 */
static void exit_with_error_code(void)
{
    int status = mmkit_options.error_exitcode;
    if (status && report_found_any()) {
        fflush(NULL);
        _exit(status);
    }
}

static uint64_t random_secret(void)
{
    uint64_t secret;
    if (getrandom(&secret, sizeof secret, GRND_NONBLOCK) != sizeof secret)
        secret = os_now_ns() ^ (uintptr_t)&secret;
    return secret | 1;
}

static size_t default_quarantine(int mode)
{
    int64_t chosen = mmkit_options.quarantine;
    if (chosen >= 0)
        return (size_t)chosen;
    return mode == MODE_DEBUG ? (size_t)16 << 20 : 0;
}

/* Debug mode's budget of guarded blocks, guard_blocks.  Their area reserves
 * address space as blocks need it: under an address-space limit
 * (RLIMIT_AS) at start-up, as some batch systems and containers set, it
 * takes no more than a sixteenth of it. */
static size_t guard_budget(void)
{
    size_t budget = mmkit_options.guard_blocks;
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        guarded_small_blocks_in(limit.rlim_cur / 16) < budget)
        budget = guarded_small_blocks_in(limit.rlim_cur / 16);
    return budget;
}

/* What the options' mode asks for; returns the quarantine's bytes. */
static size_t configure_mode(int mode)
{
    bool debug = mode == MODE_DEBUG;
    cfg.leaks = mmkit_options.leaks >= 0 ? mmkit_options.leaks : (debug ? 1 : 0);
    /* Hardened mode needs no header: the core tells a block's start from
     * any other pointer, and a freed block by its encoded link.  Tracking
     * leaks needs one, and then its seal does the vetting. */
    cfg.headers = debug || (cfg.leaks && mode != MODE_SAMPLE);
    cfg.checked_frees = mode == MODE_HARDENED && !cfg.headers;
    cfg.track = cfg.headers && (debug || cfg.leaks);
    cfg.canaries = cfg.junk = debug;
    cfg.zero_on_free = mmkit_options.zero_on_free;
    cfg.keep_in_place = !debug;
    if (mode == MODE_HARDENED || debug) {
        hardening_secret = random_secret();
        /* Running into a page's guard page gets a report, not a bare crash. */
        fault_handler_install();
    }
    cfg.guard_all = mmkit_options.guard == 1;
    cfg.sample_rate = mmkit_options.sample_rate;
    /* Debug mode guards blocks of up to a page while its budget lasts: an
     * access to one after it is freed faults, a read too. */
    cfg.guard = cfg.guard_all ? GUARDED_ALL : debug ? GUARDED_SMALL : GUARDED_POOL;
    if (cfg.guard == GUARDED_SMALL)
        mmkit_options.guard_blocks = guard_budget(); /* the value in force */
    if (cfg.guard_all || mode == MODE_SAMPLE || (debug && mmkit_options.guard_blocks > 0))
        cfg.guarded = guarded_init(cfg.guard, debug ? mmkit_options.guard_blocks
                                                    : mmkit_options.sample_slots);
    /* A fault on a guarded block's pages gets a report too. */
    if (cfg.guarded)
        fault_handler_install();
    return cfg.headers ? default_quarantine(mode) : 0;
}

/*
 * Under memcheck, whatever the mode: memcheck checks every access, so the
 * layer only keeps what lets it tell memcheck about blocks.  A seal header
 * before each block (which also serves as a red zone before it), and a
 * quarantine as big as debug mode's, so freed blocks are not reused at once
 * and a use after free stays visible.  realloc always moves, as memcheck's
 * own does.  No canaries, junk, poison or hardening: memcheck's shadow
 * memory does better.  No leak report of mmkit's either: memcheck's leak
 * checker sees every block.
 */
static size_t configure_memcheck(void)
{
    cfg.memcheck = true;
    cfg.headers = true;
    /* A page's span may hold red zones of an earlier page's blocks. */
    core_hook.span_reused = memcheck_span_reused;
    if (mmkit_options.verbose)
        os_write_stderr("mmkit: running under memcheck: blocks are described to it\n");
    return default_quarantine(MODE_DEBUG);
}

/* The options leaks and quarantine are -1 until now, for "what the mode
 * wants": the mode's values replace it, so that verbose=1 and
 * mmkit_option_get show the values in effect.  With guard=all every block's
 * quarantine is the guarded area's. */
static void settle_mode_defaults(size_t quarantine)
{
    if (mmkit_options.leaks < 0)
        mmkit_options.leaks = cfg.leaks;
    if (mmkit_options.quarantine < 0)
        mmkit_options.quarantine =
            (int64_t)(cfg.guard_all ? GUARDED_ALL_QUARANTINE_DEFAULT : quarantine);
}

/* The core found the link it keeps in a freed block overwritten. */
static void report_link_overwritten(const void *freed)
{
    error_report r = {
        .kind = ERROR_WRITE_AFTER_FREE,
        .address = freed,
        .block = freed,
        .detail = "the link the allocator keeps in the freed block was overwritten (found when "
                  "the allocator reached it): a write after free, or an overflow of the block "
                  "before it",
    };
    report_error(&r);
}

void check_init(void)
{
    core_hook.link_overwritten = report_link_overwritten;
    atexit(exit_with_error_code);
    size_t quarantine = memcheck_init() ? configure_memcheck() : configure_mode(mmkit_options.mode);
    settle_mode_defaults(quarantine);
    cfg.lead = sizeof(seal_header) + (cfg.track ? sizeof(track_header) : 0);
    cfg.secret = random_secret();
    cfg.quarantine = quarantine > 0 && quarantine_init(quarantine);
    cfg.trace = mmkit_options.trace_path[0] && trace_start(mmkit_options.trace_path);
    if (!cfg.headers && !cfg.checked_frees && !cfg.guarded && !cfg.trace) {
        __atomic_store_n(&check_active, CHECK_OFF, __ATOMIC_RELAXED);
        return;
    }
    /* Hardened or sample mode with nothing more: the entry points serve
     * malloc and free themselves. */
    bool extras = cfg.headers || cfg.zero_on_free || cfg.trace;
    uint8_t mode = CHECK_ON;
    if (cfg.checked_frees && !cfg.guarded && !extras)
        mode = CHECK_HARDENED;
    else if (cfg.guarded && cfg.guard == GUARDED_POOL && !cfg.checked_frees && !extras)
        mode = CHECK_SAMPLE;
    __atomic_store_n(&check_active, mode, __ATOMIC_RELAXED);
    /* Before anything enters the private heap: loading the unwinder does. */
    private_heap_set_hooks(pause_entry_points, resume_entry_points);
    /* Reports show where the error happened in every mode; the debug mode
     * also keeps where each block was allocated and freed. */
    stacks_init((unsigned)mmkit_options.stack_depth,
                cfg.trace ? (unsigned)mmkit_options.trace_stacks : 0);
    cfg.suppress = mmkit_options.suppressions[0] && suppressions_load(mmkit_options.suppressions);
    if (cfg.leaks || (cfg.junk && cfg.quarantine) || cfg.suppress)
        atexit(check_at_exit);
}
