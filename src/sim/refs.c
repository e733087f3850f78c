/* refs.c - reference strings for exercises: "7,0,1,2,0,3" (page numbers)
 * or "0x3a7,0x1f0c" (virtual addresses).  Items are separated by a comma or
 * by spaces; an empty item ("1,,2", a comma at either end) is refused, not
 * skipped, as it is more likely a lost number than a wish.  "3w" is a write
 * to page 3; "1:3" is page 3 of process 1. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int sim_refs_parse(const char *text, bool addresses, uint64_t page_size,
                   struct sim_record **records, size_t *count, struct sim_diag *diag)
{
    const char *source = addresses ? "--addrs" : "--refs";
    size_t cap = strlen(text) / 2 + 1, n = 0;
    struct sim_record *out = malloc(sizeof *out * cap);
    if (!out)
        return SIM_ERR_NOMEM;
    const char *p = text;
    bool after_comma = false;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        char field[32];
        snprintf(field, sizeof field, "item %zu", n + 1);
        if ((!*p && after_comma) || *p == ',') {
            free(out);
            return diag_set(diag, SIM_ERR_PARSE, source, 0, field, "empty (%s)",
                            *p ? "a comma with no number before it" : "a comma at the end");
        }
        if (!*p)
            break;
        char *end;
        errno = 0;
        unsigned long long value = strtoull(p, &end, 0);
        unsigned long long pid = 0;
        if (end != p && *end == ':' && !errno) {
            pid = value;
            p = end + 1;
            value = strtoull(p, &end, 0);
        }
        bool write = end != p && (*end == 'w' || *end == 'W');
        end += write;
        const char *problem = end == p || *p == '-' || errno ? "expected a number"
                              : *end && *end != ',' && !isspace((unsigned char)*end)
                                  ? "unexpected text after the number"
                              : pid > UINT16_MAX ? "process number too large"
                              : !addresses && value > UINT64_MAX / page_size
                                  ? "page number too large"
                                  : NULL;
        if (problem) {
            free(out);
            return diag_set(diag, SIM_ERR_PARSE, source, 0, field, "%s near '%.20s'", problem, p);
        }
        out[n++] = (struct sim_record){.addr = addresses ? value : value * page_size,
                                       .size = 1, .pid = (uint16_t)pid,
                                       .kind = write ? SIM_STORE : SIM_LOAD};
        p = end;
        while (isspace((unsigned char)*p))
            p++;
        after_comma = *p == ',';
        p += after_comma;
    }
    if (n == 0) {
        free(out);
        return diag_set(diag, SIM_ERR_PARSE, source, 0, NULL, "no references given");
    }
    *records = out;
    *count = n;
    return SIM_OK;
}
