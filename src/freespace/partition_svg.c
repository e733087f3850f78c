/* partition_svg.c - memory over time as a standalone SVG: time across,
 * address down from the base, each job a box of its own colour for every
 * stretch it spent at one place.  A fixed partition's unused bytes are
 * the pale part of the box, and dashed lines mark the partitions.  A
 * compaction shows as boxes that jump down at one tick, a swap as a gap. */
#include <inttypes.h>

#include "partition.h"

#define WIDTH 900
#define HEIGHT 480
#define LEFT 90 /* room for the addresses */
#define RIGHT 20
#define TOP 40
#define BOTTOM 50 /* room for the ticks */
#define TICKS 5   /* labelled on each axis */

struct frame {
    double t0, ticks;    /* time shown */
    double base, bytes;  /* addresses shown */
};

static double x_of(const struct frame *f, double tick)
{
    return LEFT + (tick - f->t0) / f->ticks * (WIDTH - LEFT - RIGHT);
}

static double y_of(const struct frame *f, double addr)
{
    return TOP + (addr - f->base) / f->bytes * (HEIGHT - TOP - BOTTOM);
}

static void draw_axes(FILE *out, const struct frame *f, const struct partition_config *c)
{
    fprintf(out, "<rect x='%d' y='%d' width='%d' height='%d' fill='#f4f4f4' stroke='#333'/>\n",
            LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    for (int k = 0; k <= TICKS; k++) {
        uint64_t tick = (uint64_t)(f->t0 + f->ticks * k / TICKS);
        uint64_t addr = (uint64_t)(f->base + f->bytes * k / TICKS);
        fprintf(out, "<text x='%.1f' y='%d' text-anchor='middle'>%" PRIu64 "</text>\n",
                x_of(f, (double)tick), HEIGHT - BOTTOM + 18, tick);
        fprintf(out, "<text x='%d' y='%.1f' text-anchor='end'>%" PRIu64 "</text>\n", LEFT - 6,
                y_of(f, (double)addr) + 4, addr);
    }
    fprintf(out, "<text x='%d' y='%d' text-anchor='middle'>tick</text>\n",
            (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 12);
    fprintf(out, "<text x='16' y='%d' transform='rotate(-90 16 %d)' text-anchor='middle'>"
                 "address</text>\n",
            (TOP + HEIGHT - BOTTOM) / 2, (TOP + HEIGHT - BOTTOM) / 2);
    for (size_t i = 1; i < c->fixed; i++)
        fprintf(out, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#666' "
                     "stroke-dasharray='4 3'/>\n",
                LEFT, WIDTH - RIGHT, y_of(f, (double)partition_fixed_address(c, i)),
                y_of(f, (double)partition_fixed_address(c, i)));
}

static void draw_span(FILE *out, const struct frame *f, const struct partition_span *span)
{
    /* hues 137.5 degrees apart: neighbouring job numbers look different */
    unsigned hue = (unsigned)((span->job * 1375 / 10) % 360);
    double x = x_of(f, (double)span->from), width = x_of(f, (double)span->to) - x;
    double y = y_of(f, (double)span->addr);
    double used = y_of(f, (double)(span->addr + span->size)) - y;
    double held = y_of(f, (double)(span->addr + span->held)) - y;
    fprintf(out, "<g><title>job %zu: [%" PRIu64 ", %" PRIu64 "] from tick %" PRIu64
                 " to tick %" PRIu64 "</title>\n",
            span->job + 1, span->addr, span->size, span->from, span->to);
    if (held > used)
        fprintf(out, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' "
                     "fill='hsl(%u,60%%,85%%)' stroke='#333' stroke-width='0.5'/>\n",
                x, y, width, held, hue);
    fprintf(out, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='hsl(%u,60%%,55%%)' "
                 "stroke='#333' stroke-width='0.5'/>\n",
            x, y, width, used, hue);
    if (width >= 20 && used >= 12)
        fprintf(out, "<text x='%.1f' y='%.1f' text-anchor='middle'>%zu</text>\n", x + width / 2,
                y + used / 2 + 4, span->job + 1);
    fprintf(out, "</g>\n");
}

void partition_svg(FILE *out, const struct partition_config *c,
                   const struct partition_outcome *outcome, size_t job_count)
{
    const struct partition_totals *t = &outcome->totals;
    struct frame f = {(double)t->first_arrival,
                      t->end > t->first_arrival ? (double)(t->end - t->first_arrival) : 1,
                      (double)c->heap.base, (double)c->heap.size};
    fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                 "font-family='sans-serif' font-size='12'>\n",
            WIDTH, HEIGHT);
    fprintf(out, "<rect width='100%%' height='100%%' fill='white'/>\n");
    fprintf(out, "<text x='%d' y='24' font-size='14'>%zu job%s in ", LEFT, job_count,
            job_count == 1 ? "" : "s");
    partition_describe(out, c);
    fprintf(out, "</text>\n");
    draw_axes(out, &f, c);
    for (size_t i = 0; i < outcome->span_count; i++)
        draw_span(out, &f, &outcome->spans[i]);
    fprintf(out, "</svg>\n");
}
