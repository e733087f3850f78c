/*
 * child_process.h - run part of a test in a forked child, for what the test
 * process must not do itself: die of a fault, abort, lower its limits or
 * change its user.  Include after test_util.h.
 */
#ifndef MMKIT_CHILD_PROCESS_H
#define MMKIT_CHILD_PROCESS_H

#include <signal.h>
#include <sys/wait.h>

#include "test_util.h"

/* Run action(arg) in a child that exits with 0 when it returns; put what
 * the child wrote to stderr in err (truncated to err_size, NUL-ended) and
 * return its wait status.  The child's SIGSEGV is reset to the default, so
 * a fault kills it even under ASan, which would catch it and exit(1). */
static inline int run_in_child(void (*action)(void *), void *arg, char *err, size_t err_size)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        signal(SIGSEGV, SIG_DFL);
        action(arg);
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    char chunk[512];
    ssize_t n;
    /* Read to the end, so the child never blocks on a full pipe. */
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0) {
        size_t keep = (size_t)n < err_size - 1 - len ? (size_t)n : err_size - 1 - len;
        memcpy(err + len, chunk, keep);
        len += keep;
    }
    err[len] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* The child ended as expected: killed by `signal` (0: exited with 0).  If
 * not, show what it wrote. */
static inline void assert_child_ended(int status, int signal, const char *err)
{
    bool as_expected = signal ? WIFSIGNALED(status) && WTERMSIG(status) == signal
                              : WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!as_expected)
        print_error("child: wait status %#x, expected %s; its stderr:\n%s\n", (unsigned)status,
                    signal ? strsignal(signal) : "exit 0", err);
    assert_true(as_expected);
}

#endif /* MMKIT_CHILD_PROCESS_H */
