/*
 * fork_in_signal_handler_at_every_instruction.c - fork() is async-signal-
 * safe, so a signal handler may fork wherever the signal lands: inside
 * malloc, inside free, inside the allocator's own fork handlers.  A test
 * that sends signals at random (fork_in_signal_handler_during_fork.c)
 * finds a window of a few instructions once in hundreds of runs; this one
 * finds it every time.
 *
 * A tracer runs the program one instruction at a time (ptrace) through a
 * stretch of work: a large block allocated and freed, a small one, a
 * trim, a fork.  At every instruction where SIGUSR1 is not blocked it
 * delivers SIGUSR1; the handler forks a child that _exits at once, waits
 * for it and says it is done (SIGUSR2); the tracer lets the handler
 * return and steps on.  The program must then go on allocating and
 * forking, and exit 0 with nothing on stderr.
 *
 * The whole run happens in a child that must end within CHILD_SECONDS: a
 * deadlock is reported as such.  argv[1] names the allocator it must run
 * on (see runs_on.h).
 */
#include "test_util.h"

#include <malloc.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "bounded_run.h"
#include "runs_on.h"

#define CHILD_SECONDS 200
/* Above the mmap threshold, which the program lowers: the huge-block path,
 * small enough that stepping through its filling takes little time. */
#define MMAP_THRESHOLD (16 * KiB)
#define LARGE_BLOCK (24 * KiB)

/* ---- the traced program --------------------------------------------------------- */

static void on_sigusr1(int sig)
{
    (void)sig;
    int saved = errno;
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    raise(SIGUSR2); /* the tracer's cue: this handler is done */
    errno = saved;
}

/* What the tracer steps through: the paths that take the allocator's locks. */
static void work(void)
{
    void *large = malloc(LARGE_BLOCK);
    check(large != NULL);
    memset(large, 0x5a, 64);
    free(large);
    void *small = malloc(48);
    check(small != NULL);
    free(small);
    malloc_trim(0);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    check(pid > 0);
    check(child_exited_0(pid, "the traced program's child"));
}

/* Where the tracer stops stepping: its address is the same in the tracer,
 * which forked the traced program. */
__attribute__((noinline)) static void stretch_end(void)
{
    __asm__ volatile("" ::: "memory");
}

static void traced_program(void)
{
    struct sigaction sa = {.sa_handler = on_sigusr1};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    check(sigaction(SIGUSR1, &sa, NULL) == 0);
    check(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1);
    work(); /* once untraced: every first-use set-up done */
    check(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0);
    raise(SIGSTOP); /* the tracer steps from here */
    work();
    stretch_end(); /* ... to here */
    /* After all that, the allocator still works, forks included. */
    for (int i = 0; i < 3; i++)
        work();
    _exit(0);
}

/* ---- the tracer --------------------------------------------------------------- */

/* Wait for the next stop of `pid`; its stopping signal, or -1 if it ended. */
static int next_stop(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        check(errno == EINTR);
    if (!WIFSTOPPED(status)) {
        if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)
            fprintf(stderr, "the traced program ended %s %d while traced\n",
                    WIFSIGNALED(status) ? "by signal" : "with status",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        return -1;
    }
    return WSTOPSIG(status);
}

/* Resume `pid` with `request`, delivering `sig`; then its next stop.
 * Signals the program gets along the way (SIGCHLD) are passed on. */
static int resume(pid_t pid, enum __ptrace_request request, int sig)
{
    for (;;) {
        check(ptrace(request, pid, NULL, (void *)(intptr_t)sig) == 0);
        int stop = next_stop(pid);
        if (stop != SIGCHLD)
            return stop;
        sig = SIGCHLD;
    }
}

static bool sigusr1_blocked(pid_t pid)
{
    uint64_t mask;
    check(ptrace(PTRACE_GETSIGMASK, pid, (void *)sizeof mask, &mask) == 0);
    return mask & ((uint64_t)1 << (SIGUSR1 - 1));
}

/* The vDSO's clock reads retry while the kernel updates the clock: stepped
 * slowly, with a fork at each instruction, they would retry for ever.  No
 * signals there; the traced program forked from this one, so it has its
 * vDSO at the same address. */
static void find_vdso(uintptr_t *start, uintptr_t *end)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    check(maps != NULL);
    char line[512];
    *start = *end = 0;
    while (fgets(line, sizeof line, maps))
        if (strstr(line, "[vdso]"))
            check(sscanf(line, "%" SCNxPTR "-%" SCNxPTR, start, end) == 2);
    fclose(maps);
}

/* Each instruction gets a signal at most MAX_SIGNALS_PER_INSTRUCTION
 * times: enough for every turn of a loop over the 32 stripes of the live
 * list, and a loop over the bytes of a block (debug mode's checks, a rep
 * stos) ends in time. */
#define MAX_SIGNALS_PER_INSTRUCTION 40
#define VISIT_SLOTS (1u << 16)

static struct visit {
    uintptr_t rip;
    unsigned signals;
} visits[VISIT_SLOTS];

/* True the first MAX_SIGNALS_PER_INSTRUCTION times it is asked of `rip`. */
static bool signal_due_at(uintptr_t rip)
{
    for (unsigned i = (unsigned)(rip * 0x9e3779b97f4a7c15u >> 48);; i = (i + 1) % VISIT_SLOTS) {
        if (visits[i].rip == 0)
            visits[i].rip = rip;
        if (visits[i].rip == rip)
            return visits[i].signals++ < MAX_SIGNALS_PER_INSTRUCTION;
    }
}

typedef struct tally {
    long steps, signals;
} tally;

/* Deliver SIGUSR1 where `pid` is stopped, let the handler run, and step
 * until the program is back where the signal interrupted it. */
static bool fork_in_handler_here(pid_t pid, const struct user_regs_struct *here, tally *t)
{
    int stop = resume(pid, PTRACE_CONT, SIGUSR1);
    if (stop != SIGUSR2) {
        fprintf(stderr, "the handler did not finish (stop %d) at %llx after %ld signals\n", stop, here->rip, t->signals);
        return false;
    }
    t->signals++;
    struct user_regs_struct regs;
    int sig = 0; /* SIGUSR2 is dropped */
    do {
        if (resume(pid, PTRACE_SINGLESTEP, sig) != SIGTRAP) {
            fprintf(stderr, "the program did not return from its handler\n");
            return false;
        }
        sig = 0;
        check(ptrace(PTRACE_GETREGS, pid, NULL, &regs) == 0);
    } while (regs.rip != here->rip || regs.rsp != here->rsp);
    return true;
}

static void trace(void *arg)
{
    (void)arg;
    pid_t pid = fork();
    check(pid >= 0);
    if (pid == 0)
        traced_program();
    check(next_stop(pid) == SIGSTOP);
    tally t = {0, 0};
    uintptr_t vdso_start, vdso_end;
    find_vdso(&vdso_start, &vdso_end);
    int sig = 0; /* the first SIGSTOP is dropped */
    for (;;) {
        int stop = resume(pid, PTRACE_SINGLESTEP, sig);
        sig = 0;
        if (stop != SIGTRAP) {
            fprintf(stderr, "unexpected stop %d (%s) while stepping\n", stop, strsignal(stop));
            exit(1);
        }
        t.steps++;
        struct user_regs_struct here;
        check(ptrace(PTRACE_GETREGS, pid, NULL, &here) == 0);
        if (here.rip == (uintptr_t)stretch_end)
            break;
        if ((here.rip >= vdso_start && here.rip < vdso_end) || sigusr1_blocked(pid) ||
            !signal_due_at(here.rip))
            continue;
        if (!fork_in_handler_here(pid, &here, &t))
            exit(1);
    }
    check(ptrace(PTRACE_DETACH, pid, NULL, NULL) == 0);
    if (!child_exited_0(pid, "the traced program"))
        exit(1);
    printf("%ld instructions stepped, a fork in a signal handler at %ld of them\n", t.steps,
           t.signals);
    if (t.signals < 1000) {
        fprintf(stderr, "only %ld signals delivered: the test did not test much\n", t.signals);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (!runs_on(argc > 1 ? argv[1] : NULL))
        return 1;
    static bounded_result r;
    bounded_run(trace, NULL, CHILD_SECONDS, &r);
    if (!bounded_clean(&r, "a fork in a signal handler at every instruction of malloc, free "
                           "and fork"))
        return 1;
    printf("ok: the allocator survived a fork at every instruction (%.1f s)\n", r.seconds);
    return 0;
}
