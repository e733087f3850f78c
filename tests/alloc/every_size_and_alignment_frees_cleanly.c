/*
 * every_size_and_alignment_frees_cleanly.c - correct programs get no report
 * in any mode: every allocation call, at every size class boundary and huge
 * sizes up to 8 MiB, and the aligned calls at every alignment from 16 bytes
 * to 64 MiB, hand out blocks that are freed, allocated again and freed
 * again without a word on stderr: first blocks never written (a program
 * may free a block it never used), then blocks written at both ends.
 *
 * Each call (and each alignment from 4 MiB up) runs in a child of its own,
 * so a false report (which aborts), a crash or a hang fails that run, says
 * which call it was making, and the other runs are still tried.  Runs on
 * libmmkit (linked); argv[1] names the mode MMKIT_OPTIONS sets, which the
 * test checks it really runs in.
 */
#include "test_util.h"

#include <malloc.h>
#include <sys/mman.h>

#include <mmkit/mmkit.h>

#include "bounded_run.h"
#include "runs_on.h"

void free_sized(void *ptr, size_t size);
void free_aligned_sized(void *ptr, size_t alignment, size_t size);

#define MAX_SIZES 512
#define MIN_ALIGN 16
#define MAX_ALIGN (64 * MiB)
#define LARGEST_HUGE (8 * MiB)
/* Alignments up to this one share a run; each larger one has its own. */
#define SHARED_RUN_ALIGN (2 * MiB)
/* Blocks of one size live at once: more than one, so that blocks freed
 * together come back, in whatever order the allocator hands them out; one
 * for each size and alignment, where there are many. */
#define BATCH 2
#define CHILD_SECONDS 20

/* Every size class's block size, one less and one more; huge sizes around
 * the powers of two up to 8 MiB (a few: debug mode poisons every freed
 * byte, so each huge block costs it time). */
static size_t sizes[MAX_SIZES];
static size_t size_count;
/* Every size class's block size alone. */
static size_t class_sizes[64];
static size_t class_count;

static void add_size(size_t n)
{
    for (size_t i = 0; i < size_count; i++)
        if (sizes[i] == n)
            return;
    if (size_count < MAX_SIZES)
        sizes[size_count++] = n;
}

static void collect_sizes(void)
{
    mmkit_stats s;
    mmkit_stats_get(&s);
    add_size(0);
    add_size(1);
    for (size_t c = 0; c < s.class_count && class_count < 64; c++) {
        size_t bs = s.classes[c].block_size;
        class_sizes[class_count++] = bs;
        add_size(bs - 1);
        add_size(bs);
        add_size(bs + 1);
    }
    static const size_t huge[] = {1 * MiB + 1, 2 * MiB - 1, 2 * MiB, 2 * MiB + 1,
                                  3 * MiB,     4 * MiB,     4 * MiB + 1, LARGEST_HUGE + 1};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++)
        add_size(huge[i]);
}

/* The call a child is making, in memory its parent sees: what it was doing
 * when it crashed or hung. */
static char *last_call;
#define LAST_CALL_SIZE 160

/* What a child does with each block it gets: nothing, or write both ends. */
static bool write_blocks;

static void use(void *p, size_t n, size_t alignment, const char *call)
{
    if (!p) {
        fprintf(stderr, "%s of %zu bytes (alignment %zu) returned NULL\n", call, n, alignment);
        abort();
    }
    if (!is_aligned(p, alignment)) {
        fprintf(stderr, "%s of %zu bytes: %p is not aligned to %zu\n", call, n, p, alignment);
        abort();
    }
    if (write_blocks && n)
        edges_fill(p, n, n);
}

typedef void *(*alloc_fn)(size_t n, size_t alignment);
typedef void (*release_fn)(void *p, size_t n, size_t alignment);

/* Allocate `batch` blocks, free them, allocate again, free again (the
 * second time with `release` if given, else free). */
static void batches_of(int batch, alloc_fn alloc, size_t n, size_t alignment, const char *call,
                       release_fn release)
{
    snprintf(last_call, LAST_CALL_SIZE, "%s of %zu bytes aligned to %zu, freed with %s", call,
             n, alignment, release ? "a sized free" : "free");
    for (int round = 0; round < 2; round++) {
        void *blocks[BATCH];
        for (int b = 0; b < batch; b++) {
            blocks[b] = alloc(n, alignment);
            use(blocks[b], n, alignment, call);
        }
        for (int b = 0; b < batch; b++) {
            if (write_blocks && n && !edges_ok(blocks[b], n, n)) {
                fprintf(stderr, "%s of %zu bytes: a block lost its contents\n", call, n);
                abort();
            }
            if (release && round == 1)
                release(blocks[b], n, alignment);
            else
                free(blocks[b]);
        }
    }
}

static void batches(alloc_fn alloc, size_t n, size_t alignment, const char *call,
                    release_fn release)
{
    batches_of(BATCH, alloc, n, alignment, call, release);
}

static void *by_malloc(size_t n, size_t a) { return malloc(n); }
static void *by_calloc(size_t n, size_t a)
{
    unsigned char *p = calloc(1, n);
    if (p && !all_zero(p, n < 4096 ? n : 4096)) {
        fprintf(stderr, "calloc of %zu bytes: not zeroed\n", n);
        abort();
    }
    return p;
}
static void *by_realloc(size_t n, size_t a) { return realloc(NULL, n); }
static void *by_aligned_alloc(size_t n, size_t a) { return aligned_alloc(a, n); }
static void *by_memalign(size_t n, size_t a) { return memalign(a, n); }
static void *by_posix_memalign(size_t n, size_t a)
{
    void *p = NULL;
    int err = posix_memalign(&p, a, n);
    if (err) {
        fprintf(stderr, "posix_memalign(%zu, %zu) failed: %s\n", a, n, strerror(err));
        abort();
    }
    return p;
}
static void *by_valloc(size_t n, size_t a) { return valloc(n); }

static void by_free_sized(void *p, size_t n, size_t a) { free_sized(p, n); }
static void by_free_aligned_sized(void *p, size_t n, size_t a) { free_aligned_sized(p, a, n); }

static void every_size(alloc_fn alloc, size_t alignment, const char *call, release_fn release)
{
    for (size_t i = 0; i < size_count; i++)
        batches(alloc, sizes[i], alignment, call, release);
}

/* Alignments lo..hi, each with every size class's block size, a huge size,
 * and sizes around the alignment itself while that is not above the
 * largest huge size (larger blocks would only cost time: the alignment is
 * what counts). */
static void every_alignment(alloc_fn alloc, size_t lo, size_t hi, const char *call,
                            release_fn release)
{
    for (size_t a = lo; a <= hi; a *= 2) {
        batches_of(1, alloc, 0, a, call, release);
        batches_of(1, alloc, 1, a, call, release);
        for (size_t c = 0; c < class_count; c++)
            batches_of(1, alloc, class_sizes[c], a, call, release);
        batches_of(1, alloc, 1 * MiB + 1, a, call, release);
        if (a <= LARGEST_HUGE) {
            batches_of(1, alloc, a - 1, a, call, release);
            batches_of(1, alloc, a, a, call, release);
            batches_of(1, alloc, a + 1, a, call, release);
        }
    }
}

/* realloc: a block from realloc(NULL) moved to a size from the other end of
 * the list (small to huge, huge to small), then freed. */
static void realloc_between_sizes(void)
{
    for (size_t i = 0; i + 1 < size_count; i++) {
        size_t from = sizes[i], to = sizes[size_count - 1 - i];
        snprintf(last_call, LAST_CALL_SIZE, "realloc from %zu to %zu bytes", from, to);
        for (int round = 0; round < 2; round++) {
            void *p = realloc(NULL, from);
            use(p, from, MIN_ALIGN, "realloc(NULL)");
            void *q = realloc(p, to);
            size_t kept = from < to ? from : to;
            kept = kept < EDGE_BYTES ? kept : EDGE_BYTES;
            if (write_blocks && q && !pattern_ok(q, kept, from)) {
                fprintf(stderr, "realloc from %zu to %zu bytes lost the contents\n", from, to);
                abort();
            }
            use(q, to, MIN_ALIGN, "realloc");
            free(q);
        }
    }
}

typedef struct job {
    const char *call;
    alloc_fn alloc;
    release_fn release; /* also tried, after free, if not NULL */
    size_t min_align, max_align; /* 0: the call takes no alignment */
} job;

static void run_job(void *arg)
{
    const job *j = arg;
    if (j->alloc == by_realloc) {
        every_size(by_realloc, MIN_ALIGN, j->call, NULL);
        realloc_between_sizes();
    } else if (j->alloc == by_valloc) {
        every_size(by_valloc, (size_t)sysconf(_SC_PAGESIZE), j->call, NULL);
    } else if (!j->min_align) {
        every_size(j->alloc, MIN_ALIGN, j->call, NULL);
        if (j->release)
            every_size(j->alloc, MIN_ALIGN, j->call, j->release);
    } else {
        every_alignment(j->alloc, j->min_align, j->max_align, j->call, NULL);
        if (j->release)
            every_alignment(j->alloc, j->min_align, j->max_align, j->call, j->release);
    }
}

/* Both ways, each in a child: blocks never written, then written ones. */
static bool frees_cleanly(const job *j)
{
    static bounded_result r;
    bool ok = true;
    for (int written = 0; written < 2; written++) {
        write_blocks = written;
        const char *blocks = written ? "written at both ends" : "never written";
        char what[160];
        if (j->min_align && j->min_align < j->max_align)
            snprintf(what, sizeof what, "%s, alignments %zu to %zu, blocks %s", j->call,
                     j->min_align, j->max_align, blocks);
        else if (j->min_align)
            snprintf(what, sizeof what, "%s, alignment %zu, blocks %s", j->call, j->min_align,
                     blocks);
        else
            snprintf(what, sizeof what, "%s, blocks %s", j->call, blocks);
        strcpy(last_call, "(none yet)");
        bounded_run(run_job, (void *)j, CHILD_SECONDS, &r);
        if (bounded_clean(&r, what)) {
            printf("ok: %s (%.1f s)\n", what, r.seconds);
        } else {
            fprintf(stderr, "  the call it was making: %s\n", last_call);
            ok = false;
        }
    }
    return ok;
}

int main(int argc, char **argv)
{
    if (!runs_on(argc > 1 ? argv[1] : NULL))
        return 1;
    setvbuf(stdout, NULL, _IOLBF, 0); /* in order with what stderr says */
    last_call = mmap(NULL, LAST_CALL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
    check(last_call != MAP_FAILED);
    collect_sizes();

    enum { MAX_JOBS = 64 };
    job jobs[MAX_JOBS];
    size_t count = 0;
    jobs[count++] = (job){"malloc", by_malloc, by_free_sized, 0, 0};
    jobs[count++] = (job){"calloc", by_calloc, NULL, 0, 0};
    jobs[count++] = (job){"realloc", by_realloc, NULL, 0, 0};
    jobs[count++] = (job){"valloc", by_valloc, NULL, 0, 0};
    const job aligned[] = {
        {"aligned_alloc", by_aligned_alloc, by_free_aligned_sized, 0, 0},
        {"posix_memalign", by_posix_memalign, NULL, 0, 0},
        {"memalign", by_memalign, NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof aligned / sizeof aligned[0]; i++) {
        job j = aligned[i];
        j.min_align = MIN_ALIGN;
        j.max_align = SHARED_RUN_ALIGN;
        jobs[count++] = j;
        for (size_t a = SHARED_RUN_ALIGN * 2; a <= MAX_ALIGN; a *= 2) {
            j.min_align = j.max_align = a;
            jobs[count++] = j;
        }
    }
    int failed = 0;
    for (size_t i = 0; i < count; i++)
        failed += !frees_cleanly(&jobs[i]);
    if (failed) {
        fprintf(stderr, "%d of %zu calls (or alignments) gave a report, crashed or hung\n",
                failed, count);
        return 1;
    }
    printf("ok: %zu sizes, alignments up to %zu MiB, no report\n", size_count, MAX_ALIGN / MiB);
    return 0;
}
