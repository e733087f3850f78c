/* timeline.c - faults over time: cumulative page and protection faults
 * sampled as the run goes, drawn as an SVG whose slope is the fault rate
 * (steps show a program moving to a new working set). */
#include <stdlib.h>

#include "machine.h"
#include "timeline.h"
#include "svg_chart.h"

static void timeline_free(struct timeline *t)
{
    free(t->references);
    free(t->page_faults);
    free(t->protection_faults);
    *t = (struct timeline){.next = UINT64_MAX};
}

static void timeline_release(void *t)
{
    timeline_free(t);
}

static void timeline_sample(struct timeline *t, uint64_t now, const struct sim_stats *s)
{
    if (t->count == TIMELINE_POINTS) {
        for (size_t i = 0; i < TIMELINE_POINTS / 2; i++) {
            t->references[i] = t->references[2 * i + 1];
            t->page_faults[i] = t->page_faults[2 * i + 1];
            t->protection_faults[i] = t->protection_faults[2 * i + 1];
        }
        t->count = TIMELINE_POINTS / 2;
        t->interval *= 2;
    }
    t->references[t->count] = now;
    t->page_faults[t->count] = s->page_faults;
    t->protection_faults[t->count++] = s->protection_faults;
    t->next = now + t->interval;
}

/* The timeline's observer: a sample when a reference reaches the next
 * point. */
static void timeline_event(struct sim_machine *m, void *context, const struct sim_event *e)
{
    struct timeline *t = context;
    if (e->kind != EVENT_DONE || m->now < t->next)
        return;
    struct sim_stats s;
    sim_machine_stats(m, -1, &s);
    timeline_sample(t, m->now, &s);
}

int sim_machine_timeline(struct sim_machine *m)
{
    struct timeline *t = &m->timeline;
    timeline_free(t);
    t->references = malloc(sizeof(uint64_t) * TIMELINE_POINTS);
    t->page_faults = malloc(sizeof(uint64_t) * TIMELINE_POINTS);
    t->protection_faults = malloc(sizeof(uint64_t) * TIMELINE_POINTS);
    if (!t->references || !t->page_faults || !t->protection_faults) {
        timeline_free(t);
        return SIM_ERR_NOMEM;
    }
    t->interval = 1;
    t->next = m->now + 1;
    machine_observe(m, (struct sim_observer){timeline_event, t, timeline_release}, true);
    return SIM_OK;
}

/* One series: the samples, then the run's end if it came after them. */
static void draw_counts(const struct svg_chart *chart, unsigned index, const char *name,
                        const struct timeline *t, uint64_t now, const uint64_t *counts,
                        uint64_t final, double *x, double *y)
{
    size_t n = 0;
    for (; n < t->count; n++) {
        x[n] = (double)t->references[n];
        y[n] = (double)counts[n];
    }
    if (n == 0 || t->references[n - 1] < now) {
        x[n] = (double)now;
        y[n++] = (double)final;
    }
    svg_chart_series(chart, index, name, x, y, n);
}

void timeline_svg(FILE *out, const struct timeline *t, uint64_t now, const struct sim_stats *s,
                  const char *heading)
{
    size_t n = t->count;
    double *x = malloc(sizeof *x * (n + 1)), *y = malloc(sizeof *y * (n + 1));
    if (!x || !y) {
        free(x);
        free(y);
        return;
    }
    struct svg_chart chart = {.out = out, .x_max = (double)now,
                              .y_max = (double)(s->page_faults > s->protection_faults
                                                    ? s->page_faults : s->protection_faults)};
    svg_chart_begin(&chart, heading, "references", "faults so far");
    draw_counts(&chart, 0, "page faults", t, now, t->page_faults, s->page_faults, x, y);
    if (s->protection_faults)
        draw_counts(&chart, 1, "protection faults", t, now, t->protection_faults,
                    s->protection_faults, x, y);
    svg_chart_end(&chart);
    free(x);
    free(y);
}
