/* replay_picture_svg.c - a replay's picture (replay_picture.h) as SVG:
 * each policy's heap as a grid of rows of addresses and columns of calls,
 * a run of equal cells of a row drawn as one bar, its colour the size or
 * call site with the most bytes there and its shade how full the row was;
 * below, every policy's external fragmentation, the mean of each column. */
#include <inttypes.h>
#include <stdlib.h>

#include "freespace_svg.h"
#include "replay_picture.h"
#include "sim/svg_chart.h"

#define SHADES 4 /* how full a cell is drawn: a quarter, a half, ... */

static unsigned shade_of(uint8_t fill)
{
    return fill ? 1 + (unsigned)fill * SHADES / 256 : 0;
}

static void cell_colour(const struct freespace_picture *p, unsigned key, unsigned shade,
                        char *colour, size_t size)
{
    double opacity = 0.25 * shade;
    if (!p->by_site)
        snprintf(colour, size, "hsl(%u,70%%,50%%)\" fill-opacity=\"%.2f", key * 37 % 360, opacity);
    else
        snprintf(colour, size, "%s\" fill-opacity=\"%.2f",
                 key < PICTURE_SITES ? svg_line_colour(key) : "#555", opacity);
}

static void print_key_name(FILE *out, const struct freespace_picture *p, unsigned key)
{
    if (!p->by_site)
        fprintf(out, "blocks of %" PRIu64 " to %" PRIu64 " bytes", (uint64_t)1 << key,
                key < 63 ? ((uint64_t)2 << key) - 1 : UINT64_MAX);
    else if (key < PICTURE_SITES && p->sites[key][0])
        svg_escape(out, p->sites[key]);
    else
        fprintf(out, "other call sites");
}

/* The rows the heap ever reached, which the panel's height is given to. */
static size_t rows_used(const struct picture_panel *panel)
{
    size_t used = 1;
    for (size_t c = 0; c < panel->columns; c++)
        for (size_t r = used; r < PICTURE_ROWS; r++)
            if (panel->cells[c][r].fill)
                used = r + 1;
    return used;
}

static void heap_panel(FILE *out, const struct freespace_picture *p,
                       const struct picture_panel *panel, double top)
{
    svg_panel_frame(out, panel->name, top);
    size_t rows = rows_used(panel);
    double row_height = SVG_PANEL / (double)rows;
    fprintf(out, "<text x=\"8\" y=\"%.1f\" font-size=\"10\">%" PRIu64 " bytes</text>\n",
            top + 30, (uint64_t)rows * panel->row_bytes);
    double calls = (double)panel->calls, per = (double)panel->calls_per_column;
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < panel->columns;) {
            struct picture_cell cell = panel->cells[c][r];
            unsigned shade = shade_of(cell.fill);
            size_t end = c + 1;
            while (end < panel->columns && shade_of(panel->cells[end][r].fill) == shade &&
                   (!shade || panel->cells[end][r].key == cell.key))
                end++;
            if (shade) {
                char colour[64];
                cell_colour(p, cell.key, shade, colour, sizeof colour);
                double x0 = svg_x((double)c * per, calls);
                double x1 = svg_x(end * per < calls ? (double)end * per : calls, calls);
                fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                             "fill=\"%s\"><title>%" PRIu64 "..%" PRIu64 ": up to %u%% full, "
                             "mostly ",
                        x0, top + row_height * (double)r, x1 - x0, row_height, colour,
                        panel->base + r * panel->row_bytes,
                        panel->base + (r + 1) * panel->row_bytes - 1, 100 / SHADES * shade);
                print_key_name(out, p, cell.key);
                fprintf(out, "</title></rect>\n");
            }
            c = end;
        }
    }
}

/* Which colours the panels used: how many. */
static size_t keys_used(const struct freespace_picture *p, bool used[PICTURE_KEYS])
{
    size_t count = 0;
    for (size_t i = 0; i < p->count; i++)
        for (size_t c = 0; c < p->panel[i]->columns; c++)
            for (size_t r = 0; r < PICTURE_ROWS; r++) {
                const struct picture_cell *cell = &p->panel[i]->cells[c][r];
                if (cell->fill && !used[cell->key]) {
                    used[cell->key] = true;
                    count++;
                }
            }
    return count;
}

/* The colours used, each named. */
static void legend(FILE *out, const struct freespace_picture *p, const bool used[PICTURE_KEYS],
                   double top)
{
    double y = top;
    for (unsigned key = 0; key < PICTURE_KEYS; key++) {
        if (!used[key])
            continue;
        char colour[64];
        cell_colour(p, key, SHADES, colour, sizeof colour);
        fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                     "<text x=\"%d\" y=\"%.1f\" font-size=\"11\">",
                SVG_LEFT, y, colour, SVG_LEFT + 16, y + 9);
        print_key_name(out, p, key);
        fprintf(out, "</text>\n");
        y += 14;
    }
}

void freespace_picture_svg(FILE *out, struct freespace_picture *p)
{
    freespace_picture_finish(p);
    double chart_top = SVG_GAP + (SVG_PANEL + SVG_GAP) * (double)p->count;
    bool used[PICTURE_KEYS] = {false};
    double height = chart_top + SVG_CHART + 2 * SVG_GAP + 14.0 * (double)keys_used(p, used);
    uint64_t calls = p->count ? p->panel[0]->calls : 0;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
                 "font-family=\"sans-serif\">\n"
                 "<text x=\"8\" y=\"14\" font-size=\"12\">the heap over %" PRIu64
                 " calls: addresses down, calls across; a cell's colour is the %s with the most "
                 "bytes there, its shade how full it was</text>\n",
            SVG_WIDTH, height, calls, p->by_site ? "call site" : "block size");
    for (size_t i = 0; i < p->count; i++)
        heap_panel(out, p, p->panel[i], SVG_GAP + (SVG_PANEL + SVG_GAP) * (double)i);
    const char *names[FREESPACE_COMPARE_MAX];
    double *series[FREESPACE_COMPARE_MAX] = {NULL};
    size_t points = p->count ? p->panel[0]->columns : 0;
    bool drawn = true;
    for (size_t i = 0; i < p->count; i++) {
        const struct picture_panel *panel = p->panel[i];
        names[i] = panel->name;
        points = panel->columns < points ? panel->columns : points;
        series[i] = malloc(sizeof *series[i] * (panel->columns + 1));
        drawn &= series[i] != NULL;
        for (size_t c = 0; series[i] && c < panel->columns; c++)
            series[i][c] = panel->external_calls[c]
                               ? panel->external[c] / (double)panel->external_calls[c]
                               : 0;
    }
    if (drawn)
        svg_fragmentation_chart(out, chart_top, p->count, names, (const double *const *)series,
                                points);
    for (size_t i = 0; i < p->count; i++)
        free(series[i]);
    legend(out, p, used, chart_top + SVG_CHART + 2 * SVG_GAP);
    fprintf(out, "</svg>\n");
}
