/* items.c - splitting a list of items. */
#include <ctype.h>

#include "items.h"

static bool separator(char c)
{
    return c == ',' || isspace((unsigned char)c);
}

bool items_next(struct items *items, const char **item, size_t *length, const char **empty)
{
    const char *p = items->at;
    while (isspace((unsigned char)*p))
        p++;
    *item = p;
    *length = 0;
    *empty = NULL;
    if (*p == ',') {
        *empty = "empty (a comma with nothing before it)";
        return true;
    }
    if (!*p) {
        *empty = items->after_comma ? "empty (a comma at the end)" : NULL;
        items->after_comma = false;
        return *empty != NULL;
    }
    while (*p && !separator(*p))
        p++;
    *length = (size_t)(p - *item);
    while (isspace((unsigned char)*p))
        p++;
    items->after_comma = *p == ',';
    items->at = p + items->after_comma;
    return true;
}
