/*
 * bounded_run.h - run part of a test in a child that must finish in time:
 * a hang becomes a failure that says so, not a test killed by its timeout.
 *
 * The child leads a process group of its own, so the processes it forks
 * are killed with it when it overruns; what the child and they write to
 * stderr is kept (its beginning) for the test to look at.  No cmocka here:
 * plain test programs use it too.
 */
#ifndef MMKIT_BOUNDED_RUN_H
#define MMKIT_BOUNDED_RUN_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BOUNDED_ERR_SIZE (256 * 1024)

typedef struct bounded_result {
    bool hung;         /* still running at the deadline: killed */
    int status;        /* its wait status, if it ended by itself */
    double seconds;    /* how long it ran */
    char err[BOUNDED_ERR_SIZE]; /* the beginning of its stderr, NUL-ended */
} bounded_result;

static inline double bounded_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Run body(arg) in a child that exits 0 when it returns; wait for it at
 * most `seconds`, then kill it and every process of its group.  Fills *r
 * (static storage is best: it is large); returns r->hung. */
static inline bool bounded_run(void (*body)(void *), void *arg, unsigned seconds,
                               bounded_result *r)
{
    memset(r, 0, sizeof *r);
    int err_fd = memfd_create("stderr", 0);
    if (err_fd < 0) {
        perror("memfd_create");
        exit(2);
    }
    fflush(NULL);
    double start = bounded_now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(err_fd, STDERR_FILENO);
        close(err_fd);
        body(arg);
        fflush(NULL);
        _exit(0);
    }
    setpgid(pid, pid); /* whichever of the two runs first */
    for (;;) {
        pid_t done = waitpid(pid, &r->status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR) {
            perror("waitpid");
            exit(2);
        }
        if (bounded_now() - start > seconds) {
            r->hung = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        usleep(10 * 1000);
    }
    r->seconds = bounded_now() - start;
    kill(-pid, SIGKILL); /* whatever the child left behind, stuck or not */
    ssize_t n = pread(err_fd, r->err, sizeof r->err - 1, 0);
    r->err[n > 0 ? n : 0] = '\0';
    close(err_fd);
    return r->hung;
}

/* How the child ended, in words, into buf. */
static inline const char *bounded_describe(const bounded_result *r, char *buf, size_t size)
{
    if (r->hung)
        snprintf(buf, size, "hung: still running after %.0f s, killed", r->seconds);
    else if (WIFSIGNALED(r->status))
        snprintf(buf, size, "killed by signal %d (%s) after %.1f s", WTERMSIG(r->status),
                 strsignal(WTERMSIG(r->status)), r->seconds);
    else
        snprintf(buf, size, "exited with %d after %.1f s", WEXITSTATUS(r->status), r->seconds);
    return buf;
}

/* Does err hold only notes of debug mode ("mmkit: debug: ..." lines, such
 * as the one that says its budget of guarded blocks is spent)? */
static inline bool bounded_only_notes(const char *err)
{
    for (const char *line = err; *line;) {
        if (strncmp(line, "mmkit: debug: ", 14) != 0)
            return false;
        const char *end = strchr(line, '\n');
        line = end ? end + 1 : line + strlen(line);
    }
    return true;
}

/* The child returned (exit 0) in time and wrote nothing to stderr but
 * debug mode's notes.  If not, say what happened, with `what` naming the
 * run, and show its stderr. */
static inline bool bounded_clean(const bounded_result *r, const char *what)
{
    bool exited_0 = !r->hung && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
    if (exited_0 && bounded_only_notes(r->err))
        return true;
    char how[128];
    fprintf(stderr, "FAILED: %s: %s%s\n", what, bounded_describe(r, how, sizeof how),
            exited_0 ? ", but wrote to stderr" : "");
    if (r->err[0])
        fprintf(stderr, "its stderr:\n%s%s", r->err,
                r->err[strlen(r->err) - 1] == '\n' ? "" : "\n");
    return false;
}

/* Wait for the child `pid` (through signals); true if it exited 0.  If
 * not, say on stderr how it ended, with `who` naming it. */
static inline bool child_exited_0(pid_t pid, const char *who)
{
    int status;
    pid_t w;
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (w != pid) {
        fprintf(stderr, "%s: waitpid: %s\n", who, strerror(errno));
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    fprintf(stderr, "%s %s %d\n", who,
            WIFSIGNALED(status) ? "was killed by signal" : "exited with",
            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return false;
}

/* Fork a child that allocates and frees one block of `size` bytes and
 * exits 0; returns its pid. */
static inline pid_t fork_child_that_allocates(size_t size)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        void *p = malloc(size);
        _exit(p ? (free(p), 0) : 1);
    }
    return pid;
}

#endif /* MMKIT_BOUNDED_RUN_H */
