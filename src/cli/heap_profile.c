/*
 * heap_profile.c - who allocated what (heap_profile.h).
 *
 * The first pass replays the trace against a table of the live blocks,
 * each tagged with its site: totals, each site's calls, bytes, temporary
 * allocations and most bytes live, the peak of the live bytes and the
 * record that reached it, and what is still live at the end.  A second
 * pass replays up to that record to see which sites held the peak, and
 * with --heap on to the end, keeping each span of time's highest point
 * with the top sites apart.
 *
 * A site is the first frame of a stack outside the allocator: frames in
 * libmmkit or the C library, and the standard allocation functions wherever
 * they are (operator new, strdup, ...), are passed over; a temporary
 * allocation is one freed while it is the last block allocated (as
 * heaptrack counts them).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "heap_profile.h"
#include "live_table.h"

/* ---- which frames belong to the allocator ------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool starts_with(const char *text, const char *prefix)
{
    return !strncmp(text, prefix, strlen(prefix));
}

/* The functions that allocate for their caller, by their symbol names:
 * C's, POSIX's and glibc's, and C++'s operator new and new[] (mangled). */
static const char *const allocating_functions[] = {
    "malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc", "memalign",
    "posix_memalign", "valloc", "pvalloc", "strdup", "strndup", "__strdup", "__strndup",
    "wcsdup", NULL,
};

static bool is_allocator_frame(const struct mmkit_alloc_frame *f)
{
    const char *module = base_name(f->module);
    if (starts_with(module, "libmmkit.") || starts_with(module, "libc.so") ||
        starts_with(module, "libc-"))
        return true;
    if (starts_with(f->function, "mmkit_") || starts_with(f->function, "_Znwm") ||
        starts_with(f->function, "_Znam"))
        return true;
    for (const char *const *name = allocating_functions; *name; name++)
        if (!strcmp(f->function, *name))
            return true;
    return false;
}

/* ---- the sites ------------------------------------------------------------ */

static bool same_site(const struct heap_site *a, const struct heap_site *b)
{
    bool named = a->function[0] || a->file[0];
    return a->line == b->line && !strcmp(a->function, b->function) &&
           !strcmp(a->file, b->file) && !strcmp(a->module, b->module) &&
           (named || a->module_address == b->module_address);
}

static uint64_t hash_text(uint64_t h, const char *text)
{
    for (; *text; text++)
        h = (h ^ (uint8_t)*text) * 1099511628211ull;
    return h;
}

static size_t site_slot(const struct heap_profile *p, const struct heap_site *key)
{
    uint64_t h = hash_text(hash_text(hash_text(1469598103934665603ull, key->function),
                                     key->file), key->module);
    h = (h ^ key->line) * 1099511628211ull;
    if (!key->function[0] && !key->file[0])
        h = (h ^ key->module_address) * 1099511628211ull;
    size_t mask = p->site_index_capacity - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask)
        if (!p->site_index[i] || same_site(&p->sites[p->site_index[i] - 1], key))
            return i;
}

static bool grow_array(void **array, size_t *capacity, size_t wanted, size_t item)
{
    if (wanted <= *capacity)
        return true;
    size_t more = *capacity ? *capacity : 64;
    while (more < wanted)
        more *= 2;
    uint8_t *bigger = realloc(*array, more * item);
    if (!bigger)
        return false;
    memset(bigger + *capacity * item, 0, (more - *capacity) * item);
    *array = bigger;
    *capacity = more;
    return true;
}

/* The index of the site `key` names, added if new; -1 if out of memory. */
static long site_add(struct heap_profile *p, const struct heap_site *key)
{
    if ((p->site_count + 1) * 2 > p->site_index_capacity) {
        size_t capacity = p->site_index_capacity ? 2 * p->site_index_capacity : 256;
        uint32_t *index = calloc(capacity, sizeof *index);
        if (!index)
            return -1;
        free(p->site_index);
        p->site_index = index;
        p->site_index_capacity = capacity;
        for (size_t i = 0; i < p->site_count; i++)
            p->site_index[site_slot(p, &p->sites[i])] = (uint32_t)i + 1;
    }
    size_t slot = site_slot(p, key);
    if (p->site_index[slot])
        return p->site_index[slot] - 1;
    if (!grow_array((void **)&p->sites, &p->sites_capacity, p->site_count + 1, sizeof *p->sites))
        return -1;
    p->sites[p->site_count] = *key;
    p->site_index[slot] = (uint32_t)++p->site_count;
    return (long)p->site_count - 1;
}

/* The site of a stack, found on the stack's first allocation; -1 if out of
 * memory. */
static long site_of(struct heap_profile *p, uint32_t stack)
{
    if (!grow_array((void **)&p->stack, &p->stack_capacity, (size_t)stack + 1, sizeof *p->stack))
        return -1;
    if (p->stack[stack].site)
        return p->stack[stack].site - 1;
    struct heap_site key = {.function = "(no stack)", .file = "", .module = ""};
    if (stack) {
        struct mmkit_alloc_frame f;
        size_t at = 0;
        while (mmkit_alloc_trace_frame(p->trace, stack, at, &f) >= 0 && is_allocator_frame(&f))
            at++;
        /* A stack all in the allocator: its first frame. */
        if (mmkit_alloc_trace_frame(p->trace, stack, at, &f) < 0)
            mmkit_alloc_trace_frame(p->trace, stack, at = 0, &f);
        p->stack[stack].cut = (uint32_t)at;
        key = (struct heap_site){.function = f.function, .file = f.file, .module = f.module,
                                 .line = f.line, .module_address = f.module_address};
    }
    long site = site_add(p, &key);
    if (site >= 0)
        p->stack[stack].site = (uint32_t)site + 1;
    return site;
}

void heap_site_text(const struct heap_site *s, char *out, size_t size)
{
    if (s->function[0] && s->file[0])
        snprintf(out, size, "%s at %s:%u", s->function, base_name(s->file), s->line);
    else if (s->function[0] && s->module[0])
        snprintf(out, size, "%s (%s)", s->function, base_name(s->module));
    else if (s->function[0])
        snprintf(out, size, "%s", s->function);
    else if (s->module[0])
        snprintf(out, size, "%s+0x%" PRIx64, base_name(s->module), s->module_address);
    else
        snprintf(out, size, "0x%" PRIx64, s->module_address);
}

void heap_frame_name(struct heap_profile *p, uint32_t stack, size_t index, char *out,
                     size_t size)
{
    struct mmkit_alloc_frame f;
    mmkit_alloc_trace_frame(p->trace, stack, index, &f);
    if (f.function[0])
        snprintf(out, size, "%s", f.function);
    else if (f.module[0])
        snprintf(out, size, "%s+0x%" PRIx64, base_name(f.module), f.module_address);
    else
        snprintf(out, size, "0x%" PRIx64, f.pc);
}

/* ---- the passes ---------------------------------------------------------------- */

/* A pass over the trace: the live blocks and bytes, and per site the bytes
 * live now. */
typedef struct replay {
    struct mmkit_alloc_trace *trace;
    live_table live;
    uint64_t bytes, blocks;
    uint64_t *site_live; /* by site */
} replay;

/* What one record frees and allocates; false if out of memory.  The site
 * of the block freed, if any, in *freed_site (else -1); the block freed
 * was the last one allocated if *temporary. */
static bool replay_step(replay *rp, const struct mmkit_alloc_record *r,
                        long site, uint64_t *last_allocated, long *freed_site, bool *temporary)
{
    struct live_change c = live_change_of(r);
    uint64_t size;
    uint32_t tag;
    *freed_site = -1;
    *temporary = false;
    /* An address allocated while live (a free the trace never saw) first
     * leaves the table as if freed. */
    uint64_t gone[2] = {c.freed, c.allocated != c.freed ? c.allocated : 0};
    for (unsigned i = 0; i < 2; i++)
        if (gone[i] && live_table_take(&rp->live, gone[i], &size, &tag)) {
            rp->bytes -= size;
            rp->blocks--;
            rp->site_live[tag] -= size;
            if (i == 0) {
                *freed_site = tag;
                *temporary = c.freed == *last_allocated;
            }
        }
    if (c.freed)
        *last_allocated = 0;
    if (c.allocated) {
        if (!live_table_put(&rp->live, c.allocated, r->size, (uint32_t)site))
            return false;
        rp->bytes += r->size;
        rp->blocks++;
        rp->site_live[site] += r->size;
        *last_allocated = c.allocated;
    }
    return true;
}

static bool replay_open(replay *rp, const char *path, size_t sites, char *error, size_t size)
{
    *rp = (replay){0};
    rp->trace = mmkit_alloc_trace_open(path, error, size);
    if (!rp->trace)
        return false;
    rp->site_live = calloc(sites ? sites : 1, sizeof *rp->site_live);
    if (!rp->site_live || !live_table_init(&rp->live, 1024)) {
        snprintf(error, size, "%s: out of memory", path);
        return false;
    }
    return true;
}

static void replay_close(replay *rp)
{
    if (rp->trace != NULL)
        mmkit_alloc_trace_close(rp->trace);
    live_table_free(&rp->live);
    free(rp->site_live);
}

/* The first pass, on p->trace. */
static int read_totals(struct heap_profile *p, char *error, size_t size)
{
    replay rp = {.trace = p->trace};
    size_t site_capacity = 0;
    if (!live_table_init(&rp.live, 1024))
        goto out_of_memory;
    struct mmkit_alloc_record r;
    uint64_t last_allocated = 0;
    int got;
    while ((got = mmkit_alloc_trace_next(p->trace, &r)) == 1) {
        p->records++;
        long site = 0;
        if (r.op != MMKIT_ALLOC_FREE) {
            p->stacks |= r.stack != 0;
            if ((site = site_of(p, r.stack)) < 0)
                goto out_of_memory;
        }
        if (!grow_array((void **)&rp.site_live, &site_capacity, p->site_count,
                        sizeof *rp.site_live))
            goto out_of_memory;
        long freed_site;
        bool temporary;
        if (!replay_step(&rp, &r, site, &last_allocated, &freed_site, &temporary))
            goto out_of_memory;
        if (freed_site >= 0 && temporary) {
            p->temporary++;
            p->sites[freed_site].temporary++;
        }
        p->frees += r.op == MMKIT_ALLOC_FREE && r.address;
        if (r.op != MMKIT_ALLOC_FREE) {
            struct heap_site *s = &p->sites[site];
            p->allocations++;
            s->calls++;
            if (r.address) {
                p->bytes += r.size;
                s->bytes += r.size;
                p->stack[r.stack].bytes += r.size;
                s->live = rp.site_live[site];
                s->live_max = s->live > s->live_max ? s->live : s->live_max;
            } else {
                p->failed++;
            }
        }
        if (rp.bytes > p->peak_bytes) {
            p->peak_bytes = rp.bytes;
            p->peak_blocks = rp.blocks;
            p->peak_ns = r.time_ns;
            p->peak_record = p->records;
        }
        p->end_ns = r.time_ns;
    }
    if (got < 0) {
        snprintf(error, size, "%s", mmkit_alloc_trace_error(p->trace));
        rp.trace = NULL;
        replay_close(&rp);
        return -1;
    }
    for (size_t i = 0; i < rp.live.capacity; i++)
        if (rp.live.address[i]) {
            p->sites[rp.live.tag[i]].leaked_bytes += rp.live.size[i];
            p->sites[rp.live.tag[i]].leaked_blocks++;
        }
    p->leaked_bytes = rp.bytes;
    p->leaked_blocks = rp.blocks;
    rp.trace = NULL;
    replay_close(&rp);
    return 0;
out_of_memory:
    snprintf(error, size, "%s: out of memory", p->path);
    rp.trace = NULL;
    replay_close(&rp);
    return -1;
}

static int by_live_max(const void *a, const void *b, void *sites)
{
    const struct heap_site *s = sites;
    uint64_t x = s[*(const uint32_t *)a].live_max, y = s[*(const uint32_t *)b].live_max;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* --heap: the top sites by their most bytes live, and the spans. */
static bool timeline_start(struct heap_profile *p, unsigned top)
{
    struct heap_timeline *t = &p->timeline;
    uint32_t *order = malloc((p->site_count ? p->site_count : 1) * sizeof *order);
    if (!order)
        return false;
    for (size_t i = 0; i < p->site_count; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, p->site_count, sizeof *order, by_live_max, p->sites);
    t->sites = 0;
    while (t->sites < top && t->sites < p->site_count && p->sites[order[t->sites]].live_max)
        t->sites++;
    t->site = order;
    t->bytes = calloc(HEAP_POINTS * (t->sites + 1), sizeof *t->bytes);
    for (size_t i = 0; i < HEAP_POINTS; i++)
        t->x[i] = (double)(p->end_ns ? p->end_ns : 1) * (double)(i + 1) / HEAP_POINTS / 1e6;
    return t->bytes != NULL;
}

/* Span `point` holds the live bytes now, by top site, if they are its
 * highest yet. */
static void timeline_sample(struct heap_profile *p, const replay *rp, uint64_t time_ns,
                            double *highest)
{
    struct heap_timeline *t = &p->timeline;
    size_t point = (size_t)((double)time_ns / (double)(p->end_ns ? p->end_ns : 1) *
                            (HEAP_POINTS - 1));
    if ((double)rp->bytes < highest[point])
        return;
    highest[point] = (double)rp->bytes;
    double *row = &t->bytes[point * (t->sites + 1)], top = 0;
    for (size_t k = 0; k < t->sites; k++)
        top += row[k] = (double)rp->site_live[t->site[k]];
    row[t->sites] = (double)rp->bytes - top;
}

/* The second pass: the sites at the peak, and the timeline. */
static int read_peak(struct heap_profile *p, unsigned top, bool timeline, char *error,
                     size_t size)
{
    replay rp;
    double *highest = timeline ? calloc(HEAP_POINTS, sizeof *highest) : NULL;
    if (!replay_open(&rp, p->path, p->site_count, error, size) ||
        (timeline && (!highest || !timeline_start(p, top)))) {
        if (rp.trace)
            snprintf(error, size, "%s: out of memory", p->path);
        replay_close(&rp);
        free(highest);
        return -1;
    }
    struct mmkit_alloc_record r;
    uint64_t last_allocated = 0, records = 0;
    bool changed = false, out_of_memory = false;
    int got;
    while ((got = mmkit_alloc_trace_next(rp.trace, &r)) == 1) {
        long site = 0;
        if (r.op != MMKIT_ALLOC_FREE)
            site = r.stack < p->stack_capacity ? (long)p->stack[r.stack].site - 1 : -1;
        long freed_site;
        bool temporary;
        if ((changed = site < 0) ||
            (out_of_memory =
                 !replay_step(&rp, &r, site, &last_allocated, &freed_site, &temporary)))
            break;
        if (++records == p->peak_record) {
            for (size_t i = 0; i < rp.live.capacity; i++)
                if (rp.live.address[i]) {
                    p->sites[rp.live.tag[i]].peak_bytes += rp.live.size[i];
                    p->sites[rp.live.tag[i]].peak_blocks++;
                }
            if (!timeline)
                break;
        }
        if (timeline)
            timeline_sample(p, &rp, r.time_ns, highest);
    }
    int status = 0;
    if (changed || out_of_memory || got < 0 || records < p->peak_record) {
        snprintf(error, size, "%s: %s", p->path,
                 out_of_memory ? "out of memory" : "the trace changed while it was read");
        status = -1;
    }
    if (timeline) {
        /* A span without a call holds what the one before it ended with. */
        struct heap_timeline *t = &p->timeline;
        for (size_t i = 1; i < HEAP_POINTS; i++)
            if (highest[i] == 0)
                memcpy(&t->bytes[i * (t->sites + 1)], &t->bytes[(i - 1) * (t->sites + 1)],
                       (t->sites + 1) * sizeof *t->bytes);
    }
    free(highest);
    replay_close(&rp);
    return status;
}

int heap_profile_read(struct heap_profile *p, const char *path, unsigned top, bool timeline,
                      char *error, size_t error_size)
{
    *p = (struct heap_profile){.path = path};
    p->trace = mmkit_alloc_trace_open(path, error, error_size);
    if (!p->trace)
        return -1;
    p->info = *mmkit_alloc_trace_info(p->trace);
    if (read_totals(p, error, error_size) != 0)
        return -1;
    return read_peak(p, top, timeline, error, error_size);
}

void heap_profile_free(struct heap_profile *p)
{
    mmkit_alloc_trace_close(p->trace);
    free(p->sites);
    free(p->site_index);
    free(p->stack);
    free(p->timeline.site);
    free(p->timeline.bytes);
    *p = (struct heap_profile){0};
}
