/* partition_explain.c - --explain for process jobs: each tick in which
 * something happened, every arrival, placement (and why there), wait (and
 * why), departure, compaction and swap, then the memory map. */
#include <inttypes.h>

#include "heap.h"
#include "partition.h"

/* Jobs are numbered from 1 in what people read: job 1 is the first line. */
#define JOB_NUMBER(index) ((index) + 1)

static const char *const fit_reasons[] = {
    [FIT_FIRST] = "the first hole that holds it",
    [FIT_BEST] = "the smallest hole that holds it",
    [FIT_WORST] = "the largest hole",
    [FIT_NEXT] = "the first that holds it from where the last search stopped",
};

void partition_explain_start(FILE *out, const struct partition_sim *s)
{
    fprintf(out, "memory: ");
    partition_describe(out, s->config);
    fprintf(out, "\njobs: %zu, arriving from tick %" PRIu64 " to tick %" PRIu64 "\n", s->count,
            s->jobs[0].arrive, s->jobs[s->count - 1].arrive);
}

static void print_region(FILE *out, const char *separator, struct freespace_hole region)
{
    fprintf(out, "%s", separator);
    freespace_print_hole(out, region);
}

/* "[0, 200] job 1 | [200, 800] free", by address. */
void partition_explain_map(FILE *out, struct partition_sim *s)
{
    const struct partition_memory *m = &s->memory;
    size_t hole_count, r = 0, h = 0;
    const struct freespace_hole *holes = memory_holes(&s->memory, &hole_count);
    if (!holes) {
        fprintf(out, "  memory: (out of memory to show it)\n");
        return;
    }
    fprintf(out, "  memory:");
    const char *separator = " ";
    while (r < m->region_count || h < hole_count) {
        if (h == hole_count || (r < m->region_count && m->regions[r].addr < holes[h].addr)) {
            const struct region *job = &m->regions[r++];
            print_region(out, separator, (struct freespace_hole){job->addr, job->held});
            fprintf(out, " job %zu", JOB_NUMBER(job->job));
            if (job->held > s->jobs[job->job].size)
                fprintf(out, " (%" PRIu64 " unused)", job->held - s->jobs[job->job].size);
        } else {
            print_region(out, separator, holes[h++]);
            fprintf(out, " free");
        }
        separator = " | ";
    }
    fputc('\n', out);
}

static void explain_start(FILE *out, const struct partition_sim *s, size_t job,
                          const struct placement *p, bool swap_in)
{
    const struct job_run *r = &s->run[job];
    fprintf(out, "  job %zu %s ", JOB_NUMBER(job), swap_in ? "is swapped back in" : "starts");
    if (s->config->fixed) {
        fprintf(out, "in partition %zu, ", p->partition + 1);
        freespace_print_hole(out, p->hole);
        fprintf(out, ": the smallest free one that holds %" PRIu64 " bytes", s->jobs[job].size);
        if (p->held > s->jobs[job].size)
            fprintf(out, " (%" PRIu64 " unused)", p->held - s->jobs[job].size);
    } else {
        fprintf(out, "at %" PRIu64 ": %s fit took ", p->addr, s->config->heap.policy);
        freespace_print_hole(out, p->hole);
        fprintf(out, ", %s (searched %" PRIu64 " hole%s)", fit_reasons[s->memory.fit],
                p->searched, p->searched == 1 ? "" : "s");
    }
    fprintf(out, "; %" PRIu64 " tick%s to run, until tick %" PRIu64 "\n", r->left,
            r->left == 1 ? "" : "s", s->now + r->left);
}

static void explain_wait(FILE *out, const struct partition_sim *s, size_t job)
{
    uint64_t size = s->jobs[job].size, largest = memory_largest(&s->memory);
    fprintf(out, "  job %zu waits: %" PRIu64 " bytes, ", JOB_NUMBER(job), size);
    if (s->config->fixed && largest)
        fprintf(out, "and the largest free partition holds %" PRIu64, largest);
    else if (s->config->fixed)
        fprintf(out, "and no partition is free");
    else
        fprintf(out, "and the largest hole is %" PRIu64 " of %" PRIu64 " free", largest,
                memory_free(&s->memory));
    if (s->config->swap)
        fprintf(out, "; no resident job may be swapped out for it");
    fputc('\n', out);
}

void partition_explain_event(FILE *out, struct partition_sim *s, const struct partition_event *e)
{
    if (!s->tick_events)
        fprintf(out, "\ntick %" PRIu64 "\n", s->now);
    const struct partition_job *job = &s->jobs[e->job];
    const struct job_run *r = &s->run[e->job];
    switch (e->kind) {
    case EVENT_ARRIVE:
        fprintf(out, "  job %zu arrives: %" PRIu64 " bytes for %" PRIu64 " tick%s",
                JOB_NUMBER(e->job), job->size, job->duration, job->duration == 1 ? "" : "s");
        if (s->queue_length > 1)
            fprintf(out, ", behind %zu waiting", s->queue_length - 1);
        fputc('\n', out);
        break;
    case EVENT_START:
        explain_start(out, s, e->job, e->placement, e->swap_in);
        break;
    case EVENT_WAIT:
        explain_wait(out, s, e->job);
        break;
    case EVENT_END:
        fprintf(out, "  job %zu ends, giving back ", JOB_NUMBER(e->job));
        freespace_print_hole(out, (struct freespace_hole){r->addr, r->held});
        fputc('\n', out);
        break;
    case EVENT_COMPACT:
        fprintf(out, "  compaction for job %zu: %" PRIu64 " job%s moved, %" PRIu64
                     " bytes; the free bytes are one hole now\n",
                JOB_NUMBER(e->for_job), e->moved_jobs, e->moved_jobs == 1 ? "" : "s",
                e->moved_bytes);
        break;
    case EVENT_SWAP_OUT:
        fprintf(out, "  job %zu is swapped out for job %zu: ", JOB_NUMBER(e->job),
                JOB_NUMBER(e->for_job));
        freespace_print_hole(out, (struct freespace_hole){r->addr, r->held});
        fprintf(out, " goes to the backing store with %" PRIu64 " ticks to run, more than job "
                     "%zu's %" PRIu64 "\n",
                r->left, JOB_NUMBER(e->for_job), s->run[e->for_job].left);
        break;
    }
}
