/*
 * fork_while_a_thread_reports_an_error.c - a program that forks while
 * another of its threads is in the middle of an error report still ends:
 * aborted by the report (abort_on_error=1), or run to its end with the
 * report printed (abort_on_error=0).  Never hung.
 *
 * One thread frees blocks twice, one after another; each double free is
 * reported with symbolised stacks, which takes a while.  The main thread
 * forks again and again meanwhile, and each child allocates a little and
 * _exits.  The run happens in a child that must end within CHILD_SECONDS.
 *
 * argv[1] names the mode (hardened, debug, or sample with sample_rate=1,
 * so that every block is checked), argv[2] "abort" or "continue": what
 * abort_on_error, set by MMKIT_OPTIONS, makes of the report.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#include "bounded_run.h"
#include "runs_on.h"

#define CHILD_SECONDS 10
/* The forking goes on at most this long if the reports never end. */
#define RUN_SECONDS 5
#define DOUBLE_FREES 20

static atomic_bool reports_done;
static atomic_long forks;

/* Called through a pointer, so the compiler does not see the double free
 * the test makes on purpose. */
static void (*volatile free_call)(void *) = free;

/* A few frames between the thread's start and the double free, so that
 * each report has a stack worth symbolising. */
static __attribute__((noinline)) void free_twice(void *p, int depth)
{
    if (depth > 0) {
        free_twice(p, depth - 1);
        __asm__ volatile("" ::: "memory"); /* not a tail call */
        return;
    }
    free_call(p);
    free_call(p);
}

static void *double_freer(void *arg)
{
    static void *blocks[DOUBLE_FREES];
    for (int i = 0; i < DOUBLE_FREES; i++) {
        blocks[i] = malloc(24 + 40 * (size_t)i);
        check(blocks[i] != NULL);
        memset(blocks[i], 0x11, 24);
    }
    /* let the forks get going */
    while (atomic_load(&forks) < 5)
        usleep(1000);
    for (int i = 0; i < DOUBLE_FREES; i++)
        free_twice(blocks[i], 6);
    atomic_store(&reports_done, true);
    return NULL;
}

static void run(void *arg)
{
    pthread_t t;
    check(pthread_create(&t, NULL, double_freer, NULL) == 0);
    double start = bounded_now();
    while (!atomic_load(&reports_done) && bounded_now() - start < RUN_SECONDS) {
        if (!child_exited_0(fork_child_that_allocates(64), "a child forked during the reports"))
            exit(1);
        atomic_fetch_add(&forks, 1);
    }
    check(pthread_join(t, NULL) == 0);
    printf("the program ran to its end: %ld forks during %d double frees\n",
           atomic_load(&forks), DOUBLE_FREES);
}

static int count_of(const char *text, const char *word)
{
    int n = 0;
    for (const char *s = text; (s = strstr(s, word)); s += strlen(word))
        n++;
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[2], "abort") && strcmp(argv[2], "continue"))) {
        fprintf(stderr, "usage: %s MODE abort|continue\n", argv[0]);
        return 2;
    }
    if (!runs_on(argv[1]))
        return 1;
    bool aborts = !strcmp(argv[2], "abort");
    static bounded_result r;
    bounded_run(run, NULL, CHILD_SECONDS, &r);
    char how[128];
    bounded_describe(&r, how, sizeof how);
    int reports = count_of(r.err, "SUMMARY: mmkit: double free");
    bool ok;
    if (aborts)
        ok = !r.hung && WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT && reports == 1;
    else
        ok = !r.hung && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 &&
             reports == DOUBLE_FREES;
    if (!ok) {
        char expected[80];
        if (aborts)
            snprintf(expected, sizeof expected, "abort (SIGABRT) after the first report");
        else
            snprintf(expected, sizeof expected, "exit 0 after all %d reports", DOUBLE_FREES);
        fprintf(stderr,
                "FAILED: fork while a thread reports double frees (abort_on_error=%d): %s, "
                "%d complete report(s) of double free; expected %s\n",
                aborts, how, reports, expected);
        if (r.err[0])
            fprintf(stderr, "its stderr (the beginning):\n%.6000s\n", r.err);
        return 1;
    }
    printf("ok: %s, with %d report(s) of double free\n", how, reports);
    return 0;
}
