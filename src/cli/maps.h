/* maps.h - a live process's memory, region by region (`mmkit maps`): what
 * /proc says of each mapping, the role it plays in the program, which of
 * its pages are resident, and how it all changes over time. */
#ifndef MMKIT_CLI_MAPS_H
#define MMKIT_CLI_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The part a region plays; maps_role_name gives the word users see. */
enum maps_role {
    ROLE_TEXT,          /* the executable's code */
    ROLE_RODATA,        /* its read-only data (and ELF headers) */
    ROLE_RELRO,         /* its data made read-only after relocation */
    ROLE_DATA,          /* its initialised data */
    ROLE_BSS,           /* its zero-initialised data beyond the file */
    ROLE_HEAP,          /* the brk heap */
    ROLE_STACK,         /* the main thread's stack */
    ROLE_THREAD_STACK,  /* another thread's stack */
    ROLE_STACK_GUARD,   /* the inaccessible page below a thread's stack */
    ROLE_LIBRARY,       /* a shared library's segment */
    ROLE_VDSO,          /* the kernel's code and data for fast system calls */
    ROLE_VVAR,
    ROLE_MMKIT_SEGMENT, /* libmmkit's segments of small and large blocks */
    ROLE_MMKIT_HUGE,    /* libmmkit's huge blocks, a mapping each */
    ROLE_MMKIT_GUARD,   /* libmmkit's guarded blocks and their guard pages */
    ROLE_MMKIT_SECURE,  /* libmmkit's secure heap */
    ROLE_ANON,          /* any other anonymous mapping */
    ROLE_FILE,          /* any other mapped file */
    ROLE_OTHER,         /* a kernel mapping of another kind ([vsyscall], ...) */
    ROLE_COUNT
};
const char *maps_role_name(enum maps_role role);

/* Residency is kept in at most this many cells a region: each cell counts
 * the resident and swapped pages of an equal run of the region's pages. */
#define MAPS_CELLS 32

struct maps_region {
    uint64_t start, end, offset, inode;
    char perms[5];       /* "r-xp" */
    char path[256];      /* as /proc shows it: a file, [heap], [anon:name], or "" */
    enum maps_role role;
    /* From smaps, in bytes. */
    uint64_t rss, pss, dirty, swap, locked, huge;
    /* From pagemap; paged is false where it could not be read. */
    bool paged;
    uint64_t present_pages, swapped_pages, pages_per_cell;
    unsigned cells;
    uint32_t cell_present[MAPS_CELLS], cell_swapped[MAPS_CELLS];
};

/* A process's regions at one moment. */
struct maps_layout {
    pid_t pid;
    struct maps_region *regions;
    size_t count, capacity;
    bool paged;          /* pagemap was read */
    /* How libmmkit's regions were told: "kernel" (by their [anon:mmkit-...]
     * names), "headers" (maps_mmkit.c), or "none" (libmmkit is not loaded). */
    const char *mmkit_names;
};

/* One sample over time: totals by role, the faults so far. */
struct maps_sample {
    double seconds; /* since sampling started */
    uint64_t minor_faults, major_faults;
    uint64_t rss[ROLE_COUNT], swap[ROLE_COUNT];
};

struct maps_samples {
    struct maps_sample *items;
    size_t count, capacity;
};

/* What `mmkit maps` (or `mmkit run --maps`) is asked for. */
struct maps_request {
    uint64_t every_ns; /* 0: no samples over time */
    bool json;
    const char *svg;         /* a picture to write, or NULL */
    const char *out;         /* the report's file ("-": stdout; NULL: stderr) */
    const char *mmkit_stats; /* a folder where libmmkit writes its statistics, or NULL */
    pid_t pid;               /* or 0, and a program */
    char **program;          /* after "--", NULL-terminated */
};

/* Run a program and report its memory as it exits (cmd_maps.c), and over
 * time if asked.  The program's status, 127 if it could not be started, 1
 * if the report could not be written. */
int maps_run_program(const struct maps_request *request, const char *command);

/* Read /proc/PID/smaps into `layout` (emptied first): 0, or an errno
 * (ENOENT: no such process; EACCES: not ours to read; ESRCH: no regions). */
int maps_read_layout(pid_t pid, struct maps_layout *layout);
/* The same from text in smaps' form: lines it does not know are skipped. */
int maps_parse_smaps(FILE *smaps, struct maps_layout *layout);
/* Count resident and swapped pages of every region from /proc/PID/pagemap:
 * 0, or an errno (the layout's paged flags stay false). */
int maps_read_residency(pid_t pid, struct maps_layout *layout);
/* The number of pages cell `cell` of a region counts: pages_per_cell, but
 * the last cell may have fewer. */
uint64_t maps_cell_pages(const struct maps_region *region, unsigned cell);
/* Minor and major faults so far, from /proc/PID/stat: 0, or an errno. */
int maps_read_faults(pid_t pid, uint64_t *minor, uint64_t *major);
void maps_layout_free(struct maps_layout *layout);
/* Room for one more item in a growing array: false if memory ran out. */
bool maps_make_room(void **items, size_t *capacity, size_t count, size_t item_size);

/* Give each region its role (maps_roles.c): the executable's segments from
 * its ELF program headers, stacks from the threads' stack pointers, and
 * libmmkit's regions from their names or their headers. */
void maps_assign_roles(struct maps_layout *layout);

/* The report (maps_report.c): a table for a terminal, or one JSON document. */
void maps_print_text(FILE *out, const struct maps_layout *layout,
                     const struct maps_samples *samples, const char *mmkit_stats);
void maps_print_json(FILE *out, const struct maps_layout *layout,
                     const struct maps_samples *samples, const char *mmkit_stats);

/* libmmkit's statistics at process `pid`'s exit, as it wrote them into
 * folder `dir` (option stats=2, log_file=DIR/stats.%p): its last JSON line,
 * to free; NULL if there is none. */
char *maps_read_mmkit_stats(const char *dir, pid_t pid);

/* Pictures (maps_svg.c): every region as a strip of its pages, gaps
 * between regions collapsed; below it, if there are samples, resident
 * bytes by role and page faults over time. */
void maps_print_svg(FILE *out, const struct maps_layout *layout,
                    const struct maps_samples *samples, const char *title);

/* "12.0K", "3.5M": bytes for a table cell. */
void maps_format_bytes(char *out, size_t size, uint64_t bytes);

#endif
