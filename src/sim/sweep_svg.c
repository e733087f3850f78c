/* sweep_svg.c - the fault curve of a sweep as a standalone SVG line chart:
 * one line per policy, and a marked, labelled point wherever more frames
 * gave more faults (Belady's anomaly). */
#include <inttypes.h>

#include "mmkit/sim.h"

#define CHART_W 760
#define CHART_H 440
#define LEFT 80
#define RIGHT 150
#define TOP 50
#define BOTTOM 60

static const char *const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

struct chart {
    uint64_t frames_min, frames_span, faults_max;
};

static double chart_x(const struct chart *c, uint64_t frames)
{
    double span = c->frames_span ? (double)c->frames_span : 1.0;
    return LEFT + (double)(frames - c->frames_min) / span * (CHART_W - LEFT - RIGHT);
}

static double chart_y(const struct chart *c, uint64_t faults)
{
    double max = c->faults_max ? (double)c->faults_max : 1.0;
    return CHART_H - BOTTOM - (double)faults / max * (CHART_H - TOP - BOTTOM);
}

/* Escape the few characters that matter in SVG text. */
static void svg_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '<')
            fputs("&lt;", out);
        else if (*p == '>')
            fputs("&gt;", out);
        else if (*p == '&')
            fputs("&amp;", out);
        else
            fputc(*p, out);
    }
}

static void draw_axes(FILE *out, const struct chart *c)
{
    int x0 = LEFT, x1 = CHART_W - RIGHT, y0 = CHART_H - BOTTOM, y1 = TOP;
    fprintf(out, "<path d='M%d %d V%d H%d' fill='none' stroke='#333'/>\n", x0, y1, y0, x1);
    for (int tick = 0; tick <= 4; tick++) {
        uint64_t faults = c->faults_max * (uint64_t)tick / 4;
        double y = chart_y(c, faults);
        fprintf(out, "<text x='%d' y='%.1f' text-anchor='end' font-size='12'>%" PRIu64
                     "</text>\n", x0 - 6, y + 4, faults);
        fprintf(out, "<path d='M%d %.1f H%d' stroke='#ddd'/>\n", x0, y, x1);
    }
    uint64_t step = c->frames_span / 10 + 1;
    for (uint64_t f = c->frames_min; f <= c->frames_min + c->frames_span; f += step)
        fprintf(out, "<text x='%.1f' y='%d' text-anchor='middle' font-size='12'>%" PRIu64
                     "</text>\n", chart_x(c, f), y0 + 18, f);
    fprintf(out, "<text x='%d' y='%d' text-anchor='middle' font-size='13'>frames</text>\n",
            (x0 + x1) / 2, y0 + 40);
    fprintf(out, "<text x='18' y='%d' font-size='13' transform='rotate(-90 18 %d)' "
                 "text-anchor='middle'>page faults</text>\n", (y0 + y1) / 2, (y0 + y1) / 2);
}

void sim_sweep_svg(FILE *out, const struct sim_sweep *sweep, const char *title)
{
    uint64_t width = sweep->frames_max - sweep->frames_min + 1;
    struct chart c = {.frames_min = sweep->frames_min, .frames_span = width - 1};
    for (uint64_t i = 0; i < sweep->policy_count * width; i++)
        if (sweep->faults[i] > c.faults_max)
            c.faults_max = sweep->faults[i];
    fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                 "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
            CHART_W, CHART_H);
    fprintf(out, "<text x='%d' y='28' font-size='16'>Page faults by memory size: ", LEFT);
    svg_text(out, title);
    fprintf(out, "</text>\n");
    draw_axes(out, &c);
    for (unsigned p = 0; p < sweep->policy_count; p++) {
        const char *colour = colours[p % (sizeof colours / sizeof colours[0])];
        fprintf(out, "<polyline fill='none' stroke='%s' stroke-width='2' points='", colour);
        for (uint64_t i = 0; i < width; i++)
            fprintf(out, "%.1f,%.1f ", chart_x(&c, sweep->frames_min + i),
                    chart_y(&c, sweep->faults[p * width + i]));
        fprintf(out, "'/>\n<text x='%d' y='%u' fill='%s' font-size='13'>%s</text>\n",
                CHART_W - RIGHT + 12, TOP + 18 * p, colour, sweep->policies[p]);
        for (uint64_t i = 0; i + 1 < width; i++) {
            if (sweep->faults[p * width + i + 1] <= sweep->faults[p * width + i])
                continue;
            double x = chart_x(&c, sweep->frames_min + i + 1);
            double y = chart_y(&c, sweep->faults[p * width + i + 1]);
            fprintf(out, "<circle cx='%.1f' cy='%.1f' r='6' fill='none' stroke='red' "
                         "stroke-width='2'/>\n<text x='%.1f' y='%.1f' fill='red' "
                         "font-size='12'>Belady's anomaly (%s)</text>\n",
                    x, y, x + 8, y - 8, sweep->policies[p]);
        }
    }
    fprintf(out, "</svg>\n");
}
