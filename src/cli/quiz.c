/* quiz.c - one generator per kind of exercise (quiz.h), each drawing its
 * numbers from a splitmix64 stream of the seed, in the shapes the
 * textbooks' own exercises take (OSTEP's homework simulators). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiz.h"

const char *const quiz_kinds[] = {"relocation", "segmentation", "paging", "multilevel",
                                  "tlb", "replacement", "freespace", "cache", NULL};

static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A number in [low, high]. */
static uint64_t draw(uint64_t *state, uint64_t low, uint64_t high)
{
    return low + next(state) % (high - low + 1);
}

static void set(struct quiz *q, const char *key, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void set(struct quiz *q, const char *key, const char *format, ...)
{
    snprintf(q->setting[q->settings].key, sizeof q->setting[0].key, "%s", key);
    va_list args;
    va_start(args, format);
    vsnprintf(q->setting[q->settings].value, sizeof q->setting[0].value, format, args);
    va_end(args);
    q->settings++;
}

/* One more item of the input list. */
static void add(struct quiz *q, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void add(struct quiz *q, const char *format, ...)
{
    size_t used = strlen(q->input);
    if (used)
        used += (size_t)snprintf(q->input + used, sizeof q->input - used, ",");
    va_list args;
    va_start(args, format);
    vsnprintf(q->input + used, sizeof q->input - used, format, args);
    va_end(args);
}

/* Base and bounds: five addresses, some beyond the bounds. */
static void relocation(struct quiz *q, uint64_t *r)
{
    uint64_t bounds = draw(r, 100, 1000), base = draw(r, 0, 1023) * 16;
    set(q, "translation", "base-bounds");
    set(q, "base", "0x%llx", (unsigned long long)base);
    set(q, "bounds", "%llu", (unsigned long long)bounds);
    for (int i = 0; i < 5; i++)
        add(q, "0x%llx", (unsigned long long)draw(r, 0, bounds * 3 / 2));
    q->addresses = true;
    q->task = "give each virtual address's physical address, or say it is out of bounds";
}

/* Two segments chosen by the top bit, the second growing down. */
static void segmentation(struct quiz *q, uint64_t *r)
{
    unsigned bits = (unsigned)draw(r, 7, 10);
    uint64_t size = 1ull << bits, half = size / 2;
    uint64_t limit0 = draw(r, half / 8, half * 3 / 4), limit1 = draw(r, half / 8, half * 3 / 4);
    uint64_t physical = size * 4;
    uint64_t base0 = draw(r, 0, physical - limit0), top1 = draw(r, limit1, physical);
    set(q, "translation", "segmentation");
    set(q, "address-bits", "%u", bits);
    set(q, "segment-bits", "1");
    set(q, "segment", "seg0 0x0 %llu rwx 0x%llx", (unsigned long long)limit0,
        (unsigned long long)base0);
    set(q, "segment", "seg1 0x%llx %llu rwx 0x%llx down", (unsigned long long)size,
        (unsigned long long)limit1, (unsigned long long)top1);
    for (int i = 0; i < 5; i++) { /* about half inside a segment */
        uint64_t va = draw(r, 0, size - 1);
        if (draw(r, 0, 1))
            va = draw(r, 0, 1) ? draw(r, 0, limit0 - 1) : size - draw(r, 1, limit1);
        add(q, "0x%llx", (unsigned long long)va);
    }
    q->addresses = true;
    q->task = "give each virtual address's physical address, or the segment it violates";
}

/* A linear table of raw 32-bit entries, about half of them valid. */
static void paging(struct quiz *q, uint64_t *r)
{
    unsigned page_bits = (unsigned)draw(r, 7, 10), vpn_bits = (unsigned)draw(r, 3, 5);
    uint64_t pages = 1ull << vpn_bits, frames = pages * 2;
    set(q, "address-bits", "%u", page_bits + vpn_bits);
    set(q, "page-size", "%llu", 1ull << page_bits);
    set(q, "levels", "linear");
    set(q, "frames", "%llu", (unsigned long long)frames);
    set(q, "tlb-entries", "0");
    char table[160] = "";
    bool valid[32];
    for (uint64_t vpn = 0; vpn < pages; vpn++) {
        valid[vpn] = draw(r, 0, 1);
        uint64_t entry = valid[vpn] ? 0x80000000ull | draw(r, 0, frames - 1) : 0;
        if (vpn % 8 == 0 && vpn)
            set(q, "page-table", "%s", table), table[0] = '\0';
        snprintf(table + strlen(table), sizeof table - strlen(table), "%s0x%08llx",
                 vpn % 8 ? " " : "", (unsigned long long)entry);
    }
    set(q, "page-table", "%s", table);
    for (int i = 0; i < 5; i++) {
        uint64_t vpn = draw(r, 0, pages - 1);
        for (int tries = 0; !valid[vpn] && tries < 3 && draw(r, 0, 3); tries++)
            vpn = draw(r, 0, pages - 1); /* mostly valid pages, as the exercise does */
        uint64_t offset = draw(r, 0, (1ull << page_bits) - 1);
        add(q, "0x%llx", (unsigned long long)(vpn << page_bits | offset));
    }
    q->addresses = true;
    q->task = "give each virtual address's physical address, or say its page is not valid";
}

#define ML_PAGES 128
#define ML_PAGE 32

/* OSTEP's two-level machine: 128 pages of 32 bytes, 1-byte entries (valid
 * bit 7), a page directory in a random page. */
static void multilevel(struct quiz *q, uint64_t *r)
{
    uint8_t memory[ML_PAGES][ML_PAGE];
    bool used[ML_PAGES] = {false};
    for (int p = 0; p < ML_PAGES; p++)
        for (int b = 0; b < ML_PAGE; b++)
            memory[p][b] = (uint8_t)draw(r, 0, 30);
    /* a free page for each table */
    uint64_t directory = draw(r, 0, ML_PAGES - 1);
    used[directory] = true;
    memset(memory[directory], 0x7f, ML_PAGE);
    uint64_t mapped[40], count = 0;
    for (int t = 0; t < 6; t++) {
        uint64_t pde = draw(r, 0, ML_PAGE - 1), table;
        do
            table = draw(r, 0, ML_PAGES - 1);
        while (used[table]);
        used[table] = true;
        memory[directory][pde] = (uint8_t)(0x80 | table);
        memset(memory[table], 0x7f, ML_PAGE);
        for (int e = 0; e < 6; e++) {
            uint64_t pte = draw(r, 0, ML_PAGE - 1);
            memory[table][pte] = (uint8_t)(0x80 | draw(r, 0, ML_PAGES - 1));
            mapped[count++] = pde << 5 | pte;
        }
    }
    set(q, "address-bits", "15");
    set(q, "page-size", "32");
    set(q, "levels", "5,5");
    set(q, "frames", "128");
    set(q, "memory-image", "quiz.mem");
    set(q, "pdbr", "%llu", (unsigned long long)directory);
    set(q, "entry-size", "1");
    set(q, "entry-format", "valid:7 pfn:0-6");
    for (int i = 0; i < 5; i++) {
        uint64_t vpn = draw(r, 0, 4) ? mapped[draw(r, 0, count - 1)] : draw(r, 0, 1023);
        add(q, "0x%04llx", (unsigned long long)(vpn << 5 | draw(r, 0, ML_PAGE - 1)));
    }
    size_t size = ML_PAGES * (16 + 2 * ML_PAGE) + 1;
    q->image = malloc(size);
    for (size_t p = 0, used_bytes = 0; q->image && p < ML_PAGES; p++) {
        used_bytes += (size_t)snprintf(q->image + used_bytes, size - used_bytes, "page %3zu: ", p);
        for (int b = 0; b < ML_PAGE; b++)
            used_bytes += (size_t)snprintf(q->image + used_bytes, size - used_bytes, "%02x",
                                           memory[p][b]);
        used_bytes += (size_t)snprintf(q->image + used_bytes, size - used_bytes, "\n");
    }
    q->addresses = true;
    q->task = "walk the two-level table from the PDBR for each virtual address: its physical "
              "address and the byte there, or the entry that is not valid";
}

/* A 4-entry fully associative LRU TLB over a few pages with locality. */
static void tlb(struct quiz *q, uint64_t *r)
{
    set(q, "address-bits", "16");
    set(q, "page-size", "256");
    set(q, "levels", "linear");
    set(q, "frames", "64");
    set(q, "tlb-entries", "4");
    set(q, "tlb-ways", "4");
    set(q, "tlb-policy", "lru");
    uint64_t page = draw(r, 0, 255);
    for (int i = 0; i < 12; i++) {
        if (!draw(r, 0, 2))
            page = draw(r, 0, 7) + (page & ~7ull);
        add(q, "0x%04llx", (unsigned long long)(page << 8 | draw(r, 0, 255)));
    }
    q->addresses = true;
    q->task = "say for each address whether the TLB hits or misses, and which misses fault";
}

/* One cache of 16-byte lines in front of 1 KiB of memory (addresses are
 * physical: base and bounds with base 0): direct-mapped or 2-way, 4 or 8
 * sets.  The addresses come back to a few lines and to others of their
 * sets, so that both hits and conflict misses come up. */
static void cache(struct quiz *q, uint64_t *r)
{
    unsigned ways = (unsigned)draw(r, 1, 2), sets = draw(r, 0, 1) ? 8 : 4;
    set(q, "translation", "base-bounds");
    set(q, "address-bits", "10");
    set(q, "base", "0");
    set(q, "bounds", "1024");
    set(q, "cache", "L1 %u %u 16 lru", sets * ways * 16, ways);
    uint64_t lines[4];
    for (int i = 0; i < 4; i++)
        lines[i] = draw(r, 0, 63);
    lines[1] = (lines[0] + sets * draw(r, 1, 3)) % 64; /* a line of the same set */
    for (int i = 0; i < 12; i++)
        add(q, "0x%03llx", (unsigned long long)(lines[draw(r, 0, 3)] * 16 + draw(r, 0, 15)));
    q->addresses = true;
    q->task = "give each address's set and tag, and whether the cache hits or misses (lru)";
}

static const char *const replacement_policies[] = {"fifo", "lru", "opt", "clock"};

/* A reference string on 3 or 4 frames under one of the classic policies. */
static void replacement(struct quiz *q, uint64_t *r)
{
    const char *policy = replacement_policies[draw(r, 0, 3)];
    set(q, "frames", "%llu", (unsigned long long)draw(r, 3, 4));
    set(q, "policy", "%s", policy);
    set(q, "tlb-entries", "0");
    uint64_t pages = draw(r, 5, 8);
    for (uint64_t i = 0, n = draw(r, 12, 16); i < n; i++)
        add(q, "%llu", (unsigned long long)draw(r, 0, pages - 1));
    q->task = "give each reference's hit or miss, the page evicted, and the frames after";
}

static const char *const freespace_policies[] = {"first", "best", "worst"}; /* malloc.py's */

/* malloc.py's exercise: allocations and frees on a 100-byte heap at 1000. */
static void freespace(struct quiz *q, uint64_t *r)
{
    set(q, "policy", "%s", freespace_policies[draw(r, 0, 2)]);
    set(q, "coalesce", "%s", draw(r, 0, 1) ? "yes" : "no");
    set(q, "heap", "100");
    set(q, "base", "1000");
    /* as malloc.py draws them: a free half the time when a block is live */
    unsigned live[16], live_count = 0, allocations = 0;
    for (int i = 0; i < 14; i++) {
        if (live_count && draw(r, 0, 1)) {
            unsigned at = (unsigned)draw(r, 0, live_count - 1);
            add(q, "-%u", live[at]);
            live[at] = live[--live_count];
        } else {
            live[live_count++] = allocations++;
            add(q, "+%llu", (unsigned long long)draw(r, 1, 20));
        }
    }
    q->freespace = true;
    q->task = "give each allocation's address (or its failure), the holes searched and the free "
              "list after each operation";
}

static const struct {
    const char *kind;
    void (*make)(struct quiz *, uint64_t *);
} makers[] = {
    {"relocation", relocation}, {"segmentation", segmentation}, {"paging", paging},
    {"multilevel", multilevel}, {"tlb", tlb}, {"replacement", replacement},
    {"freespace", freespace}, {"cache", cache},
};

int quiz_make(const char *kind, uint64_t seed, struct quiz *q)
{
    *q = (struct quiz){.seed = seed};
    for (size_t i = 0; i < sizeof makers / sizeof makers[0]; i++) {
        if (strcmp(kind, makers[i].kind))
            continue;
        q->kind = makers[i].kind;
        uint64_t state = seed * 0x2545F4914F6CDD1Dull + i; /* each kind its own stream */
        makers[i].make(q, &state);
        return !strcmp(kind, "multilevel") && !q->image ? -1 : 0;
    }
    return -1;
}

void quiz_free(struct quiz *q)
{
    free(q->image);
    q->image = NULL;
}
