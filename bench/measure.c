/*
 * measure - run one command, report its wall time, peak resident set and
 * how it ended.
 *
 * usage: measure [-p LIBRARY] [-t SECONDS] -- COMMAND [ARG...]
 *   -p  preload LIBRARY into the command (LD_PRELOAD), and only into it
 *   -t  kill the command after SECONDS (default 120)
 * The last line on stderr is
 *   measure: wall=<s> cpu=<s> maxrss_kib=<KiB> status=<exit status or -1> signal=<n>
 *            timeout=<0|1>
 * where cpu is user plus system time: on a busy machine it moves less than
 * wall time, though it cannot see waiting or false sharing.
 *
 * Why a launcher rather than timing from the Python runner: Linux carries
 * the high-water RSS of the process that forked a child across its exec, so
 * a child of the runner would report at least the runner's own RSS.  This
 * program is small, so every command measured starts from the same small
 * floor, whichever allocator is preloaded.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t timed_out;

static void kill_child_on_alarm(int signal_number)
{
    (void)signal_number;
    timed_out = 1;
    kill((pid_t)child_pid, SIGKILL);
}

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static _Noreturn void usage(void)
{
    fputs("usage: measure [-p LIBRARY] [-t SECONDS] -- COMMAND [ARG...]\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *preload = NULL;
    unsigned timeout = 120;
    int option;
    while ((option = getopt(argc, argv, "p:t:")) != -1) {
        if (option == 'p')
            preload = optarg;
        else if (option == 't')
            timeout = (unsigned)strtoul(optarg, NULL, 10);
        else
            usage();
    }
    if (optind >= argc || timeout == 0)
        usage();

    double start = seconds_now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 2;
    }
    if (pid == 0) {
        if (preload != NULL && setenv("LD_PRELOAD", preload, 1) != 0)
            _exit(127);
        execvp(argv[optind], &argv[optind]);
        fprintf(stderr, "measure: cannot run %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }
    child_pid = pid;
    struct sigaction on_alarm = {.sa_handler = kill_child_on_alarm};
    sigaction(SIGALRM, &on_alarm, NULL);
    alarm(timeout);

    int status;
    struct rusage usage_of_child;
    while (wait4(pid, &status, 0, &usage_of_child) < 0)
        if (errno != EINTR) {
            perror("measure: wait4");
            return 2;
        }
    double wall = seconds_now() - start;
    alarm(0);

    double cpu = (double)usage_of_child.ru_utime.tv_sec + (double)usage_of_child.ru_stime.tv_sec +
                 ((double)usage_of_child.ru_utime.tv_usec + (double)usage_of_child.ru_stime.tv_usec) / 1e6;
    fprintf(stderr, "measure: wall=%.6f cpu=%.6f maxrss_kib=%ld status=%d signal=%d timeout=%d\n",
            wall, cpu, usage_of_child.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
            WIFSIGNALED(status) ? WTERMSIG(status) : 0, (int)timed_out);
    return 0;
}
