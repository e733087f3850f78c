/* items.h - the lists of items the command line takes ("7,0,1,2",
 * "+10 -0"): items separated by a comma or by spaces, or both ("1, 2").
 * An empty item (two commas, a comma at either end) is refused rather
 * than skipped: it is more likely a lost item than a wish. */
#ifndef MMKIT_SIM_ITEMS_H
#define MMKIT_SIM_ITEMS_H

#include <stdbool.h>
#include <stddef.h>

struct items {
    const char *at; /* set to the text; the rest is zero */
    bool after_comma;
};

/* The next item: true with its text at *item, *length characters long,
 * and *empty NULL; or, for an empty item, with *empty saying so ("empty (a
 * comma at the end)").  False after the last item. */
bool items_next(struct items *items, const char **item, size_t *length, const char **empty);

#endif
