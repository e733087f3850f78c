/*
 * maps_read.c - reading a process's memory from /proc: smaps (every region
 * with its resident, proportional, dirty, swapped, locked and huge-page
 * bytes), pagemap (which pages are resident or swapped) and stat (page
 * faults).  Lines of any length or with fields unknown here are skipped,
 * never trusted: the kernel adds fields, and a process may exit mid-read.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_TEXT] = "text",
    [ROLE_RODATA] = "rodata",
    [ROLE_RELRO] = "relro",
    [ROLE_DATA] = "data",
    [ROLE_BSS] = "bss",
    [ROLE_HEAP] = "heap",
    [ROLE_STACK] = "stack",
    [ROLE_THREAD_STACK] = "thread-stack",
    [ROLE_STACK_GUARD] = "stack-guard",
    [ROLE_LIBRARY] = "library",
    [ROLE_VDSO] = "vdso",
    [ROLE_VVAR] = "vvar",
    [ROLE_MMKIT_SEGMENT] = "mmkit-segment",
    [ROLE_MMKIT_HUGE] = "mmkit-huge",
    [ROLE_MMKIT_GUARD] = "mmkit-guard",
    [ROLE_MMKIT_SECURE] = "mmkit-secure",
    [ROLE_ANON] = "anon",
    [ROLE_FILE] = "file",
    [ROLE_OTHER] = "other",
};

const char *maps_role_name(enum maps_role role)
{
    return role < ROLE_COUNT ? role_names[role] : "other";
}

void maps_layout_free(struct maps_layout *layout)
{
    free(layout->regions);
    layout->regions = NULL;
    layout->count = layout->capacity = 0;
}

bool maps_make_room(void **items, size_t *capacity, size_t count, size_t item_size)
{
    if (count < *capacity)
        return true;
    size_t more = *capacity ? 2 * *capacity : 64;
    void *grown = realloc(*items, more * item_size);
    if (!grown)
        return false;
    *items = grown;
    *capacity = more;
    return true;
}

static struct maps_region *region_add(struct maps_layout *layout)
{
    void *regions = layout->regions;
    bool room = maps_make_room(&regions, &layout->capacity, layout->count, sizeof *layout->regions);
    layout->regions = regions;
    if (!room)
        return NULL;
    struct maps_region *region = &layout->regions[layout->count++];
    memset(region, 0, sizeof *region);
    return region;
}

/* "start-end perms offset dev inode path": a new region, or false. */
static bool parse_header(const char *line, struct maps_region *region)
{
    unsigned long long start, end, offset, inode;
    char perms[8];
    int path_at = 0;
    if (sscanf(line, "%llx-%llx %7s %llx %*s %llu %n", &start, &end, perms, &offset, &inode,
               &path_at) != 5 || end <= start || strlen(perms) != 4)
        return false;
    region->start = start;
    region->end = end;
    region->offset = offset;
    region->inode = inode;
    memcpy(region->perms, perms, 5);
    const char *path = line + path_at;
    size_t length = strcspn(path, "\n");
    if (length >= sizeof region->path)
        length = sizeof region->path - 1;
    memcpy(region->path, path, length);
    region->path[length] = '\0';
    return true;
}

/* "Key:   123 kB" into the region's field of that key, if it has one. */
static void parse_field(const char *line, struct maps_region *region)
{
    static const struct {
        const char *key;
        size_t offset;
    } fields[] = {
        {"Rss:", offsetof(struct maps_region, rss)},
        {"Pss:", offsetof(struct maps_region, pss)},
        {"Shared_Dirty:", offsetof(struct maps_region, dirty)},
        {"Private_Dirty:", offsetof(struct maps_region, dirty)},
        {"Swap:", offsetof(struct maps_region, swap)},
        {"Locked:", offsetof(struct maps_region, locked)},
        {"AnonHugePages:", offsetof(struct maps_region, huge)},
        {"ShmemPmdMapped:", offsetof(struct maps_region, huge)},
        {"FilePmdMapped:", offsetof(struct maps_region, huge)},
        {"Shared_Hugetlb:", offsetof(struct maps_region, huge)},
        {"Private_Hugetlb:", offsetof(struct maps_region, huge)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        size_t length = strlen(fields[i].key);
        if (strncmp(line, fields[i].key, length))
            continue;
        char *end;
        unsigned long long kib = strtoull(line + length, &end, 10);
        if (end != line + length && kib < (UINT64_MAX >> 10))
            *(uint64_t *)((char *)region + fields[i].offset) += (uint64_t)kib << 10;
        return;
    }
}

/* A field line's first word ends with ':'; a region's starts with its
 * address range. */
static bool is_field(const char *line)
{
    size_t word = strcspn(line, " \t\n");
    return word > 0 && line[word - 1] == ':';
}

int maps_parse_smaps(FILE *smaps, struct maps_layout *layout)
{
    layout->count = 0;
    layout->paged = false;
    char *line = NULL;
    size_t size = 0;
    struct maps_region *region = NULL;
    int error = 0;
    errno = 0;
    while (getline(&line, &size, smaps) > 0) {
        if (is_field(line)) {
            if (region)
                parse_field(line, region);
            continue;
        }
        struct maps_region parsed = {0};
        if (!isxdigit((unsigned char)line[0]) || !parse_header(line, &parsed))
            continue;
        region = region_add(layout);
        if (!region) {
            error = ENOMEM;
            break;
        }
        *region = parsed;
    }
    if (!error && ferror(smaps))
        error = errno ? errno : EIO;
    free(line);
    /* A process that has exited (or is exiting) has no regions left. */
    if (!error && layout->count == 0)
        error = ESRCH;
    return error;
}

int maps_read_layout(pid_t pid, struct maps_layout *layout)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
    layout->pid = pid;
    FILE *smaps = fopen(path, "re");
    if (!smaps)
        return errno;
    int error = maps_parse_smaps(smaps, layout);
    fclose(smaps);
    return error;
}

#define PAGEMAP_PRESENT ((uint64_t)1 << 63)
#define PAGEMAP_SWAPPED ((uint64_t)1 << 62)
#define PAGEMAP_BATCH 4096

/* One region's pages, a batch of pagemap entries at a time. */
static bool read_region_residency(int pagemap, uint64_t page_size, struct maps_region *region)
{
    uint64_t entries[PAGEMAP_BATCH];
    uint64_t pages = (region->end - region->start) / page_size;
    region->cells = pages < MAPS_CELLS ? (unsigned)pages : MAPS_CELLS;
    region->pages_per_cell = region->cells ? (pages + region->cells - 1) / region->cells : 1;
    region->cells = (unsigned)((pages + region->pages_per_cell - 1) / region->pages_per_cell);
    /* Nothing resident or swapped: no page to look at. */
    if (region->rss == 0 && region->swap == 0) {
        region->paged = true;
        return true;
    }
    uint64_t first = region->start / page_size;
    for (uint64_t done = 0; done < pages;) {
        uint64_t batch = pages - done < PAGEMAP_BATCH ? pages - done : PAGEMAP_BATCH;
        ssize_t got = pread(pagemap, entries, batch * sizeof entries[0],
                            (off_t)((first + done) * sizeof entries[0]));
        if (got <= 0)
            return false;
        batch = (uint64_t)got / sizeof entries[0];
        for (uint64_t i = 0; i < batch; i++) {
            uint64_t cell = (done + i) / region->pages_per_cell;
            if (entries[i] & PAGEMAP_PRESENT) {
                region->present_pages++;
                region->cell_present[cell]++;
            } else if (entries[i] & PAGEMAP_SWAPPED) {
                region->swapped_pages++;
                region->cell_swapped[cell]++;
            }
        }
        done += batch;
    }
    region->paged = true;
    return true;
}

uint64_t maps_cell_pages(const struct maps_region *region, unsigned cell)
{
    uint64_t pages = (region->end - region->start) / (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t before = (uint64_t)cell * region->pages_per_cell;
    if (before >= pages)
        return 0;
    return pages - before < region->pages_per_cell ? pages - before : region->pages_per_cell;
}

int maps_read_residency(pid_t pid, struct maps_layout *layout)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/pagemap", (int)pid);
    int pagemap = open(path, O_RDONLY | O_CLOEXEC);
    if (pagemap < 0)
        return errno;
    uint64_t page_size = (uint64_t)sysconf(_SC_PAGESIZE);
    bool any = false;
    for (size_t i = 0; i < layout->count; i++) {
        struct maps_region *region = &layout->regions[i];
        region->present_pages = region->swapped_pages = 0;
        memset(region->cell_present, 0, sizeof region->cell_present);
        memset(region->cell_swapped, 0, sizeof region->cell_swapped);
        any |= read_region_residency(pagemap, page_size, region);
    }
    close(pagemap);
    layout->paged = any;
    return any ? 0 : ESRCH;
}

int maps_read_faults(pid_t pid, uint64_t *minor, uint64_t *major)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    ssize_t got = read(fd, text, sizeof text - 1);
    int error = got < 0 ? errno : 0;
    close(fd);
    if (got <= 0)
        return error ? error : ESRCH;
    text[got] = '\0';
    /* The name in parentheses may hold spaces and parentheses: fields
     * are counted from the last ')', which is field 2's end. */
    const char *at = strrchr(text, ')');
    unsigned long long minor_faults, major_faults;
    /* state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt */
    if (!at || sscanf(at + 1, " %*c %*d %*d %*d %*d %*d %*u %llu %*u %llu", &minor_faults,
                      &major_faults) != 2)
        return EINVAL;
    *minor = minor_faults;
    *major = major_faults;
    return 0;
}
