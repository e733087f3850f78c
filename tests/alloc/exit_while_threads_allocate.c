/*
 * exit_while_threads_allocate.c - a program may exit while its other threads
 * still allocate and free, with statistics printed at exit (stats=1, as text,
 * and stats=2, as JSON): each of many children does so and must exit 0, not
 * crash or hang.  Runs on libmmkit (linked or preloaded); the options are
 * set by name, so the program needs no link to the mmkit_* API.
 */
#include "test_util.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>

#define CHILDREN 30
#define BUSY 4

static atomic_long progress;

static void *allocate_forever(void *arg)
{
    uint64_t rng = (uintptr_t)arg;
    void *kept[32] = {0};
    for (;;) {
        size_t k = rng_below(&rng, 32);
        free(kept[k]);
        kept[k] = malloc(rng_block_size(&rng, 1 * MiB));
        check(kept[k] != NULL);
        atomic_fetch_add(&progress, 1);
    }
    return NULL;
}

static void child(int n)
{
    int (*option_set)(const char *, long long);
    *(void **)&option_set = dlsym(RTLD_DEFAULT, "mmkit_option_set");
    check(option_set != NULL);
    check(option_set("stats", 1 + n % 2) == 0);
    int devnull = open("/dev/null", O_WRONLY);
    check(devnull >= 0 && dup2(devnull, 2) == 2);
    alarm(20);
    pthread_t t;
    for (uintptr_t i = 0; i < BUSY; i++)
        check(pthread_create(&t, NULL, allocate_forever, (void *)(i + (uintptr_t)n * BUSY + 1)) == 0);
    /* let the threads get going, then exit under them */
    for (size_t i = 0; atomic_load(&progress) < 100000; i++)
        free(malloc(i % 5000));
    exit(0);
}

int main(void)
{
    if (!malloc_is_mmkit()) {
        fprintf(stderr, "malloc is not libmmkit's\n");
        return 1;
    }
    int failed = 0;
    for (int n = 0; n < CHILDREN; n++) {
        fflush(stdout);
        pid_t pid = fork();
        check(pid >= 0);
        if (pid == 0)
            child(n);
        int status;
        check(waitpid(pid, &status, 0) == pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child %d (stats=%d): %s %d\n", n, 1 + n % 2,
                    WIFSIGNALED(status) ? "killed by signal" : "exited with",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            failed++;
        }
    }
    if (failed) {
        fprintf(stderr, "%d of %d children failed\n", failed, CHILDREN);
        return 1;
    }
    printf("ok: %d children exited 0 under allocating threads\n", CHILDREN);
    return 0;
}
