/*
 * program.c - the program a user names after `--`: running it as a shell
 * would, and telling whether LD_PRELOAD can reach it at all.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

int program_run(char **argv, const char *command)
{
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "mmkit: %s: cannot fork: %s\n", command, strerror(errno));
        return 127;
    }
    if (child == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "mmkit: %s: cannot run '%s': %s\n", command, argv[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    /* Ctrl-C is the program's to handle; we wait to report on what it did. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int wstatus;
    while (waitpid(child, &wstatus, 0) < 0)
        if (errno != EINTR)
            return 127;
    return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

/* The file execvp would run for `program`: itself if it has a '/', else
 * the first executable of that name on PATH. */
static bool find_program(const char *program, char *out, size_t size)
{
    if (strchr(program, '/')) {
        snprintf(out, size, "%s", program);
        return true;
    }
    const char *path = getenv("PATH");
    for (const char *dir = path ? path : "/usr/bin:/bin"; *dir;) {
        size_t n = strcspn(dir, ":");
        snprintf(out, size, "%.*s%s%s", (int)n, dir, n ? "/" : "", program);
        if (access(out, X_OK) == 0)
            return true;
        dir += n + (dir[n] == ':');
    }
    return false;
}

bool program_is_static(const char *program)
{
    char path[PATH_MAX];
    if (!find_program(program, path, sizeof path))
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    /* 64-bit ELF only: what this command runs on.  A script, or anything
     * else, is run by an interpreter LD_PRELOAD does reach. */
    Elf64_Ehdr header;
    bool is_static = false;
    if (pread(fd, &header, sizeof header, 0) == (ssize_t)sizeof header &&
        !memcmp(header.e_ident, ELFMAG, SELFMAG) && header.e_ident[EI_CLASS] == ELFCLASS64 &&
        header.e_phentsize == sizeof(Elf64_Phdr)) {
        is_static = true;
        for (unsigned i = 0; i < header.e_phnum; i++) {
            Elf64_Phdr segment;
            off_t at = (off_t)header.e_phoff + (off_t)i * (off_t)sizeof segment;
            if (pread(fd, &segment, sizeof segment, at) != (ssize_t)sizeof segment ||
                segment.p_type == PT_INTERP) {
                is_static = false;
                break;
            }
        }
    }
    close(fd);
    return is_static;
}
