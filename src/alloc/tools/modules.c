/*
 * modules.c - the executable mappings of the process (see modules.h).
 *
 * /proc/self/maps gives each mapping's range, file offset and path.  The
 * rest comes from the file's ELF headers as mapped (its first mapping holds
 * them): the load bias, which turns a run-time address into one of the
 * file's own, and the build id, which tells a reader later whether the file
 * on disk is still the one that ran.  Memory is read through
 * os_copy_readable, so an odd mapping can never fault.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "modules.h"

/* ---- one line of /proc/self/maps ------------------------------------------ */

typedef struct maps_line {
    uintptr_t start, end;
    uint64_t offset;
    bool executable;
    const char *path; /* "" for anonymous memory */
    size_t path_size;
} maps_line;

static const char *hex(const char *p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    const char *first = p;
    for (; p < end; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (*p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else
            break;
        v = v << 4 | d;
    }
    *out = v;
    return p > first ? p : NULL;
}

static const char *skip_field(const char *p, const char *end)
{
    while (p < end && *p != ' ')
        p++;
    while (p < end && *p == ' ')
        p++;
    return p;
}

/* "start-end perms offset dev inode   path" */
static bool parse_line(const char *p, const char *end, maps_line *out)
{
    uint64_t start, last, offset;
    if (!(p = hex(p, end, &start)) || p == end || *p++ != '-' || !(p = hex(p, end, &last)) ||
        end - p < 6 || *p++ != ' ')
        return false;
    out->start = start;
    out->end = last;
    out->executable = p[2] == 'x';
    p = skip_field(p, end);
    if (!(p = hex(p, end, &offset)))
        return false;
    out->offset = offset;
    p = skip_field(p, end);        /* the offset's end */
    p = skip_field(p, end);        /* dev */
    p = skip_field(p, end);        /* inode */
    out->path = p;
    out->path_size = (size_t)(end - p);
    return start < last;
}

/* ---- the ELF headers in memory ---------------------------------------------- */

#define PHDRS_MAX 128
#define NOTES_MAX 4096

static ElfW(Phdr) phdrs[PHDRS_MAX];
static uint8_t notes[NOTES_MAX];

/* The build id among the notes at `at`, `size` bytes. */
static size_t find_build_id(uintptr_t at, size_t size, uint8_t *out)
{
    size = size < NOTES_MAX ? size : NOTES_MAX;
    if (!os_copy_readable(notes, (const void *)at, size))
        return 0;
    for (size_t p = 0; p + sizeof(ElfW(Nhdr)) <= size;) {
        ElfW(Nhdr) n;
        memcpy(&n, notes + p, sizeof n);
        size_t name = p + sizeof n, desc = name + ((n.n_namesz + 3) & ~(size_t)3);
        size_t next = desc + ((n.n_descsz + 3) & ~(size_t)3);
        if (next > size || next <= p)
            break;
        if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && !memcmp(notes + name, "GNU", 4) &&
            n.n_descsz > 0 && n.n_descsz <= MODULE_BUILD_ID_MAX) {
            memcpy(out, notes + desc, n.n_descsz);
            return n.n_descsz;
        }
        p = next;
    }
    return 0;
}

/* The load bias and build id of the ELF file whose first page is mapped at
 * `base`; false if base holds no ELF header. */
static bool read_elf(uintptr_t base, uintptr_t *bias, module_mapping *m)
{
    ElfW(Ehdr) e;
    if (!os_copy_readable(&e, (const void *)base, sizeof e) || memcmp(e.e_ident, ELFMAG, SELFMAG) ||
        e.e_phentsize != sizeof(ElfW(Phdr)) || e.e_phnum == 0 || e.e_phnum > PHDRS_MAX ||
        !os_copy_readable(phdrs, (const void *)(base + e.e_phoff), e.e_phnum * sizeof *phdrs))
        return false;
    bool loaded = false;
    for (size_t i = 0; i < e.e_phnum && !loaded; i++)
        if (phdrs[i].p_type == PT_LOAD) {
            /* The first loaded segment starts the mapping of the file. */
            *bias = base - (uintptr_t)(phdrs[i].p_vaddr - phdrs[i].p_offset);
            loaded = true;
        }
    if (!loaded)
        return false;
    m->build_id_size = 0;
    for (size_t i = 0; i < e.e_phnum && !m->build_id_size; i++)
        if (phdrs[i].p_type == PT_NOTE)
            m->build_id_size = find_build_id(*bias + phdrs[i].p_vaddr, phdrs[i].p_filesz,
                                             m->build_id);
    return true;
}

/* ---- the scan -------------------------------------------------------------------- */

static char chunk[16384];
static module_mapping found_mapping;
static char base_path[MODULE_PATH_MAX]; /* the file last seen mapped at offset 0 */
static uintptr_t base_start;

static void take_line(const maps_line *l, void (*found)(const module_mapping *, void *),
                      void *context)
{
    if (l->path_size == 0 || l->path_size >= MODULE_PATH_MAX || l->path[0] != '/')
        return;
    if (l->offset == 0) {
        memcpy(base_path, l->path, l->path_size);
        base_path[l->path_size] = '\0';
        base_start = l->start;
    }
    if (!l->executable)
        return;
    module_mapping *m = &found_mapping;
    m->start = l->start;
    m->end = l->end;
    m->offset = l->offset;
    memcpy(m->path, l->path, l->path_size);
    m->path[l->path_size] = '\0';
    uintptr_t bias;
    if (base_start && !strcmp(base_path, m->path) && read_elf(base_start, &bias, m)) {
        m->vaddr = m->start - bias;
    } else {
        /* No header found: assume the usual layout, addresses as offsets. */
        m->vaddr = m->offset;
        m->build_id_size = 0;
    }
    found(m, context);
}

bool modules_scan(void (*found)(const module_mapping *, void *), void *context)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    base_start = 0;
    base_path[0] = '\0';
    size_t kept = 0;
    bool skipping = false; /* inside a line longer than the buffer */
    for (;;) {
        ssize_t n = read(fd, chunk + kept, sizeof chunk - kept);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t size = kept + (size_t)n, at = 0;
        for (;;) {
            char *newline = memchr(chunk + at, '\n', size - at);
            if (!newline)
                break;
            maps_line l;
            if (!skipping && parse_line(chunk + at, newline, &l))
                take_line(&l, found, context);
            skipping = false;
            at = (size_t)(newline - chunk) + 1;
        }
        kept = size - at;
        if (kept == sizeof chunk) {
            skipping = true;
            kept = 0;
        } else {
            memmove(chunk, chunk + at, kept);
        }
    }
    close(fd);
    return true;
}

typedef struct finding {
    uintptr_t address;
    module_mapping *out;
    bool found;
} finding;

static void keep_if_holding(const module_mapping *m, void *context)
{
    finding *f = context;
    if (m->start <= f->address && f->address < m->end) {
        *f->out = *m;
        f->found = true;
    }
}

bool modules_find(uintptr_t address, module_mapping *out)
{
    finding f = {address, out, false};
    return modules_scan(keep_if_holding, &f) && f.found;
}
