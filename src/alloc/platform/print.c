/*
 * print.c - where everything the allocator prints goes (reports, leak
 * reports, statistics, warnings), and printing that never allocates: the
 * allocator prints from inside malloc and free, and from signal handlers.
 *
 * On stderr.  A program may close it before we print at exit (coreutils
 * close descriptors 1 and 2 in an atexit handler, before our statistics
 * and leak report), or close every descriptor and open files of its own in
 * their place.  So start-up keeps a copy of descriptor 2 of our own, high
 * up and out of the program's way, and the identity (device and inode) of
 * the files descriptors 0, 1 and 2 are.  Each write goes to:
 *
 *  - descriptor 2, if it is still the file stderr was at start-up, or if
 *    the program redirected it (dup2, freopen) and left 0 or 1 as they
 *    were: a program that captures its stderr gets our reports too;
 *  - else our copy, if it still is that file: the program closed its
 *    stderr, or replaced 0, 1 and 2 all (it closed them and opened files
 *    of its own, or detached from its terminal).  From the first write
 *    that finds so, descriptor 2 is not followed any more: another file
 *    may take its number, one of the program's or even one the symbolizer
 *    opens while a report prints (libdw's debuginfod client opens sockets);
 *  - else nowhere: the program closed our copy too, or put another file
 *    under its number, and the program's own files never get our text.
 *
 * With log_file=PATH everything goes to that file instead ("%p" in PATH
 * becomes the process id).  Its descriptor is checked against the file at
 * PATH before each write, and opened again if the program closed it.  It
 * is opened when first written; a fork child with "%p" in PATH opens its
 * own file then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "locks.h"
#include "platform.h"

/* Our descriptors take the lowest free numbers from 16 below the top: the
 * soft limit of descriptors, or PRINT_TOP if that is higher.  Above 1023
 * when the limit allows, so a program that closes the select() range
 * 0..1023 keeps them; no higher, because the kernel sizes a process's
 * table of descriptors by its highest one, and copies it at each fork. */
#define PRINT_TOP 2048
#define PRINT_BELOW_TOP 16

enum { PRINT_DIRECT, PRINT_HOLDING, PRINT_STARTED };
/* The log's descriptor, or one of these. */
enum { LOG_NONE = -1, LOG_PENDING = -2 };

/* What a descriptor is: closed, or which file. */
typedef struct file_id {
    bool open;
    dev_t dev;
    ino_t ino;
} file_id;

static struct {
    /* PRINT_DIRECT: start-up has not run (a program that uses parts of the
     * allocator alone): descriptor 2, as it is.  PRINT_HOLDING: start-up
     * is reading the options; messages wait in `held` for the place they
     * choose.  PRINT_STARTED: as the comment above says. */
    _Atomic int state;
    int err_copy;               /* our copy of stderr; -1 if there is none */
    file_id standard[3];        /* descriptors 0, 1 and 2 at start-up */
    _Atomic bool stderr_left;   /* the program closed its stderr: use our copy */
    _Atomic int log_fd;         /* LOG_NONE, LOG_PENDING (opened when first written) */
    char log_template[4096];    /* log_file, made absolute; "" if none */
    char log_path[4200];        /* the template with %p replaced */
    char held[2048];
    size_t held_len;
    char program[64];
} out = {.err_copy = -1, .log_fd = LOG_NONE};

static file_id file_id_of(int fd)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        return (file_id){.open = false};
    return (file_id){true, st.st_dev, st.st_ino};
}

static bool same_file(file_id a, file_id b)
{
    return a.open == b.open && (!a.open || (a.dev == b.dev && a.ino == b.ino));
}

/* fd moved high (see PRINT_TOP), close-on-exec; fd itself if it cannot be. */
static int move_high(int fd)
{
    struct rlimit limit;
    rlim_t top = PRINT_TOP;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < top)
        top = limit.rlim_cur;
    if (top < PRINT_BELOW_TOP + 3)
        return fd;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, (int)(top - PRINT_BELOW_TOP));
    if (high < 0)
        return fd;
    close(fd);
    return high;
}

static void write_all(int fd, const char *text, size_t left)
{
    while (left > 0) {
        ssize_t n = write(fd, text, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        left -= (size_t)n;
    }
}

/* ---- stderr -------------------------------------------------------------- */

static int stderr_descriptor(void)
{
    const file_id *start = out.standard;
    if (!start[2].open)
        return -1; /* whatever is under 2 now, the program opened it */
    file_id now = file_id_of(STDERR_FILENO);
    if (same_file(now, start[2]))
        return STDERR_FILENO;
    if (!atomic_load_explicit(&out.stderr_left, memory_order_relaxed)) {
        bool replaced_all = !same_file(file_id_of(0), start[0]) &&
                            !same_file(file_id_of(1), start[1]);
        if (now.open && !replaced_all)
            return STDERR_FILENO; /* redirected */
        atomic_store_explicit(&out.stderr_left, true, memory_order_relaxed);
    }
    if (out.err_copy >= 0 && same_file(file_id_of(out.err_copy), start[2]))
        return out.err_copy;
    return -1;
}

static void keep_stderr(void)
{
    for (int fd = 0; fd < 3; fd++)
        out.standard[fd] = file_id_of(fd);
    if (!out.standard[2].open)
        return;
    int copy = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    out.err_copy = copy < 0 ? -1 : move_high(copy);
}

/* ---- the log file ---------------------------------------------------------- */

/* The template with each "%p" replaced by this process's id; false if it
 * does not fit. */
static bool expand_log_path(void)
{
    char pid[16];
    int pid_len = snprintf(pid, sizeof pid, "%d", (int)getpid());
    size_t n = 0;
    for (const char *c = out.log_template; *c; c++) {
        bool is_pid = c[0] == '%' && c[1] == 'p';
        size_t len = is_pid ? (size_t)pid_len : 1;
        if (n + len >= sizeof out.log_path)
            return false;
        memcpy(out.log_path + n, is_pid ? pid : c, len);
        n += len;
        c += is_pid;
    }
    out.log_path[n] = '\0';
    return true;
}

/* fd is the file at the log's path (which the program may have closed,
 * or replaced by a file of its own under the same number). */
static bool is_our_log(int fd)
{
    struct stat by_path;
    return stat(out.log_path, &by_path) == 0 &&
           same_file(file_id_of(fd), (file_id){true, by_path.st_dev, by_path.st_ino});
}

static int open_log(void)
{
    int fd = open(out.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    return fd < 0 ? -1 : move_high(fd);
}

static void say_log_failed(int error)
{
    char line[4400];
    snprintf(line, sizeof line,
             "mmkit: warning: log_file=%s: cannot open it: %s; printing on stderr\n",
             out.log_path, strerror(error));
    int fd = stderr_descriptor();
    if (fd >= 0)
        write_all(fd, line, strlen(line));
}

/* The log's descriptor, opened if it is pending or the program closed it;
 * -1 if there is no log, or it cannot be opened (said once). */
static int log_descriptor(void)
{
    int fd = atomic_load_explicit(&out.log_fd, memory_order_acquire);
    if (fd == LOG_NONE)
        return -1;
    if (fd >= 0 && is_our_log(fd))
        return fd;
    /* Pending; or closed, or another file under our number: not ours to close. */
    int fresh = open_log();
    if (fresh < 0) {
        int error = errno;
        if (atomic_compare_exchange_strong(&out.log_fd, &fd, LOG_NONE))
            say_log_failed(error);
        return -1;
    }
    if (atomic_compare_exchange_strong(&out.log_fd, &fd, fresh))
        return fresh;
    close(fresh); /* another thread opened it first */
    return fd;
}

void os_print_after_fork_child(void)
{
    int fd = atomic_load(&out.log_fd);
    if (fd == LOG_NONE || !strstr(out.log_template, "%p"))
        return; /* no log, or one log for the parent and its children */
    if (fd >= 0 && is_our_log(fd))
        close(fd);
    atomic_store(&out.log_fd, expand_log_path() ? LOG_PENDING : LOG_NONE);
}

static void start_log(const char *path)
{
    /* Made absolute: the program may change directory before it forks. */
    char cwd[4096];
    int n = path[0] != '/' && getcwd(cwd, sizeof cwd)
                ? snprintf(out.log_template, sizeof out.log_template, "%s/%s", cwd, path)
                : snprintf(out.log_template, sizeof out.log_template, "%s", path);
    if (n >= (int)sizeof out.log_template || !expand_log_path()) {
        snprintf(out.log_path, sizeof out.log_path, "%s", path);
        say_log_failed(ENAMETOOLONG);
        return;
    }
    /* Opened when first written: a process that prints nothing leaves no
     * empty file (a shell that runs a pipeline, with %p). */
    atomic_store(&out.log_fd, LOG_PENDING);
}

/* ---- the process's name ---------------------------------------------------- */

/* Its short name as the C library has it (argv[0] without its folder), or
 * the kernel's; kept printable and free of quotes, for text and JSON. */
static void name_the_program(void)
{
    const char *name = program_invocation_short_name;
    char comm[sizeof out.program] = "";
    if (!name || !*name) {
        int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
        if (fd >= 0)
            close(fd);
        comm[n > 0 ? n : 0] = '\0';
        comm[strcspn(comm, "\n")] = '\0';
        name = comm;
    }
    size_t i = 0;
    for (; name[i] && i < sizeof out.program - 1; i++) {
        char c = name[i];
        out.program[i] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?';
    }
    out.program[i] = '\0';
}

const char *os_program_name(void)
{
    if (!out.program[0])
        name_the_program();
    return out.program;
}

/* ---- start-up and the writes ------------------------------------------------ */

void os_print_hold(void)
{
    atomic_store(&out.state, PRINT_HOLDING);
}

void os_print_init(const char *log_file)
{
    name_the_program();
    keep_stderr();
    atomic_store(&out.state, PRINT_STARTED);
    if (log_file && *log_file)
        start_log(log_file);
    out.held[out.held_len] = '\0';
    if (out.held_len)
        os_write_stderr(out.held);
    out.held_len = 0;
}

void os_write_stderr(const char *text)
{
    int saved_errno = errno;
    size_t len = strlen(text);
    int state = atomic_load_explicit(&out.state, memory_order_relaxed);
    if (state == PRINT_HOLDING && out.held_len + len < sizeof out.held) {
        memcpy(out.held + out.held_len, text, len);
        out.held_len += len;
    } else {
        int fd = STDERR_FILENO;
        if (state == PRINT_STARTED) {
            fd = log_descriptor();
            if (fd < 0)
                fd = stderr_descriptor();
        }
        if (fd >= 0)
            write_all(fd, text, len);
    }
    errno = saved_errno;
}

void os_printf(const char *format, ...)
{
    char line[1024];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n >= (int)sizeof line) {
        line[sizeof line - 2] = '\n';
        line[sizeof line - 1] = '\0';
    }
    os_write_stderr(line);
}

void os_print_json_string(const char *key, const char *text)
{
    os_printf("\"%s\":\"", key);
    char chunk[2] = {0, 0};
    for (const char *c = text; *c; c++) {
        if (*c == '"' || *c == '\\')
            os_printf("\\%c", *c);
        else if ((unsigned char)*c < 0x20)
            os_printf("\\u%04x", *c);
        else {
            chunk[0] = *c;
            os_printf("%s", chunk);
        }
    }
    os_printf("\"");
}
