/*
 * locks_keep_their_order.c - the allocator's locks are taken in the order
 * of locks.h, and taking one out of that order stops the program at once
 * with a message, rather than leaving a deadlock to happen one day.
 * Calls the allocator's internal lock functions (mmkit_api holds them).
 */
#include "test_util.h"

#include <signal.h>
#include <sys/wait.h>

#include "locks.h"

/* Runs `body` in a child; its status and what it wrote on stderr. */
static int in_child(void (*body)(void), char *err, size_t size)
{
    int pipe_fds[2];
    check(pipe(pipe_fds) == 0);
    pid_t pid = fork();
    check(pid >= 0);
    if (pid == 0) {
        dup2(pipe_fds[1], STDERR_FILENO);
        close(pipe_fds[0]);
        body();
        _exit(0);
    }
    close(pipe_fds[1]);
    size_t used = 0;
    for (ssize_t n; used < size - 1 && (n = read(pipe_fds[0], err + used, size - 1 - used)) > 0;)
        used += (size_t)n;
    err[used] = '\0';
    close(pipe_fds[0]);
    int status;
    check(waitpid(pid, &status, 0) == pid);
    return status;
}

static void in_order(void)
{
    lock_take(LOCK_QUARANTINE);
    lock_take(LOCK_LIVE_FIRST + 3);
    lock_take(LOCK_GLOBAL);
    lock_release(LOCK_GLOBAL);
    lock_release(LOCK_LIVE_FIRST + 3);
    lock_release(LOCK_QUARANTINE);
    /* Released, a lock may be taken again, then one earlier in the order. */
    lock_take(LOCK_GLOBAL);
    lock_release(LOCK_GLOBAL);
    lock_take(LOCK_REPORT);
    lock_release(LOCK_REPORT);
}

static void out_of_order(void)
{
    lock_take(LOCK_GLOBAL);
    lock_take(LOCK_REPORT); /* REPORT comes before GLOBAL */
}

static void twice(void)
{
    lock_take(LOCK_TRACE);
    lock_take(LOCK_TRACE); /* would wait for itself */
}

static void locks_taken_in_order_run_on(void **state)
{
    char err[512];
    int status = in_child(in_order, err, sizeof err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        print_error("locks taken in order stopped the program: %s\n", err);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void assert_stopped(void (*body)(void), const char *what)
{
    char err[512];
    int status = in_child(body, err, sizeof err);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        print_error("%s did not abort (status %#x)\n", what, status);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    assert_non_null(strstr(err, "a lock taken out of the order of locks.h"));
}

static void a_lock_out_of_order_aborts(void **state)
{
    assert_stopped(out_of_order, "taking REPORT while holding GLOBAL");
}

static void a_lock_taken_twice_aborts(void **state)
{
    assert_stopped(twice, "taking TRACE twice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(locks_taken_in_order_run_on),
        cmocka_unit_test(a_lock_out_of_order_aborts),
        cmocka_unit_test(a_lock_taken_twice_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
