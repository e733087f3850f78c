/*
 * options.c - MMKIT_OPTIONS ("key=value,key=value"), read once at start-up,
 * and mmkit_option_set/get afterwards (set: only the options read each time
 * they matter).  Nothing here allocates: it runs before the allocator can
 * serve anyone.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmkit/mmkit.h"
#include "platform.h"

options mmkit_options = {
    .mmap_threshold = MMAP_THRESHOLD_MAX,
    .purge_delay_ms = 100,
    .abort_on_error = 1,
    .leaks = -1,
    .quarantine = -1,
    .sample_rate = 5000,
    .sample_slots = 256,
    .guard_blocks = 16384,
    .stack_depth = 16,
    .trace_stacks = 64,
    .shuffle = 8,
    .children = 1,
};

/* The words of options that take one, indexed by value. */
static const char *const mode_words[] = {"fast", "hardened", "debug", "sample", NULL};
static const char *const none_all_words[] = {"none", "all", NULL};
static const char *const no_yes_words[] = {"no", "yes", NULL};

typedef enum value_kind { NUMBER, SIZE, DURATION, WORDS, TEXT } value_kind;

/* When a change of the option takes effect: read once by start-up, or
 * read each time it matters (mmkit_option_set may change only these). */
typedef enum read_when { AT_START_UP, ANY_TIME } read_when;

typedef struct option_key {
    const char *name;
    value_kind kind;
    read_when read;
    long long min, max;         /* NUMBER, SIZE and DURATION */
    const char *const *words;   /* WORDS: the value is the word's index */
    void *field;                /* where the value lives (TEXT: a char[OPTION_TEXT_MAX]) */
    bool wide;                  /* a 64-bit field, else an int */
} option_key;

#define FIELD(f) (void *)&mmkit_options.f, sizeof mmkit_options.f == 8
#define TEXT_FIELD(f) mmkit_options.f, false
_Static_assert(sizeof mmkit_options.trace_path == OPTION_TEXT_MAX &&
                   sizeof mmkit_options.log_file == OPTION_TEXT_MAX &&
                   sizeof mmkit_options.suppressions == OPTION_TEXT_MAX,
               "a TEXT option's field holds OPTION_TEXT_MAX characters");
static const option_key keys[] = {
    {"mmap_threshold", SIZE, ANY_TIME, 0, (long long)1 << 40, NULL, FIELD(mmap_threshold)},
    {"purge_delay_ms", NUMBER, ANY_TIME, 0, 3600 * 1000, NULL, FIELD(purge_delay_ms)},
    {"inject_mmap_failure", NUMBER, ANY_TIME, 0, 1 << 30, NULL, FIELD(inject_mmap_failure)},
    {"verbose", NUMBER, AT_START_UP, 0, 1, NULL, FIELD(verbose)},
    {"stats", NUMBER, ANY_TIME, 0, 2, NULL, FIELD(stats)},
    {"stats_interval", DURATION, AT_START_UP, 0, 7 * 24 * 3600 * 1000ll, NULL,
     FIELD(stats_interval_ms)},
    {"mode", WORDS, AT_START_UP, 0, 3, mode_words, FIELD(mode)},
    {"abort_on_error", NUMBER, ANY_TIME, 0, 1, NULL, FIELD(abort_on_error)},
    {"error_exitcode", NUMBER, ANY_TIME, 0, 255, NULL, FIELD(error_exitcode)},
    {"leaks", NUMBER, AT_START_UP, 0, 2, NULL, FIELD(leaks)},
    {"zero_on_free", NUMBER, AT_START_UP, 0, 1, NULL, FIELD(zero_on_free)},
    {"shuffle", NUMBER, ANY_TIME, 0, SHUFFLE_MAX, NULL, FIELD(shuffle)},
    {"guard", WORDS, AT_START_UP, 0, 1, none_all_words, FIELD(guard)},
    {"guard_blocks", NUMBER, AT_START_UP, 0, 1 << 22, NULL, FIELD(guard_blocks)},
    {"quarantine", SIZE, AT_START_UP, 0, (long long)1 << 40, NULL, FIELD(quarantine)},
    {"sample_rate", NUMBER, AT_START_UP, 1, 1 << 30, NULL, FIELD(sample_rate)},
    {"sample_slots", NUMBER, AT_START_UP, 1, 1 << 20, NULL, FIELD(sample_slots)},
    {"stack_depth", NUMBER, AT_START_UP, 0, 64, NULL, FIELD(stack_depth)},
    {"limit", SIZE, ANY_TIME, 0, LLONG_MAX, NULL, FIELD(limit)},
    {"lock", WORDS, AT_START_UP, 0, 1, none_all_words, FIELD(lock)},
    {"children", WORDS, AT_START_UP, 0, 1, no_yes_words, FIELD(children)},
    {"trace", TEXT, AT_START_UP, 0, 0, NULL, TEXT_FIELD(trace_path)},
    {"log_file", TEXT, AT_START_UP, 0, 0, NULL, TEXT_FIELD(log_file)},
    {"suppressions", TEXT, AT_START_UP, 0, 0, NULL, TEXT_FIELD(suppressions)},
    {"trace_stacks", NUMBER, AT_START_UP, 0, 64, NULL, FIELD(trace_stacks)},
};
#define KEY_COUNT (sizeof keys / sizeof keys[0])

static const option_key *find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < KEY_COUNT; i++)
        if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
            return &keys[i];
    return NULL;
}

/* Blocks up to 1 KiB always come from size classes, whatever the threshold:
 * it keeps the fast path free of a comparison.  Above the largest class
 * every block is huge. */
static long long effective_threshold(long long value)
{
    if (value < 1024)
        return 1024;
    if ((size_t)value > MMAP_THRESHOLD_MAX)
        return (long long)MMAP_THRESHOLD_MAX;
    return value;
}

static void apply(const option_key *key, long long value)
{
    if (key->field == &mmkit_options.mmap_threshold)
        value = effective_threshold(value);
    if (key->wide)
        atomic_store_explicit((_Atomic uint64_t *)key->field, (uint64_t)value, memory_order_relaxed);
    else
        atomic_store_explicit((_Atomic int *)key->field, (int)value, memory_order_relaxed);
}

static long long current(const option_key *key)
{
    if (key->kind == TEXT)
        return ((const char *)key->field)[0] != '\0';
    if (key->wide)
        return (long long)atomic_load_explicit((_Atomic uint64_t *)key->field, memory_order_relaxed);
    return atomic_load_explicit((_Atomic int *)key->field, memory_order_relaxed);
}

/* The suffixes a value may carry, with what each multiplies it by. */
typedef struct unit {
    const char *suffix;
    long long scale;
} unit;
static const unit no_units[] = {{"", 1}, {NULL, 0}};
static const unit size_units[] = {{"", 1},        {"k", 1ll << 10}, {"kb", 1ll << 10},
                                  {"m", 1ll << 20}, {"mb", 1ll << 20}, {"g", 1ll << 30},
                                  {"gb", 1ll << 30}, {NULL, 0}};
/* Durations in milliseconds: a unit is needed (but for 0), as "1" could
 * mean a second or a millisecond. */
static const unit duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {NULL, 0}};

/* Parse a whole number with one of the kind's suffixes; false if malformed. */
static bool parse_number(const char *text, size_t len, value_kind kind, long long *out)
{
    if (len == 0 || len > 30)
        return false;
    char buf[32];
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    long long value = strtoll(buf, &end, 0);
    if (errno || end == buf || value < 0)
        return false;
    const unit *units = kind == SIZE ? size_units : kind == DURATION ? duration_units : no_units;
    if (value == 0 && !*end) {
        *out = 0;
        return true;
    }
    for (const unit *u = units; u->suffix; u++)
        if (strcasecmp(end, u->suffix) == 0) {
            if (value > LLONG_MAX / u->scale)
                return false;
            *out = value * u->scale;
            return true;
        }
    return false;
}

static bool parse_word(const char *text, size_t len, const char *const *words, long long *out)
{
    for (long long i = 0; words[i]; i++)
        if (strlen(words[i]) == len && memcmp(words[i], text, len) == 0) {
            *out = i;
            return true;
        }
    return false;
}

/* Parse and apply one value; false if it is malformed or out of range. */
static bool set_from_text(const option_key *key, const char *text, size_t len)
{
    long long value;
    if (key->kind == TEXT) {
        if (len == 0 || len >= OPTION_TEXT_MAX)
            return false;
        memcpy(key->field, text, len);
        ((char *)key->field)[len] = '\0';
        return true;
    }
    bool parsed = key->kind == WORDS ? parse_word(text, len, key->words, &value)
                                     : parse_number(text, len, key->kind, &value);
    if (!parsed || value < key->min || value > key->max)
        return false;
    apply(key, value);
    return true;
}

/* Text of MMKIT_OPTIONS as a warning shows it: at most 64 characters, and
 * those that are not printable ASCII as '?', so a warning stays one line. */
static const char *shown(const char *text, size_t len, char out[72])
{
    size_t n = len < 64 ? len : 64;
    for (size_t i = 0; i < n; i++)
        out[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
    strcpy(out + n, len > n ? "..." : "");
    return out;
}

static void warn_unknown(const char *name, size_t name_len)
{
    char line[256], shown_name[72];
    snprintf(line, sizeof line, "mmkit: warning: MMKIT_OPTIONS: unknown option '%s'\n",
             shown(name, name_len, shown_name));
    os_write_stderr(line);
}

static void warn_bad_value(const char *value, size_t value_len, const char *name, size_t name_len)
{
    char line[256], shown_value[72], shown_name[72];
    snprintf(line, sizeof line, "mmkit: warning: MMKIT_OPTIONS: bad value '%s' for '%s'\n",
             shown(value, value_len, shown_value), shown(name, name_len, shown_name));
    os_write_stderr(line);
}

void options_init(const char *text)
{
    int saved_errno = errno;
    while (text && *text) {
        const char *end = strchr(text, ',');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        const char *eq = memchr(text, '=', len);
        size_t name_len = eq ? (size_t)(eq - text) : len;
        const option_key *key = find_key(text, name_len);
        if (len == 0) {
            /* an empty item, as in "a=1,,b=2": nothing to do */
        } else if (!key) {
            warn_unknown(text, name_len);
        } else if (!eq || !set_from_text(key, eq + 1, len - name_len - 1)) {
            const char *v = eq ? eq + 1 : "";
            size_t vlen = eq ? len - name_len - 1 : 0;
            warn_bad_value(v, vlen, text, name_len);
        }
        text = end ? end + 1 : NULL;
    }
    errno = saved_errno;
}

void options_print(void)
{
    for (size_t i = 0; i < KEY_COUNT; i++) {
        char line[4200];
        const option_key *key = &keys[i];
        if (key->kind == TEXT)
            snprintf(line, sizeof line, "mmkit: option %s=%s\n", key->name,
                     (const char *)key->field);
        else if (key->kind == WORDS)
            snprintf(line, sizeof line, "mmkit: option %s=%s\n", key->name, key->words[current(key)]);
        else if (key->kind == DURATION)
            snprintf(line, sizeof line, "mmkit: option %s=%lldms\n", key->name, current(key));
        else
            snprintf(line, sizeof line, "mmkit: option %s=%lld\n", key->name, current(key));
        os_write_stderr(line);
    }
}

int mmkit_option_set(const char *key_name, long long value)
{
    const option_key *key = key_name ? find_key(key_name, strlen(key_name)) : NULL;
    if (!key || key->read != ANY_TIME || key->kind == TEXT || value < key->min ||
        value > key->max) {
        errno = EINVAL;
        return -1;
    }
    apply(key, value);
    return 0;
}

long long mmkit_option_get(const char *key_name)
{
    const option_key *key = key_name ? find_key(key_name, strlen(key_name)) : NULL;
    if (!key) {
        errno = EINVAL;
        return -1;
    }
    return current(key);
}
