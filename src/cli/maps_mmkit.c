/*
 * maps_mmkit.c - where the kernel keeps no mapping names (no
 * CONFIG_ANON_VMA_NAME), libmmkit's segments and huge blocks are still
 * known by what they hold: a segment is aligned to its size and starts
 * with a header that records where its own mapping starts and how long it
 * is.  The header's layout is the allocator's, built with this command.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "maps_mmkit.h"
#include "types.h"

/* The header's first fields, up to the mapping's start. */
#define HEADER_BYTES (offsetof(segment, mapping) + sizeof(uint8_t *))

/* The kind of the segment whose header is at `at`, or 0; its mapping's
 * size in *mapped_size. */
static segment_kind header_at(int mem, uint64_t at, uint64_t *mapped_size)
{
    unsigned char bytes[HEADER_BYTES];
    if (pread(mem, bytes, sizeof bytes, (off_t)at) != (ssize_t)sizeof bytes)
        return 0;
    segment_kind kind;
    size_t size;
    uintptr_t mapping;
    memcpy(&kind, bytes + offsetof(segment, kind), sizeof kind);
    memcpy(&size, bytes + offsetof(segment, mapped_size), sizeof size);
    memcpy(&mapping, bytes + offsetof(segment, mapping), sizeof mapping);
    *mapped_size = size;
    return mapping == at && size && (kind == SEGMENT_NORMAL || kind == SEGMENT_HUGE) ? kind : 0;
}

/* Segments far into a region are not looked for: a region of more than
 * this many segments' size is someone else's reservation. */
#define MAX_PROBES 256

void maps_find_mmkit_segments(struct maps_layout *layout)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)layout->pid);
    int mem = open(path, O_RDONLY | O_CLOEXEC);
    if (mem < 0)
        return;
    for (size_t i = 0; i < layout->count; i++) {
        struct maps_region *region = &layout->regions[i];
        if (region->role != ROLE_ANON || region->path[0] || region->perms[0] != 'r')
            continue;
        /* The kernel merges neighbouring mappings of the same kind: a
         * segment may start inside a region, after another mapping. */
        uint64_t at = (region->start + SEGMENT_SIZE - 1) & ~(uint64_t)(SEGMENT_SIZE - 1);
        uint64_t mapped_size = 0;
        segment_kind kind = 0;
        for (unsigned probes = 0; !kind && at < region->end && probes < MAX_PROBES; probes++) {
            kind = header_at(mem, at, &mapped_size);
            if (!kind)
                at += SEGMENT_SIZE;
        }
        if (!kind)
            continue;
        /* madvise or mprotect may have cut the mapping into several. */
        for (size_t k = i; k < layout->count && layout->regions[k].start < at + mapped_size &&
                           layout->regions[k].role == ROLE_ANON && !layout->regions[k].path[0];
             k++)
            layout->regions[k].role = kind == SEGMENT_HUGE ? ROLE_MMKIT_HUGE : ROLE_MMKIT_SEGMENT;
    }
    close(mem);
}

/* The last line libmmkit wrote, if it is one JSON object. */
char *maps_read_mmkit_stats(const char *dir, pid_t pid)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/stats.%d", dir, (int)pid);
    FILE *file = fopen(path, "re");
    char *line = NULL, *last = NULL;
    size_t size = 0;
    ssize_t length;
    while (file && (length = getline(&line, &size, file)) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] != '{' || line[strlen(line) - 1] != '}')
            continue;
        free(last);
        last = strdup(line);
    }
    free(line);
    if (file)
        fclose(file);
    /* "": the program left no statistics (it did not run on libmmkit). */
    return last ? last : strdup("");
}

bool maps_stats_folder(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/mmkit-maps.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(dir) != NULL;
}

void maps_stats_folder_remove(const char *dir)
{
    DIR *folder = opendir(dir);
    struct dirent *entry;
    while (folder && (entry = readdir(folder)))
        if (!strncmp(entry->d_name, "stats.", 6))
            unlinkat(dirfd(folder), entry->d_name, 0);
    if (folder)
        closedir(folder);
    rmdir(dir);
}
