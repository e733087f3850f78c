/* partition_json.c - --json for process jobs: one document with memory and
 * its partitions, every event as it happened, what became of each job,
 * and the totals.  Jobs are numbered from 1, as the explanation does. */
#include <inttypes.h>

#include "heap.h"
#include "partition.h"

static const char *const event_names[] = {
    [EVENT_ARRIVE] = "arrive", [EVENT_START] = "start",     [EVENT_WAIT] = "wait",
    [EVENT_END] = "end",       [EVENT_COMPACT] = "compact", [EVENT_SWAP_OUT] = "swap_out",
};

void partition_json_start(FILE *out, const struct partition_sim *s)
{
    const struct partition_config *c = s->config;
    fprintf(out, "{\n  \"memory\": {\"base\": %" PRIu64 ", \"size\": %" PRIu64 "},\n",
            c->heap.base, c->heap.size);
    fprintf(out, "  \"partitions\": ");
    if (!c->fixed) {
        fprintf(out, "\"dynamic\",\n  \"policy\": \"%s\",\n", c->heap.policy);
    } else {
        fputc('[', out);
        for (size_t i = 0; i < c->fixed; i++)
            fprintf(out, "%s%" PRIu64, i ? ", " : "", c->fixed_size[i]);
        fprintf(out, "],\n");
    }
    fprintf(out, "  \"compaction\": %s,\n  \"swapping\": %s,\n  \"events\": [",
            c->compact ? "true" : "false", c->swap ? "true" : "false");
}

void partition_json_event(FILE *out, const struct partition_sim *s,
                          const struct partition_event *e)
{
    const struct job_run *r = &s->run[e->job];
    fprintf(out, "%s\n    {\"tick\": %" PRIu64 ", \"event\": \"%s\"", s->events ? "," : "", s->now,
            event_names[e->kind]);
    if (e->kind != EVENT_COMPACT)
        fprintf(out, ", \"job\": %zu", e->job + 1);
    switch (e->kind) {
    case EVENT_ARRIVE:
    case EVENT_WAIT:
        fprintf(out, ", \"size\": %" PRIu64 ", \"largest_hole\": %" PRIu64 ", \"free\": %" PRIu64,
                s->jobs[e->job].size, memory_largest(&s->memory), memory_free(&s->memory));
        break;
    case EVENT_START:
        fprintf(out, ", \"swap_in\": %s, \"searched\": %" PRIu64 ", \"hole\": ",
                e->swap_in ? "true" : "false", e->placement->searched);
        freespace_print_hole(out, e->placement->hole);
        if (s->config->fixed)
            fprintf(out, ", \"partition\": %zu", e->placement->partition + 1);
        break;
    case EVENT_SWAP_OUT:
    case EVENT_COMPACT:
        fprintf(out, ", \"for_job\": %zu", e->for_job + 1);
        break;
    case EVENT_END:
        break;
    }
    if (e->kind == EVENT_START || e->kind == EVENT_END || e->kind == EVENT_SWAP_OUT)
        fprintf(out, ", \"address\": %" PRIu64 ", \"held\": %" PRIu64 ", \"left\": %" PRIu64,
                r->addr, r->held, e->kind == EVENT_END ? 0 : r->left);
    if (e->kind == EVENT_COMPACT)
        fprintf(out, ", \"moved_jobs\": %" PRIu64 ", \"moved_bytes\": %" PRIu64, e->moved_jobs,
                e->moved_bytes);
    fputc('}', out);
}

void partition_json_end(FILE *out, const struct partition_sim *s)
{
    fprintf(out, "\n  ],\n  \"jobs\": [");
    for (size_t j = 0; j < s->count; j++) {
        const struct partition_job *job = &s->jobs[j];
        const struct partition_job_result *r = &s->outcome->jobs[j];
        fprintf(out,
                "%s\n    {\"job\": %zu, \"arrive\": %" PRIu64 ", \"size\": %" PRIu64
                ", \"duration\": %" PRIu64 ", \"start\": %" PRIu64 ", \"finish\": %" PRIu64
                ", \"wait\": %" PRIu64 ", \"swaps\": %" PRIu64 "}",
                j ? "," : "", j + 1, job->arrive, job->size, job->duration, r->start, r->finish,
                r->wait, r->swaps);
    }
    fprintf(out, "\n  ],\n  \"totals\": {");
    partition_totals_json(out, &s->outcome->totals, "    ");
    fprintf(out, "\n  }\n}\n");
}
