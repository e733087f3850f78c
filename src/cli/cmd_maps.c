/*
 * cmd_maps.c - `mmkit maps PID` and `mmkit maps -- prog args`: a live
 * process's memory, region by region, labelled, with the pages resident;
 * with --every, sampled over time until the process exits.  A program we
 * start is traced only to stop it at its exit (PTRACE_O_TRACEEXIT), when
 * its memory is still there to read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "maps.h"

static const char maps_help[] =
    "usage: mmkit maps [--every DURATION] [--json] [--svg FILE] [-o FILE] PID\n"
    "       mmkit maps [--every DURATION] [--json] [--svg FILE] [-o FILE] -- PROGRAM [ARGS...]\n"
    "\n"
    "Show a process's memory a region a line: its role (text, data, bss, heap, stack,\n"
    "thread stacks, libraries, vdso, anonymous memory, files, libmmkit's segments),\n"
    "address range, size, permissions, and from /proc/PID/smaps its resident (RSS),\n"
    "proportional (PSS), dirty, swapped, locked and huge-page bytes; from\n"
    "/proc/PID/pagemap a strip of its pages ('#' resident, '+' partly, 's' swapped,\n"
    "'.' untouched).  PROGRAM is run and shown as it exits.\n"
    "\n"
    "  --every DURATION  also sample resident and swapped bytes by role and page\n"
    "                    faults every DURATION (100ms, 1s) until the process exits\n"
    "                    (a PID: or until Ctrl-C)\n"
    "  --json            the report as one JSON document (regions, samples)\n"
    "  --svg FILE        draw the regions' pages, and the samples over time, as SVG\n"
    "  -o FILE           write the report to FILE (default: the standard output)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Reading another process's maps and pages needs the rights a debugger needs\n"
    "(your own process, or root).  Exit status: 0 for a PID; a PROGRAM's own status.\n";

static const struct cli_option maps_options[] = {
    {"--every", true}, {"--json", false}, {"--svg", true}, {"-o", true},
    {"--help", false}, {"-h", false},
};

/* "100ms", "1s", "0.5s", "2m": nanoseconds, or 0 if it is no duration. */
static uint64_t parse_duration(const char *text)
{
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text || errno || !(value > 0))
        return 0;
    double scale = !strcmp(end, "ms") ? 1e6 : !strcmp(end, "s") ? 1e9 : !strcmp(end, "m") ? 60e9
                                                                                          : 0;
    double ns = value * scale;
    return ns >= 1e6 && ns <= 3600e9 ? (uint64_t)ns : 0;
}

static int parse_args(int argc, char **argv, struct maps_request *args)
{
    *args = (struct maps_request){.out = "-"};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            if (i >= argc)
                return cli_usage_error("maps: no program after '--' (try 'mmkit maps --help')");
            args->program = argv + i;
            return 0;
        }
        const char *value;
        const struct cli_option *option =
            cli_option_next(maps_options, sizeof maps_options / sizeof maps_options[0], argc,
                            argv, &i, &value, "maps");
        if (!option)
            return 2;
        if (!strcmp(option->name, "--help") || !strcmp(option->name, "-h")) {
            fputs(maps_help, stdout);
            return -1;
        } else if (!strcmp(option->name, "--every")) {
            args->every_ns = parse_duration(value);
            if (!args->every_ns)
                return cli_usage_error("maps: --every: invalid value '%s' (a duration from 1ms "
                                       "to 1h: 100ms, 1s, 0.5s)", value);
        } else if (!strcmp(option->name, "--json")) {
            args->json = true;
        } else if (!strcmp(option->name, "--svg")) {
            args->svg = value;
        } else {
            args->out = value;
        }
    }
    if (i >= argc)
        return cli_usage_error("maps: no PID or program given (try 'mmkit maps --help')");
    if (i + 1 < argc)
        return cli_usage_error("maps: one PID only, or '--' before a program's arguments");
    char *end;
    errno = 0;
    long pid = strtol(argv[i], &end, 10);
    if (*end || errno || pid <= 0 || pid > INT_MAX)
        return cli_usage_error("maps: '%s' is not a process id (a program goes after '--')",
                               argv[i]);
    args->pid = (pid_t)pid;
    return 0;
}

/* What is being watched and what has been seen of it. */
struct watch {
    pid_t pid;
    uint64_t started_ns;
    bool record; /* keep the samples (--every) */
    struct maps_layout layout, scratch;
    bool have_layout;
    bool at_exit; /* the layout is the one at exit: no more samples */
    struct maps_samples samples;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read the regions into the watch's layout, keeping the last one if the
 * process is gone: 0 or an errno. */
static int read_layout(struct watch *watch, bool residency)
{
    int error = maps_read_layout(watch->pid, &watch->scratch);
    if (error)
        return error;
    if (residency)
        maps_read_residency(watch->pid, &watch->scratch);
    maps_assign_roles(&watch->scratch);
    struct maps_layout kept = watch->layout;
    watch->layout = watch->scratch;
    watch->scratch = kept;
    watch->have_layout = true;
    return 0;
}

/* One sample: false once the process is gone. */
static bool take_sample(struct watch *watch)
{
    struct maps_sample sample = {.seconds = (double)(now_ns() - watch->started_ns) / 1e9};
    if (read_layout(watch, false) ||
        maps_read_faults(watch->pid, &sample.minor_faults, &sample.major_faults))
        return false;
    if (!watch->record)
        return true;
    for (size_t i = 0; i < watch->layout.count; i++) {
        const struct maps_region *region = &watch->layout.regions[i];
        sample.rss[region->role] += region->rss;
        sample.swap[region->role] += region->swap;
    }
    struct maps_samples *samples = &watch->samples;
    void *items = samples->items;
    bool room = maps_make_room(&items, &samples->capacity, samples->count, sizeof sample);
    samples->items = items;
    if (!room)
        return false;
    samples->items[samples->count++] = sample;
    return true;
}

/* Write the report, and the picture if asked: 0, or 1. */
static int report(const struct maps_request *args, const struct watch *watch)
{
    struct output_file out = {.file = stderr};
    if (args->out && output_file_open(&out, args->out, NULL, 0))
        return 1;
    char *stats = args->mmkit_stats ? maps_read_mmkit_stats(args->mmkit_stats, watch->pid) : NULL;
    if (args->json)
        maps_print_json(out.file, &watch->layout, &watch->samples, stats);
    else
        maps_print_text(out.file, &watch->layout, &watch->samples, stats);
    free(stats);
    int status = args->out ? output_file_commit(&out) : fflush(stderr) != 0;
    if (!args->svg)
        return status;
    struct output_file svg;
    if (output_file_open(&svg, args->svg, NULL, 0))
        return 1;
    char title[96];
    snprintf(title, sizeof title, "mmkit maps: process %d", (int)watch->pid);
    maps_print_svg(svg.file, &watch->layout, &watch->samples, title);
    return output_file_commit(&svg) || status;
}

static void watch_free(struct watch *watch)
{
    maps_layout_free(&watch->layout);
    maps_layout_free(&watch->scratch);
    free(watch->samples.items);
}

/* A process that cannot be read: why, naming it; returns 1. */
static int unreadable(pid_t pid, int error)
{
    if (error == ENOENT)
        fprintf(stderr, "mmkit: maps: no process %d\n", (int)pid);
    else if (error == EACCES || error == EPERM)
        fprintf(stderr, "mmkit: maps: process %d: cannot read its memory map: %s (another "
                        "user's process: run as that user, or as root)\n",
                (int)pid, strerror(error));
    else if (error == ESRCH && kill(pid, 0) == 0)
        fprintf(stderr, "mmkit: maps: process %d has no memory of its own (a kernel thread, "
                        "or a process that has exited and was not yet waited for)\n", (int)pid);
    else if (error == ESRCH)
        fprintf(stderr, "mmkit: maps: process %d has exited\n", (int)pid);
    else
        fprintf(stderr, "mmkit: maps: process %d: %s\n", (int)pid, strerror(error));
    return 1;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int signal)
{
    (void)signal;
    interrupted = 1;
}

static void sleep_until(uint64_t deadline_ns)
{
    struct timespec ts = {(time_t)(deadline_ns / 1000000000u), (long)(deadline_ns % 1000000000u)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int maps_of_pid(const struct maps_request *args)
{
    struct watch watch = {.pid = args->pid, .record = true, .started_ns = now_ns()};
    if (args->every_ns) {
        /* Ctrl-C ends the sampling, not the report: from the first read on,
         * so that one while the first layout is read is not fatal. */
        struct sigaction action = {.sa_handler = on_interrupt};
        sigaction(SIGINT, &action, NULL);
        sigaction(SIGTERM, &action, NULL);
    }
    int error = read_layout(&watch, !args->every_ns);
    if (error) {
        watch_free(&watch);
        return unreadable(args->pid, error);
    }
    if (args->every_ns) {
        /* At least one sample, however soon the interrupt comes. */
        bool alive = true;
        for (uint64_t next = watch.started_ns; alive; next += args->every_ns) {
            sleep_until(next);
            alive = take_sample(&watch);
            if (interrupted)
                break;
        }
        if (!alive)
            fprintf(stderr, "mmkit: maps: process %d exited after %.1f s: its last sampled "
                            "layout follows\n",
                    (int)args->pid, (double)(now_ns() - watch.started_ns) / 1e9);
        else
            read_layout(&watch, true);
    }
    if (!watch.layout.paged && args->every_ns == 0)
        fprintf(stderr, "mmkit: maps: process %d: /proc/%d/pagemap is unreadable: no pages "
                        "shown\n", (int)args->pid, (int)args->pid);
    int status = report(args, &watch);
    watch_free(&watch);
    return status;
}

/* The program's status as a shell tells it. */
static int exit_status(int wstatus)
{
    return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

/* Start the program stopped at its exec, traced so that it stops at its
 * exit, with the signal mask `mask`; *traced is false if the kernel
 * refused (it runs anyway). */
static pid_t start_program(char **program, const char *command, const sigset_t *mask,
                           bool *traced)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
        return -1;
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        close(pipe_fds[0]);
        sigprocmask(SIG_SETMASK, mask, NULL);
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) {
            char refused = 1;
            (void)!write(pipe_fds[1], &refused, 1);
        }
        execvp(program[0], program);
        fprintf(stderr, "mmkit: %s: cannot run '%s': %s\n", command, program[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    close(pipe_fds[1]);
    char refused = 0;
    *traced = child > 0 && read(pipe_fds[0], &refused, 1) != 1;
    close(pipe_fds[0]);
    if (child < 0)
        fprintf(stderr, "mmkit: %s: cannot fork: %s\n", command, strerror(errno));
    return child;
}

/* Handle the child's stops; true once it has ended, with its status. */
static bool child_event(struct watch *watch, bool *exec_seen, int *status)
{
    int wstatus;
    pid_t got;
    while ((got = waitpid(watch->pid, &wstatus, WNOHANG)) > 0) {
        if (WIFEXITED(wstatus) || WIFSIGNALED(wstatus)) {
            *status = exit_status(wstatus);
            return true;
        }
        if (!WIFSTOPPED(wstatus))
            continue;
        int stop_signal = WSTOPSIG(wstatus), inject = 0;
        if (stop_signal == SIGTRAP && wstatus >> 16 == PTRACE_EVENT_EXIT) {
            /* At its exit, before its memory goes. */
            watch->at_exit = read_layout(watch, true) == 0;
        } else if (stop_signal == SIGTRAP && !*exec_seen) {
            /* Later execs (a script's interpreter, a wrapper's program)
             * stop as events, not as a SIGTRAP the program would die of. */
            *exec_seen = true;
            ptrace(PTRACE_SETOPTIONS, watch->pid, NULL,
                   (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
        } else if (stop_signal == SIGTRAP && wstatus >> 16 == PTRACE_EVENT_EXEC) {
            /* resumed as it is */
        } else {
            /* A signal for the program: deliver it (a group stop has no
             * signal information, and resumes). */
            siginfo_t info;
            if (ptrace(PTRACE_GETSIGINFO, watch->pid, NULL, &info) == 0)
                inject = stop_signal;
        }
        ptrace(PTRACE_CONT, watch->pid, NULL, (void *)(long)inject);
    }
    return got < 0 && errno == ECHILD;
}

int maps_run_program(const struct maps_request *args, const char *command)
{
    char **program = args->program;
    uint64_t every_ns = args->every_ns;
    sigset_t child_signals, old;
    sigemptyset(&child_signals);
    sigaddset(&child_signals, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_signals, &old);
    bool traced;
    struct watch watch = {.record = every_ns > 0};
    watch.pid = start_program(program, command, &old, &traced);
    if (watch.pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return 127;
    }
    /* Ctrl-C is the program's to handle; we wait to report on what it did. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    /* Untraced, the layout last sampled stands for the one at exit. */
    uint64_t every = every_ns ? every_ns : traced ? 0 : 100000000u;
    watch.started_ns = now_ns();
    uint64_t next = watch.started_ns + every;
    bool exec_seen = !traced;
    int status = 127;
    while (!child_event(&watch, &exec_seen, &status)) {
        uint64_t now = now_ns();
        if (every && now >= next) {
            if (exec_seen && !watch.at_exit)
                take_sample(&watch);
            next += every * ((now - next) / every + 1);
            continue;
        }
        uint64_t wait_ns = every ? next - now : 1000000000u;
        struct timespec timeout = {(time_t)(wait_ns / 1000000000u),
                                   (long)(wait_ns % 1000000000u)};
        sigtimedwait(&child_signals, NULL, &timeout);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (!watch.have_layout) {
        /* It could not be started, or ended before anything was read. */
        if (status != 127 && status != 126)
            fprintf(stderr, "mmkit: %s: %s ended before its memory could be read\n", command,
                    program[0]);
        watch_free(&watch);
        return status;
    }
    if (!watch.layout.paged)
        fprintf(stderr, "mmkit: %s: %s%s: no pages shown\n", command, program[0],
                traced ? "'s pagemap is unreadable" : " could not be traced to its exit");
    int written = report(args, &watch);
    watch_free(&watch);
    return written ? 1 : status;
}

int cmd_maps(int argc, char **argv)
{
    struct maps_request args;
    int status = parse_args(argc, argv, &args);
    if (status)
        return status < 0 ? 0 : status;
    if (args.program)
        return maps_run_program(&args, "maps");
    return maps_of_pid(&args);
}
