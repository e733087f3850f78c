/*
 * leaks.c - the list of live blocks and the leak report (see leaks.h).
 *
 * The list is split in stripes, each under its own lock, so threads that
 * allocate at once rarely wait for each other.  At exit the report finds
 * which live blocks are still reachable, as LeakSanitizer does: every
 * aligned word of the process's writable memory outside the heap (data,
 * bss, stacks, other mappings) that points into a live block marks it, and
 * marked blocks are scanned in turn.  Blocks no pointer reaches are direct
 * leaks; blocks reached only from leaked ones are indirect leaks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "guarded.h"
#include "lookup.h"
#include "leaks.h"
#include "locks.h"
#include "suppressions.h"

/* The live list's stripes, a lock each (locks.h): threads that allocate
 * at once in debug mode rarely wait for each other. */
#define LIVE_STRIPES (LOCK_LIVE_LAST - LOCK_LIVE_FIRST + 1)
_Static_assert(LIVE_STRIPES == 32, "stripe_index picks one of 32 stripes");

/* Each under its lock LOCK_LIVE_FIRST + its index. */
static struct stripe {
    track_header *first;
} stripes[LIVE_STRIPES];

static unsigned stripe_index(const track_header *t)
{
    return (unsigned)(((uintptr_t)t >> 4) * 0x9e3779b97f4a7c15ull >> 59);
}

static struct stripe *stripe_locked(const track_header *t)
{
    unsigned i = stripe_index(t);
    lock_take((lock_id)(LOCK_LIVE_FIRST + i));
    return &stripes[i];
}

static void stripe_unlock(const track_header *t)
{
    lock_release((lock_id)(LOCK_LIVE_FIRST + stripe_index(t)));
}

void live_insert(track_header *t)
{
    struct stripe *s = stripe_locked(t);
    t->prev = NULL;
    t->next = s->first;
    if (s->first)
        s->first->prev = t;
    s->first = t;
    stripe_unlock(t);
}

static void unlink_from(struct stripe *s, track_header *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        s->first = t->next;
    if (t->next)
        t->next->prev = t->prev;
}

void live_remove(track_header *t)
{
    struct stripe *s = stripe_locked(t);
    unlink_from(s, t);
    stripe_unlock(t);
}

void live_forget_heap(struct mmkit_heap *heap)
{
    for (unsigned i = 0; i < LIVE_STRIPES; i++) {
        struct stripe *s = &stripes[i];
        lock_take((lock_id)(LOCK_LIVE_FIRST + i));
        for (track_header *t = s->first, *next; t; t = next) {
            next = t->next;
            block_info b = block_lookup(t);
            if (b.place == PLACE_BLOCK && segment_heap(b.segment) == heap)
                unlink_from(s, t);
        }
        lock_release((lock_id)(LOCK_LIVE_FIRST + i));
    }
}

static void live_lock_all(void)
{
    for (unsigned i = 0; i < LIVE_STRIPES; i++)
        lock_take((lock_id)(LOCK_LIVE_FIRST + i));
}

static void live_unlock_all(void)
{
    for (unsigned i = LIVE_STRIPES; i-- > 0;)
        lock_release((lock_id)(LOCK_LIVE_FIRST + i));
}

/* ---- the report ------------------------------------------------------------ */

/* Sorted as reported: direct leaks, indirect leaks, then leaks a rule of
 * suppressions=FILE hides and reachable blocks.  POINTED: not reached yet,
 * but another unreached block points to it. */
enum { UNREACHED = 0, POINTED, DIRECT, INDIRECT, SUPPRESSED, REACHED };

typedef struct live_block {
    uintptr_t start, end;
    stack_id stack;
    uint8_t mark;
    int named; /* a leak: the first rule that names its stack, or -1 */
    int rule;  /* SUPPRESSED: the rule that hides it */
} live_block;

typedef struct scan {
    live_block *blocks; /* sorted by start; not a root, though it points everywhere */
    size_t count;
    size_t *work; /* blocks marked but not yet scanned */
    size_t pending;
    int rule; /* what blocks marked SUPPRESSED are hidden by */
} scan;

/* Arrays of the report come straight from the OS, never from the heap. */
static void *map_array(size_t count, size_t size)
{
    return os_reserve(count * size + 1);
}

static void unmap_array(void *array, size_t count, size_t size)
{
    if (array)
        os_unreserve(array, count * size + 1);
}

static int by_start(const void *a, const void *b)
{
    const live_block *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* The live block that holds address v, or NULL. */
static live_block *block_at(scan *sc, uintptr_t v)
{
    size_t lo = 0, hi = sc->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v < sc->blocks[mid].start)
            hi = mid;
        else if (v >= sc->blocks[mid].end)
            lo = mid + 1;
        else
            return &sc->blocks[mid];
    }
    return NULL;
}

/* Every word of words[0 .. count) that points into an unmarked block
 * marks it `mark` and queues it for scanning. */
static void scan_words(scan *sc, const uintptr_t *words, size_t count, uint8_t mark)
{
    for (size_t i = 0; i < count; i++) {
        live_block *b = block_at(sc, words[i]);
        if (b && (b->mark == UNREACHED || b->mark == POINTED)) {
            b->mark = mark;
            b->rule = sc->rule;
            sc->work[sc->pending++] = (size_t)(b - sc->blocks);
        }
    }
}

/* A block is the heap's own memory, always readable. */
static void scan_block(scan *sc, const live_block *b, uint8_t mark)
{
    uintptr_t from = align_up(b->start, 8);
    if (b->end >= from + 8)
        scan_words(sc, (const uintptr_t *)from, (b->end - from) / 8, mark);
}

static void scan_pending(scan *sc, uint8_t mark)
{
    while (sc->pending > 0)
        scan_block(sc, &sc->blocks[sc->work[--sc->pending]], mark);
}

/* Mark POINTED the unreached blocks other than b that b points to. */
static void note_pointees(scan *sc, const live_block *b)
{
    uintptr_t from = align_up(b->start, 8);
    for (uintptr_t at = from; at + 8 <= b->end; at += 8) {
        live_block *to = block_at(sc, *(const uintptr_t *)at);
        if (to && to != b && to->mark == UNREACHED)
            to->mark = POINTED;
    }
}

/* The blocks no root reaches are leaks: those no other leaked block points
 * to are direct, and what they reach indirect.  Blocks that point at each
 * other in a cycle nothing else reaches are all pointed to: the first of
 * each such cycle is direct, the rest of it indirect. */
static void classify_leaks(scan *sc)
{
    for (size_t i = 0; i < sc->count; i++)
        if (sc->blocks[i].mark == UNREACHED || sc->blocks[i].mark == POINTED)
            note_pointees(sc, &sc->blocks[i]);
    for (uint8_t roots = UNREACHED;; roots = POINTED) {
        for (size_t i = 0; i < sc->count; i++)
            if (sc->blocks[i].mark == roots) {
                sc->blocks[i].mark = DIRECT;
                scan_block(sc, &sc->blocks[i], INDIRECT);
                scan_pending(sc, INDIRECT);
            }
        if (roots == POINTED)
            return;
    }
}

/* The rule that hides leaks of this stack, or -1: the last few stacks
 * asked remembered, as blocks of one stack tend to come together. */
static int leak_rule(stack_id stack)
{
    static struct {
        stack_id stack;
        int rule;
    } seen[64];
    unsigned slot = stack % 64;
    if (!stack || seen[slot].stack != stack) {
        seen[slot].stack = stack;
        seen[slot].rule = suppressions_match(SUPPRESS_LEAK, stack);
    }
    return seen[slot].rule;
}

/* Which rule names each leak's stack.  Symbolizing may free what the
 * symbolizer had: not with the live list locked. */
static void name_leaks(scan *sc)
{
    for (size_t i = 0; i < sc->count; i++) {
        live_block *b = &sc->blocks[i];
        b->named = b->mark == DIRECT || b->mark == INDIRECT ? leak_rule(b->stack) : -1;
    }
}

/* Each block of `mark` that a rule names is SUPPRESSED by it. */
static void suppress_named(scan *sc, uint8_t mark)
{
    for (size_t i = 0; i < sc->count; i++) {
        live_block *b = &sc->blocks[i];
        if (b->mark == mark && b->named >= 0) {
            b->mark = SUPPRESSED;
            b->rule = b->named;
        }
    }
}

/* Leaks a rule names are not reported.  A hidden direct leak takes along
 * the blocks only it reaches: the indirect leaks are found again from the
 * direct leaks still reported, and what only hidden ones reach is hidden
 * with them; then indirect leaks a rule names themselves. */
static void suppress_leaks(scan *sc)
{
    suppress_named(sc, DIRECT);
    for (size_t i = 0; i < sc->count; i++)
        if (sc->blocks[i].mark == INDIRECT)
            sc->blocks[i].mark = UNREACHED;
    for (uint8_t from = DIRECT;; from = SUPPRESSED) {
        uint8_t mark = from == DIRECT ? INDIRECT : SUPPRESSED;
        for (size_t i = 0; i < sc->count; i++) {
            live_block *b = &sc->blocks[i];
            if (b->mark == from) {
                sc->rule = b->rule;
                scan_block(sc, b, mark);
                scan_pending(sc, mark);
            }
        }
        if (from == SUPPRESSED)
            break;
    }
    suppress_named(sc, INDIRECT);
}

/* The words of [from, to), which lie within one page, read through a copy:
 * a mapping outside the heap may fault where its permissions say it can be
 * read, and a leak report must not crash the program it reports on. */
static void scan_foreign_words(scan *sc, uintptr_t from, uintptr_t to)
{
    static uintptr_t copy[OS_PAGE_SIZE / sizeof(uintptr_t)];
    from = align_up(from, 8);
    if (to < from + 8)
        return;
    size_t count = (to - from) / 8;
    if (os_copy_readable(copy, (const void *)from, count * 8))
        scan_words(sc, copy, count, REACHED);
}

/* Scan the resident pages of [from, to), skipping the heap's own segments
 * and the guarded area's memory: blocks count only when something outside
 * reaches them. */
static void scan_region(scan *sc, uintptr_t from, uintptr_t to)
{
    static unsigned char resident[SEGMENT_SIZE / OS_PAGE_SIZE];
    for (uintptr_t chunk = from; chunk < to;) {
        uintptr_t end = (chunk & ~SEGMENT_MASK) + SEGMENT_SIZE;
        if (end > to)
            end = to;
        if (!granule_is_ours(chunk) &&
            os_resident((void *)chunk, end - chunk, resident)) {
            uintptr_t skip_from = (uintptr_t)sc->blocks,
                      skip_to = skip_from + sc->count * sizeof *sc->blocks;
            for (uintptr_t p = chunk; p < end; p += OS_PAGE_SIZE)
                if ((resident[(p - chunk) / OS_PAGE_SIZE] & 1) &&
                    (p + OS_PAGE_SIZE <= skip_from || p >= skip_to) &&
                    !guarded_bookkeeping((const void *)p))
                    scan_foreign_words(sc, p, p + OS_PAGE_SIZE < end ? p + OS_PAGE_SIZE : end);
        }
        chunk = end;
    }
    scan_pending(sc, REACHED);
}

/* A mapping larger than this is an address-space reservation (a
 * sanitizer's shadow, a runtime's arena), not memory a program stores its
 * pointers in: asking the kernel which of its pages are resident would
 * cost a byte per page, billions of them. */
#define ROOT_MAPPING_MAX (1ull << 40)

/* Roots: every readable and writable private mapping (but reservations);
 * of the running thread's stack, only the part in use (frames below hold
 * stale pointers). */
static void scan_roots(scan *sc)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    static char maps[1 << 20];
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t len = 0;
    for (ssize_t n; len < sizeof maps - 1 && (n = read(fd, maps + len, sizeof maps - 1 - len)) > 0;)
        len += (size_t)n;
    close(fd);
    maps[len] = '\0';
    for (char *line = maps; *line;) {
        char *end;
        uintptr_t from = strtoull(line, &end, 16);
        uintptr_t to = strtoull(end + 1, &end, 16);
        const char *perms = end + 1;
        if (sp >= from && sp < to)
            from = sp;
        if (perms[0] == 'r' && perms[1] == 'w' && perms[3] == 'p' && to - from <= ROOT_MAPPING_MAX)
            scan_region(sc, from, to);
        while (*line && *line != '\n')
            line++;
        if (*line)
            line++;
    }
}

typedef struct leak_group {
    stack_id stack;
    uint8_t kind;
    size_t blocks, bytes;
} leak_group;

static int by_kind_and_stack(const void *a, const void *b)
{
    const live_block *x = a, *y = b;
    if (x->mark != y->mark)
        return x->mark < y->mark ? -1 : 1;
    return (x->stack > y->stack) - (x->stack < y->stack);
}

static int largest_first(const void *a, const void *b)
{
    const leak_group *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

/* Group the leaked blocks (which sort first) by kind and stack. */
static size_t group_leaks(scan *sc, leak_group *groups, size_t *leaked)
{
    qsort(sc->blocks, sc->count, sizeof *sc->blocks, by_kind_and_stack);
    size_t n = 0;
    *leaked = 0;
    for (size_t i = 0; i < sc->count && sc->blocks[i].mark <= SUPPRESSED; i++) {
        live_block *b = &sc->blocks[i];
        if (b->mark == SUPPRESSED) {
            suppressions_count(b->rule, b->end - b->start);
            continue;
        }
        if (n == 0 || groups[n - 1].stack != b->stack || groups[n - 1].kind != b->mark)
            groups[n++] = (leak_group){.stack = b->stack, .kind = b->mark};
        groups[n - 1].blocks++;
        groups[n - 1].bytes += b->end - b->start;
        ++*leaked;
    }
    qsort(groups, n, sizeof *groups, largest_first);
    return n;
}

static void print_json_frames(stack_id stack)
{
    uintptr_t pcs[64];
    size_t n = stack_frames(stack, pcs, 64);
    os_printf("\"frames\":[");
    for (size_t i = 0; i < n; i++) {
        symbol sym = {0};
        stack_symbolize(pcs[i], &sym);
        os_printf("%s{\"pc\":\"%#lx\",", i ? "," : "", (unsigned long)pcs[i]);
        os_print_json_string("function", sym.function);
        os_printf(",");
        os_print_json_string("file", sym.file);
        os_printf(",\"line\":%u,", sym.line);
        os_print_json_string("module", sym.module);
        os_printf("}");
    }
    os_printf("]");
}

static void print_report(const leak_group *groups, size_t n, bool json)
{
    size_t bytes = 0, blocks = 0;
    for (size_t i = 0; i < n; i++) {
        bytes += groups[i].bytes;
        blocks += groups[i].blocks;
    }
    size_t hidden_bytes, hidden_blocks;
    suppressions_leak_totals(&hidden_bytes, &hidden_blocks);
    if (json) {
        os_printf("{\"pid\":%d,\"program\":\"%s\",\"leaked_bytes\":%zu,\"leaked_blocks\":%zu,"
                  "\"suppressed_bytes\":%zu,\"suppressed_blocks\":%zu,\"suppressions\":",
                  (int)getpid(), os_program_name(), bytes, blocks, hidden_bytes, hidden_blocks);
        suppressions_print_used_json();
        os_printf(",\"leaks\":[");
        for (size_t i = 0; i < n; i++) {
            os_printf("%s{\"kind\":\"%s\",\"bytes\":%zu,\"blocks\":%zu,", i ? "," : "",
                          groups[i].kind == INDIRECT ? "indirect" : "direct", groups[i].bytes,
                          groups[i].blocks);
            print_json_frames(groups[i].stack);
            os_printf("}");
        }
        os_printf("]}\n");
        return;
    }
    if (n == 0) {
        if (hidden_blocks > 0)
            suppressions_print_report();
    } else {
        os_printf("==%d== mmkit: detected memory leaks\n", (int)getpid());
        os_printf("  in process %d (%s)\n", (int)getpid(), os_program_name());
        for (size_t i = 0; i < n; i++) {
            os_printf("%s leak of %zu byte(s) in %zu block(s) allocated at:\n",
                      groups[i].kind == INDIRECT ? "Indirect" : "Direct", groups[i].bytes,
                      groups[i].blocks);
            stack_print(groups[i].stack);
        }
        suppressions_print_used();
    }
    if (n == 0 && hidden_blocks == 0)
        return;
    if (hidden_blocks > 0)
        os_printf("SUMMARY: mmkit: %zu byte(s) leaked in %zu block(s); %zu byte(s) in %zu "
                  "block(s) suppressed.\n", bytes, blocks, hidden_bytes, hidden_blocks);
    else
        os_printf("SUMMARY: mmkit: %zu byte(s) leaked in %zu block(s).\n", bytes, blocks);
}

static void gather_guarded(void *arg, uintptr_t start, size_t size, stack_id alloc_stack)
{
    scan *sc = arg;
    sc->blocks[sc->count++] =
        (live_block){.start = start, .end = start + size, .stack = alloc_stack};
}

/* Gather the live blocks: those of the live list and the guarded ones
 * (the caller holds all stripes, and the guarded area frozen). */
static bool gather(scan *sc)
{
    size_t count = guarded_live(NULL, NULL);
    for (size_t i = 0; i < LIVE_STRIPES; i++)
        for (track_header *t = stripes[i].first; t; t = t->next)
            count++;
    sc->blocks = map_array(count, sizeof *sc->blocks);
    sc->work = map_array(count, sizeof *sc->work);
    if (!sc->blocks || !sc->work)
        return false;
    for (size_t i = 0; i < LIVE_STRIPES; i++)
        for (track_header *t = stripes[i].first; t; t = t->next) {
            uintptr_t user = (uintptr_t)user_of_track(t);
            sc->blocks[sc->count++] = (live_block){
                .start = user, .end = user + seal_of((void *)user)->size, .stack = t->alloc_stack};
        }
    guarded_live(gather_guarded, sc);
    qsort(sc->blocks, sc->count, sizeof *sc->blocks, by_start);
    return true;
}

size_t leaks_report(bool json)
{
    /* qsort and the symbolizer may allocate: from the private heap. */
    private_heap_enter();
    scan sc = {0};
    size_t leaked = 0;
    /* The list stays locked while blocks are scanned, so none is freed
     * under the scan; not while the report prints, as the symbolizer may
     * free blocks it had before. */
    live_lock_all();
    guarded_freeze();
    bool gathered = gather(&sc);
    if (gathered) {
        scan_roots(&sc);
        classify_leaks(&sc);
    }
    guarded_thaw();
    live_unlock_all();
    if (gathered && suppressions_of(SUPPRESS_LEAK)) {
        name_leaks(&sc);
        /* Leaked blocks stay: nothing the program holds points to them. */
        live_lock_all();
        guarded_freeze();
        suppress_leaks(&sc);
        guarded_thaw();
        live_unlock_all();
    }
    leak_group *groups = gathered ? map_array(sc.count, sizeof *groups) : NULL;
    if (groups) {
        size_t n = group_leaks(&sc, groups, &leaked);
        print_report(groups, n, json);
        unmap_array(groups, sc.count, sizeof *groups);
    }
    unmap_array(sc.blocks, sc.count, sizeof *sc.blocks);
    unmap_array(sc.work, sc.count, sizeof *sc.work);
    private_heap_leave();
    return leaked;
}
