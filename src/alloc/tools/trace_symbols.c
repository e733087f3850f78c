/*
 * trace_symbols.c - naming a trace's frames offline (see trace_symbols.h).
 *
 * Each mapped file gets a libdwfl session of its own, reported at the bias
 * it was loaded with: mappings recorded at different times may overlap (a
 * library unloaded and another loaded in its place), which one session
 * would refuse.  libdw finds separate debug info itself (.gnu_debuglink,
 * /usr/lib/debug/.build-id).  Names are copied into one table of strings,
 * each kept once.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_symbols.h"

#define LIBDW_FUNCTIONS(F)                                                                       \
    F(dwfl_begin) F(dwfl_end) F(dwfl_report_begin) F(dwfl_report_elf) F(dwfl_report_end)        \
    F(dwfl_module_build_id) F(dwfl_module_addrname) F(dwfl_module_getsrc) F(dwfl_lineinfo)     \
    F(dwfl_module_nextcu) F(dwarf_haspc) F(dwarf_getsrc_die) F(dwarf_linesrc) F(dwarf_lineno)   \
    F(dwfl_standard_find_debuginfo) F(dwfl_offline_section_address)

#define FIELD(name) __typeof__(name) *name;
#define LOAD(name) ok = ok && (s->dw.name = (__typeof__(s->dw.name))dlsym(s->lib, #name)) != NULL;

struct trace_module {
    trace_symbols *symbols;
    Dwfl *dwfl;
    Dwfl_Module *module;
    trace_module *next;
};

struct trace_symbols {
    struct {
        LIBDW_FUNCTIONS(FIELD)
    } dw;
    void *lib;
    bool loaded; /* libdw and all its functions */
    Dwfl_Callbacks callbacks;
    trace_module *modules;
    char **strings; /* open addressing; NULL: an empty slot */
    size_t string_count, string_capacity;
};

trace_symbols *trace_symbols_new(void)
{
    trace_symbols *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->lib = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    bool ok = s->lib != NULL;
    LIBDW_FUNCTIONS(LOAD)
    s->loaded = ok;
    s->callbacks.find_debuginfo = s->dw.dwfl_standard_find_debuginfo;
    s->callbacks.section_address = s->dw.dwfl_offline_section_address;
    return s;
}

/* ---- strings, each kept once ------------------------------------------------- */

static size_t string_slot(char *const *strings, size_t capacity, const char *text)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *c = text; *c; c++)
        h = (h ^ (uint8_t)*c) * 1099511628211ull;
    size_t i = (size_t)h & (capacity - 1);
    while (strings[i] && strcmp(strings[i], text))
        i = (i + 1) & (capacity - 1);
    return i;
}

/* The kept copy of text; "" if out of memory. */
static const char *intern(trace_symbols *s, const char *text)
{
    if (!text || !*text)
        return "";
    if ((s->string_count + 1) * 2 > s->string_capacity) {
        size_t capacity = s->string_capacity ? 2 * s->string_capacity : 256;
        char **bigger = calloc(capacity, sizeof *bigger);
        if (!bigger)
            return "";
        for (size_t i = 0; i < s->string_capacity; i++)
            if (s->strings[i])
                bigger[string_slot(bigger, capacity, s->strings[i])] = s->strings[i];
        free(s->strings);
        s->strings = bigger;
        s->string_capacity = capacity;
    }
    size_t i = string_slot(s->strings, s->string_capacity, text);
    if (!s->strings[i]) {
        if (!(s->strings[i] = strdup(text)))
            return "";
        s->string_count++;
    }
    return s->strings[i];
}

/* ---- modules ----------------------------------------------------------------------- */

static bool same_build_id(trace_symbols *s, Dwfl_Module *module, const uint8_t *id, size_t size)
{
    const unsigned char *bits;
    GElf_Addr where;
    int found = s->dw.dwfl_module_build_id(module, &bits, &where);
    return size == 0 || (found == (int)size && !memcmp(bits, id, size));
}

trace_module *trace_symbols_open(trace_symbols *s, const char *path, const uint8_t *build_id,
                                 size_t build_id_size, uint64_t bias)
{
    struct stat st;
    /* A trace may name any path: only regular files are opened (a FIFO
     * would block the reader), and none of the kernel's (/proc/kcore is one
     * of terabytes). */
    if (!s || !s->loaded || !strncmp(path, "/proc/", 6) || !strncmp(path, "/sys/", 5) ||
        !strncmp(path, "/dev/", 5) || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    trace_module *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->symbols = s;
    m->dwfl = s->dw.dwfl_begin(&s->callbacks);
    if (m->dwfl) {
        s->dw.dwfl_report_begin(m->dwfl);
        m->module = s->dw.dwfl_report_elf(m->dwfl, path, path, -1, bias, true);
        s->dw.dwfl_report_end(m->dwfl, NULL, NULL);
    }
    if (!m->module || !same_build_id(s, m->module, build_id, build_id_size)) {
        if (m->dwfl)
            s->dw.dwfl_end(m->dwfl);
        free(m);
        return NULL;
    }
    m->next = s->modules;
    s->modules = m;
    return m;
}

/* The line-table row of `at` when libdw cannot find its compilation unit
 * through .debug_aranges (clang leaves them out by default): look through
 * the units one by one. */
static Dwarf_Line *line_without_aranges(trace_symbols *s, Dwfl_Module *module, uint64_t at)
{
    Dwarf_Addr bias;
    Dwarf_Die *unit = NULL;
    while ((unit = s->dw.dwfl_module_nextcu(module, unit, &bias)))
        if (s->dw.dwarf_haspc(unit, at - bias) > 0)
            return s->dw.dwarf_getsrc_die(unit, at - bias);
    return NULL;
}

void trace_symbols_name(trace_module *m, uint64_t address, const char **function,
                        const char **file, unsigned *line)
{
    trace_symbols *s = m->symbols;
    const char *name = s->dw.dwfl_module_addrname(m->module, address);
    /* Symbol tables name versioned functions "name@@VERSION". */
    char plain[512];
    if (name)
        snprintf(plain, sizeof plain, "%.*s", (int)strcspn(name, "@"), name);
    *function = intern(s, name ? plain : NULL);
    *file = "";
    *line = 0;
    int number = 0;
    const char *source = NULL;
    Dwfl_Line *row = s->dw.dwfl_module_getsrc(m->module, address);
    if (row) {
        Dwarf_Addr at;
        source = s->dw.dwfl_lineinfo(row, &at, &number, NULL, NULL, NULL);
    } else {
        Dwarf_Line *l = line_without_aranges(s, m->module, address);
        source = l ? s->dw.dwarf_linesrc(l, NULL, NULL) : NULL;
        if (source && s->dw.dwarf_lineno(l, &number) != 0)
            source = NULL;
    }
    if (source) {
        *file = intern(s, source);
        *line = number > 0 ? (unsigned)number : 0;
    }
}

void trace_symbols_free(trace_symbols *s)
{
    if (!s)
        return;
    while (s->modules) {
        trace_module *m = s->modules;
        s->modules = m->next;
        s->dw.dwfl_end(m->dwfl);
        free(m);
    }
    for (size_t i = 0; i < s->string_capacity; i++)
        free(s->strings[i]);
    free(s->strings);
    if (s->lib)
        dlclose(s->lib);
    free(s);
}
