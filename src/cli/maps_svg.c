/*
 * maps_svg.c - the address space as a picture: a row a region, in address
 * order, each as wide as any other whatever its size (a 4 KiB page and a
 * 1 GiB reservation side by side), with the gaps between regions collapsed
 * into a line that says how much address space they skip.  Each row's
 * strip shows its pages: green resident, orange swapped, grey untouched.
 * Below, when sampled over time: resident bytes by role, and page faults.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "svg_chart.h"

#define WIDTH 900
#define ROW 16
#define GAP 10
#define TOP 40
#define STRIP_X 560
#define STRIP_W 320
#define CHART_HEIGHT 440

static const char *role_colour(enum maps_role role)
{
    static const char *const colours[ROLE_COUNT] = {
        [ROLE_TEXT] = "#1f77b4",          [ROLE_RODATA] = "#aec7e8",
        [ROLE_RELRO] = "#9edae5",         [ROLE_DATA] = "#2ca02c",
        [ROLE_BSS] = "#98df8a",           [ROLE_HEAP] = "#d62728",
        [ROLE_STACK] = "#9467bd",         [ROLE_THREAD_STACK] = "#c5b0d5",
        [ROLE_STACK_GUARD] = "#7f7f7f",   [ROLE_LIBRARY] = "#8c564b",
        [ROLE_VDSO] = "#e377c2",          [ROLE_VVAR] = "#f7b6d2",
        [ROLE_MMKIT_SEGMENT] = "#ff7f0e", [ROLE_MMKIT_HUGE] = "#ffbb78",
        [ROLE_MMKIT_GUARD] = "#bcbd22",   [ROLE_MMKIT_SECURE] = "#dbdb8d",
        [ROLE_ANON] = "#17becf",          [ROLE_FILE] = "#c49c94",
        [ROLE_OTHER] = "#c7c7c7",
    };
    return role < ROLE_COUNT ? colours[role] : "#c7c7c7";
}

/* A cell's colour: how much of it is resident (darker green: more),
 * swapped (orange), or neither (grey). */
static void cell_colour(const struct maps_region *region, unsigned cell, char out[16])
{
    uint64_t in_cell = maps_cell_pages(region, cell);
    double present = in_cell ? (double)region->cell_present[cell] / (double)in_cell : 0;
    if (region->cell_present[cell])
        snprintf(out, 16, "#%02x%02x%02x", (int)(200 - 170 * present), (int)(230 - 90 * present),
                 (int)(200 - 170 * present));
    else
        snprintf(out, 16, region->cell_swapped[cell] ? "#ff9f40" : "#eeeeee");
}

static void draw_region(FILE *out, const struct maps_region *region, int y)
{
    char size[16], rss[16];
    maps_format_bytes(size, sizeof size, region->end - region->start);
    maps_format_bytes(rss, sizeof rss, region->rss);
    fprintf(out, "<g><title>%012" PRIx64 "-%012" PRIx64 " %s ", region->start, region->end,
            region->perms);
    svg_escape(out, region->path);
    fprintf(out, "</title>\n<rect x='10' y='%d' width='10' height='%d' fill='%s'/>"
                 "<text x='26' y='%d' font-size='12'>%s</text>"
                 "<text x='130' y='%d' font-size='12'>%s %s, %s resident</text>"
                 "<text x='330' y='%d' font-size='11' fill='#555'>",
            y + 2, ROW - 4, role_colour(region->role), y + 12, maps_role_name(region->role),
            y + 12, size, region->perms, rss, y + 12);
    const char *name = strrchr(region->path, '/');
    char shown[40];
    snprintf(shown, sizeof shown, "%.39s", name ? name + 1 : region->path);
    svg_escape(out, shown);
    fprintf(out, "</text>\n");
    /* Every strip is as wide: a region's cells share it. */
    double cell_w = region->cells ? (double)STRIP_W / region->cells : STRIP_W;
    for (unsigned cell = 0; region->paged && cell < region->cells; cell++) {
        char colour[16];
        cell_colour(region, cell, colour);
        fprintf(out, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='%s'/>",
                STRIP_X + cell * cell_w, y + 2, cell_w - 1, ROW - 4, colour);
    }
    fprintf(out, "</g>\n");
}

static int layout_height(const struct maps_layout *layout)
{
    int height = TOP + 20;
    for (size_t i = 0; i < layout->count; i++)
        height += ROW + (i && layout->regions[i - 1].end != layout->regions[i].start ? GAP : 0);
    return height;
}

static void draw_layout(FILE *out, const struct maps_layout *layout, const char *title)
{
    fprintf(out, "<text x='10' y='24' font-size='16'>");
    svg_escape(out, title);
    fprintf(out, "</text>\n");
    if (!layout->paged)
        fprintf(out, "<text x='%d' y='24' font-size='12' fill='#555'>pages unknown (pagemap "
                     "unreadable)</text>\n", STRIP_X);
    static const struct {
        const char *colour, *meaning;
    } legend[] = {{"#1e8c1e", "resident"}, {"#ff9f40", "swapped"}, {"#eeeeee", "untouched"}};
    for (size_t i = 0; layout->paged && i < sizeof legend / sizeof legend[0]; i++)
        fprintf(out, "<rect x='%zu' y='14' width='10' height='10' fill='%s'/><text x='%zu' "
                     "y='24' font-size='12' fill='#555'>%s</text>\n",
                STRIP_X + 100 * i, legend[i].colour, STRIP_X + 100 * i + 14, legend[i].meaning);
    int y = TOP;
    for (size_t i = 0; i < layout->count; i++) {
        const struct maps_region *region = &layout->regions[i];
        if (i && layout->regions[i - 1].end != region->start) {
            char gap[16];
            maps_format_bytes(gap, sizeof gap, region->start - layout->regions[i - 1].end);
            /* The text has a white halo where it crosses the line. */
            fprintf(out, "<path d='M10 %d H%d' stroke='#bbb' stroke-dasharray='4 3'/>"
                         "<text x='%d' y='%d' font-size='9' fill='#999' stroke='white' "
                         "stroke-width='3' paint-order='stroke'>%s unmapped</text>\n",
                    y + GAP / 2, WIDTH - 10, STRIP_X - 230, y + GAP - 2, gap);
            y += GAP;
        }
        draw_region(out, region, y);
        y += ROW;
    }
}

/* Resident bytes by role, stacked, and the faults so far. */
static void draw_samples(FILE *out, const struct maps_samples *samples, int y)
{
    size_t n = samples->count;
    double *x = malloc(5 * n * sizeof *x);
    if (!x)
        return;
    double *low = x + n, *high = low + n, *minor = high + n, *major = minor + n;
    double top = 1, faults_top = 1;
    /* Ticks fall on whole numbers: a short run is told in milliseconds. */
    bool short_run = samples->items[n - 1].seconds < 10;
    const char *unit = short_run ? "milliseconds" : "seconds";
    for (size_t i = 0; i < n; i++) {
        x[i] = samples->items[i].seconds * (short_run ? 1000 : 1);
        double total = 0;
        for (int role = 0; role < ROLE_COUNT; role++)
            total += (double)samples->items[i].rss[role];
        top = total > top ? total : top;
        minor[i] = (double)samples->items[i].minor_faults;
        major[i] = (double)samples->items[i].major_faults;
        faults_top = minor[i] > faults_top ? minor[i] : faults_top;
    }
    double x_max = x[n - 1] > x[0] ? x[n - 1] : x[0] + 1;
    fprintf(out, "<g transform='translate(0,%d)'>\n", y);
    struct svg_chart chart = {out, x[0], x_max, top * 1.1, false};
    svg_chart_begin(&chart, "resident bytes by role", unit, "bytes");
    for (size_t i = 0; i < n; i++)
        high[i] = 0;
    unsigned index = 0;
    for (int role = 0; role < ROLE_COUNT; role++) {
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            low[i] = high[i];
            high[i] += (double)samples->items[i].rss[role];
            any |= samples->items[i].rss[role] > 0;
        }
        if (any)
            svg_chart_area(&chart, index++, maps_role_name((enum maps_role)role), x, low, high,
                           n, false);
    }
    svg_chart_end(&chart);
    fprintf(out, "</g>\n<g transform='translate(0,%d)'>\n", y + CHART_HEIGHT);
    struct svg_chart faults = {out, x[0], x_max, faults_top * 1.1, false};
    svg_chart_begin(&faults, "page faults so far", unit, "faults");
    svg_chart_series(&faults, 0, "minor", x, minor, n);
    svg_chart_series(&faults, 1, "major", x, major, n);
    svg_chart_end(&faults);
    fprintf(out, "</g>\n");
    free(x);
}

void maps_print_svg(FILE *out, const struct maps_layout *layout,
                    const struct maps_samples *samples, const char *title)
{
    bool over_time = samples && samples->count >= 2;
    int height = layout_height(layout);
    fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                 "font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
            WIDTH, height + (over_time ? 2 * CHART_HEIGHT : 0));
    draw_layout(out, layout, title);
    if (over_time)
        draw_samples(out, samples, height);
    fprintf(out, "</svg>\n");
}
