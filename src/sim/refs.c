/* refs.c - reference strings for exercises: "7,0,1,2,0,3" (page numbers)
 * or "0x3a7,0x1f0c" (virtual addresses), a list of items as items.h reads
 * them.  "3w" is a write to page 3; "1:3" is page 3 of process 1. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "items.h"

int sim_refs_parse(const char *text, bool addresses, uint64_t page_size,
                   struct sim_record **records, size_t *count, struct sim_diag *diag)
{
    const char *source = addresses ? "--addrs" : "--refs";
    size_t cap = strlen(text) / 2 + 1, n = 0;
    struct sim_record *out = malloc(sizeof *out * cap);
    if (!out)
        return SIM_ERR_NOMEM;
    struct items items = {.at = text};
    const char *p, *problem;
    size_t length;
    while (items_next(&items, &p, &length, &problem)) {
        char field[32];
        snprintf(field, sizeof field, "item %zu", n + 1);
        if (problem) {
            free(out);
            return diag_set(diag, SIM_ERR_PARSE, source, 0, field, "%s", problem);
        }
        const char *item_end = p + length;
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
        problem = end == p || *p == '-' || errno ? "expected a number"
                  : end != item_end ? "unexpected text after the number"
                  : pid > UINT16_MAX ? "process number too large"
                  : !addresses && value > UINT64_MAX / page_size ? "page number too large"
                                                                 : NULL;
        if (problem) {
            free(out);
            return diag_set(diag, SIM_ERR_PARSE, source, 0, field, "%s near '%.20s'", problem, p);
        }
        out[n++] = (struct sim_record){.addr = addresses ? value : value * page_size,
                                       .size = 1, .pid = (uint16_t)pid,
                                       .kind = write ? SIM_STORE : SIM_LOAD};
    }
    if (n == 0) {
        free(out);
        return diag_set(diag, SIM_ERR_PARSE, source, 0, NULL, "no references given");
    }
    *records = out;
    *count = n;
    return SIM_OK;
}
