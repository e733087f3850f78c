/* replay_picture.h - a replay's heap over time, kept coarse so that it
 * costs the same memory whatever the trace's length (replay_picture.c),
 * and drawn (replay_picture_svg.c).
 *
 * Each policy's heap is a grid: columns of calls across, rows of
 * addresses down.  A column holds the heap as it was after its last call:
 * per row, how full it was and which colour (a size's power of two, or a
 * call site) had the most bytes there.  When the calls outgrow the
 * columns, neighbouring columns are merged and each column covers twice
 * as many calls; when a block lies beyond the rows, neighbouring rows are
 * merged and each covers twice as many bytes. */
#ifndef MMKIT_FREESPACE_REPLAY_PICTURE_H
#define MMKIT_FREESPACE_REPLAY_PICTURE_H

#include "addr_table.h"
#include "mmkit/freespace.h"

#define PICTURE_COLUMNS 480
#define PICTURE_ROWS 96
#define PICTURE_KEYS 65 /* sizes: 2^0 .. 2^64; call sites use the first few */
#define PICTURE_SITES 8 /* named call sites; the rest are one colour */

struct picture_cell {
    uint8_t fill; /* 0: empty .. 255: every byte of the row in a live block */
    uint8_t key;  /* the colour with the most bytes in the row */
};

struct picture_panel {
    char name[16];
    uint64_t base;
    uint64_t row_bytes;                    /* a power of two */
    uint64_t calls_per_column, calls;      /* calls_per_column a power of two */
    uint64_t bytes[PICTURE_ROWS][PICTURE_KEYS]; /* live now, per row and colour */
    struct picture_cell cells[PICTURE_COLUMNS][PICTURE_ROWS];
    double external[PICTURE_COLUMNS];      /* summed over the column's calls */
    uint64_t external_calls[PICTURE_COLUMNS];
    size_t columns;                        /* filled, the last one still open */
};

struct freespace_picture {
    bool by_site;
    /* by_site: each live block of the last panel's heap by its address,
     * value.colour its call site, so that a free takes its bytes off */
    struct addr_table colours;
    char sites[PICTURE_SITES][96]; /* by_site: their names, "" past the last */
    size_t count;
    struct picture_panel *panel[FREESPACE_COMPARE_MAX];
};

/* The last panel's heap is done: its last column drawn (add and _svg
 * call this). */
void freespace_picture_finish(struct freespace_picture *picture);

#endif
