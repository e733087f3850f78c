/* compare_svg.c - the pictures of a comparison: for each policy, its heap
 * over time (operations across, addresses down, each block a bar from its
 * allocation to its free, coloured by the power of two of its size or by
 * the allocation that made it), and below, every policy's external
 * fragmentation after each operation. */
#include <inttypes.h>
#include <stdlib.h>

#include "class_lists.h"
#include "compare.h"
#include "freespace_svg.h"

#define BLOCKS_DRAWN 20000 /* per policy: beyond, the picture says how many are left out */

/* x of the start of operation op (from 1). */
static double x_of(const struct freespace_comparison *c, double op)
{
    return svg_x(op - 1, (double)c->operations);
}

static void heap_panel(FILE *out, const struct freespace_comparison *c, const struct policy_run *run,
                       double top, bool by_call)
{
    double scale = SVG_PANEL / (double)run->config.size;
    svg_panel_frame(out, run->name, top);
    uint64_t drawn = 0, left_out = 0;
    for (uint64_t i = 0; i < c->allocations; i++) {
        const struct block_life *b = &run->blocks[i];
        if (!b->size)
            continue;
        if (drawn == BLOCKS_DRAWN) {
            left_out++;
            continue;
        }
        double x0 = x_of(c, (double)b->allocated);
        double x1 = x_of(c, b->freed ? (double)b->freed : (double)c->operations + 1);
        double y = top + (double)(b->addr - run->config.base) * scale;
        double h = (double)b->size * scale;
        fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" ", x0, y, x1 - x0,
                h < 0.5 ? 0.5 : h);
        if (by_call)
            fprintf(out, "fill=\"%s\"><title>ptr[%" PRIu64 "]: ", svg_line_colour(i), i);
        else
            fprintf(out, "fill=\"hsl(%u,70%%,50%%)\"><title>", class_log2(b->size) * 37 % 360);
        fprintf(out, "%" PRIu64 " bytes at %" PRIu64 ", ops %" PRIu64 " to %" PRIu64
                     "</title></rect>\n",
                b->size, b->addr, b->allocated, b->freed ? b->freed : c->operations);
        drawn++;
    }
    if (left_out)
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\">(%" PRIu64
                     " more blocks not drawn)</text>\n",
                SVG_LEFT, top + SVG_PANEL + 14, left_out);
}

void freespace_compare_svg(FILE *out, const struct freespace_comparison *c, bool by_call)
{
    double height = (SVG_PANEL + SVG_GAP) * (double)c->count + SVG_CHART + 3 * SVG_GAP;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
                 "font-family=\"sans-serif\">\n"
                 "<text x=\"8\" y=\"14\" font-size=\"12\">the heap over %" PRIu64
                 " operations: addresses down, operations across; a block's colour is %s</text>\n",
            SVG_WIDTH, height, c->operations,
            by_call ? "the allocation's (ptr[0], ptr[1], ...)" : "its size's power of two");
    for (size_t r = 0; r < c->count; r++)
        heap_panel(out, c, &c->run[r], SVG_GAP + (SVG_PANEL + SVG_GAP) * (double)r, by_call);
    const char *names[FREESPACE_COMPARE_MAX];
    const double *series[FREESPACE_COMPARE_MAX];
    for (size_t r = 0; r < c->count; r++) {
        names[r] = c->run[r].name;
        series[r] = c->run[r].external;
    }
    svg_fragmentation_chart(out, SVG_GAP + (SVG_PANEL + SVG_GAP) * (double)c->count, c->count,
                            names, series, c->operations);
    fprintf(out, "</svg>\n");
}
