/* compare_svg.c - the pictures of a comparison: for each policy, its heap
 * over time (operations across, addresses down, each block a bar from its
 * allocation to its free, coloured by the power of two of its size), and
 * below, every policy's external fragmentation after each operation. */
#include <inttypes.h>

#include "class_lists.h"
#include "compare.h"

#define WIDTH 960
#define LEFT 110 /* room for the policy's name */
#define RIGHT 20
#define PANEL 110 /* height of a heap picture */
#define GAP 24
#define CHART 160 /* height of the fragmentation chart */
#define BLOCKS_DRAWN 20000 /* per policy: beyond, the picture says how many are left out */

static const char *const line_colours[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
};

static double x_of(const struct freespace_comparison *c, double op)
{
    double ops = c->operations ? (double)c->operations : 1;
    return LEFT + (op - 1) / ops * (WIDTH - LEFT - RIGHT);
}

static void heap_panel(FILE *out, const struct freespace_comparison *c, const struct policy_run *run,
                       double top)
{
    double scale = PANEL / (double)run->config.size;
    fprintf(out, "<text x=\"8\" y=\"%.1f\" font-size=\"13\">%s</text>\n", top + 16, run->name);
    fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\" "
                 "stroke=\"#999\"/>\n",
            LEFT, top, WIDTH - LEFT - RIGHT, PANEL);
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
        fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                     "fill=\"hsl(%u,70%%,50%%)\"><title>%" PRIu64 " bytes at %" PRIu64
                     ", ops %" PRIu64 " to %" PRIu64 "</title></rect>\n",
                x0, y, x1 - x0, h < 0.5 ? 0.5 : h, class_log2(b->size) * 37 % 360, b->size,
                b->addr, b->allocated, b->freed ? b->freed : c->operations);
        drawn++;
    }
    if (left_out)
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\">(%" PRIu64
                     " more blocks not drawn)</text>\n",
                LEFT, top + PANEL + 14, left_out);
}

static void fragmentation_chart(FILE *out, const struct freespace_comparison *c, double top)
{
    fprintf(out, "<text x=\"8\" y=\"%.1f\" font-size=\"13\">external</text>\n"
                 "<text x=\"8\" y=\"%.1f\" font-size=\"13\">fragmentation</text>\n",
            top + 16, top + 32);
    fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" "
                 "stroke=\"#999\"/>\n",
            LEFT, top, WIDTH - LEFT - RIGHT, CHART);
    for (size_t r = 0; r < c->count; r++) {
        const char *colour = line_colours[r % (sizeof line_colours / sizeof line_colours[0])];
        fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"",
                colour);
        for (uint64_t i = 0; i < c->operations; i++)
            fprintf(out, "%.2f,%.2f ", x_of(c, (double)i + 1),
                    top + CHART * (1 - c->run[r].external[i]));
        fprintf(out, "\"/>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\">%s</text>\n",
                (double)LEFT + 8 + 80 * (double)r, top + CHART + 16, colour, c->run[r].name);
    }
}

void freespace_compare_svg(FILE *out, const struct freespace_comparison *c)
{
    double height = (PANEL + GAP) * (double)c->count + CHART + 3 * GAP;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
                 "font-family=\"sans-serif\">\n"
                 "<text x=\"8\" y=\"14\" font-size=\"12\">the heap over %" PRIu64
                 " operations: addresses down, operations across; a block's colour is its "
                 "size's power of two</text>\n",
            WIDTH, height, c->operations);
    for (size_t r = 0; r < c->count; r++)
        heap_panel(out, c, &c->run[r], GAP + (PANEL + GAP) * (double)r);
    fragmentation_chart(out, c, GAP + (PANEL + GAP) * (double)c->count);
    fprintf(out, "</svg>\n");
}
