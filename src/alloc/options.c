/*
 * options.c - MMKIT_OPTIONS ("key=value,key=value"), read once at start-up,
 * and mmkit_option_set/get afterwards.  Nothing here allocates: it runs
 * before the allocator can serve anyone.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

options mmkit_options = {
    .mmap_threshold = LARGEST_CLASS_SIZE,
    .purge_delay_ms = 100,
};

typedef struct option_key {
    const char *name;
    bool is_size; /* accepts K, M, G suffixes */
    long long min, max;
} option_key;

static const option_key keys[] = {
    {"mmap_threshold", true, 0, (long long)1 << 40},
    {"purge_delay_ms", false, 0, 3600 * 1000},
    {"inject_mmap_failure", false, 0, 1 << 30},
    {"verbose", false, 0, 1},
    {"stats", false, 0, 2},
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
static size_t effective_threshold(long long value)
{
    if (value < 1024)
        return 1024;
    if ((size_t)value > LARGEST_CLASS_SIZE)
        return LARGEST_CLASS_SIZE;
    return (size_t)value;
}

static void apply(const option_key *key, long long value)
{
    if (!strcmp(key->name, "mmap_threshold"))
        mmkit_options.mmap_threshold = effective_threshold(value);
    else if (!strcmp(key->name, "purge_delay_ms"))
        mmkit_options.purge_delay_ms = (uint64_t)value;
    else if (!strcmp(key->name, "inject_mmap_failure"))
        mmkit_options.inject_mmap_failure = (uint64_t)value;
    else if (!strcmp(key->name, "verbose"))
        mmkit_options.verbose = (int)value;
    else if (!strcmp(key->name, "stats"))
        mmkit_options.stats = (int)value;
}

static long long current(const option_key *key)
{
    if (!strcmp(key->name, "mmap_threshold"))
        return (long long)mmkit_options.mmap_threshold;
    if (!strcmp(key->name, "purge_delay_ms"))
        return (long long)mmkit_options.purge_delay_ms;
    if (!strcmp(key->name, "inject_mmap_failure"))
        return (long long)mmkit_options.inject_mmap_failure;
    if (!strcmp(key->name, "verbose"))
        return mmkit_options.verbose;
    return mmkit_options.stats;
}

/* Parse a whole number with an optional K/M/G suffix; false if malformed. */
static bool parse_value(const char *text, size_t len, bool is_size, long long *out)
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
    if (is_size && *end) {
        int shift = 0;
        switch (*end) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        default: return false;
        }
        if (end[1] && !((end[1] == 'b' || end[1] == 'B') && !end[2]))
            return false;
        if (value > (LLONG_MAX >> shift))
            return false;
        value <<= shift;
        end += strlen(end);
    }
    if (*end)
        return false;
    *out = value;
    return true;
}

static void warn_unknown(const char *name, size_t name_len)
{
    char line[256];
    snprintf(line, sizeof line, "mmkit: warning: MMKIT_OPTIONS: unknown option '%.*s'\n",
             (int)name_len, name);
    os_write_stderr(line);
}

static void warn_bad_value(const char *value, size_t value_len, const char *name, size_t name_len)
{
    char line[256];
    snprintf(line, sizeof line, "mmkit: warning: MMKIT_OPTIONS: bad value '%.*s' for '%.*s'\n",
             (int)value_len, value, (int)name_len, name);
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
        long long value;
        if (len == 0) {
            /* an empty item, as in "a=1,,b=2": nothing to do */
        } else if (!key) {
            warn_unknown(text, name_len);
        } else if (!eq || !parse_value(eq + 1, len - name_len - 1, key->is_size, &value) ||
                   value < key->min || value > key->max) {
            const char *v = eq ? eq + 1 : "";
            size_t vlen = eq ? len - name_len - 1 : 0;
            warn_bad_value(v, vlen, text, name_len);
        } else {
            apply(key, value);
        }
        text = end ? end + 1 : NULL;
    }
    errno = saved_errno;
}

void options_print(void)
{
    for (size_t i = 0; i < KEY_COUNT; i++) {
        char line[128];
        snprintf(line, sizeof line, "mmkit: option %s=%lld\n", keys[i].name, current(&keys[i]));
        os_write_stderr(line);
    }
}

int mmkit_option_set(const char *key_name, long long value)
{
    const option_key *key = key_name ? find_key(key_name, strlen(key_name)) : NULL;
    if (!key || value < key->min || value > key->max) {
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
