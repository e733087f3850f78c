/*
 * secure_blocks_are_locked_guarded_zeroed.c - the secure heap keeps its
 * promises: a block is zero, 16-byte aligned, locked in memory, left out of
 * core dumps, and has a guard page before its pages and right after its
 * end; mmkit_secure_protect takes access away and gives it back; a free
 * zeroes the block, then unmaps it; running out of RLIMIT_MEMLOCK gives
 * ENOMEM and one message naming the limit; a bad free aborts with a report.
 *
 * Faults and aborts happen in forked children (child_process.h).  The
 * program is linked with -Wl,--wrap=munmap: the secure heap's munmap calls
 * come through __wrap_munmap, which looks at a block as its pages go back.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "test_util.h"

#include "child_process.h"
#include "locked_memory.h"
#include "mmkit/mmkit.h"

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* What mmkit_secure_size should say for a block of `size`. */
static size_t usable_of(size_t size)
{
    return size == 0 ? 16 : (size + 15) / 16 * 16;
}

/* The block's data pages end where the block does. */
static unsigned char *data_end(unsigned char *p)
{
    return p + mmkit_secure_size(p);
}

static unsigned char *data_start(unsigned char *p)
{
    size_t usable = mmkit_secure_size(p);
    return data_end(p) - (usable + page_size() - 1) / page_size() * page_size();
}

/* ---- watching a block's pages go back ------------------------------------ */

int __real_munmap(void *addr, size_t length);

static struct {
    const unsigned char *block; /* the block to look at; NULL: none */
    size_t size;
    int unmapped;               /* munmap calls that covered it */
    bool zero;                  /* it was all zero when they did */
} watch;

/* Reading the block faults here if the free left it inaccessible. */
int __wrap_munmap(void *addr, size_t length)
{
    const unsigned char *start = addr;
    if (watch.block && watch.block >= start && watch.block + watch.size <= start + length) {
        watch.unmapped++;
        watch.zero = all_zero(watch.block, watch.size);
    }
    return __real_munmap(addr, length);
}

/* ---- what /proc/self/smaps says of a mapping ------------------------------ */

typedef struct mapping_info {
    uintptr_t start, end;
    size_t locked_kib; /* "Locked:" */
    char flags[512];   /* "VmFlags:", e.g. "rd wr mr mw me lo dd ac" */
} mapping_info;

/* The mapping holding p; false if there is none. */
static bool mapping_of(const void *p, mapping_info *out)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    bool inside = false, found = false;
    while (!found && fgets(line, sizeof line, f)) {
        uintptr_t start, end;
        if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
            inside = start <= (uintptr_t)p && (uintptr_t)p < end;
            out->start = start;
            out->end = end;
        } else if (inside && sscanf(line, "Locked: %zu kB", &out->locked_kib) == 1) {
            continue;
        } else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(out->flags, sizeof out->flags, "%s", line + 8);
            found = true;
        }
    }
    fclose(f);
    return found;
}

static bool has_flag(const mapping_info *m, const char *flag)
{
    char word[8];
    snprintf(word, sizeof word, " %s", flag);
    return strstr(m->flags, word) != NULL;
}

/* ---- actions for children ----------------------------------------------- */

typedef struct touch {
    volatile unsigned char *address;
    bool write;
} touch;

static void touch_address(void *arg)
{
    touch *t = arg;
    if (t->write)
        *t->address = 1;
    else
        (void)*t->address;
}

/* Touch an address in a child; how the child ended. */
static int touch_in_child(void *address, bool write)
{
    touch t = {address, write};
    char err[4096];
    return run_in_child(touch_address, &t, err, sizeof err);
}

static bool died_of_segv(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

static bool exited_cleanly(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* ---- the tests ------------------------------------------------------------ */

static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 4095, 4096, 4097, 10000, 64 * 1024 + 3};
#define SIZE_COUNT (sizeof sizes / sizeof sizes[0])

static void blocks_are_zero_aligned_and_end_at_a_page(void **state)
{
    unsigned char *blocks[SIZE_COUNT];
    for (size_t i = 0; i < SIZE_COUNT; i++) {
        size_t usable = usable_of(sizes[i]);
        unsigned char *p = blocks[i] = mmkit_secure_alloc(sizes[i]);
        assert_non_null(p);
        assert_true(is_aligned(p, 16));
        assert_int_equal(mmkit_secure_size(p), usable);
        assert_true(all_zero(p, usable));
        assert_true(is_aligned(p + usable, page_size()));
        pattern_fill(p, usable, i);
    }
    /* every block is its own, size 0 too */
    for (size_t i = 0; i < SIZE_COUNT; i++)
        assert_true(pattern_ok(blocks[i], usable_of(sizes[i]), i));
    for (size_t i = 0; i < SIZE_COUNT; i++)
        mmkit_secure_free(blocks[i]);
    mmkit_secure_free(NULL);
}

static void too_large_sizes_are_enomem(void **state)
{
    size_t memory = (size_t)sysconf(_SC_PHYS_PAGES) * page_size();
    const size_t too_large[] = {SIZE_MAX, SIZE_MAX - 15, (size_t)PTRDIFF_MAX + 1,
                                (size_t)PTRDIFF_MAX, memory + 1};
    for (size_t i = 0; i < sizeof too_large / sizeof too_large[0]; i++) {
        errno = 0;
        assert_null(mmkit_secure_alloc(opaque_size(too_large[i])));
        assert_int_equal(errno, ENOMEM);
    }
}

static void pages_are_locked_and_left_out_of_core_dumps(void **state)
{
    size_t before = locked_bytes();
    unsigned char *p = mmkit_secure_alloc(10000);
    assert_non_null(p);
    size_t data_size = (size_t)(data_end(p) - data_start(p));
    assert_int_equal(data_size, 3 * page_size());
    assert_int_equal(locked_bytes(), before + data_size);

    /* the data pages are a mapping of their own, locked and not dumped */
    mapping_info m;
    assert_true(mapping_of(p, &m));
    assert_int_equal(m.start, (uintptr_t)data_start(p));
    assert_int_equal(m.end, (uintptr_t)data_end(p));
    assert_int_equal(m.locked_kib * KiB, data_size);
    assert_true(has_flag(&m, "lo"));
    assert_true(has_flag(&m, "dd"));

    /* protection keeps the pages locked */
    assert_int_equal(mmkit_secure_protect(p, MMKIT_SECURE_NOACCESS), 0);
    assert_int_equal(locked_bytes(), before + data_size);
    mmkit_secure_free(p);
    assert_int_equal(locked_bytes(), before);
}

static void the_pages_around_a_block_fault(void **state)
{
    const size_t guarded_sizes[] = {1, 100, 4096, 10000};
    for (size_t i = 0; i < sizeof guarded_sizes / sizeof guarded_sizes[0]; i++) {
        unsigned char *p = mmkit_secure_alloc(guarded_sizes[i]);
        assert_non_null(p);
        size_t usable = mmkit_secure_size(p);
        /* the block's own bytes, and the first byte of its first page */
        assert_true(exited_cleanly(touch_in_child(p, true)));
        assert_true(exited_cleanly(touch_in_child(p + usable - 1, true)));
        assert_true(exited_cleanly(touch_in_child(data_start(p), false)));
        /* the guard page before its pages, and the byte right after it */
        assert_true(died_of_segv(touch_in_child(data_start(p) - 1, false)));
        assert_true(died_of_segv(touch_in_child(p + usable, false)));
        assert_true(died_of_segv(touch_in_child(p + usable, true)));
        mmkit_secure_free(p);
    }
}

static void protect_takes_access_away_and_gives_it_back(void **state)
{
    unsigned char *p = mmkit_secure_alloc(64);
    assert_non_null(p);
    pattern_fill(p, 64, 7);

    assert_int_equal(mmkit_secure_protect(p, MMKIT_SECURE_NOACCESS), 0);
    assert_true(died_of_segv(touch_in_child(p, false)));
    assert_true(died_of_segv(touch_in_child(p + 63, false)));

    assert_int_equal(mmkit_secure_protect(p, MMKIT_SECURE_READ), 0);
    assert_true(pattern_ok(p, 64, 7));
    assert_true(exited_cleanly(touch_in_child(p, false)));
    assert_true(died_of_segv(touch_in_child(p, true)));

    assert_int_equal(mmkit_secure_protect(p, MMKIT_SECURE_READWRITE), 0);
    assert_true(exited_cleanly(touch_in_child(p, true)));
    pattern_fill(p, 64, 8);
    assert_true(pattern_ok(p, 64, 8));
    mmkit_secure_free(p);
}

/* mmkit_secure_protect(p, access) fails with EINVAL. */
static void assert_protect_refused(void *p, int access)
{
    errno = 0;
    assert_int_equal(mmkit_secure_protect(p, access), -1);
    assert_int_equal(errno, EINVAL);
}

static void protect_and_size_refuse_what_is_not_a_live_block(void **state)
{
    unsigned char *p = mmkit_secure_alloc(100);
    assert_non_null(p);
    int on_stack = 0;
    void *from_malloc = malloc(100);
    assert_non_null(from_malloc);
    void *not_blocks[] = {NULL, p + 16, p - 16, &on_stack, from_malloc};
    for (size_t i = 0; i < sizeof not_blocks / sizeof not_blocks[0]; i++) {
        assert_protect_refused(not_blocks[i], MMKIT_SECURE_READ);
        assert_int_equal(mmkit_secure_size(not_blocks[i]), 0);
    }
    assert_protect_refused(p, -1);
    assert_protect_refused(p, MMKIT_SECURE_READWRITE + 1);
    assert_protect_refused(p, 1 << 20);
    /* refused calls changed nothing */
    assert_true(exited_cleanly(touch_in_child(p, true)));

    mmkit_secure_free(p);
    assert_protect_refused(p, MMKIT_SECURE_READWRITE);
    assert_int_equal(mmkit_secure_size(p), 0);
    free(from_malloc);
}

static void free_zeroes_the_block_then_unmaps_it(void **state)
{
    size_t before = locked_bytes();
    unsigned char *p = mmkit_secure_alloc(5000);
    assert_non_null(p);
    size_t usable = mmkit_secure_size(p);
    unsigned char *first_page = data_start(p);
    pattern_fill(p, usable, 3);
    /* left inaccessible: the free must make it writable to zero it */
    assert_int_equal(mmkit_secure_protect(p, MMKIT_SECURE_NOACCESS), 0);

    watch.block = p;
    watch.size = usable;
    watch.unmapped = 0;
    watch.zero = false;
    mmkit_secure_free(p);
    watch.block = NULL;
    assert_int_equal(watch.unmapped, 1);
    assert_true(watch.zero);

    /* no page of it is mapped any more */
    unsigned char resident;
    errno = 0;
    assert_int_equal(mincore(first_page, page_size(), &resident), -1);
    assert_int_equal(errno, ENOMEM);
    assert_true(died_of_segv(touch_in_child(p, false)));
    assert_int_equal(locked_bytes(), before);
}

#define LOCK_LIMIT (64 * KiB)
#define SECRET_SIZE 100

/* With 64 KiB of locked memory: allocate until refused, twice; then free
 * and allocate again. */
static void exhaust_locked_memory(void *arg)
{
    limit_locked_memory(LOCK_LIMIT);
    void *blocks[LOCK_LIMIT / 4096 + 1];
    size_t count = 0;
    void *p;
    while ((p = mmkit_secure_alloc(SECRET_SIZE)) != NULL) {
        check(count < sizeof blocks / sizeof blocks[0]);
        blocks[count++] = p;
    }
    check(errno == ENOMEM);
    check(count > 0);
    errno = 0;
    check(mmkit_secure_alloc(SECRET_SIZE) == NULL && errno == ENOMEM);
    while (count > 0)
        mmkit_secure_free(blocks[--count]);
    p = mmkit_secure_alloc(SECRET_SIZE);
    check(p != NULL);
    mmkit_secure_free(p);
}

static size_t occurrences(const char *text, const char *word)
{
    size_t n = 0;
    for (const char *at = text; (at = strstr(at, word)) != NULL; at += strlen(word))
        n++;
    return n;
}

static void running_out_of_locked_memory_is_enomem_and_said_once(void **state)
{
    char err[8192], expected[128];
    int status = run_in_child(exhaust_locked_memory, NULL, err, sizeof err);
    assert_child_ended(status, 0, err);
    snprintf(expected, sizeof expected, "mmkit: secure heap: cannot lock %zu bytes for a %d-byte block",
             page_size(), SECRET_SIZE);
    assert_int_equal(occurrences(err, expected), 1);
    assert_int_equal(occurrences(err, "mmkit:"), 1);
    snprintf(expected, sizeof expected, "RLIMIT_MEMLOCK is %zu bytes, %zu in use", LOCK_LIMIT,
             LOCK_LIMIT);
    assert_non_null(strstr(err, expected));
}

static void free_on_stack(void *arg)
{
    int on_stack = 0;
    mmkit_secure_free(&on_stack);
}

static void free_inside_a_block(void *arg)
{
    unsigned char *p = mmkit_secure_alloc(100);
    check(p != NULL);
    mmkit_secure_free(p + 16);
}

static void free_malloc_block(void *arg)
{
    mmkit_secure_free(malloc(100));
}

static void free_twice(void *arg)
{
    void *p = mmkit_secure_alloc(100);
    check(p != NULL);
    mmkit_secure_free(p);
    mmkit_secure_free(p);
}

/* The child aborted after a report of `error`. */
static void assert_aborts_reporting(void (*action)(void *), const char *error)
{
    char err[8192];
    int status = run_in_child(action, NULL, err, sizeof err);
    assert_child_ended(status, SIGABRT, err);
    assert_non_null(strstr(err, error));
}

static void bad_frees_abort_with_a_report(void **state)
{
    assert_aborts_reporting(free_on_stack, "mmkit: error: invalid free");
    assert_aborts_reporting(free_inside_a_block, "mmkit: error: invalid free");
    assert_aborts_reporting(free_malloc_block, "mmkit: error: invalid free");
    assert_aborts_reporting(free_twice, "mmkit: error: double free");
}

/* abort_on_error=0: the bad free is reported and changes nothing. */
static void free_inside_a_block_and_go_on(void *arg)
{
    check(mmkit_option_set("abort_on_error", 0) == 0);
    unsigned char *p = mmkit_secure_alloc(100);
    check(p != NULL);
    pattern_fill(p, 100, 5);
    mmkit_secure_free(p + 16);
    check(mmkit_secure_size(p) == 112);
    check(pattern_ok(p, 100, 5));
    mmkit_secure_free(p);
    mmkit_secure_free(p);
    check(mmkit_secure_alloc(100) != NULL);
}

static void bad_frees_without_abort_on_error_are_reported_and_ignored(void **state)
{
    char err[8192];
    int status = run_in_child(free_inside_a_block_and_go_on, NULL, err, sizeof err);
    assert_child_ended(status, 0, err);
    assert_int_equal(occurrences(err, "mmkit: error: invalid free"), 1);
    assert_int_equal(occurrences(err, "mmkit: error: double free"), 1);
}

/* ---- many blocks, many threads ------------------------------------------- */

#define THREADS 4
#define ROUNDS 300
#define KEPT 8

static void *allocate_and_free_secrets(void *arg)
{
    uint64_t seed = (uintptr_t)arg, rng = seed;
    unsigned char *kept[KEPT] = {0};
    size_t size[KEPT] = {0};
    for (size_t round = 0; round < ROUNDS; round++) {
        size_t i = rng_below(&rng, KEPT);
        if (kept[i]) {
            check(pattern_ok(kept[i], size[i], seed + i));
            mmkit_secure_free(kept[i]);
        }
        size[i] = rng_below(&rng, 6000);
        kept[i] = mmkit_secure_alloc(size[i]);
        check(kept[i] != NULL);
        check(all_zero(kept[i], size[i]));
        pattern_fill(kept[i], size[i], seed + i);
    }
    for (size_t i = 0; i < KEPT; i++)
        mmkit_secure_free(kept[i]);
    return NULL;
}

#define MANY 1000

static void many_blocks_across_threads_stay_registered(void **state)
{
    /* one page each; as root RLIMIT_MEMLOCK does not apply */
    struct rlimit limit;
    assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &limit), 0);
    size_t needed = (MANY + THREADS * KEPT * 2) * page_size();
    if (geteuid() != 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed)
        skip();

    /* enough live blocks that the registry grows under them */
    static unsigned char *many[MANY];
    for (size_t i = 0; i < MANY; i++) {
        many[i] = mmkit_secure_alloc(sizeof(size_t));
        assert_non_null(many[i]);
        memcpy(many[i], &i, sizeof i);
    }
    pthread_t threads[THREADS];
    for (uintptr_t t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, allocate_and_free_secrets,
                                        (void *)(t * 1000 + 1)), 0);
    for (size_t t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    for (size_t i = 0; i < MANY; i++) {
        size_t value;
        memcpy(&value, many[i], sizeof value);
        assert_int_equal(value, i);
        assert_int_equal(mmkit_secure_size(many[i]), 16);
        mmkit_secure_free(many[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocks_are_zero_aligned_and_end_at_a_page),
        cmocka_unit_test(too_large_sizes_are_enomem),
        cmocka_unit_test(pages_are_locked_and_left_out_of_core_dumps),
        cmocka_unit_test(the_pages_around_a_block_fault),
        cmocka_unit_test(protect_takes_access_away_and_gives_it_back),
        cmocka_unit_test(protect_and_size_refuse_what_is_not_a_live_block),
        cmocka_unit_test(free_zeroes_the_block_then_unmaps_it),
        cmocka_unit_test(running_out_of_locked_memory_is_enomem_and_said_once),
        cmocka_unit_test(bad_frees_abort_with_a_report),
        cmocka_unit_test(bad_frees_without_abort_on_error_are_reported_and_ignored),
        cmocka_unit_test(many_blocks_across_threads_stay_registered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
