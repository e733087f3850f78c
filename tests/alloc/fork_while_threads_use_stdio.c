/*
 * fork_while_threads_use_stdio.c - fork() while other threads are inside
 * stdio: some threads open a file, read it line by line with getline and
 * close it, one flushes every stream with fflush(NULL), one prints to a
 * FILE of its own, all in loops; the main thread forks again and again,
 * and each child allocates a little and _exits.  stdio allocates (getline
 * grows its line, fopen its FILE and buffer) while holding the stream's
 * lock and, in fflush(NULL) and fopen, the lock of the list of all
 * streams; an allocator whose fork handlers take their locks in an order
 * that crosses these deadlocks (glibc bug 19431, checked by glibc's
 * tst-malloc-fork-deadlock).
 *
 * The run happens in a child that must end within CHILD_SECONDS.  argv[1]
 * names the allocator it must run on (see runs_on.h).
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#include "bounded_run.h"
#include "runs_on.h"

#define RUN_SECONDS 3
#define CHILD_SECONDS 10
#define READERS 2
#define LINES 200

static atomic_bool stop;
static char path[64];
static atomic_long reads, flushes, prints;

static void *reader(void *arg)
{
    char *line = NULL;
    size_t cap = 0;
    while (!atomic_load(&stop)) {
        FILE *f = fopen(path, "r");
        check(f != NULL);
        long lines = 0;
        while (getline(&line, &cap, f) > 0)
            lines++;
        check(lines == LINES);
        fclose(f);
        /* start each pass with a fresh line, so getline allocates again */
        free(line);
        line = NULL;
        cap = 0;
        atomic_fetch_add(&reads, 1);
    }
    free(line);
    return NULL;
}

static void *flusher(void *arg)
{
    while (!atomic_load(&stop)) {
        check(fflush(NULL) == 0);
        atomic_fetch_add(&flushes, 1);
    }
    return NULL;
}

static void *printer(void *arg)
{
    FILE *out = fopen("/dev/null", "w");
    check(out != NULL);
    for (long i = 0; !atomic_load(&stop); i++) {
        check(fprintf(out, "line %ld of a stream of its own %*s\n", i, (int)(i % 300), "") > 0);
        if (i % 64 == 0) {
            /* a new stream now and then: fopen takes the list's lock */
            check(fclose(out) == 0);
            out = fopen("/dev/null", "w");
            check(out != NULL);
        }
        atomic_fetch_add(&prints, 1);
    }
    fclose(out);
    return NULL;
}

static void run(void *arg)
{
    pthread_t readers[READERS], flushing, printing;
    for (int i = 0; i < READERS; i++)
        check(pthread_create(&readers[i], NULL, reader, NULL) == 0);
    check(pthread_create(&flushing, NULL, flusher, NULL) == 0);
    check(pthread_create(&printing, NULL, printer, NULL) == 0);

    long forks = 0;
    double start = bounded_now();
    while (bounded_now() - start < RUN_SECONDS) {
        if (!child_exited_0(fork_child_that_allocates(100), "a child forked while threads use stdio"))
            exit(1);
        forks++;
    }
    atomic_store(&stop, true);
    for (int i = 0; i < READERS; i++)
        check(pthread_join(readers[i], NULL) == 0);
    check(pthread_join(flushing, NULL) == 0);
    check(pthread_join(printing, NULL) == 0);
    printf("%ld forks while threads read %ld files, flushed %ld times and printed %ld lines\n",
           forks, atomic_load(&reads), atomic_load(&flushes), atomic_load(&prints));
}

int main(int argc, char **argv)
{
    if (!runs_on(argc > 1 ? argv[1] : NULL))
        return 1;
    strcpy(path, "/tmp/mmkit-stdio-XXXXXX");
    int fd = mkstemp(path);
    check(fd >= 0);
    FILE *f = fdopen(fd, "w");
    check(f != NULL);
    for (int i = 0; i < LINES; i++)
        fprintf(f, "line %d, long enough that getline grows its buffer: %*s\n", i, i * 3, "");
    check(fclose(f) == 0);

    static bounded_result r;
    bounded_run(run, NULL, CHILD_SECONDS, &r);
    unlink(path);
    if (!bounded_clean(&r, "fork while threads read files, flush and print"))
        return 1;
    printf("ok: no fork deadlocked against stdio (%.1f s)\n", r.seconds);
    return 0;
}
