/* replay_picture.c - the coarse grid of each policy's heap over a replay
 * (replay_picture.h): blocks' bytes added to and taken off the rows they
 * cover, a column closed every so many calls, and the grid halved along
 * either axis when the trace or the heap outgrows it. */
#include <stdlib.h>
#include <string.h>

#include "class_lists.h"
#include "heap.h"
#include "replay_picture.h"

struct freespace_picture *freespace_picture_create(const char *const *sites, size_t site_count)
{
    struct freespace_picture *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->by_site = sites != NULL;
    for (size_t i = 0; sites && i < site_count && i < PICTURE_SITES; i++)
        snprintf(p->sites[i], sizeof p->sites[i], "%s", sites[i]);
    if (p->by_site && addr_table_init(&p->colours)) {
        free(p);
        return NULL;
    }
    return p;
}

void freespace_picture_destroy(struct freespace_picture *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        free(p->panel[i]);
    if (p->by_site)
        addr_table_free(&p->colours);
    free(p);
}

int freespace_picture_add(struct freespace_picture *p, const struct freespace_heap *heap)
{
    if (p->count == FREESPACE_COMPARE_MAX)
        return SIM_ERR_CONFIG;
    struct picture_panel *panel = calloc(1, sizeof *panel);
    if (!panel)
        return SIM_ERR_NOMEM;
    snprintf(panel->name, sizeof panel->name, "%s", heap->config.policy);
    panel->base = heap->config.base;
    panel->row_bytes = 1;
    while (panel->row_bytes * PICTURE_ROWS < heap->config.size && panel->row_bytes < 1ULL << 57)
        panel->row_bytes *= 2;
    panel->calls_per_column = 1;
    /* The previous panel is done: its last column, and the colours of its
     * blocks go. */
    freespace_picture_finish(p);
    if (p->by_site && p->count) {
        addr_table_free(&p->colours);
        if (addr_table_init(&p->colours)) {
            free(panel);
            return SIM_ERR_NOMEM;
        }
    }
    p->panel[p->count++] = panel;
    return SIM_OK;
}

/* ---- each live block's colour, by call site ---------------------------- */

static int colour_put(struct addr_table *colours, uint64_t addr, unsigned colour)
{
    bool held;
    struct addr_slot *slot = addr_table_claim(colours, addr, &held);
    if (!slot)
        return SIM_ERR_NOMEM;
    slot->value.colour = colour;
    return SIM_OK;
}

/* The colour of the block at addr, which leaves the table (0 if none). */
static unsigned colour_take(struct addr_table *colours, uint64_t addr)
{
    struct addr_slot *slot = addr_table_find(colours, addr);
    if (!slot)
        return 0;
    unsigned colour = (unsigned)slot->value.colour;
    addr_table_remove(colours, slot);
    return colour;
}

/* ---- the grid -------------------------------------------------------- */

/* Each row covers twice as many bytes: rows and cells merged in pairs. */
static void halve_rows(struct picture_panel *panel)
{
    for (size_t r = 0; r < PICTURE_ROWS; r++)
        for (size_t k = 0; k < PICTURE_KEYS; k++) {
            uint64_t merged = 0;
            if (2 * r < PICTURE_ROWS)
                merged = panel->bytes[2 * r][k] +
                         (2 * r + 1 < PICTURE_ROWS ? panel->bytes[2 * r + 1][k] : 0);
            panel->bytes[r][k] = merged;
        }
    for (size_t c = 0; c < panel->columns; c++) {
        struct picture_cell *cells = panel->cells[c];
        for (size_t r = 0; r < PICTURE_ROWS; r++) {
            struct picture_cell a = {0}, b = {0};
            if (2 * r < PICTURE_ROWS)
                a = cells[2 * r];
            if (2 * r + 1 < PICTURE_ROWS)
                b = cells[2 * r + 1];
            cells[r] = (struct picture_cell){(uint8_t)((a.fill + b.fill) / 2),
                                             a.fill >= b.fill ? a.key : b.key};
        }
    }
    panel->row_bytes *= 2;
}

/* Each column covers twice as many calls: columns merged in pairs, the
 * later one's heap kept. */
static void halve_columns(struct picture_panel *panel)
{
    size_t kept = 0;
    for (size_t c = 0; c < panel->columns; c += 2, kept++) {
        size_t last = c + 1 < panel->columns ? c + 1 : c;
        memcpy(panel->cells[kept], panel->cells[last], sizeof panel->cells[kept]);
        double external = panel->external[c] + (last != c ? panel->external[last] : 0);
        uint64_t calls = panel->external_calls[c] + (last != c ? panel->external_calls[last] : 0);
        panel->external[kept] = external;
        panel->external_calls[kept] = calls;
    }
    panel->columns = kept;
    panel->calls_per_column *= 2;
}

/* Add (sign 1) or take off (-1) a block's bytes on the rows it covers. */
static void cover(struct picture_panel *panel, uint64_t addr, uint64_t size, unsigned key,
                  int sign)
{
    uint64_t offset = addr - panel->base;
    while (sign > 0 && (offset + size - 1) / panel->row_bytes >= PICTURE_ROWS)
        halve_rows(panel);
    uint64_t end = offset + size;
    for (uint64_t at = offset; at < end;) {
        uint64_t row = at / panel->row_bytes;
        if (row >= PICTURE_ROWS)
            break; /* a block placed before the rows grew can be freed after */
        uint64_t row_end = (row + 1) * panel->row_bytes;
        uint64_t bytes = (end < row_end ? end : row_end) - at;
        if (sign > 0)
            panel->bytes[row][key] += bytes;
        else
            panel->bytes[row][key] -= bytes < panel->bytes[row][key] ? bytes
                                                                      : panel->bytes[row][key];
        at += bytes;
    }
}

/* The heap as it is now, into the open column. */
static void snapshot(struct picture_panel *panel)
{
    struct picture_cell *cells = panel->cells[panel->columns - 1];
    for (size_t r = 0; r < PICTURE_ROWS; r++) {
        uint64_t total = 0, most = 0;
        unsigned key = 0;
        for (unsigned k = 0; k < PICTURE_KEYS; k++) {
            total += panel->bytes[r][k];
            if (panel->bytes[r][k] > most) {
                most = panel->bytes[r][k];
                key = k;
            }
        }
        uint64_t fill = total >= panel->row_bytes ? 255 : total * 255 / panel->row_bytes;
        cells[r] = (struct picture_cell){(uint8_t)(total && !fill ? 1 : fill), (uint8_t)key};
    }
}

int freespace_picture_call(struct freespace_picture *p, const struct freespace_heap *heap,
                           const struct freespace_replayed *done, unsigned site)
{
    struct picture_panel *panel = p->panel[p->count - 1];
    for (size_t i = 0; i < done->count; i++) {
        const struct freespace_result *r = &done->op[i];
        if (r->failed)
            continue;
        if (r->op.kind == FREESPACE_FREE) {
            unsigned key = p->by_site ? colour_take(&p->colours, r->block)
                                      : class_log2(r->block_size);
            cover(panel, r->block, r->block_size, key, -1);
            continue;
        }
        unsigned key = p->by_site ? (site < PICTURE_SITES ? site : PICTURE_SITES)
                                  : class_log2(r->block_size);
        if (p->by_site && colour_put(&p->colours, r->block, key))
            return SIM_ERR_NOMEM;
        cover(panel, r->block, r->block_size, key, 1);
    }
    if (panel->calls == panel->calls_per_column * panel->columns) { /* open the next column */
        if (panel->columns)
            snapshot(panel); /* the heap as the last column leaves it */
        if (panel->columns == PICTURE_COLUMNS)
            halve_columns(panel);
        if (panel->calls == panel->calls_per_column * panel->columns) {
            panel->external[panel->columns] = 0;
            panel->external_calls[panel->columns] = 0;
            panel->columns++;
        }
    }
    panel->calls++;
    panel->external[panel->columns - 1] += heap->stats.external_now;
    panel->external_calls[panel->columns - 1]++;
    return SIM_OK;
}

void freespace_picture_finish(struct freespace_picture *p)
{
    if (p->count && p->panel[p->count - 1]->columns)
        snapshot(p->panel[p->count - 1]);
}
