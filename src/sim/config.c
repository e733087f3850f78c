/* config.c - the machine's settings: defaults, presets, one setter that
 * machine files and command-line flags share, and the consistency check.
 *
 * Every setting has one name, the one a machine file uses; a flag such as
 * --frames is that name with two dashes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "diag.h"
#include "policy.h"
#include "tlb.h"
#include "value.h"

void sim_config_default(struct sim_config *c)
{
    *c = (struct sim_config){
        .translation = SIM_PAGING,
        .address_bits = 48,
        .page_size = 4096,
        .frames = 256,
        .tlb_entries = 64,
        .tlb_ways = 0, /* 4, or all the entries when there are fewer */
        .tlb_policy = "lru",
        .cpus = 1,
        .tlb_switch = SIM_TLB_ASID,
        .policy = "clock",
        .seed = 1,
        .tau = 10000,
        .tick = 1000,
        .quantum = 10000,
        .cost_tlb_ns = 1,
        .cost_memory_ns = 100,
        .cost_fault_ns = 5e6,
        .cost_swap_write_ns = 5e6,
        .entry_format = {.valid_bit = 31, .pfn_low = 0, .pfn_high = 30}, /* OSTEP's */
        .entry_size = 4,
    };
}

/* ---- value parsers (more in value.c): false if text is not a valid value ---- */

/* A time with its unit, ns, us, ms or s, in nanoseconds; 0 needs none.  A
 * bare "5" is refused: costs are quoted in ns and in ms alike, and a
 * guess would be wrong by a factor of a million. */
static bool parse_time(const char *text, double *out)
{
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (end != text && !*end && value == 0)
        return *out = 0, true;
    static const struct { const char *unit; double scale; } units[] = {
        {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (end != text && !errno && value >= 0 && !strcmp(end, units[i].unit)) {
            *out = value * units[i].scale;
            return true;
        }
    }
    return false;
}

/* "linear", a level count ("4") or bits per level, root first ("9,9,9,9"). */
static bool parse_levels(const char *text, struct sim_config *c)
{
    if (!strcmp(text, "linear")) {
        c->levels = 1;
        c->level_bits[0] = 0;
        return true;
    }
    if (!strchr(text, ',')) {
        uint64_t levels;
        if (!value_parse_u64(text, &levels) || levels < 1 || levels > SIM_MAX_LEVELS)
            return false;
        c->levels = (unsigned)levels;
        c->level_bits[0] = 0;
        return true;
    }
    unsigned levels = 0;
    for (const char *p = text; *p;) {
        char *end;
        unsigned long bits = strtoul(p, &end, 10);
        if (end == p || bits < 1 || bits > 32 || levels == SIM_MAX_LEVELS ||
            (*end && *end != ','))
            return false;
        c->level_bits[levels++] = (unsigned)bits;
        p = *end ? end + 1 : end;
    }
    c->levels = levels;
    return true;
}

/* "r", "rw", "r-x", "rwx": the letters present are the rights. */
static bool parse_prot(const char *text, unsigned *prot)
{
    *prot = 0;
    for (const char *p = text; *p; p++) {
        if (*p == 'r')
            *prot |= SIM_PROT_READ;
        else if (*p == 'w')
            *prot |= SIM_PROT_WRITE;
        else if (*p == 'x')
            *prot |= SIM_PROT_EXEC;
        else if (*p != '-')
            return false;
    }
    return true;
}

/* "NAME BASE LIMIT PROT [PHYSICAL] [down] [shared=ID] [file=NAME]" */
static bool parse_segment(const char *text, struct sim_segment *s)
{
    char name[sizeof s->name], base[32], limit[32], prot[8], extra[4][32];
    int n = sscanf(text, "%15s %31s %31s %7s %31s %31s %31s %31s", name, base, limit, prot,
                   extra[0], extra[1], extra[2], extra[3]);
    *s = (struct sim_segment){0};
    if (n < 4 || !value_parse_size(base, &s->base) || !value_parse_size(limit, &s->limit) ||
        !parse_prot(prot, &s->prot))
        return false;
    memcpy(s->name, name, sizeof name);
    for (int i = 0; i < n - 4; i++) {
        uint64_t id;
        if (!strcmp(extra[i], "down"))
            s->grows_down = true;
        else if (!strcmp(extra[i], "up"))
            s->grows_down = false;
        else if (!strncmp(extra[i], "shared=", 7)) {
            if (!value_parse_u64(extra[i] + 7, &id) || id < 1 || id > UINT16_MAX)
                return false;
            s->shared = (unsigned)id;
        } else if (!strncmp(extra[i], "file=", 5)) {
            if (!extra[i][5] || strlen(extra[i] + 5) >= sizeof s->file)
                return false;
            strcpy(s->file, extra[i] + 5);
        } else if (!value_parse_size(extra[i], &s->physical))
            return false;
        else
            s->placed = true;
    }
    return true;
}

/* "L1d", "L1i", "L2": the level, and the side at level 1. */
static bool parse_cache_name(const char *text, struct sim_cache_config *k)
{
    char *end;
    if (text[0] != 'L' && text[0] != 'l')
        return false;
    unsigned long level = strtoul(text + 1, &end, 10);
    if (end == text + 1 || level < 1 || level > SIM_MAX_CACHES || strlen(text) >= sizeof k->name)
        return false;
    k->level = (unsigned)level;
    k->side = !strcmp(end, "i") ? SIM_CACHE_INSTR : !strcmp(end, "d") ? SIM_CACHE_DATA
                                                                      : SIM_CACHE_UNIFIED;
    if (*end && k->side == SIM_CACHE_UNIFIED)
        return false;
    strcpy(k->name, text);
    return true;
}

/* One of a cache's optional words: its replacement, write policies,
 * inclusion, or its latency. */
static bool parse_cache_option(const char *word, struct sim_cache_config *k)
{
    static const char *const replacements[] = {"lru", "fifo", "random", "plru"};
    for (unsigned i = 0; i < 4; i++)
        if (!strcmp(word, replacements[i]))
            return k->replacement = (enum sim_cache_replacement)i, true;
    if (!strcmp(word, "wb") || !strcmp(word, "wt"))
        return k->write_through = word[1] == 't', true;
    if (!strcmp(word, "wa") || !strcmp(word, "nwa"))
        return k->no_write_allocate = word[0] == 'n', true;
    if (!strcmp(word, "inclusive") || !strcmp(word, "nine"))
        return k->inclusive = word[0] == 'i', true;
    return parse_time(word, &k->latency_ns);
}

/* "NAME SIZE WAYS LINE [lru|fifo|random|plru] [wb|wt] [wa|nwa]
 * [inclusive|nine] [LATENCY]"; WAYS may be "full". */
static bool parse_cache(const char *text, struct sim_cache_config *k)
{
    static const double latency_by_level[] = {1, 4, 12, 30};
    char words[9][32];
    int n = sscanf(text, "%31s %31s %31s %31s %31s %31s %31s %31s %31s", words[0], words[1],
                   words[2], words[3], words[4], words[5], words[6], words[7], words[8]);
    *k = (struct sim_cache_config){0};
    uint64_t ways = 0, line;
    bool full = n >= 3 && !strcmp(words[2], "full");
    if (n < 4 || n > 8 || !parse_cache_name(words[0], k) || !value_parse_size(words[1], &k->size) ||
        (!full && (!value_parse_u64(words[2], &ways) || ways == 0 || ways > 64)) ||
        !value_parse_size(words[3], &line) || line == 0 || line > (1u << 20))
        return false;
    k->line = (unsigned)line;
    k->ways = full ? (unsigned)(k->size / line) : (unsigned)ways;
    k->latency_ns = latency_by_level[k->level <= 4 ? k->level - 1 : 3];
    for (int i = 4; i < n; i++)
        if (!parse_cache_option(words[i], k))
            return false;
    return true;
}

static bool power_of_two(uint64_t x)
{
    return x && !(x & (x - 1));
}

/* "VPN PFN [PROT]" */
static bool parse_map(const char *text, struct sim_map *map)
{
    char vpn[32], pfn[32], prot[8];
    int n = sscanf(text, "%31s %31s %7s", vpn, pfn, prot);
    *map = (struct sim_map){.prot = SIM_PROT_READ | SIM_PROT_WRITE | SIM_PROT_EXEC};
    return n >= 2 && value_parse_u64(vpn, &map->vpn) && value_parse_u64(pfn, &map->pfn) &&
           (n == 2 || parse_prot(prot, &map->prot));
}

/* "E0,E1 E2 ...": raw entries appended to the linear table. */
static bool parse_raw_entries(const char *text, struct sim_config *c)
{
    char item[32];
    int used;
    for (const char *at = text; sscanf(at, " %31[^, \t]%n", item, &used) == 1;) {
        if (c->raw_entry_count == SIM_MAX_MAPS ||
            !value_parse_u64(item, &c->raw_entries[c->raw_entry_count]))
            return false;
        c->raw_entry_count++;
        at += used;
        at += strspn(at, ", \t");
    }
    return true;
}

/* "valid:31 pfn:0-30" */
static bool parse_entry_format(const char *text, struct sim_entry_format *f)
{
    return sscanf(text, " valid:%u pfn:%u-%u", &f->valid_bit, &f->pfn_low, &f->pfn_high) == 3 &&
           f->valid_bit < 64 && f->pfn_low <= f->pfn_high && f->pfn_high < 64 &&
           (f->valid_bit < f->pfn_low || f->valid_bit > f->pfn_high);
}

static bool copy_name(char *dest, size_t size, const char *text)
{
    if (strlen(text) >= size)
        return false;
    strcpy(dest, text);
    return true;
}

static bool set_translation(const char *text, struct sim_config *c)
{
    static const char *const names[] = {"paging", "segmentation", "base-bounds"};
    for (unsigned i = 0; i < 3; i++)
        if (!strcmp(text, names[i]))
            return c->translation = (enum sim_translation)i, true;
    return false;
}

static bool set_unsigned(const char *text, unsigned *out, uint64_t max)
{
    uint64_t value;
    if (!value_parse_u64(text, &value) || value > max)
        return false;
    *out = (unsigned)value;
    return true;
}

/* Built-in machines, as a machine file would set them. */
static const struct preset {
    const char *name;
    const char *settings[24]; /* name, value, name, value, ..., NULL */
} presets[] = {
    {"x86-64", {"translation", "paging", "address-bits", "48", "page-size", "4K", "levels",
                "9,9,9,9", NULL}},
    /* with the caches of a recent x86-64 core */
    {"x86-64-caches", {"translation", "paging", "address-bits", "48", "page-size", "4K",
                       "levels", "9,9,9,9", "cache", "L1i 32K 8 64 lru wb 1ns", "cache",
                       "L1d 48K 12 64 lru wb 1ns", "cache", "L2 2M 16 64 lru wb 4ns", "cache",
                       "L3 16M 16 64 lru wb 12ns", NULL}},
    /* cachegrind's model: virtual addresses (translation is the identity),
     * split level 1 and a last level, write-allocate, lru, nothing inclusive */
    {"cachegrind", {"translation", "base-bounds", "base", "0", "bounds", "0x1000000000000",
                    "cache", "L1i 32K 8 64 lru wb", "cache", "L1d 32K 8 64 lru wb", "cache",
                    "L2 8M 16 64 lru wb", NULL}},
    {"x86-64-2m", {"translation", "paging", "address-bits", "48", "page-size", "2M", "levels",
                   "9,9,9", NULL}},
    {"x86-32", {"translation", "paging", "address-bits", "32", "page-size", "4K", "levels",
                "10,10", NULL}},
    {"tiny", {"translation", "paging", "address-bits", "16", "page-size", "256", "levels",
              "linear", "frames", "8", "tlb-entries", "4", "tlb-ways", "4", NULL}},
};

static bool apply(struct sim_config *c, const char *key, const char *v, bool *known,
                  const char **why);

/* Reset c to the preset called name; false if there is none. */
static bool config_preset(struct sim_config *c, const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        if (strcmp(presets[i].name, name))
            continue;
        sim_config_default(c);
        bool known;
        const char *why;
        for (const char *const *s = presets[i].settings; *s; s += 2)
            apply(c, s[0], s[1], &known, &why);
        return true;
    }
    return false;
}

/* Apply one setting; false if the value is not valid for it, with *why
 * saying more when "invalid value" alone would leave the user guessing. */
static bool apply(struct sim_config *c, const char *key, const char *v, bool *known,
                  const char **why)
{
    *known = true;
    *why = NULL;
    bool flag;
    if (!strcmp(key, "translation"))
        return set_translation(v, c);
    if (!strcmp(key, "address-bits")) {
        *why = "1 to 64";
        return set_unsigned(v, &c->address_bits, 64) && c->address_bits >= 1;
    }
    if (!strcmp(key, "page-size"))
        return value_parse_size(v, &c->page_size);
    if (!strcmp(key, "frames"))
        return c->memory_bytes = 0, value_parse_u64(v, &c->frames);
    if (!strcmp(key, "memory")) {
        *why = "a size above 0, such as 64K or 1M";
        return value_parse_size(v, &c->memory_bytes) && c->memory_bytes > 0;
    }
    if (!strcmp(key, "levels"))
        return parse_levels(v, c);
    if (!strcmp(key, "tlb-entries"))
        return set_unsigned(v, &c->tlb_entries, 1u << 20);
    if (!strcmp(key, "tlb-ways")) {
        *why = "from 1 to the number of TLB entries";
        return set_unsigned(v, &c->tlb_ways, 1u << 20) && c->tlb_ways > 0;
    }
    if (!strcmp(key, "tlb-policy")) {
        enum tlb_replacement unused;
        return tlb_replacement_parse(v, &unused) && copy_name(c->tlb_policy, sizeof c->tlb_policy, v);
    }
    if (!strcmp(key, "tlb-switch")) {
        if (strcmp(v, "flush") && strcmp(v, "asid"))
            return false;
        c->tlb_switch = !strcmp(v, "flush") ? SIM_TLB_FLUSH : SIM_TLB_ASID;
        return true;
    }
    if (!strcmp(key, "policy"))
        return policy_find(v) && copy_name(c->policy, sizeof c->policy, v);
    if (!strcmp(key, "allocation")) {
        if (strcmp(v, "global") && strcmp(v, "local"))
            return false;
        c->local_allocation = !strcmp(v, "local");
        return true;
    }
    if (!strcmp(key, "seed"))
        return value_parse_u64(v, &c->seed);
    if (!strcmp(key, "tau"))
        return value_parse_u64(v, &c->tau);
    if (!strcmp(key, "tick"))
        return value_parse_u64(v, &c->tick) && c->tick > 0;
    if (!strcmp(key, "quantum"))
        return value_parse_u64(v, &c->quantum) && c->quantum > 0;
    if (!strcmp(key, "base"))
        return value_parse_size(v, &c->base);
    if (!strcmp(key, "bounds"))
        return value_parse_size(v, &c->bounds);
    if (!strcmp(key, "map")) {
        *why = "VPN PFN [PROT], e.g. 3 0x1c rw, at most 1024 of them";
        return c->map_count < SIM_MAX_MAPS && parse_map(v, &c->maps[c->map_count]) &&
               ++c->map_count;
    }
    if (!strcmp(key, "page-table")) {
        *why = "raw entries of a linear table from page 0, e.g. 0x8000000c,0x0 (at most 1024)";
        return parse_raw_entries(v, c);
    }
    if (!strcmp(key, "entry-format")) {
        *why = "where a raw entry's bits are, e.g. valid:31 pfn:0-30";
        return parse_entry_format(v, &c->entry_format);
    }
    if (!strcmp(key, "memory-image")) {
        *why = "a file of physical memory's bytes, a hex dump or raw";
        return copy_name(c->memory_image, sizeof c->memory_image, v) && *v;
    }
    if (!strcmp(key, "pdbr")) {
        *why = "the frame number of the top page table";
        return value_parse_u64(v, &c->pdbr);
    }
    if (!strcmp(key, "entry-size")) {
        *why = "1, 2, 4 or 8 bytes";
        return set_unsigned(v, &c->entry_size, 8) && power_of_two(c->entry_size);
    }
    if (!strcmp(key, "segment-bits")) {
        *why = "0 (segments found by their range) or the top bits that choose one, 1 to 16";
        return set_unsigned(v, &c->segment_bits, 16);
    }
    if (!strcmp(key, "cpus")) {
        *why = "1 to 64";
        return set_unsigned(v, &c->cpus, 64) && c->cpus >= 1;
    }
    if (!strcmp(key, "coherence")) {
        static const char *const protocols[] = {"mesi", "moesi", "msi"};
        for (unsigned i = 0; i < 3; i++)
            if (!strcmp(v, protocols[i]))
                return c->coherence = (enum sim_coherence)i, true;
        *why = "mesi, moesi or msi";
        return false;
    }
    if (!strcmp(key, "cache")) {
        *why = "NAME SIZE WAYS LINE [lru|fifo|random|plru] [wb|wt] [wa|nwa] [inclusive|nine] "
               "[LATENCY], as in L1d 32K 8 64 lru wb; or none";
        if (!strcmp(v, "none"))
            return c->cache_count = 0, true;
        if (c->cache_count == SIM_MAX_CACHES) {
            *why = "at most 8 caches";
            return false;
        }
        return parse_cache(v, &c->caches[c->cache_count]) && ++c->cache_count;
    }
    if (!strcmp(key, "segment")) {
        *why = "NAME BASE LIMIT PROT [PHYSICAL] [down] [shared=ID] [file=NAME], at most 8";
        if (c->segment_count == SIM_MAX_SEGMENTS)
            return false;
        return parse_segment(v, &c->segments[c->segment_count]) && ++c->segment_count;
    }
    const struct { const char *key; double *ns; } costs[] = {
        {"cost-tlb", &c->cost_tlb_ns}, {"cost-memory", &c->cost_memory_ns},
        {"cost-fault", &c->cost_fault_ns}, {"cost-swap-write", &c->cost_swap_write_ns}};
    for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++) {
        if (!strcmp(key, costs[i].key)) {
            *why = "a time with its unit, ns, us, ms or s, as in 5ms";
            return parse_time(v, costs[i].ns);
        }
    }
    if (!strcmp(key, "split-straddling"))
        return value_parse_bool(v, &flag) && (c->split_straddling = flag, true);
    if (!strcmp(key, "preset"))
        return config_preset(c, v);
    *known = false;
    return false;
}

const char *const sim_config_names[] = {
    "translation", "address-bits", "page-size", "frames", "memory", "levels",
    "tlb-entries", "tlb-ways", "tlb-policy", "tlb-switch", "policy", "allocation",
    "seed", "tau", "tick", "quantum", "base", "bounds", "segment", "segment-bits", "map",
    "page-table", "entry-format", "memory-image", "pdbr", "entry-size",
    "cost-tlb", "cost-memory", "cost-fault", "cost-swap-write", "split-straddling", "preset",
    "cache", "cpus", "coherence", NULL,
};

bool sim_config_has(const char *key)
{
    for (const char *const *name = sim_config_names; *name; name++)
        if (!strcmp(key, *name))
            return true;
    return false;
}

int sim_config_set(struct sim_config *c, const char *key, const char *value,
                   struct sim_diag *diag)
{
    bool known;
    const char *why;
    if (apply(c, key, value, &known, &why))
        return SIM_OK;
    return value_refused(diag, key, value, known, why);
}

/* ---- the consistency check ---------------------------------------------- */

static unsigned log2_u64(uint64_t x)
{
    unsigned bits = 0;
    while ((1ull << bits) < x)
        bits++;
    return bits;
}

/* Split the page-number bits over the levels: 9 bits a level as on x86-64
 * (the root takes what is left) when only the count is known. */
static int finish_levels(struct sim_config *c, unsigned vpn_bits, struct sim_diag *diag)
{
    if (c->level_bits[0] == 0) {
        unsigned levels = c->levels ? c->levels : (vpn_bits + 8) / 9;
        if (levels > vpn_bits || levels > SIM_MAX_LEVELS)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "levels",
                            "%u levels for %u page-number bits", levels, vpn_bits);
        unsigned each = vpn_bits / levels;
        for (unsigned level = 0; level < levels; level++)
            c->level_bits[level] = each;
        c->level_bits[0] += vpn_bits - each * levels;
        c->levels = levels;
    }
    unsigned sum = 0;
    for (unsigned level = 0; level < c->levels; level++)
        sum += c->level_bits[level];
    if (sum != vpn_bits)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "levels",
                        "the levels index %u bits, but %u-bit addresses with %llu-byte pages "
                        "have %u page-number bits",
                        sum, c->address_bits, (unsigned long long)c->page_size, vpn_bits);
    for (unsigned level = 0; level < c->levels; level++)
        if (c->level_bits[level] > 30)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "levels",
                            "a table of 2^%u entries is too large; use more levels",
                            c->level_bits[level]);
    return SIM_OK;
}

/* A given table's pages lie in the address space and its frames in
 * memory. */
static int check_given_page(const struct sim_config *c, uint64_t vpn, uint64_t pfn,
                            const char *key, struct sim_diag *diag)
{
    unsigned vpn_bits = c->address_bits - log2_u64(c->page_size);
    if (vpn_bits < 64 && vpn >> vpn_bits)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, key,
                        "page 0x%llx is beyond the %u-bit address space (its last page is "
                        "0x%llx)", (unsigned long long)vpn, c->address_bits,
                        (unsigned long long)((1ull << vpn_bits) - 1));
    if (pfn >= c->frames)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, key,
                        "page 0x%llx is in frame 0x%llx, but memory has %llu frames (set frames "
                        "or memory)", (unsigned long long)vpn, (unsigned long long)pfn,
                        (unsigned long long)c->frames);
    return SIM_OK;
}

static int finish_given_table(const struct sim_config *c, struct sim_diag *diag)
{
    if (!!c->map_count + !!c->raw_entry_count + !!c->memory_image[0] > 1)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "page-table",
                        "give the table one way: map lines, raw entries or a memory image");
    if (c->memory_image[0] && c->entry_format.pfn_high >= c->entry_size * 8)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "entry-format",
                        "frame bits up to %u do not fit in entries of %u bytes",
                        c->entry_format.pfn_high, c->entry_size);
    if (c->memory_image[0] && c->entry_format.valid_bit >= c->entry_size * 8)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "entry-format",
                        "valid bit %u does not fit in entries of %u bytes",
                        c->entry_format.valid_bit, c->entry_size);
    for (unsigned i = 0; i < c->map_count; i++) {
        int status = check_given_page(c, c->maps[i].vpn, c->maps[i].pfn, "map", diag);
        if (status)
            return status;
    }
    for (unsigned vpn = 0; vpn < c->raw_entry_count; vpn++) {
        struct sim_map map;
        if (!sim_entry_decode(&c->entry_format, vpn, c->raw_entries[vpn], &map))
            continue;
        int status = check_given_page(c, vpn, map.pfn, "page-table", diag);
        if (status)
            return status;
    }
    return SIM_OK;
}

static int finish_paging(struct sim_config *c, struct sim_diag *diag)
{
    for (unsigned i = 0; i < c->segment_count; i++)
        if (c->segments[i].placed)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "segment",
                            "segment %s: a physical address places a segment under "
                            "segmentation; under paging its pages go to frames (leave it out, "
                            "or set translation = segmentation)",
                            c->segments[i].name);
    unsigned offset_bits = log2_u64(c->page_size);
    if (offset_bits >= c->address_bits)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "address-bits",
                        "%u-bit addresses leave no page-number bits with %llu-byte pages (a "
                        "page of at most 2^%u bytes)", c->address_bits,
                        (unsigned long long)c->page_size, c->address_bits - 1);
    int status = finish_levels(c, c->address_bits - offset_bits, diag);
    if (status)
        return status;
    if (c->memory_bytes) {
        c->frames = c->memory_bytes / c->page_size;
        if (c->frames < 1)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "memory",
                            "%llu bytes do not hold one %llu-byte page",
                            (unsigned long long)c->memory_bytes, (unsigned long long)c->page_size);
    }
    if (c->frames < 1 || c->frames > UINT32_MAX)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "frames",
                        "%llu frames (1 to %u)", (unsigned long long)c->frames, UINT32_MAX);
    if (c->tlb_entries) {
        if (c->tlb_ways == 0)
            c->tlb_ways = c->tlb_entries < 4 ? c->tlb_entries : 4;
        if (c->tlb_ways > c->tlb_entries)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "tlb-ways",
                            "%u ways in a TLB of %u entries: at most %u", c->tlb_ways,
                            c->tlb_entries, c->tlb_entries);
        if (c->tlb_entries % c->tlb_ways || !power_of_two(c->tlb_entries / c->tlb_ways))
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "tlb-ways",
                            "%u entries in sets of %u ways must make a power-of-two number "
                            "of sets", c->tlb_entries, c->tlb_ways);
    }
    return finish_given_table(c, diag);
}

/* With segment-bits, each segment must fill the start (or, growing down,
 * the end) of the region its top bits name, a region of its own. */
static int finish_segment_bits(const struct sim_config *c, struct sim_diag *diag)
{
    if (c->segment_bits >= c->address_bits)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "segment-bits",
                        "%u top bits of a %u-bit address leave no offset", c->segment_bits,
                        c->address_bits);
    unsigned shift = c->address_bits - c->segment_bits;
    uint64_t region = 1ull << shift, regions = 1ull << c->segment_bits;
    for (unsigned i = 0; i < c->segment_count; i++) {
        const struct sim_segment *s = &c->segments[i];
        uint64_t start = s->grows_down ? s->base - region : s->base;
        if (s->base % region || (s->grows_down && !s->base) || start >> shift >= regions)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "segment",
                            "segment %s: with segments chosen by the top %u bits, a segment %s "
                            "a region of 0x%llx bytes (a multiple of it, below 0x%llx)",
                            s->name, c->segment_bits,
                            s->grows_down ? "that grows down has its base at the end of"
                                          : "starts at the start of",
                            (unsigned long long)region, (unsigned long long)(region * regions));
        if (s->limit > region)
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "segment",
                            "segment %s: a limit of 0x%llx is more than its region holds, "
                            "0x%llx bytes", s->name, (unsigned long long)s->limit,
                            (unsigned long long)region);
        for (unsigned j = 0; j < i; j++) {
            const struct sim_segment *o = &c->segments[j];
            uint64_t other = o->grows_down ? o->base - region : o->base;
            if (other == start)
                return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "segment",
                                "segments %s and %s share the top bits %llu", o->name, s->name,
                                (unsigned long long)(start >> shift));
        }
    }
    return SIM_OK;
}

int sim_config_finish(struct sim_config *c, struct sim_diag *diag)
{
    if (!power_of_two(c->page_size))
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "page-size",
                        "%llu is not a power of two", (unsigned long long)c->page_size);
    int cache_status = cache_config_check(c, diag);
    if (cache_status)
        return cache_status;
    if (c->segment_bits && c->translation != SIM_BASE_BOUNDS) {
        int status = finish_segment_bits(c, diag);
        if (status)
            return status;
    }
    for (unsigned i = 0; c->translation != SIM_PAGING && i < c->segment_count; i++)
        if (c->segments[i].shared || c->segments[i].file[0])
            return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "segment",
                            "segment %s: shared= and file= map pages, which needs paging",
                            c->segments[i].name);
    if (c->translation == SIM_PAGING)
        return finish_paging(c, diag);
    if (c->translation == SIM_SEGMENTATION && c->segment_count == 0)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "segment",
                        "segmentation needs at least one segment");
    if (c->translation == SIM_BASE_BOUNDS && c->bounds == 0)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, "bounds",
                        "base-and-bounds needs a bounds register above 0");
    return SIM_OK;
}

bool sim_entry_decode(const struct sim_entry_format *format, uint64_t vpn, uint64_t raw,
                      struct sim_map *map)
{
    unsigned width = format->pfn_high - format->pfn_low + 1;
    uint64_t mask = width >= 64 ? UINT64_MAX : (1ull << width) - 1;
    *map = (struct sim_map){.vpn = vpn, .pfn = (raw >> format->pfn_low) & mask,
                            .prot = SIM_PROT_READ | SIM_PROT_WRITE | SIM_PROT_EXEC};
    return (raw >> format->valid_bit) & 1;
}
