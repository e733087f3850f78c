/* replay_picture.c - the coarse grid of each policy's heap over a replay
 * (replay_picture.h): blocks' bytes added to and taken off the rows they
 * cover, a column closed every so many calls, and the grid halved along
 * either axis when the trace or the heap outgrows it. */
#include <stdlib.h>
#include <string.h>

#include "class_lists.h"
#include "heap.h"
#include "replay_picture.h"

unsigned picture_size_key(uint64_t size)
{
    return class_log2(size);
}

struct freespace_picture *freespace_picture_create(const char *const *sites, size_t site_count)
{
    struct freespace_picture *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->by_site = sites != NULL;
    for (size_t i = 0; sites && i < site_count && i < PICTURE_SITES; i++)
        snprintf(p->sites[i], sizeof p->sites[i], "%s", sites[i]);
    return p;
}

void freespace_picture_destroy(struct freespace_picture *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->panel[i]->keys.slot);
        free(p->panel[i]->keys.key);
        free(p->panel[i]);
    }
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
    /* The previous panel is done: its last column and no more keys. */
    freespace_picture_finish(p);
    if (p->count) {
        struct picture_keys *done = &p->panel[p->count - 1]->keys;
        free(done->slot);
        free(done->key);
        *done = (struct picture_keys){0};
    }
    p->panel[p->count++] = panel;
    return SIM_OK;
}

/* ---- each live block's colour, by call site ---------------------------- */

static size_t key_home(const struct picture_keys *k, uint64_t slot)
{
    return (size_t)((slot * 0x9E3779B97F4A7C15ULL) >> 20) & (k->capacity - 1);
}

static int keys_grow(struct picture_keys *k)
{
    struct picture_keys grown = {.capacity = k->capacity ? k->capacity * 2 : 1024};
    grown.slot = calloc(grown.capacity, sizeof *grown.slot);
    grown.key = malloc(grown.capacity);
    if (!grown.slot || !grown.key) {
        free(grown.slot);
        free(grown.key);
        return SIM_ERR_NOMEM;
    }
    for (size_t i = 0; i < k->capacity; i++) {
        if (!k->slot[i])
            continue;
        size_t j = key_home(&grown, k->slot[i]);
        while (grown.slot[j])
            j = (j + 1) & (grown.capacity - 1);
        grown.slot[j] = k->slot[i];
        grown.key[j] = k->key[i];
    }
    grown.used = k->used;
    free(k->slot);
    free(k->key);
    *k = grown;
    return SIM_OK;
}

static int keys_put(struct picture_keys *k, uint64_t addr, unsigned key)
{
    if ((k->used + 1) * 2 > k->capacity && keys_grow(k))
        return SIM_ERR_NOMEM;
    size_t i = key_home(k, addr + 1);
    while (k->slot[i])
        i = (i + 1) & (k->capacity - 1);
    k->slot[i] = addr + 1;
    k->key[i] = (uint8_t)key;
    k->used++;
    return SIM_OK;
}

/* The colour of the block at addr, which leaves the table (0 if none). */
static unsigned keys_take(struct picture_keys *k, uint64_t addr)
{
    if (!k->capacity)
        return 0;
    size_t mask = k->capacity - 1, i = key_home(k, addr + 1);
    while (k->slot[i] && k->slot[i] != addr + 1)
        i = (i + 1) & mask;
    if (!k->slot[i])
        return 0;
    unsigned key = k->key[i];
    k->slot[i] = 0;
    k->used--;
    /* Move back the entries after it that would no longer be found. */
    for (size_t j = (i + 1) & mask; k->slot[j]; j = (j + 1) & mask) {
        size_t home = key_home(k, k->slot[j]);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            k->slot[i] = k->slot[j];
            k->key[i] = k->key[j];
            k->slot[j] = 0;
            i = j;
        }
    }
    return key;
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
            unsigned key = p->by_site ? keys_take(&panel->keys, r->block)
                                      : picture_size_key(r->block_size);
            cover(panel, r->block, r->block_size, key, -1);
            continue;
        }
        unsigned key = p->by_site ? (site < PICTURE_SITES ? site : PICTURE_SITES)
                                  : picture_size_key(r->block_size);
        if (p->by_site && keys_put(&panel->keys, r->block, key))
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
