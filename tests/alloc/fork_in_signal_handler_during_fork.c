/*
 * fork_in_signal_handler_during_fork.c - fork() is async-signal-safe: a
 * signal handler may fork, even when the signal interrupted the program in
 * the middle of a fork of its own or of a malloc.  The main thread
 * allocates, frees and forks in a loop while another process sends it
 * SIGUSR1 as fast as it can; the handler forks a child that _exits at
 * once and waits for it.  An allocator whose fork handlers take a lock the
 * interrupted fork already holds deadlocks here (glibc's tst-mallocfork2
 * checks the same of glibc).
 *
 * The whole run happens in a child that must end within CHILD_SECONDS: a
 * deadlock is reported as such.  argv[1] names the allocator it must run
 * on (see runs_on.h).
 */
#include "test_util.h"

#include <signal.h>
#include <stdatomic.h>

#include "bounded_run.h"
#include "runs_on.h"

/* The loop runs RUN_SECONDS, longer (up to RUN_SECONDS_MAX) on a machine
 * so busy that fewer than MIN_SIGNALS signals were handled by then: fewer
 * means the run tested little. */
#define RUN_SECONDS 3
#define RUN_SECONDS_MAX 30
#define MIN_SIGNALS 50
#define CHILD_SECONDS 45

static volatile sig_atomic_t handler_forks, handler_fork_failures;

static void on_sigusr1(int sig)
{
    int saved = errno;
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    if (pid < 0) {
        handler_fork_failures++;
    } else {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        handler_forks++;
    }
    errno = saved;
}

/* Sends SIGUSR1 to `target` until killed. */
static void send_signals(pid_t target)
{
    for (;;) {
        if (kill(target, SIGUSR1) != 0)
            _exit(0);
        for (volatile int spin = 0; spin < 1000; spin++)
            ;
    }
}

static void run(void *arg)
{
    struct sigaction sa = {.sa_handler = on_sigusr1};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    check(sigaction(SIGUSR1, &sa, NULL) == 0);

    pid_t self = getpid();
    pid_t sender = fork();
    check(sender >= 0);
    if (sender == 0) {
        signal(SIGUSR1, SIG_DFL);
        send_signals(self);
    }

    uint64_t rng = 77;
    long forks = 0, allocations = 0;
    double start = bounded_now();
    for (double elapsed = 0; elapsed < RUN_SECONDS ||
                             (handler_forks < MIN_SIGNALS && elapsed < RUN_SECONDS_MAX);
         elapsed = bounded_now() - start) {
        for (int i = 0; i < 20; i++) {
            size_t n = rng_block_size(&rng, 2 * MiB);
            unsigned char *p = malloc(n + 16);
            check(p != NULL);
            memset(p, 0x5a, 16);
            free(p);
            allocations++;
        }
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            check(errno == EAGAIN);
            continue;
        }
        if (!child_exited_0(pid, "a child of the loop"))
            exit(1);
        forks++;
    }
    kill(sender, SIGKILL);
    while (waitpid(sender, NULL, 0) < 0 && errno == EINTR)
        ;
    printf("%ld forks and %ld allocations in the loop, %d forks in the handler (%d failed)\n",
           forks, allocations, (int)handler_forks, (int)handler_fork_failures);
    if (handler_forks < MIN_SIGNALS) {
        fprintf(stderr, "only %d signals handled: the test did not test much\n",
                (int)handler_forks);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (!runs_on(argc > 1 ? argv[1] : NULL))
        return 1;
    static bounded_result r;
    bounded_run(run, NULL, CHILD_SECONDS, &r);
    if (!bounded_clean(&r, "fork in a SIGUSR1 handler while the program forks and allocates"))
        return 1;
    printf("ok: fork in a signal handler never deadlocked (%.1f s)\n", r.seconds);
    return 0;
}
