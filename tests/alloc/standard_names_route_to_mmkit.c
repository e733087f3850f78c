/*
 * standard_names_route_to_mmkit.c - in a program linked with libmmkit (or
 * with libmmkit.so preloaded), every standard allocation name, glibc's
 * __libc_* aliases included, is mmkit's: each block it returns is counted in
 * mmkit's statistics and mmkit_usable_size agrees with malloc_usable_size;
 * the C library's own allocations (strdup, asprintf) are mmkit's too;
 * mallopt(M_MMAP_THRESHOLD) is honoured; the reporting calls work.
 *
 * TEST_PRELOADED: the program is not linked with libmmkit, so the mmkit_*
 * calls are looked up by name.  TEST_DYNAMIC: libmmkit is a shared object,
 * so each standard name can be checked to resolve into it.
 */
#include "test_util.h"

#include <malloc.h>

#include <mmkit/mmkit.h>

/* Names the C library of this system may not declare. */
void free_sized(void *ptr, size_t size);
void free_aligned_sized(void *ptr, size_t alignment, size_t size);
void cfree(void *ptr);
void *__libc_malloc(size_t size);
void __libc_free(void *ptr);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);
int __posix_memalign(void **result, size_t alignment, size_t size);

#ifdef TEST_PRELOADED
/* Names the C library lacks exist only once libmmkit is loaded. */
static void (*free_sized_by_name)(void *, size_t);
static void (*free_aligned_sized_by_name)(void *, size_t, size_t);
static void (*cfree_by_name)(void *);
static int (*posix_memalign_by_name)(void **, size_t, size_t);
#define free_sized free_sized_by_name
#define free_aligned_sized free_aligned_sized_by_name
#define cfree cfree_by_name
#define __posix_memalign posix_memalign_by_name
static void (*stats_get)(mmkit_stats *);
static size_t (*usable_size)(const void *);
static long long (*option_get)(const char *);
#else
#define stats_get mmkit_stats_get
#define usable_size mmkit_usable_size
#define option_get mmkit_option_get
#endif

static int find_mmkit(void **state)
{
#ifdef TEST_PRELOADED
    *(void **)&stats_get = dlsym(RTLD_DEFAULT, "mmkit_stats_get");
    *(void **)&usable_size = dlsym(RTLD_DEFAULT, "mmkit_usable_size");
    *(void **)&option_get = dlsym(RTLD_DEFAULT, "mmkit_option_get");
    *(void **)&free_sized_by_name = dlsym(RTLD_DEFAULT, "free_sized");
    *(void **)&free_aligned_sized_by_name = dlsym(RTLD_DEFAULT, "free_aligned_sized");
    *(void **)&cfree_by_name = dlsym(RTLD_DEFAULT, "cfree");
    *(void **)&posix_memalign_by_name = dlsym(RTLD_DEFAULT, "__posix_memalign");
    if (!stats_get || !usable_size || !option_get || !free_sized_by_name ||
        !free_aligned_sized_by_name || !cfree_by_name || !posix_memalign_by_name) {
        fprintf(stderr, "libmmkit is not loaded\n");
        return -1;
    }
#endif
    return 0;
}

#ifdef TEST_DYNAMIC
static const char *const standard_names[] = {
    "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc",
    "memalign", "valloc", "pvalloc", "cfree", "free_sized", "free_aligned_sized",
    "malloc_usable_size", "malloc_trim", "mallopt", "mallinfo", "mallinfo2", "malloc_stats",
    "malloc_info", "__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc",
    "__libc_memalign", "__libc_valloc", "__libc_pvalloc", "__posix_memalign",
};

static void every_standard_name_resolves_into_libmmkit(void **state)
{
    Dl_info mmkit, found;
    assert_true(dladdr(dlsym(RTLD_DEFAULT, "mmkit_stats_get"), &mmkit));
    for (size_t i = 0; i < sizeof standard_names / sizeof standard_names[0]; i++) {
        void *sym = dlsym(RTLD_DEFAULT, standard_names[i]);
        if (!sym || !dladdr(sym, &found) || found.dli_fbase != mmkit.dli_fbase)
            fail_msg("%s resolves to %s, not to %s", standard_names[i],
                     sym && dladdr(sym, &found) ? found.dli_fname : "nothing", mmkit.dli_fname);
    }
}
#endif

struct counts {
    uint64_t allocs, frees;
};

static struct counts count_now(void)
{
    mmkit_stats s;
    stats_get(&s);
    struct counts c = {s.large_allocs, s.large_frees};
    for (size_t k = 0; k < s.class_count; k++) {
        c.allocs += s.classes[k].allocs;
        c.frees += s.classes[k].frees;
    }
    return c;
}

enum { SIZE = 200, ALIGN = 64 };

static void *posix_memalign_block(int (*call)(void **, size_t, size_t))
{
    void *p = NULL;
    return call(&p, ALIGN, SIZE) == 0 ? p : NULL;
}

static void *allocate_by_name(size_t which)
{
    switch (which) {
    case 0: return malloc(SIZE);
    case 1: return calloc(SIZE, 1);
    case 2: return realloc(NULL, SIZE);
    case 3: return reallocarray(NULL, SIZE, 1);
    case 4: return posix_memalign_block(posix_memalign);
    case 5: return aligned_alloc(ALIGN, SIZE);
    case 6: return memalign(ALIGN, SIZE);
    case 7: return valloc(SIZE);
    case 8: return pvalloc(SIZE);
    case 9: return __libc_malloc(SIZE);
    case 10: return __libc_calloc(SIZE, 1);
    case 11: return __libc_realloc(NULL, SIZE);
    case 12: return __libc_memalign(ALIGN, SIZE);
    case 13: return __libc_valloc(SIZE);
    case 14: return __libc_pvalloc(SIZE);
    case 15: return posix_memalign_block(__posix_memalign);
    default: return NULL;
    }
}
#define ALLOCATING_NAMES 16

static void free_by_name(size_t which, void *p)
{
    switch (which) {
    case 0: free(p); break;
    case 1: cfree(p); break;
    case 2: __libc_free(p); break;
    case 3: free_sized(p, SIZE); break;
    case 4: free_aligned_sized(p, ALIGN, SIZE); break;
    case 5: assert_null(realloc(p, 0)); break; /* frees, returns NULL */
    default: assert_null(__libc_realloc(p, 0)); break;
    }
}
#define FREEING_NAMES 7

/* free_sized takes blocks of malloc, calloc and realloc; free_aligned_sized
 * those of aligned_alloc (C23). */
static bool may_free_with(size_t alloc, size_t with)
{
    if (with == 3)
        return alloc <= 3 || (alloc >= 9 && alloc <= 11);
    if (with == 4)
        return alloc == 5;
    return true;
}

/* Each allocating name gives one block that mmkit counts and knows; each
 * freeing name gives one back. */
static void every_standard_name_makes_mmkit_blocks(void **state)
{
    for (size_t i = 0; i < ALLOCATING_NAMES * FREEING_NAMES; i++) {
        size_t a = i / FREEING_NAMES, f = i % FREEING_NAMES;
        if (!may_free_with(a, f))
            continue;
        struct counts c0 = count_now();
        void *p = allocate_by_name(a);
        struct counts c1 = count_now();
        assert_non_null(p);
        assert_int_equal(c1.allocs - c0.allocs, 1);
        assert_int_equal(c1.frees, c0.frees);
        assert_true(malloc_usable_size(p) >= SIZE);
        assert_int_equal(usable_size(p), malloc_usable_size(p));
        memset(p, 0x11, SIZE);
        free_by_name(f, p);
        struct counts c2 = count_now();
        assert_int_equal(c2.frees - c1.frees, 1);
        assert_int_equal(c2.allocs, c1.allocs);
    }
}

static void every_freeing_name_accepts_null(void **state)
{
    struct counts c0 = count_now();
    free(NULL);
    cfree(NULL);
    __libc_free(NULL);
    free_sized(NULL, 0);
    free_aligned_sized(NULL, 64, 0);
    struct counts c1 = count_now();
    assert_int_equal(c1.frees, c0.frees);
    assert_int_equal(malloc_usable_size(NULL), 0);
}

static void realloc_names_keep_contents(void **state)
{
    unsigned char *p = __libc_realloc(NULL, 10);
    assert_non_null(p);
    pattern_fill(p, 10, 1);
    p = __libc_realloc(p, 100000);
    assert_non_null(p);
    assert_true(pattern_ok(p, 10, 1));
    assert_int_equal(usable_size(p), malloc_usable_size(p));
    p = reallocarray(p, 3, 2 * MiB);
    assert_non_null(p);
    assert_true(pattern_ok(p, 10, 1));
    p = realloc(p, 5);
    assert_non_null(p);
    assert_true(pattern_ok(p, 5, 1));
    free(p);
}

/* The C library's own allocations come from mmkit too, so a program can
 * free them. */
static void c_library_allocations_are_mmkits(void **state)
{
    struct counts c0 = count_now();
    char *s = strdup("a string the C library copies");
    struct counts c1 = count_now();
    assert_non_null(s);
    assert_int_equal(c1.allocs - c0.allocs, 1);
    assert_int_equal(usable_size(s), malloc_usable_size(s));
    free(s);
    char *t = NULL;
    assert_true(asprintf(&t, "%d %s", 42, "formatted") > 0);
    struct counts c2 = count_now();
    assert_true(c2.allocs > c1.allocs);
    assert_int_equal(usable_size(t), malloc_usable_size(t));
    free(t);
}

static bool mapped_on_its_own(size_t n)
{
    mmkit_stats before, after;
    stats_get(&before);
    void *p = malloc(n);
    assert_non_null(p);
    stats_get(&after);
    free(p);
    return after.large_allocs - before.large_allocs == 1;
}

static void mallopt_mmap_threshold_is_honoured(void **state)
{
    assert_false(mapped_on_its_own(100 * KiB));
    assert_int_equal(mallopt(M_MMAP_THRESHOLD, 64 * 1024), 1);
    assert_int_equal(option_get("mmap_threshold"), 64 * 1024);
    assert_true(mapped_on_its_own(100 * KiB));
    assert_false(mapped_on_its_own(32 * KiB));
    assert_int_equal(mallopt(M_MMAP_THRESHOLD, 1024 * 1024), 1);
    assert_false(mapped_on_its_own(100 * KiB));
    assert_true(mapped_on_its_own(2 * MiB));
    /* the other parameters are accepted */
    assert_int_equal(mallopt(M_TRIM_THRESHOLD, 256 * 1024), 1);
    assert_int_equal(mallopt(M_TOP_PAD, 0), 1);
    assert_int_equal(mallopt(M_MMAP_MAX, 65536), 1);
    assert_int_equal(mallopt(M_ARENA_MAX, 4), 1);
    assert_int_equal(mallopt(M_ARENA_TEST, 8), 1);
    void *p = malloc(10);
    assert_non_null(p);
    free(p);
}

/* Read what `fn` writes to the stream it is given, or to stderr. */
static size_t capture(void (*fn)(FILE *), bool via_stderr, char *buf, size_t cap)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    if (via_stderr) {
        fflush(stderr);
        int saved = dup(2);
        assert_true(saved >= 0);
        assert_true(dup2(fileno(f), 2) == 2);
        fn(NULL);
        fflush(stderr);
        assert_true(dup2(saved, 2) == 2);
        close(saved);
    } else {
        fn(f);
        fflush(f);
    }
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return n;
}

static void call_malloc_stats(FILE *unused)
{
    malloc_stats();
}

static int malloc_info_result;
static void call_malloc_info(FILE *f)
{
    malloc_info_result = malloc_info(0, f);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void reporting_calls_work(void **state)
{
    static char buf[1 << 16];
    void *hold = malloc(5 * MiB);
    assert_non_null(hold);
    struct mallinfo mi = mallinfo();
    struct mallinfo2 mi2 = mallinfo2();
    (void)mi;
    (void)mi2;

    assert_true(capture(call_malloc_stats, true, buf, sizeof buf) > 0);

    assert_true(capture(call_malloc_info, false, buf, sizeof buf) > 0);
    assert_int_equal(malloc_info_result, 0);
    const char *start = buf + strspn(buf, " \t\n");
    size_t end = strlen(buf);
    while (end && strchr(" \t\n", buf[end - 1]))
        end--;
    assert_true(start[0] == '<');
    assert_true(end > 0 && buf[end - 1] == '>');
    assert_non_null(strstr(buf, "</"));

    free(hold);
    int trimmed = malloc_trim(0);
    assert_true(trimmed == 0 || trimmed == 1);
}
#pragma GCC diagnostic pop

int main(void)
{
    const struct CMUnitTest tests[] = {
#ifdef TEST_DYNAMIC
        cmocka_unit_test(every_standard_name_resolves_into_libmmkit),
#endif
        cmocka_unit_test(every_standard_name_makes_mmkit_blocks),
        cmocka_unit_test(every_freeing_name_accepts_null),
        cmocka_unit_test(realloc_names_keep_contents),
        cmocka_unit_test(c_library_allocations_are_mmkits),
        cmocka_unit_test(mallopt_mmap_threshold_is_honoured),
        cmocka_unit_test(reporting_calls_work),
    };
    return cmocka_run_group_tests(tests, find_mmkit, NULL);
}
