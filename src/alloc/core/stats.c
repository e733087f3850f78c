/*
 * stats.c - statistics: the per-class counters of every heap, live or gone
 * (heap.c keeps them and sums them in heap_class_totals), and the OS
 * counters shared by all (platform); gathered on demand and printed as
 * text, JSON or glibc's malloc_info XML.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "locks.h"

/* Blocks served outside the heaps, by class; their peaks are of the live
 * count of each class.  `held`: blocks the program freed that the checking
 * layer holds back before giving them to the core. */
static struct {
    _Atomic uint64_t allocs, frees, live, peak_live, held;
} outside[CLASS_COUNT];
static _Atomic uint64_t held_large_blocks, held_large_bytes;

void stats_count_held(size_t usable, bool held)
{
    int64_t delta = held ? 1 : -1;
    if (usable > LARGEST_CLASS_SIZE) {
        stats_shared_add(&held_large_blocks, delta, NULL);
        stats_shared_add(&held_large_bytes, delta * (int64_t)usable, NULL);
    } else {
        stats_shared_add(&outside[class_of(usable)].held, delta, NULL);
    }
}

void stats_count_outside_alloc(size_t size)
{
    if (size > LARGEST_CLASS_SIZE) {
        atomic_fetch_add_explicit(&os_stats.huge_allocs, 1, memory_order_relaxed);
        stats_shared_add(&os_stats.huge_live, (int64_t)size, &os_stats.huge_peak);
        return;
    }
    size_t c = class_of(size);
    atomic_fetch_add_explicit(&outside[c].allocs, 1, memory_order_relaxed);
    stats_shared_add(&outside[c].live, 1, &outside[c].peak_live);
}

void stats_count_outside_free(size_t size)
{
    if (size > LARGEST_CLASS_SIZE) {
        atomic_fetch_add_explicit(&os_stats.huge_frees, 1, memory_order_relaxed);
        stats_shared_add(&os_stats.huge_live, -(int64_t)size, NULL);
        return;
    }
    size_t c = class_of(size);
    atomic_fetch_add_explicit(&outside[c].frees, 1, memory_order_relaxed);
    stats_shared_add(&outside[c].live, -1, NULL);
}

void mmkit_stats_get(mmkit_stats *out)
{
    /* Frees other threads made are counted when the owner collects them:
     * collect what this thread owns, and what exited threads left. */
    heap_collect_pending();
    *out = (mmkit_stats){.class_count = CLASS_COUNT};
    lock_take(LOCK_GLOBAL);
    for (size_t c = 0; c < CLASS_COUNT; c++) {
        uint64_t allocs, frees, peak;
        heap_class_totals(c, &allocs, &frees, &peak);
        allocs += atomic_load_explicit(&outside[c].allocs, memory_order_relaxed);
        frees += atomic_load_explicit(&outside[c].frees, memory_order_relaxed) +
                 atomic_load_explicit(&outside[c].held, memory_order_relaxed);
        peak += atomic_load_explicit(&outside[c].peak_live, memory_order_relaxed);
        uint64_t live = allocs > frees ? allocs - frees : 0;
        if (peak < live)
            peak = live;
        mmkit_class_stats *s = &out->classes[c];
        s->block_size = class_block_size[c];
        s->allocs = allocs;
        s->frees = frees;
        s->live_bytes = live * s->block_size;
        s->peak_bytes = peak * s->block_size;
    }
    lock_release(LOCK_GLOBAL);
#define READ(field) atomic_load_explicit(&os_stats.field, memory_order_relaxed)
    out->large_allocs = READ(huge_allocs);
    out->large_frees = READ(huge_frees);
    out->large_frees += atomic_load_explicit(&held_large_blocks, memory_order_relaxed);
    uint64_t held_bytes = atomic_load_explicit(&held_large_bytes, memory_order_relaxed);
    out->large_live_bytes = READ(huge_live) > held_bytes ? READ(huge_live) - held_bytes : 0;
    out->large_peak_bytes = READ(huge_peak);
    out->mapped_bytes = READ(mapped);
    out->peak_mapped_bytes = READ(peak_mapped);
    out->committed_bytes = READ(committed);
    out->peak_committed_bytes = READ(peak_committed);
    out->returned_bytes = READ(returned);
    out->mmap_calls = READ(mmap_calls);
    out->munmap_calls = READ(munmap_calls);
    out->madvise_calls = READ(madvise_calls);
    out->threads_live = READ(threads_live);
    out->heaps_reclaimed = READ(heaps_reclaimed);
#undef READ
}

uint64_t stats_live_bytes(const mmkit_stats *s)
{
    uint64_t live = s->large_live_bytes;
    for (size_t c = 0; c < s->class_count; c++)
        live += s->classes[c].live_bytes;
    return live;
}

/* Where statistics are printed: a FILE the program gave, or (file NULL)
 * the allocator's own messages, in pieces of a few KiB that each go out in
 * one write, so that the block of another process printing at the same
 * moment cuts into it as little as it can. */
typedef struct printer {
    FILE *file;
    size_t len;
    char text[4096];
} printer;

static void flush(printer *p)
{
    if (p->len)
        os_write_stderr(p->text);
    p->len = 0;
    p->text[0] = '\0';
}

static void put(printer *p, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void put(printer *p, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    if (p->file) {
        vfprintf(p->file, format, args);
    } else {
        char piece[256];
        int n = vsnprintf(piece, sizeof piece, format, args);
        size_t len = n < 0 ? 0 : (size_t)n < sizeof piece ? (size_t)n : sizeof piece - 1;
        if (p->len + len >= sizeof p->text)
            flush(p);
        memcpy(p->text + p->len, piece, len + 1);
        p->len += len;
    }
    va_end(args);
}

/* Seconds since start-up, for the blocks stats_interval prints; < 0 for
 * the one at exit or on request, which needs no time. */
static void print_text(printer *p, double seconds)
{
    mmkit_stats s;
    mmkit_stats_get(&s);
    put(p, "mmkit statistics of process %d (%s)", (int)getpid(), os_program_name());
    if (seconds >= 0)
        put(p, " at %.1f s", seconds);
    put(p, "\n%12s %12s %12s %14s %14s\n", "block size", "allocs", "frees", "live bytes",
        "peak bytes");
    for (size_t c = 0; c < s.class_count; c++) {
        const mmkit_class_stats *k = &s.classes[c];
        if (k->allocs)
            put(p, "%12zu %12" PRIu64 " %12" PRIu64 " %14" PRIu64 " %14" PRIu64 "\n", k->block_size,
                k->allocs, k->frees, k->live_bytes, k->peak_bytes);
    }
    put(p, "%12s %12" PRIu64 " %12" PRIu64 " %14" PRIu64 " %14" PRIu64 "\n", "large", s.large_allocs,
        s.large_frees, s.large_live_bytes, s.large_peak_bytes);
    put(p, "live bytes %" PRIu64 "; mapped %" PRIu64 " (peak %" PRIu64 "); committed %" PRIu64
        " (peak %" PRIu64 "); returned to the OS %" PRIu64 "\n",
        stats_live_bytes(&s), s.mapped_bytes, s.peak_mapped_bytes, s.committed_bytes,
        s.peak_committed_bytes, s.returned_bytes);
    put(p, "mmap %" PRIu64 ", munmap %" PRIu64 ", madvise %" PRIu64 "; threads %" PRIu64
        ", heaps reclaimed %" PRIu64 "\n",
        s.mmap_calls, s.munmap_calls, s.madvise_calls, s.threads_live, s.heaps_reclaimed);
}

static void print_json(printer *p, double seconds)
{
    mmkit_stats s;
    mmkit_stats_get(&s);
    put(p, "{\"pid\":%d,\"program\":\"%s\",", (int)getpid(), os_program_name());
    if (seconds >= 0)
        put(p, "\"seconds\":%.1f,", seconds);
    put(p, "\"classes\":[");
    for (size_t c = 0; c < s.class_count; c++) {
        const mmkit_class_stats *k = &s.classes[c];
        put(p,
            "%s{\"block_size\":%zu,\"allocs\":%" PRIu64 ",\"frees\":%" PRIu64
            ",\"live_bytes\":%" PRIu64 ",\"peak_bytes\":%" PRIu64 "}",
            c ? "," : "", k->block_size, k->allocs, k->frees, k->live_bytes, k->peak_bytes);
    }
    put(p,
        "],\"large\":{\"allocs\":%" PRIu64 ",\"frees\":%" PRIu64 ",\"live_bytes\":%" PRIu64
        ",\"peak_bytes\":%" PRIu64 "}",
        s.large_allocs, s.large_frees, s.large_live_bytes, s.large_peak_bytes);
    const struct {
        const char *name;
        uint64_t value;
    } fields[] = {
        {"mapped_bytes", s.mapped_bytes},       {"peak_mapped_bytes", s.peak_mapped_bytes},
        {"committed_bytes", s.committed_bytes}, {"peak_committed_bytes", s.peak_committed_bytes},
        {"returned_bytes", s.returned_bytes},   {"mmap_calls", s.mmap_calls},
        {"munmap_calls", s.munmap_calls},       {"madvise_calls", s.madvise_calls},
        {"threads_live", s.threads_live},       {"heaps_reclaimed", s.heaps_reclaimed},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        put(p, ",\"%s\":%" PRIu64, fields[i].name, fields[i].value);
    put(p, "}\n");
}

void mmkit_stats_print(FILE *out)
{
    printer p = {.file = out};
    print_text(&p, -1);
}

void mmkit_stats_print_json(FILE *out)
{
    printer p = {.file = out};
    print_json(&p, -1);
}

static void print_as_messages(bool json, double seconds)
{
    printer p = {.file = NULL};
    if (json)
        print_json(&p, seconds);
    else
        print_text(&p, seconds);
    flush(&p);
}

void stats_print_at_exit(bool json)
{
    print_as_messages(json, -1);
}

/* ---- stats_interval ------------------------------------------------------------ */

static _Atomic uint64_t next_print_ns;
static uint64_t print_interval_ns, started_ns;

void stats_print_every(uint64_t interval_ms)
{
    print_interval_ns = interval_ms * 1000000u;
    started_ns = os_now_ns();
    atomic_store_explicit(&next_print_ns, started_ns + print_interval_ns,
                          memory_order_relaxed);
}

void stats_print_if_due(void)
{
    uint64_t due = atomic_load_explicit(&next_print_ns, memory_order_relaxed);
    uint64_t now = os_now_ns();
    /* Of the threads that find it due, the one that moves it on prints. */
    if (now < due || !atomic_compare_exchange_strong_explicit(&next_print_ns, &due,
                                                              now + print_interval_ns,
                                                              memory_order_relaxed,
                                                              memory_order_relaxed))
        return;
    print_as_messages(mmkit_options.stats == 2, (double)(now - started_ns) / 1e9);
}

void stats_print_xml(FILE *out)
{
    mmkit_stats s;
    mmkit_stats_get(&s);
    fputs("<malloc version=\"mmkit-1\">\n<heap nr=\"0\">\n<sizes>\n", out);
    for (size_t c = 0; c < s.class_count; c++) {
        const mmkit_class_stats *k = &s.classes[c];
        if (k->live_bytes)
            fprintf(out, "<size from=\"%zu\" to=\"%zu\" total=\"%" PRIu64 "\" count=\"%" PRIu64 "\"/>\n",
                    k->block_size, k->block_size, k->live_bytes, k->live_bytes / k->block_size);
    }
    fprintf(out, "</sizes>\n<total type=\"mmap\" count=\"%" PRIu64 "\" size=\"%" PRIu64 "\"/>\n",
            s.large_allocs - s.large_frees, s.large_live_bytes);
    fprintf(out, "<system type=\"current\" size=\"%" PRIu64 "\"/>\n<system type=\"max\" size=\"%" PRIu64
            "\"/>\n</heap>\n</malloc>\n",
            s.committed_bytes, s.peak_committed_bytes);
}
