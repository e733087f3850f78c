/*
 * maps_roles.c - what each region is for.  /proc names files, the heap and
 * the main stack; the rest is worked out: the executable's text, data and
 * bss from its ELF program headers (the bss is the writable segment's part
 * beyond the file, which spills into the anonymous mapping right after the
 * file's), other threads' stacks from their stack pointers, and libmmkit's
 * regions from the names it gives them (maps_mmkit.c when the kernel keeps
 * no names).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"
#include "maps_mmkit.h"

#define MAX_SEGMENTS 32

/* The executable's loadable segments and its read-only-after-relocation
 * range, in its own addresses (before the load bias). */
struct program_headers {
    Elf64_Phdr load[MAX_SEGMENTS];
    unsigned loads;
    uint64_t relro_start, relro_end;
};

static bool read_program_headers(pid_t pid, struct program_headers *headers)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    Elf64_Ehdr elf;
    bool ok = pread(fd, &elf, sizeof elf, 0) == (ssize_t)sizeof elf &&
              !memcmp(elf.e_ident, ELFMAG, SELFMAG) && elf.e_ident[EI_CLASS] == ELFCLASS64 &&
              elf.e_phentsize == sizeof(Elf64_Phdr);
    headers->loads = 0;
    headers->relro_start = headers->relro_end = 0;
    for (unsigned i = 0; ok && i < elf.e_phnum; i++) {
        Elf64_Phdr segment;
        off_t at = (off_t)elf.e_phoff + (off_t)i * (off_t)sizeof segment;
        if (pread(fd, &segment, sizeof segment, at) != (ssize_t)sizeof segment)
            break;
        if (segment.p_type == PT_LOAD && headers->loads < MAX_SEGMENTS)
            headers->load[headers->loads++] = segment;
        if (segment.p_type == PT_GNU_RELRO) {
            headers->relro_start = segment.p_vaddr;
            headers->relro_end = segment.p_vaddr + segment.p_memsz;
        }
    }
    close(fd);
    return ok && headers->loads > 0;
}

/* /proc/PID/exe's target as the maps show it, " (deleted)" and all. */
static bool executable_path(pid_t pid, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, out, size - 1);
    if (n <= 0)
        return false;
    out[n] = '\0';
    return true;
}

/* The loadable segment holding program address `vaddr`, or NULL. */
static const Elf64_Phdr *segment_at(const struct program_headers *headers, uint64_t vaddr,
                                    uint64_t page_size)
{
    for (unsigned i = 0; i < headers->loads; i++) {
        const Elf64_Phdr *segment = &headers->load[i];
        uint64_t start = segment->p_vaddr & ~(page_size - 1);
        if (vaddr >= start && vaddr < segment->p_vaddr + segment->p_memsz)
            return segment;
    }
    return NULL;
}

static void assign_executable_roles(struct maps_layout *layout, pid_t pid)
{
    struct program_headers headers;
    char exe[sizeof layout->regions[0].path];
    if (!executable_path(pid, exe, sizeof exe) || !read_program_headers(pid, &headers))
        return;
    uint64_t page_size = (uint64_t)sysconf(_SC_PAGESIZE);
    /* The load bias: where the segment mapped from file offset 0 sits,
     * less the address the program was linked for. */
    const struct maps_region *first = NULL;
    for (size_t i = 0; i < layout->count && !first; i++)
        if (!strcmp(layout->regions[i].path, exe) && layout->regions[i].offset == 0)
            first = &layout->regions[i];
    const Elf64_Phdr *lowest = &headers.load[0];
    if (!first || (lowest->p_offset & ~(page_size - 1)) != 0)
        return;
    uint64_t bias = first->start - (lowest->p_vaddr & ~(page_size - 1));
    /* The bss follows the executable's last file mapping, perhaps cut
     * into several mappings (by madvise, mprotect). */
    bool after_executable = false;
    for (size_t i = 0; i < layout->count; i++) {
        struct maps_region *region = &layout->regions[i];
        bool ours = !strcmp(region->path, exe);
        const Elf64_Phdr *segment = segment_at(&headers, region->start - bias, page_size);
        if (ours && segment) {
            uint64_t vaddr = region->start - bias;
            region->role = segment->p_flags & PF_X   ? ROLE_TEXT
                           : !(segment->p_flags & PF_W) ? ROLE_RODATA
                           /* relro is writable until relocated, then read-only */
                           : region->perms[1] != 'w' && vaddr < headers.relro_end &&
                                     region->end - bias > headers.relro_start
                               ? ROLE_RELRO
                               : ROLE_DATA;
        } else if (!region->path[0] && after_executable && segment &&
                   (segment->p_flags & PF_W) &&
                   region->start - bias >= segment->p_vaddr + segment->p_filesz) {
            region->role = ROLE_BSS;
        }
        after_executable = (ours || region->role == ROLE_BSS) && i + 1 < layout->count &&
                           layout->regions[i + 1].start == region->end;
    }
}

/* Every thread's stack pointer, from /proc/PID/task/TID/syscall: "running"
 * says nothing, otherwise the pointer is the next-to-last number. */
static size_t thread_stack_pointers(pid_t pid, uint64_t *pointers, size_t capacity)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    if (!tasks)
        return 0;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(tasks)) && count < capacity) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%.16s/syscall", (int)pid, entry->d_name);
        char text[512];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
        if (fd >= 0)
            close(fd);
        if (n <= 0)
            continue;
        text[n] = '\0';
        char *words[16];
        size_t found = 0;
        for (char *save, *word = strtok_r(text, " \n", &save); word && found < 16;
             word = strtok_r(NULL, " \n", &save))
            words[found++] = word;
        if (found >= 3)
            pointers[count++] = strtoull(words[found - 2], NULL, 16);
    }
    closedir(tasks);
    return count;
}

static bool is_anonymous(const struct maps_region *region)
{
    return !region->path[0] || !strncmp(region->path, "[anon:", 6);
}

/* A thread's stack is its own mapping, with an inaccessible guard below
 * it (glibc's, musl's).  A thread blocked in the kernel tells where its
 * stack is; a running one does not, so a writable mapping of at least
 * 64 KiB right above a guard of at most 64 KiB counts as a stack too. */
static void assign_thread_stacks(struct maps_layout *layout)
{
    uint64_t pointers[256];
    size_t count = thread_stack_pointers(layout->pid, pointers, 256);
    for (size_t i = 0; i < layout->count; i++) {
        struct maps_region *region = &layout->regions[i];
        if (region->role != ROLE_ANON || region->path[0])
            continue;
        bool holds_pointer = false;
        for (size_t k = 0; k < count; k++)
            holds_pointer |= pointers[k] >= region->start && pointers[k] < region->end;
        struct maps_region *below = i > 0 ? &layout->regions[i - 1] : NULL;
        bool guarded = below && below->end == region->start && below->role == ROLE_ANON &&
                       !below->path[0] && !strcmp(below->perms, "---p") &&
                       below->end - below->start <= (64u << 10);
        bool stack_like = guarded && !strcmp(region->perms, "rw-p") &&
                          region->end - region->start >= (64u << 10);
        if (!holds_pointer && !stack_like)
            continue;
        region->role = ROLE_THREAD_STACK;
        if (guarded)
            below->role = ROLE_STACK_GUARD;
    }
}

static bool is_library(const char *path)
{
    const char *name = strrchr(path, '/');
    const char *so = strstr(name ? name : path, ".so");
    return so && (so[3] == '\0' || so[3] == '.' || so[3] == ' ');
}

/* The role /proc's name alone tells. */
static enum maps_role role_by_name(const struct maps_region *region, bool *mmkit_named)
{
    static const struct {
        const char *path;
        enum maps_role role;
    } named[] = {
        {"[heap]", ROLE_HEAP},
        {"[stack]", ROLE_STACK},
        {"[vdso]", ROLE_VDSO},
        {"[vvar]", ROLE_VVAR},
        {"[vvar_vclock]", ROLE_VVAR},
        {"[anon:mmkit-segment]", ROLE_MMKIT_SEGMENT},
        {"[anon:mmkit-huge]", ROLE_MMKIT_HUGE},
        {"[anon:mmkit-guard]", ROLE_MMKIT_GUARD},
        {"[anon:mmkit-secure]", ROLE_MMKIT_SECURE},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strcmp(region->path, named[i].path)) {
            *mmkit_named |= !strncmp(region->path, "[anon:mmkit-", 12);
            return named[i].role;
        }
    if (is_anonymous(region))
        return ROLE_ANON;
    if (region->path[0] == '/')
        return is_library(region->path) ? ROLE_LIBRARY : ROLE_FILE;
    return ROLE_OTHER;
}

void maps_assign_roles(struct maps_layout *layout)
{
    bool mmkit_named = false, mmkit_loaded = false;
    for (size_t i = 0; i < layout->count; i++) {
        struct maps_region *region = &layout->regions[i];
        region->role = role_by_name(region, &mmkit_named);
        const char *name = strrchr(region->path, '/');
        mmkit_loaded |= name && !strncmp(name, "/libmmkit", 9);
    }
    layout->mmkit_names = mmkit_named ? "kernel" : mmkit_loaded ? "headers" : "none";
    assign_executable_roles(layout, layout->pid);
    if (mmkit_loaded && !mmkit_named)
        maps_find_mmkit_segments(layout);
    assign_thread_stacks(layout);
}
