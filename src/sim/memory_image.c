/* memory_image.c - physical memory as an exercise gives it (memory-image
 * = FILE), and references translated by walking the page tables stored in
 * it, from the table in frame pdbr, reading each entry from the image as
 * the hardware would.  There is no demand paging and no TLB: an entry
 * that is not valid is a protection fault.
 *
 * The file is a hex dump (two hex digits a byte; spaces and '#' comments
 * allowed; "page N:" starts page N, as OSTEP's simulators print memory)
 * or, if it holds a byte that is no text, the bytes themselves. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "kernel.h"
#include "machine.h"
#include "memory_image.h"

#define IMAGE_MAX (64u << 20)

static bool is_text(const uint8_t *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (!isprint(bytes[i]) && !isspace(bytes[i]))
            return false;
    return true;
}

/* Put a byte at *at of the image, growing it: false if beyond IMAGE_MAX
 * or out of memory. */
static bool put_byte(struct memory_image *image, size_t at, uint8_t byte)
{
    if (at >= IMAGE_MAX)
        return false;
    if (at >= image->capacity) {
        size_t capacity = image->capacity ? image->capacity : 4096;
        while (capacity <= at)
            capacity *= 2;
        uint8_t *grown = realloc(image->bytes, capacity);
        if (!grown)
            return false;
        memset(grown + image->capacity, 0, capacity - image->capacity);
        image->bytes = grown;
        image->capacity = capacity;
    }
    image->bytes[at] = byte;
    if (at >= image->size)
        image->size = at + 1;
    return true;
}

/* One line of a hex dump, from *cursor on: 0 or a diag. */
static int parse_line(struct memory_image *image, char *line, const char *path,
                      unsigned long number, uint64_t page_size, size_t *cursor,
                      struct sim_diag *diag)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *at = line + strspn(line, " \t\r\n");
    unsigned long long page;
    int used = 0;
    if (sscanf(at, "page %llu :%n", &page, &used) == 1 && used) {
        if (page > IMAGE_MAX / page_size)
            return diag_set(diag, SIM_ERR_PARSE, path, number, NULL, "page %llu is beyond the "
                            "%u MiB an image may hold", page, IMAGE_MAX >> 20);
        *cursor = (size_t)(page * page_size);
        at += used;
    }
    for (; *at; at++) {
        if (isspace((unsigned char)*at))
            continue;
        if (!isxdigit((unsigned char)at[0]) || !isxdigit((unsigned char)at[1]))
            return diag_set(diag, SIM_ERR_PARSE, path, number, NULL,
                            "column %zu: expected two hex digits, a byte, at '%.8s'",
                            (size_t)(at - line) + 1, at);
        char pair[3] = {at[0], at[1], '\0'};
        if (!put_byte(image, (*cursor)++, (uint8_t)strtoul(pair, NULL, 16)))
            return diag_set(diag, SIM_ERR_PARSE, path, number, NULL,
                            "the image is larger than %u MiB", IMAGE_MAX >> 20);
        at++;
    }
    return SIM_OK;
}

int memory_image_load(struct memory_image *image, const char *path, uint64_t page_size,
                      struct sim_diag *diag)
{
    *image = (struct memory_image){0};
    FILE *in = diag_open_to_read(path, diag);
    if (!in)
        return SIM_ERR_IO;
    uint8_t head[4096];
    size_t got = fread(head, 1, sizeof head, in);
    rewind(in);
    int status = SIM_OK;
    if (!is_text(head, got)) { /* raw bytes */
        int c;
        for (size_t at = 0; !status && (c = fgetc(in)) != EOF; at++)
            if (!put_byte(image, at, (uint8_t)c))
                status = diag_set(diag, SIM_ERR_PARSE, path, 0, NULL,
                                  "the image is larger than %u MiB", IMAGE_MAX >> 20);
    } else {
        char line[4096];
        size_t cursor = 0;
        for (unsigned long number = 1; !status && fgets(line, sizeof line, in); number++)
            status = parse_line(image, line, path, number, page_size, &cursor, diag);
    }
    if (!status && ferror(in))
        status = diag_set(diag, SIM_ERR_IO, path, 0, NULL, "read error");
    if (!status && !image->size)
        status = diag_set(diag, SIM_ERR_PARSE, path, 0, NULL, "no bytes in the memory image");
    fclose(in);
    if (status)
        memory_image_free(image);
    return status;
}

void memory_image_free(struct memory_image *image)
{
    free(image->bytes);
    *image = (struct memory_image){0};
}

/* The entry of entry_size bytes at addr, little-endian; false if the image
 * ends before it. */
static bool read_entry(const struct memory_image *image, uint64_t addr, unsigned size,
                       uint64_t *value)
{
    if (addr >= image->size || image->size - addr < size)
        return false;
    *value = 0;
    for (unsigned i = 0; i < size; i++)
        *value |= (uint64_t)image->bytes[addr + i] << (8 * i);
    return true;
}

uint64_t memory_image_access(struct sim_machine *m, struct process *p, uint64_t addr,
                             unsigned kind)
{
    const struct sim_config *c = &m->config;
    struct image_walk walk = {0};
    uint64_t vpn = addr >> m->page_shift, offset = addr & (c->page_size - 1);
    uint64_t indices[SIM_MAX_LEVELS];
    page_table_indices(&p->page_table, vpn, indices);
    uint64_t table = c->pdbr;
    const char *fault = NULL;
    for (unsigned level = 0; level < c->levels && !fault; level++) {
        struct image_entry *e = &walk.entry[walk.reads];
        e->index = indices[level];
        e->addr = table * c->page_size + indices[level] * c->entry_size;
        if (!read_entry(&m->image, e->addr, c->entry_size, &e->raw)) {
            fault = "a page-table entry lies beyond the memory image";
            break;
        }
        walk.reads++;
        struct sim_map map;
        e->valid = sim_entry_decode(&c->entry_format, vpn, e->raw, &map);
        e->pfn = map.pfn;
        if (!e->valid)
            fault = level + 1 < c->levels ? "page-directory entry not valid"
                                          : "page-table entry not valid";
        table = map.pfn;
    }
    p->stats.walk_accesses += walk.reads;
    walk.paddr = table * c->page_size + offset;
    walk.has_value = !fault && walk.paddr < m->image.size;
    walk.value = walk.has_value ? m->image.bytes[walk.paddr] : 0;
    if (machine_observed(m))
        machine_announce(m, &(struct sim_event){.kind = EVENT_IMAGE_WALK, .walk = &walk});
    if (fault)
        kernel_protection_fault(m, p, addr, kind, -1, fault);
    return walk.paddr;
}
