/*
 * reports_probe.c - a plain program, run on libmmkit by LD_PRELOAD, that
 * does to its descriptors and processes what real programs do before
 * libmmkit prints its statistics and leak report at exit.  Each command
 * loses one 100-byte block, for the leak report, and prints on stdout what
 * check_where_reports_go.py needs:
 *
 *   ok                  nothing more
 *   close-stderr        closes stdout and stderr at exit, as coreutils do
 *   close-low FILE      closes descriptors 0..1023, then opens FILE and
 *                       copies it onto every descriptor up to 1023
 *   close-every FILE    closes every descriptor it has, then opens FILE and
 *                       copies it onto each number that was open before
 *   redirect FILE       sends its stderr to FILE (dup2 onto 2), as a
 *                       program that captures its own stderr does
 *   fork                forks a child that exits, and one that runs this
 *                       program again (`ok`); prints "pid NAME PID" for the
 *                       three processes
 *   spawn COMMAND       runs COMMAND with system()
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void fail(const char *what)
{
    fprintf(stderr, "reports_probe: %s\n", what);
    exit(2);
}

/* Out of the compiler's sight, and off the stack once it returns. */
static void *volatile kept;
__attribute__((noinline)) static void lose_a_block(void)
{
    kept = malloc(100);
    if (!kept)
        fail("malloc failed");
    memset(kept, 0x11, 100);
    kept = NULL;
}

__attribute__((noinline)) static void clear_stack(void)
{
    volatile char junk[4096];
    memset((char *)junk, 0, sizeof junk);
}

static int open_own(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        _exit(3); /* nothing left to print on */
    return fd;
}

static void close_low(const char *path)
{
    for (int fd = 0; fd < 1024; fd++)
        close(fd);
    int own = open_own(path);
    for (int fd = 0; fd < 1024; fd++)
        if (fd != own)
            dup2(own, fd);
}

static void close_every(const char *path)
{
    int open_before[4096], count = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        fail("cannot list /proc/self/fd");
    for (struct dirent *e; (e = readdir(dir)) && count < 4096;)
        if (e->d_name[0] != '.')
            open_before[count++] = atoi(e->d_name);
    closedir(dir);
    for (int i = 0; i < count; i++)
        close(open_before[i]);
    int own = open_own(path);
    for (int fd = 0; fd <= 2; fd++)
        if (fd != own)
            dup2(own, fd);
    for (int i = 0; i < count; i++)
        if (open_before[i] != own)
            dup2(own, open_before[i]);
}

static void run_forks(const char *argv0)
{
    printf("pid parent %d\n", (int)getpid());
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        fail("fork failed");
    if (child == 0) {
        lose_a_block();
        exit(0);
    }
    printf("pid child %d\n", (int)child);
    fflush(stdout);
    pid_t runner = fork();
    if (runner < 0)
        fail("fork failed");
    if (runner == 0) {
        execl("/proc/self/exe", argv0, "ok", (char *)NULL);
        _exit(127);
    }
    printf("pid exec %d\n", (int)runner);
    fflush(stdout);
    int status;
    if (waitpid(child, &status, 0) != child || status != 0 ||
        waitpid(runner, &status, 0) != runner || status != 0)
        fail("a child failed");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        fail("usage: reports_probe COMMAND [ARG]");
    const char *command = argv[1], *arg = argc > 2 ? argv[2] : NULL;
    lose_a_block();
    clear_stack();
    if (!strcmp(command, "ok")) {
    } else if (!strcmp(command, "close-stderr")) {
        printf("ran\n");
        fclose(stdout);
        fclose(stderr);
    } else if (!strcmp(command, "close-low") && arg) {
        close_low(arg);
    } else if (!strcmp(command, "close-every") && arg) {
        close_every(arg);
    } else if (!strcmp(command, "redirect") && arg) {
        int own = open_own(arg);
        if (dup2(own, STDERR_FILENO) != STDERR_FILENO)
            fail("dup2 failed");
        close(own);
    } else if (!strcmp(command, "fork")) {
        run_forks(argv[0]);
    } else if (!strcmp(command, "spawn") && arg) {
        fflush(stdout);
        if (system(arg) != 0)
            fail("the command failed");
    } else {
        fail("unknown command");
    }
    return 0;
}
