/*
 * suppressions.c - the rules of suppressions=FILE (see suppressions.h):
 * read once at start-up into memory of their own, matched against the
 * frames of a finding's stack, counted as they hide findings.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_CLOEXEC */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suppressions.h"

#define KIND_COUNT (SUPPRESS_LEAK + 1)
#define KIND_LIST "leak, double_free, invalid_free, heap_overflow, heap_underflow, " \
                  "write_after_free, use_after_free, realloc_of_freed_block, invalid_realloc"

/* The kind a rule names: "leak", or an error's words with underscores for
 * spaces; KIND_COUNT if none. */
static unsigned kind_named(const char *name)
{
    if (strcmp(name, "leak") == 0)
        return SUPPRESS_LEAK;
    for (unsigned k = 0; k < ERROR_KIND_COUNT; k++) {
        const char *w = error_kind_words((error_kind)k), *n = name;
        while (*w && (*n == *w || (*n == '_' && *w == ' ')))
            w++, n++;
        if (!*w && !*n)
            return k;
    }
    return KIND_COUNT;
}

/* A rule's text as the file has it: "kind:pattern". */
static void rule_text(unsigned kind, const char *pattern, char *out, size_t size)
{
    const char *w = kind == SUPPRESS_LEAK ? "leak" : error_kind_words((error_kind)kind);
    size_t i = 0;
    for (; w[i] && i + 1 < size; i++)
        out[i] = w[i] == ' ' ? '_' : w[i];
    snprintf(out + i, size - i, ":%s", pattern);
}

typedef struct rule {
    unsigned kind;
    const char *pattern; /* in the file's text, which stays mapped */
    _Atomic uint64_t count, bytes;
} rule;

static struct {
    rule *rules;
    size_t count;
    bool of_kind[KIND_COUNT];
    _Atomic bool table_printed;
} set;

/* ---- reading the file -------------------------------------------------------- */

static char *trim(char *from, char *to)
{
    while (from < to && (*from == ' ' || *from == '\t' || *from == '\r'))
        from++;
    while (to > from && (to[-1] == ' ' || to[-1] == '\t' || to[-1] == '\r'))
        to--;
    *to = '\0';
    return from;
}

/* One line, NUL-terminated in place: a rule into *out, or false (said
 * unless the line is blank or a comment). */
static bool parse_rule(char *line, const char *path, size_t number, rule *out)
{
    char *text = trim(line, line + strlen(line));
    if (*text == '\0' || *text == '#')
        return false;
    char *colon = strchr(text, ':');
    if (!colon) {
        os_printf("mmkit: warning: %s:%zu: not KIND:PATTERN; the line is ignored\n", path,
                  number);
        return false;
    }
    char *kind = trim(text, colon);
    char *pattern = trim(colon + 1, colon + 1 + strlen(colon + 1));
    unsigned k = kind_named(kind);
    if (k < KIND_COUNT && *pattern == '\0') {
        os_printf("mmkit: warning: %s:%zu: no pattern after '%s:'; the line is ignored\n", path,
                  number, kind);
        return false;
    }
    if (k < KIND_COUNT) {
        *out = (rule){.kind = k, .pattern = pattern};
        return true;
    }
    os_printf("mmkit: warning: %s:%zu: unknown kind '%s' (" KIND_LIST "); the line is ignored\n",
              path, number, kind);
    return false;
}

/* The whole file, NUL-terminated, in memory straight from the OS: start-up
 * runs before the heap may serve the allocator itself. */
static char *read_whole(int fd, size_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return NULL;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        return NULL;
    }
    char *text = os_reserve((size_t)st.st_size + 1);
    if (!text)
        return NULL;
    size_t len = 0;
    for (ssize_t n; len < (size_t)st.st_size &&
                    (n = read(fd, text + len, (size_t)st.st_size - len)) != 0;) {
        if (n < 0 && errno != EINTR) {
            os_unreserve(text, (size_t)st.st_size + 1);
            return NULL;
        }
        len += n > 0 ? (size_t)n : 0;
    }
    text[len] = '\0';
    *size = len;
    return text;
}

bool suppressions_load(const char *path)
{
    memset(&set, 0, sizeof set);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t size = 0;
    char *text = fd >= 0 ? read_whole(fd, &size) : NULL;
    if (fd >= 0)
        close(fd);
    if (!text) {
        os_printf("mmkit: warning: suppressions=%s: cannot open it: %s; nothing is suppressed\n",
                  path, strerror(errno));
        return false;
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    set.rules = os_reserve(lines * sizeof *set.rules);
    if (!set.rules) {
        os_printf("mmkit: warning: suppressions=%s: no memory for its rules; nothing is "
                  "suppressed\n", path);
        return false;
    }
    char *line = text;
    for (size_t number = 1; line; number++) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        if (parse_rule(line, path, number, &set.rules[set.count])) {
            set.of_kind[set.rules[set.count].kind] = true;
            set.count++;
        }
        line = end ? end + 1 : NULL;
    }
    return set.count > 0;
}

/* ---- matching ---------------------------------------------------------------- */

/* Does text match pattern[0 .. len), '*' standing for any run of
 * characters?  open_start and open_end: text may hold more before or
 * after the match. */
static bool glob_matches(const char *pattern, size_t len, const char *text, bool open_start,
                         bool open_end)
{
    size_t p = 0, t = 0, tlen = strlen(text);
    size_t retry_p = SIZE_MAX, retry_t = 0; /* after the last '*': where to try again */
    if (open_start)
        retry_p = 0;
    while (t < tlen) {
        if (p < len && pattern[p] == '*') {
            retry_p = ++p;
            retry_t = t;
        } else if (p < len && pattern[p] == text[t]) {
            p++;
            t++;
        } else if (p == len && open_end) {
            return true;
        } else if (retry_p != SIZE_MAX) {
            p = retry_p;
            t = ++retry_t;
        } else {
            return false;
        }
    }
    while (p < len && pattern[p] == '*')
        p++;
    return p == len;
}

static bool pattern_matches(const char *pattern, const char *name)
{
    if (!*name)
        return false;
    size_t len = strlen(pattern);
    bool anchored_start = pattern[0] == '^';
    if (anchored_start) {
        pattern++;
        len--;
    }
    bool anchored_end = len > 0 && pattern[len - 1] == '$';
    if (anchored_end)
        len--;
    return glob_matches(pattern, len, name, !anchored_start, !anchored_end);
}

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Does the rule name the function, source file or library of the frame? */
static bool names_frame(const rule *r, const symbol *s)
{
    return pattern_matches(r->pattern, s->function) || pattern_matches(r->pattern, s->file) ||
           pattern_matches(r->pattern, file_name(s->file)) ||
           pattern_matches(r->pattern, s->module) ||
           pattern_matches(r->pattern, file_name(s->module));
}

bool suppressions_of(unsigned kind)
{
    return kind < KIND_COUNT && set.of_kind[kind];
}

int suppressions_match(unsigned kind, stack_id stack)
{
    if (!suppressions_of(kind))
        return -1;
    uintptr_t pcs[64];
    size_t frames = stack_frames(stack, pcs, 64);
    int first = -1;
    for (size_t i = 0; i < frames; i++) {
        symbol s;
        stack_symbolize(pcs[i], &s);
        size_t before = first < 0 ? set.count : (size_t)first;
        for (size_t r = 0; r < before; r++)
            if (set.rules[r].kind == kind && names_frame(&set.rules[r], &s)) {
                first = (int)r;
                break;
            }
    }
    return first;
}

/* ---- counting and the table of rules used ------------------------------------ */

void suppressions_count(int r, size_t bytes)
{
    atomic_fetch_add_explicit(&set.rules[r].count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&set.rules[r].bytes, bytes, memory_order_relaxed);
}

void suppressions_leak_totals(size_t *bytes, size_t *blocks)
{
    *bytes = *blocks = 0;
    for (size_t r = 0; r < set.count; r++)
        if (set.rules[r].kind == SUPPRESS_LEAK) {
            *bytes += atomic_load_explicit(&set.rules[r].bytes, memory_order_relaxed);
            *blocks += atomic_load_explicit(&set.rules[r].count, memory_order_relaxed);
        }
}

static bool any_used(void)
{
    for (size_t r = 0; r < set.count; r++)
        if (atomic_load_explicit(&set.rules[r].count, memory_order_relaxed))
            return true;
    return false;
}

static void print_table(void)
{
    os_printf("Suppressions used:\n  %8s %12s  rule\n", "count", "bytes");
    for (size_t r = 0; r < set.count; r++) {
        const rule *u = &set.rules[r];
        uint64_t count = atomic_load_explicit(&u->count, memory_order_relaxed);
        if (!count)
            continue;
        char bytes[24] = "-";
        if (u->kind == SUPPRESS_LEAK)
            snprintf(bytes, sizeof bytes, "%llu",
                     (unsigned long long)atomic_load_explicit(&u->bytes, memory_order_relaxed));
        char text[OPTION_TEXT_MAX];
        rule_text(u->kind, u->pattern, text, sizeof text);
        os_printf("  %8llu %12s  %s\n", (unsigned long long)count, bytes, text);
    }
}

void suppressions_print_used(void)
{
    if (!any_used() || atomic_exchange(&set.table_printed, true))
        return;
    print_table();
}

void suppressions_print_report(void)
{
    if (!any_used() || atomic_exchange(&set.table_printed, true))
        return;
    os_printf("==%d== mmkit: suppressions used\n", (int)getpid());
    os_printf("  in process %d (%s)\n", (int)getpid(), os_program_name());
    print_table();
}

void suppressions_print_used_json(void)
{
    os_printf("[");
    const char *comma = "";
    for (size_t r = 0; r < set.count; r++) {
        const rule *u = &set.rules[r];
        uint64_t count = atomic_load_explicit(&u->count, memory_order_relaxed);
        if (!count)
            continue;
        char text[OPTION_TEXT_MAX];
        rule_text(u->kind, u->pattern, text, sizeof text);
        os_printf("%s{", comma);
        os_print_json_string("rule", text);
        if (u->kind == SUPPRESS_LEAK)
            os_printf(",\"count\":%llu,\"bytes\":%llu}", (unsigned long long)count,
                      (unsigned long long)atomic_load_explicit(&u->bytes, memory_order_relaxed));
        else
            os_printf(",\"count\":%llu,\"bytes\":null}", (unsigned long long)count);
        comma = ",";
    }
    os_printf("]");
}
