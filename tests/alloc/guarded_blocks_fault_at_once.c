/*
 * guarded_blocks_fault_at_once.c - guarded blocks (guarded.h): each ends
 * at an inaccessible page, so the first access past it faults and is
 * reported; a freed block waits in a quarantine, inaccessible, so a use
 * after free faults too; bad frees and overflows into the bytes beside a
 * block are reported on free.
 *
 * Run as `guarded_blocks_fault_at_once pool` (sample mode's pool of
 * POOL_SLOTS slots), `... all` (guard=all) or `... small` (debug mode's
 * budget of SMALL_BUDGET blocks of up to a page).  Every test runs in a
 * child process that sets up an area of its own, so each starts from a
 * fresh one.
 */
#include "test_util.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "core.h"
#include "fault.h"
#include "guarded.h"

#define PAGE ((size_t)4096)
#define POOL_SLOTS 8
/* The pool keeps half its slots in the quarantine.  guard=all counts
 * address space: a small block's slot is one data page and its guard. */
#define POOL_QUARANTINE (POOL_SLOTS / 2)
#define ALL_QUARANTINE 3
#define SMALL_BUDGET 64
#define ALLOC_STACK 11
#define FREE_STACK 12

#define NOT_LIVE ((size_t)-1)

/* A live block's size, or NOT_LIVE. */
static size_t live_size(const void *p)
{
    size_t size;
    return guarded_size(p, &size) ? size : NOT_LIVE;
}

static guarded_kind kind;
static bool pool_mode;

/* In a child: a fresh area, with the fault handler over the default one
 * (not over the one cmocka keeps while a test runs). */
static void start_area(void)
{
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    mmkit_options.quarantine = (int64_t)(ALL_QUARANTINE * 2 * PAGE);
    check(guarded_init(kind, kind == GUARDED_SMALL ? SMALL_BUDGET : POOL_SLOTS));
    fault_handler_install();
}

/* ---- running a test in a child ------------------------------------------- */

typedef struct outcome {
    pid_t pid;
    int status;
    char err[16384]; /* what the child wrote on stderr */
} outcome;

static outcome run_in_child(void (*body)(void))
{
    static outcome o;
    int fds[2];
    memset(&o, 0, sizeof o);
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    o.pid = fork();
    assert_true(o.pid >= 0);
    if (o.pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        start_area();
        body();
        _exit(0);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t n;
    while ((n = read(fds[0], o.err + got, sizeof o.err - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    assert_int_equal(waitpid(o.pid, &o.status, 0), o.pid);
    return o;
}

static void expect_success(void (*body)(void))
{
    outcome o = run_in_child(body);
    if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
        fail_msg("the child failed:\n%s", o.err);
}

/* The child names the address its report must give before it errs. */
static void announce(const void *address)
{
    fprintf(stderr, "expect %p\n", address);
}

/* Run `body`; it must die by abort() after reporting `words` (with the
 * access, if not NULL) at the address it announced. */
static void expect_report(void (*body)(void), const char *words, const char *access)
{
    outcome o = run_in_child(body);
    void *address = NULL;
    if (sscanf(o.err, "expect %p", &address) != 1)
        fail_msg("the child announced no address:\n%s", o.err);
    char first[256], summary[256];
    if (access)
        snprintf(first, sizeof first, "\n==%d== mmkit: error: %s (%s) at %p\n", (int)o.pid, words,
                 access, address);
    else
        snprintf(first, sizeof first, "\n==%d== mmkit: error: %s of %p\n", (int)o.pid, words,
                 address);
    snprintf(summary, sizeof summary, "\nSUMMARY: mmkit: %s %p\n", words, address);
    if (!strstr(o.err, first) || !strstr(o.err, summary))
        fail_msg("expected \"%s\" and \"%s\" in:\n%s", first + 1, summary + 1, o.err);
    if (!WIFSIGNALED(o.status) || WTERMSIG(o.status) != SIGABRT)
        fail_msg("the child did not abort (status %#x):\n%s", o.status, o.err);
}

/* ---- what blocks are ------------------------------------------------------- */

static void blocks_are_aligned_and_end_at_the_guard_body(void)
{
    static const size_t sizes[] = {0, 1, 13, 16, 64, 100, 4096, 5000, 40000, 64 * KiB};
    static const size_t alignments[] = {0, 16, 64, 4096, 16384};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (size_t j = 0; j < sizeof alignments / sizeof *alignments; j++) {
            size_t n = sizes[i], a = alignments[j];
            unsigned char *p = guarded_alloc(n, a, ALLOC_STACK);
            if (!p) {
                /* only the pool refuses, and only what the alignment
                 * pushes past its largest block; debug mode's area, what
                 * needs more than a page */
                if (kind == GUARDED_SMALL)
                    check(n > PAGE || (a > PAGE && n + a - 1 > PAGE));
                else
                    check(pool_mode && a > PAGE && n + a - 1 > 64 * KiB);
                continue;
            }
            check(is_aligned(p, a < 16 ? 16 : a));
            check(guarded_owns(p) && guarded_owns(p + n));
            check(live_size(p) == n);
            pattern_fill(p, n, n);
            check(pattern_ok(p, n, n));
            /* the guard page starts where the block's last page ends */
            size_t to_guard = (PAGE - (uintptr_t)(p + n) % PAGE) % PAGE;
            check(to_guard < (a < 16 ? 16 : a));
            if (n % 16 == 0 && a <= 16)
                check(to_guard == 0);
            guarded_free(p, FREE_STACK);
            check(live_size(p) == NOT_LIVE);
        }
}

static void blocks_are_aligned_and_end_at_the_guard(void **state)
{
    expect_success(blocks_are_aligned_and_end_at_the_guard_body);
}

static void only_guarded_blocks_are_owned_body(void)
{
    int local = 0;
    void *other = malloc(64);
    check(!guarded_owns(&local) && !guarded_owns(other) && !guarded_owns(NULL));
    check(live_size(other) == NOT_LIVE);
    free(other);
    unsigned char *p = guarded_alloc(64, 0, ALLOC_STACK);
    check(p && guarded_owns(p));
    check(live_size(p + 16) == NOT_LIVE);
    guarded_free(p, FREE_STACK);
    check(guarded_owns(p) && live_size(p) == NOT_LIVE);
}

static void only_guarded_blocks_are_owned(void **state)
{
    expect_success(only_guarded_blocks_are_owned_body);
}

/* A freed block's slot is handed out again only after the quarantine's
 * worth of later frees, and then before slots freed after it. */
static void quarantine_delays_reuse_body(void)
{
    size_t delay = pool_mode ? POOL_QUARANTINE : ALL_QUARANTINE;
    void *p = guarded_alloc(64, 0, ALLOC_STACK);
    check(p);
    guarded_free(p, FREE_STACK);
    void *later[POOL_QUARANTINE > ALL_QUARANTINE ? POOL_QUARANTINE : ALL_QUARANTINE];
    for (size_t i = 0; i < delay; i++) {
        later[i] = guarded_alloc(64, 0, ALLOC_STACK);
        check(later[i] && later[i] != p);
        guarded_free(later[i], FREE_STACK);
    }
    void *again = guarded_alloc(64, 0, ALLOC_STACK);
    check(again == p);
    guarded_free(again, FREE_STACK);
    check(guarded_alloc(64, 0, ALLOC_STACK) == later[0]);
}

static void quarantine_delays_reuse(void **state)
{
    expect_success(quarantine_delays_reuse_body);
}

static void full_pool_gives_null_body(void)
{
    void *blocks[POOL_SLOTS];
    check(guarded_alloc(64 * KiB + 1, 0, ALLOC_STACK) == NULL);
    for (size_t i = 0; i < POOL_SLOTS; i++)
        check((blocks[i] = guarded_alloc(100, 0, ALLOC_STACK)) != NULL);
    errno = 0;
    check(guarded_alloc(100, 0, ALLOC_STACK) == NULL);
    check(errno == 0);
    /* a freed slot waits in the quarantine even when the pool is full */
    guarded_free(blocks[0], FREE_STACK);
    check(guarded_alloc(100, 0, ALLOC_STACK) == NULL);
    for (size_t i = 1; i <= POOL_QUARANTINE; i++)
        guarded_free(blocks[i], FREE_STACK);
    check(guarded_alloc(100, 0, ALLOC_STACK) == blocks[0]);
}

static void full_pool_gives_null(void **state)
{
    expect_success(full_pool_gives_null_body);
}

static void large_blocks_in_guard_all_body(void)
{
    for (size_t n = 100 * KiB; n <= 8 * MiB; n *= 3) {
        unsigned char *p = guarded_alloc(n, 2 * MiB, ALLOC_STACK);
        check(p && is_aligned(p, 2 * MiB) && live_size(p) == n);
        edges_fill(p, n, n);
        check(edges_ok(p, n, n));
        guarded_free(p, FREE_STACK);
    }
}

static void large_blocks_in_guard_all(void **state)
{
    expect_success(large_blocks_in_guard_all_body);
}

/* The lines of /proc/self/maps: the process's mappings. */
static size_t mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    size_t lines = 0;
    for (int c; f && (c = getc(f)) != EOF;)
        lines += c == '\n';
    if (f)
        fclose(f);
    return lines;
}

static bool resident(const void *p)
{
    unsigned char in_core = 0;
    void *start = (void *)((uintptr_t)p & ~(PAGE - 1));
    return mincore(start, PAGE, &in_core) == 0 && (in_core & 1);
}

/* Debug mode's area: SMALL_BUDGET blocks, live or freed, and then none; a
 * freed block's slot is never handed out again, and its page goes back
 * to the OS; a live block costs two mappings (its page between guards), a
 * freed one none.  The first block refused says so on stderr. */
static void small_budget_body(void)
{
    enum { LIVE = 20 };
    size_t before = mappings();
    unsigned char *blocks[SMALL_BUDGET];
    check(guarded_alloc(PAGE + 1, 0, ALLOC_STACK) == NULL);
    for (size_t i = 0; i < LIVE; i++) {
        check((blocks[i] = guarded_alloc(100, 0, ALLOC_STACK)) != NULL);
        memset(blocks[i], 1, 100);
    }
    size_t live = mappings();
    check(live <= before + 2 * LIVE);
    for (size_t i = 0; i < LIVE; i++) {
        guarded_free(blocks[i], FREE_STACK);
        check(!resident(blocks[i]));
    }
    check(mappings() <= before);
    for (size_t i = LIVE; i < SMALL_BUDGET; i++) {
        check((blocks[i] = guarded_alloc(PAGE, 0, ALLOC_STACK)) != NULL);
        for (size_t j = 0; j < i; j++)
            check(blocks[i] != blocks[j]);
        guarded_free(blocks[i], FREE_STACK);
    }
    errno = 0;
    check(guarded_alloc(16, 0, ALLOC_STACK) == NULL);
    check(guarded_alloc(16, 0, ALLOC_STACK) == NULL);
    check(errno == 0);
    check(live_size(blocks[0]) == NOT_LIVE);
}

static void small_budget_is_kept(void **state)
{
    outcome o = run_in_child(small_budget_body);
    if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
        fail_msg("the child failed:\n%s", o.err);
    char note[128];
    snprintf(note, sizeof note, "mmkit: debug: %d guarded blocks in use; ", SMALL_BUDGET);
    const char *first = strstr(o.err, note);
    if (!first || strstr(first + 1, "mmkit: debug:"))
        fail_msg("expected \"%s...\" once on stderr:\n%s", note, o.err);
}

/* The first block freed still faults after the whole budget came and
 * went. */
static void read_long_after_free_body(void)
{
    volatile unsigned char *p = guarded_alloc(64, 0, ALLOC_STACK);
    guarded_free((void *)p, FREE_STACK);
    for (size_t i = 1; i < SMALL_BUDGET; i++)
        guarded_free(guarded_alloc(64, 0, ALLOC_STACK), FREE_STACK);
    announce((const void *)p);
    (void)p[0];
}

static void read_long_after_free_faults(void **state)
{
    expect_report(read_long_after_free_body, "use after free", "read");
}

static void *alloc_and_free_many(void *arg)
{
    uint64_t rng = (uintptr_t)arg;
    for (int i = 0; i < 2000; i++) {
        size_t n = rng_below(&rng, 3000);
        unsigned char *p = guarded_alloc(n, 0, ALLOC_STACK);
        if (!p) {
            check(kind != GUARDED_ALL); /* the pool may be full, the budget spent */
            continue;
        }
        pattern_fill(p, n, i);
        check(live_size(p) == n && pattern_ok(p, n, i));
        guarded_free(p, FREE_STACK);
    }
    return NULL;
}

static void threads_share_the_area_body(void)
{
    pthread_t threads[4];
    for (uintptr_t t = 0; t < 4; t++)
        check(pthread_create(&threads[t], NULL, alloc_and_free_many, (void *)(t + 1)) == 0);
    for (size_t t = 0; t < 4; t++)
        check(pthread_join(threads[t], NULL) == 0);
}

static void threads_share_the_area(void **state)
{
    expect_success(threads_share_the_area_body);
}

/* ---- what is reported -------------------------------------------------------- */

static void write_past_the_end_body(void)
{
    volatile unsigned char *p = guarded_alloc(64, 0, ALLOC_STACK);
    announce((const void *)(p + 64));
    p[64] = 1;
}

static void write_past_the_end_faults(void **state)
{
    expect_report(write_past_the_end_body, "heap overflow", "write");
}

static void read_after_free_body(void)
{
    volatile unsigned char *p = guarded_alloc(64, 0, ALLOC_STACK);
    guarded_free((void *)p, FREE_STACK);
    announce((const void *)p);
    (void)p[0];
}

static void read_after_free_faults(void **state)
{
    expect_report(read_after_free_body, "use after free", "read");
}

static void write_before_a_page_body(void)
{
    volatile unsigned char *p = guarded_alloc(PAGE, 0, ALLOC_STACK);
    announce((const void *)(p - 1));
    p[-1] = 1;
}

static void write_before_a_page_faults(void **state)
{
    expect_report(write_before_a_page_body, "heap underflow", "write");
}

static void write_into_the_slack_after_body(void)
{
    unsigned char *p = guarded_alloc(13, 0, ALLOC_STACK);
    announce(p + 13);
    p[13] = 1;
    guarded_free(p, FREE_STACK);
}

static void write_into_the_slack_after_is_found_on_free(void **state)
{
    expect_report(write_into_the_slack_after_body, "heap overflow", NULL);
}

static void write_into_the_slack_before_body(void)
{
    unsigned char *p = guarded_alloc(64, 0, ALLOC_STACK);
    announce(p - 3);
    p[-3] = 1;
    guarded_free(p, FREE_STACK);
}

static void write_into_the_slack_before_is_found_on_free(void **state)
{
    expect_report(write_into_the_slack_before_body, "heap underflow", NULL);
}

static void double_free_body(void)
{
    void *p = guarded_alloc(64, 0, ALLOC_STACK);
    guarded_free(p, FREE_STACK);
    announce(p);
    guarded_free(p, FREE_STACK);
}

static void double_free_is_reported(void **state)
{
    expect_report(double_free_body, "double free", NULL);
}

static void free_inside_a_block_body(void)
{
    unsigned char *p = guarded_alloc(64, 0, ALLOC_STACK);
    announce(p + 16);
    guarded_free(p + 16, FREE_STACK);
}

static void free_inside_a_block_is_reported(void **state)
{
    expect_report(free_inside_a_block_body, "invalid free", NULL);
}

static void fault_elsewhere_body(void)
{
    (void)guarded_alloc(64, 0, ALLOC_STACK);
    *(volatile int *)opaque_size(8) = 1;
}

/* A fault outside the area is not ours: the program dies of it as it
 * would have without the handler. */
static void fault_elsewhere_kills_as_before(void **state)
{
    outcome o = run_in_child(fault_elsewhere_body);
    assert_true(WIFSIGNALED(o.status));
    assert_int_equal(WTERMSIG(o.status), SIGSEGV);
    assert_null(strstr(o.err, "mmkit: error"));
}

int main(int argc, char **argv)
{
    static const char *const kinds[] = {[GUARDED_ALL] = "all", [GUARDED_POOL] = "pool",
                                        [GUARDED_SMALL] = "small"};
    size_t k = 0;
    while (k < 3 && (argc != 2 || strcmp(argv[1], kinds[k]) != 0))
        k++;
    if (k == 3) {
        fprintf(stderr, "usage: %s pool|all|small\n", argv[0]);
        return 2;
    }
    kind = (guarded_kind)k;
    pool_mode = kind == GUARDED_POOL;

    const struct CMUnitTest common[] = {
        cmocka_unit_test(blocks_are_aligned_and_end_at_the_guard),
        cmocka_unit_test(only_guarded_blocks_are_owned),
        cmocka_unit_test(threads_share_the_area),
        cmocka_unit_test(write_past_the_end_faults),
        cmocka_unit_test(read_after_free_faults),
        cmocka_unit_test(write_before_a_page_faults),
        cmocka_unit_test(write_into_the_slack_after_is_found_on_free),
        cmocka_unit_test(write_into_the_slack_before_is_found_on_free),
        cmocka_unit_test(double_free_is_reported),
        cmocka_unit_test(free_inside_a_block_is_reported),
        cmocka_unit_test(fault_elsewhere_kills_as_before),
    };
    const struct CMUnitTest pool_only[] = {cmocka_unit_test(quarantine_delays_reuse),
                                           cmocka_unit_test(full_pool_gives_null)};
    const struct CMUnitTest all_only[] = {cmocka_unit_test(quarantine_delays_reuse),
                                          cmocka_unit_test(large_blocks_in_guard_all)};
    const struct CMUnitTest small_only[] = {cmocka_unit_test(small_budget_is_kept),
                                            cmocka_unit_test(read_long_after_free_faults)};
    int failed = cmocka_run_group_tests_name("guarded blocks", common, NULL, NULL);
    if (kind == GUARDED_POOL)
        failed += cmocka_run_group_tests_name("the pool", pool_only, NULL, NULL);
    else if (kind == GUARDED_ALL)
        failed += cmocka_run_group_tests_name("guard=all", all_only, NULL, NULL);
    else
        failed += cmocka_run_group_tests_name("debug mode's budget", small_only, NULL, NULL);
    return failed ? 1 : 0;
}
