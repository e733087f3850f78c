/*
 * programs_run_under_address_space_limits.c - a program started with an
 * address-space limit (ulimit -v, RLIMIT_AS), as some batch systems and
 * containers start programs, can allocate and create a thread that
 * allocates, in every mode, under any limit from 150 MB up: what the
 * allocator reserves at start-up must leave room for the program.  The
 * C library's malloc needs far less.
 *
 * For each limit the test lowers RLIMIT_AS in a child and executes itself
 * there, so the allocator starts up under the limit; the probe allocates
 * blocks small and large, creates a thread that does the same, joins it
 * and exits 0.  The limits step finely around 350 MB, about what the
 * checking modes reserve at start-up.  Last, a program that lowers its own
 * limit to 200 MB once running (glibc's tst-malloc-thread-fail does): what
 * the allocator reserved by then, and reserves as it goes, must leave it
 * room.  argv[1] names the allocator the probe must run on (see
 * runs_on.h); MMKIT_OPTIONS passes through to it.
 */
#include "test_util.h"

#include <pthread.h>
#include <sys/resource.h>

#include "bounded_run.h"
#include "runs_on.h"

#define MB 1000000L
#define CHILD_SECONDS 10
#define PROBE "--probe"

static const long limits_mb[] = {150, 200, 250, 300, 320, 330, 340, 345, 350,
                                 355, 360, 365, 370, 375, 380, 385, 390, 400, 450, 500};
#define LIMIT_COUNT (sizeof limits_mb / sizeof limits_mb[0])

/* NULL if every block could be had, else what failed. */
static void *allocate(void *who)
{
    static const size_t sizes[] = {16, 100, 1000, 20000, 200000, 2 * MiB};
    for (int round = 0; round < 10; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            unsigned char *p = malloc(sizes[i]);
            if (!p) {
                fprintf(stderr, "%s: malloc(%zu) failed: %s\n", (const char *)who, sizes[i],
                        strerror(errno));
                return (void *)1;
            }
            edges_fill(p, sizes[i], i);
            check(edges_ok(p, sizes[i], i));
            free(p);
        }
    }
    return NULL;
}

static int probe(const char *allocator, long limit)
{
    if (!runs_on(allocator))
        return 1;
    struct rlimit lim;
    check(getrlimit(RLIMIT_AS, &lim) == 0);
    if (lim.rlim_cur != (rlim_t)limit) {
        fprintf(stderr, "the probe runs without the limit\n");
        return 1;
    }
    if (allocate("the main thread"))
        return 1;
    pthread_t t;
    int err = pthread_create(&t, NULL, allocate, "the thread");
    if (err) {
        fprintf(stderr, "pthread_create failed: %s\n", strerror(err));
        return 1;
    }
    void *result;
    check(pthread_join(t, &result) == 0);
    return result == NULL ? 0 : 1;
}

static char *self_argv[5];
static long current_limit;

static void limit_and_exec(void *arg)
{
    struct rlimit lim = {(rlim_t)current_limit, (rlim_t)current_limit};
    if (setrlimit(RLIMIT_AS, &lim) != 0) {
        perror("setrlimit");
        _exit(2);
    }
    execv("/proc/self/exe", self_argv);
    perror("execv");
    _exit(2);
}

#define LIMIT_AFTER_START_MB 200L
static const char *allocator_name;

static void limit_then_allocate(void *arg)
{
    struct rlimit lim = {(rlim_t)(LIMIT_AFTER_START_MB * MB), (rlim_t)(LIMIT_AFTER_START_MB * MB)};
    if (setrlimit(RLIMIT_AS, &lim) != 0) {
        perror("setrlimit");
        _exit(2);
    }
    fflush(NULL);
    _exit(probe(allocator_name, LIMIT_AFTER_START_MB * MB));
}

int main(int argc, char **argv)
{
    /* the probe: PROGRAM --probe LIMIT [ALLOCATOR] */
    if (argc >= 3 && !strcmp(argv[1], PROBE))
        return probe(argc > 3 ? argv[3] : NULL, atol(argv[2]));

    /* the test: PROGRAM [ALLOCATOR], itself without a limit */
    const char *allocator = argc > 1 ? argv[1] : NULL;
    static char limit_text[32];
    self_argv[0] = argv[0];
    self_argv[1] = PROBE;
    self_argv[2] = limit_text;
    self_argv[3] = (char *)allocator;
    self_argv[4] = NULL;
    static bounded_result r;
    int failed = 0;
    for (size_t i = 0; i < LIMIT_COUNT; i++) {
        current_limit = limits_mb[i] * MB;
        snprintf(limit_text, sizeof limit_text, "%ld", current_limit);
        bounded_run(limit_and_exec, NULL, CHILD_SECONDS, &r);
        char what[128];
        snprintf(what, sizeof what,
                 "allocating and creating a thread that allocates, under a %ld MB RLIMIT_AS",
                 limits_mb[i]);
        if (bounded_clean(&r, what))
            printf("ok: %s\n", what);
        else
            failed++;
    }
    allocator_name = allocator;
    bounded_run(limit_then_allocate, NULL, CHILD_SECONDS, &r);
    const char *what = "allocating and creating a thread that allocates, after lowering "
                       "RLIMIT_AS to 200 MB once running";
    if (bounded_clean(&r, what))
        printf("ok: %s\n", what);
    else
        failed++;
    if (failed) {
        fprintf(stderr, "the program failed under %d of %zu limits\n", failed, LIMIT_COUNT + 1);
        return 1;
    }
    printf("ok: the program ran under every limit from %ld to %ld MB\n", limits_mb[0],
           limits_mb[LIMIT_COUNT - 1]);
    return 0;
}
