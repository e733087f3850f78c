/*
 * bad_input_sets_errno.c - impossible requests fail cleanly: NULL with
 * errno ENOMEM for sizes that overflow or exceed PTRDIFF_MAX, EINVAL for bad
 * alignments, the old block untouched when realloc fails, and the allocator
 * serving normally afterwards.  posix_memalign returns its error, and sets
 * errno too when that is ENOMEM, as glibc does.
 *
 * Built like standard_calls_conform.c (see alloc_calls.h).
 */
#include "test_util.h"

#include "alloc_calls.h"

/* The call `expr` returns NULL and sets errno to `err`. */
#define assert_fails_with(expr, err)                                                             \
    do {                                                                                         \
        errno = 0;                                                                               \
        void *fails_with_result_ = (expr);                                                       \
        assert_null(fails_with_result_);                                                         \
        assert_int_equal(errno, (err));                                                          \
    } while (0)

static size_t huge_sizes[] = {(size_t)PTRDIFF_MAX + 1, (size_t)PTRDIFF_MAX + 4096,
                              SIZE_MAX - 4096, SIZE_MAX - 15, SIZE_MAX};
#define HUGE_COUNT (sizeof huge_sizes / sizeof huge_sizes[0])

static void calloc_overflow_is_enomem(void **state)
{
    assert_fails_with(T_calloc(opaque_size(SIZE_MAX / 2 + 1), 2), ENOMEM);
    assert_fails_with(T_calloc(opaque_size(SIZE_MAX), opaque_size(SIZE_MAX)), ENOMEM);
    assert_fails_with(T_calloc(opaque_size((size_t)1 << 32), opaque_size((size_t)1 << 32)),
                      ENOMEM);
    assert_fails_with(T_calloc(opaque_size(3), opaque_size(SIZE_MAX / 3 + 1)), ENOMEM);
    /* no size_t overflow, but more than PTRDIFF_MAX */
    assert_fails_with(T_calloc(opaque_size((size_t)PTRDIFF_MAX / 2 + 1), 2), ENOMEM);
}

static void sizes_above_ptrdiff_max_are_enomem(void **state)
{
    for (size_t i = 0; i < HUGE_COUNT; i++) {
        size_t n = opaque_size(huge_sizes[i]);
        assert_fails_with(T_malloc(n), ENOMEM);
        assert_fails_with(T_realloc(NULL, n), ENOMEM);
        assert_fails_with(T_aligned_alloc(64, n), ENOMEM);
        assert_fails_with(T_memalign(64, n), ENOMEM);
        assert_fails_with(T_valloc(n), ENOMEM);
        assert_fails_with(T_pvalloc(n), ENOMEM);
        void *p = (void *)&huge_sizes;
        errno = 0;
        assert_int_equal(T_posix_memalign(&p, 64, n), ENOMEM);
        assert_int_equal(errno, ENOMEM); /* see posix_memalign_enomem_sets_errno */
    }
}

/* posix_memalign returns its error; when that is ENOMEM it sets errno to
 * ENOMEM as well, as glibc, jemalloc and mimalloc do: the failed allocation
 * below it sets errno, and programs that print strerror(errno) after any
 * allocation failure say the right thing. */
static void posix_memalign_enomem_sets_errno(void **state)
{
    const size_t sizes[] = {SIZE_MAX / 2, SIZE_MAX / 2 + 1, SIZE_MAX - 63, SIZE_MAX};
    const size_t alignments[] = {8, 16, 64, 4096, 1 * MiB, 64 * MiB};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t a = 0; a < sizeof alignments / sizeof alignments[0]; a++) {
            void *p = NULL;
            errno = 0;
            int err = T_posix_memalign(&p, alignments[a], opaque_size(sizes[s]));
            if (err != ENOMEM || errno != ENOMEM)
                print_error("posix_memalign(&p, %zu, %#zx) returned %d (%s), errno %d (%s)\n",
                            alignments[a], sizes[s], err, strerror(err), errno,
                            strerror(errno));
            assert_int_equal(err, ENOMEM);
            assert_int_equal(errno, ENOMEM);
            assert_null(p);
        }
    }
}

/* Called through pointers, so the compiler does not take p for freed: the
 * calls below are meant to fail and leave p as it was. */
static void *(*volatile realloc_call)(void *, size_t) = T_realloc;
static void *(*volatile reallocarray_call)(void *, size_t, size_t) = T_reallocarray;

/* A failed realloc leaves the block as it was, still owned by the caller. */
static void failed_realloc_keeps_the_old_block(void **state)
{
    const size_t sizes[] = {1, 100, 5000, 300000, 3 * MiB};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        unsigned char *p = T_malloc(n);
        assert_non_null(p);
        pattern_fill(p, n, n);
        for (size_t i = 0; i < HUGE_COUNT; i++)
            assert_fails_with(realloc_call(p, opaque_size(huge_sizes[i])), ENOMEM);
        assert_fails_with(reallocarray_call(p, opaque_size(SIZE_MAX / 2), 3), ENOMEM);
        assert_fails_with(reallocarray_call(p, opaque_size((size_t)PTRDIFF_MAX / 2 + 1), 2),
                          ENOMEM);
        assert_true(pattern_ok(p, n, n));
        assert_true(T_usable_size(p) >= n);
        p = T_realloc(p, n + 1);
        assert_non_null(p);
        assert_true(pattern_ok(p, n, n));
        T_free(p);
    }
    assert_fails_with(T_reallocarray(NULL, opaque_size(SIZE_MAX), opaque_size(SIZE_MAX)),
                      ENOMEM);
}

static void posix_memalign_rejects_bad_alignments(void **state)
{
    /* zero, not a power of two, or a power of two below sizeof(void *) */
    const size_t bad[] = {0, 1, 2, 4, 3, 12, 24, 48, 100, 4097, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *p = NULL;
        errno = 0;
        assert_int_equal(T_posix_memalign(&p, opaque_size(bad[i]), 16), EINVAL);
#if MMKIT_PROMISE
        assert_int_equal(errno, 0); /* posix_memalign leaves errno alone */
#endif
    }
}

#if MMKIT_PROMISE
/* glibc 2.36 rounds such alignments up instead; mmkit refuses them. */
static void aligned_alloc_and_memalign_reject_bad_alignments(void **state)
{
    const size_t bad[] = {0, 3, 5, 12, 24, 48, 100, 4097, 3 * MiB, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t a = opaque_size(bad[i]);
        assert_fails_with(T_aligned_alloc(a, 16), EINVAL);
        assert_fails_with(T_memalign(a, 16), EINVAL);
        assert_fails_with(T_aligned_alloc(a, 0), EINVAL);
    }
}
#endif

/* A power-of-two alignment too large for any address space cannot succeed. */
static void absurd_alignment_fails(void **state)
{
    size_t a = opaque_size((size_t)1 << 62);
    errno = 0;
    assert_null(T_aligned_alloc(a, 16));
    assert_true(errno == ENOMEM || errno == EINVAL);
    void *p = NULL;
    errno = 0;
    int err = T_posix_memalign(&p, a, 16);
    assert_true(err == ENOMEM || err == EINVAL);
    if (err == ENOMEM)
        assert_int_equal(errno, ENOMEM);
}

static void allocator_works_after_failures(void **state)
{
    enum { COUNT = 500 };
    static void *blocks[COUNT];
    uint64_t rng = 99;
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < HUGE_COUNT; i++) {
            assert_null(T_malloc(opaque_size(huge_sizes[i])));
            assert_null(T_calloc(opaque_size(huge_sizes[i]), 2));
        }
        size_t lens[COUNT];
        for (size_t i = 0; i < COUNT; i++) {
            lens[i] = rng_block_size(&rng, 2 * MiB);
            blocks[i] = T_malloc(lens[i]);
            assert_non_null(blocks[i]);
            pattern_fill(blocks[i], lens[i], i);
        }
        for (size_t i = 0; i < COUNT; i++) {
            assert_true(pattern_ok(blocks[i], lens[i], i));
            T_free(blocks[i]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calloc_overflow_is_enomem),
        cmocka_unit_test(sizes_above_ptrdiff_max_are_enomem),
        cmocka_unit_test(posix_memalign_enomem_sets_errno),
        cmocka_unit_test(failed_realloc_keeps_the_old_block),
        cmocka_unit_test(posix_memalign_rejects_bad_alignments),
#if MMKIT_PROMISE
        cmocka_unit_test(aligned_alloc_and_memalign_reject_bad_alignments),
#endif
        cmocka_unit_test(absurd_alignment_fails),
        cmocka_unit_test(allocator_works_after_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
