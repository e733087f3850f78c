/* value.c - reading the values of settings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "value.h"

bool value_parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*text || *text == '-')
        return false;
    *out = strtoull(text, &end, 0);
    return !errno && !*end;
}

bool value_parse_size(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*text || *text == '-')
        return false;
    uint64_t value = strtoull(text, &end, 0);
    static const char units[] = "KMGT";
    const char *unit = *end ? strchr(units, *end & ~0x20) : NULL;
    if (unit && *end) {
        unsigned shift = 10u * (unsigned)(unit - units + 1);
        if (value > (UINT64_MAX >> shift))
            return false;
        value <<= shift;
        end++;
        if (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "b"))
            end += strlen(end);
    } else if (!strcmp(end, "B")) {
        end++;
    }
    *out = value;
    return !errno && !*end;
}

bool value_parse_bool(const char *text, bool *out)
{
    if (!strcmp(text, "yes") || !strcmp(text, "true") || !strcmp(text, "1"))
        return *out = true, true;
    if (!strcmp(text, "no") || !strcmp(text, "false") || !strcmp(text, "0"))
        return *out = false, true;
    return false;
}

int value_refused(struct sim_diag *diag, const char *key, const char *value, bool known,
                  const char *why)
{
    if (!known)
        return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, key, "unknown setting");
    return diag_set(diag, SIM_ERR_CONFIG, NULL, 0, key, "invalid value '%s'%s%s%s", value,
                    why ? " (" : "", why ? why : "", why ? ")" : "");
}
