/* partition.c - process jobs on partitioned memory, tick by tick.
 *
 * At each tick in which something happens, in this order:
 * 1. the resident jobs whose time is up leave, giving their place back;
 * 2. the jobs that arrive now join the back of the queue;
 * 3. the queue is served first come, first served: the job at its front
 *    is placed if memory finds it a place; else, with compaction, if the
 *    free bytes would hold it, the resident jobs slide together first;
 *    else, with swapping, a resident job may be swapped out to make room
 *    (swap_victim says which).  A job that still finds no place waits,
 *    and so does every job behind it: no job overtakes another, so none
 *    waits for ever.
 * Between such ticks the clock jumps: nothing would change.  Compaction
 * and swapping take no time; they are counted in bytes. */
#include <stdlib.h>
#include <string.h>

#include "partition.h"
#include "sim/diag.h"

static void tell(struct partition_sim *s, const struct partition_event *event)
{
    if (s->explain)
        partition_explain_event(s->explain, s, event);
    if (s->json)
        partition_json_event(s->json, s, event);
    s->events++;
    s->tick_events++;
}

/* ---- the queue ---------------------------------------------------------- */

static void enqueue(struct partition_sim *s, size_t job)
{
    s->queue[(s->queue_front + s->queue_length++) % s->count] = job;
    s->run[job].state = JOB_WAITING;
}

static size_t queue_head(const struct partition_sim *s)
{
    return s->queue[s->queue_front];
}

static void dequeue(struct partition_sim *s)
{
    s->queue_front = (s->queue_front + 1) % s->count;
    s->queue_length--;
}

/* ---- where jobs are, over time ------------------------------------------ */

/* The ticks job still has to run now. */
static uint64_t left_now(const struct partition_sim *s, size_t job)
{
    const struct job_run *r = &s->run[job];
    return r->state == JOB_RESIDENT ? r->left - (s->now - r->span_from) : r->left;
}

/* Record where job was since it was placed (or moved) until now. */
static int close_span(struct partition_sim *s, size_t job)
{
    struct partition_outcome *o = s->outcome;
    struct job_run *r = &s->run[job];
    if (r->span_from == s->now)
        return SIM_OK; /* moved or left in the tick it came: it was never there */
    struct partition_span *spans =
        partition_room(o->spans, &s->span_capacity, o->span_count + 1, sizeof *spans);
    if (!spans)
        return SIM_ERR_NOMEM;
    o->spans = spans;
    o->spans[o->span_count++] = (struct partition_span){job, r->addr, s->jobs[job].size, r->held,
                                                        r->span_from, s->now};
    return SIM_OK;
}

/* Job leaves memory: done, or swapped out. */
static int take_out(struct partition_sim *s, size_t job)
{
    struct job_run *r = &s->run[job];
    int status = close_span(s, job);
    if (!status)
        status = memory_release(&s->memory, job);
    r->left = left_now(s, job);
    return status;
}

/* The jobs whose time is up leave, by address. */
static int end_jobs(struct partition_sim *s)
{
    for (size_t i = 0; i < s->memory.region_count;) {
        size_t j = s->memory.regions[i].job;
        if (left_now(s, j)) {
            i++;
            continue;
        }
        int status = take_out(s, j);
        if (status)
            return status;
        s->run[j].state = JOB_DONE;
        struct partition_job_result *result = &s->outcome->jobs[j];
        result->finish = s->now;
        result->wait = s->now - s->jobs[j].arrive - s->jobs[j].duration;
        tell(s, &(struct partition_event){.kind = EVENT_END, .job = j});
    }
    return SIM_OK;
}

static void arrive_jobs(struct partition_sim *s)
{
    for (; s->arrived < s->count && s->jobs[s->arrived].arrive == s->now; s->arrived++) {
        s->run[s->arrived].left = s->jobs[s->arrived].duration;
        enqueue(s, s->arrived);
        tell(s, &(struct partition_event){.kind = EVENT_ARRIVE, .job = s->arrived});
    }
}

/* ---- making room -------------------------------------------------------- */

/* Slide the resident jobs together, for job. */
static int compact(struct partition_sim *s, size_t job)
{
    int status = memory_compact(&s->memory);
    struct partition_event event = {.kind = EVENT_COMPACT, .for_job = job};
    for (size_t i = 0; i < s->memory.region_count && !status; i++) {
        const struct region *moved = &s->memory.regions[i];
        struct job_run *r = &s->run[moved->job];
        if (r->addr == moved->addr)
            continue;
        status = close_span(s, moved->job);
        r->left = left_now(s, moved->job);
        r->span_from = s->now;
        r->addr = moved->addr;
        event.moved_jobs++;
        event.moved_bytes += r->held;
    }
    s->outcome->totals.compactions++;
    s->outcome->totals.compaction_bytes += event.moved_bytes;
    tell(s, &event);
    return status;
}

/* Whether compacting would let size bytes in: only dynamic partitions
 * move, and only the free bytes together can hold them. */
static bool compaction_helps(const struct partition_sim *s, uint64_t size)
{
    return s->config->compact && memory_free(&s->memory) >= size;
}

/* Whether resident job a makes a better victim than resident job b: more
 * ticks to run, then in memory longer, then first in the input. */
static bool better_victim(const struct partition_sim *s, size_t a, size_t b)
{
    uint64_t a_left = left_now(s, a), b_left = left_now(s, b);
    if (a_left != b_left)
        return a_left > b_left;
    if (s->run[a].since != s->run[b].since)
        return s->run[a].since < s->run[b].since;
    return a < b;
}

/* The job to swap out for job, as an index into memory's regions, or
 * SIZE_MAX if none.  It must have been in memory since before this tick,
 * have more ticks to run than job has (swapping pays off when the job let
 * in will be done first), and leave room for job when it goes; of those,
 * the better_victim. */
static size_t swap_victim(struct partition_sim *s, size_t job)
{
    size_t victim = SIZE_MAX;
    uint64_t need = s->jobs[job].size, wants = left_now(s, job);
    for (size_t i = 0; i < s->memory.region_count; i++) {
        size_t v = s->memory.regions[i].job;
        if (s->run[v].since == s->now || left_now(s, v) <= wants ||
            memory_room_without(&s->memory, i, s->config->compact) < need)
            continue;
        if (victim == SIZE_MAX || better_victim(s, v, s->memory.regions[victim].job))
            victim = i;
    }
    return victim;
}

static int swap_out(struct partition_sim *s, size_t region, size_t job)
{
    size_t victim = s->memory.regions[region].job;
    int status = take_out(s, victim);
    tell(s, &(struct partition_event){.kind = EVENT_SWAP_OUT, .job = victim, .for_job = job});
    s->run[victim].swapped_out = true;
    s->outcome->jobs[victim].swaps++;
    s->outcome->totals.swaps_out++;
    s->outcome->totals.swap_bytes += s->jobs[victim].size;
    enqueue(s, victim);
    return status;
}

/* Find job a place, making room as the options allow. */
static int find_place(struct partition_sim *s, size_t job, struct placement *p)
{
    uint64_t size = s->jobs[job].size;
    int status = memory_place(&s->memory, job, size, p);
    if (!status && !p->placed && compaction_helps(s, size) &&
        !(status = compact(s, job)))
        status = memory_place(&s->memory, job, size, p);
    size_t victim = SIZE_MAX;
    if (!status && !p->placed && s->config->swap &&
        (victim = swap_victim(s, job)) != SIZE_MAX && !(status = swap_out(s, victim, job))) {
        status = memory_place(&s->memory, job, size, p);
        if (!status && !p->placed && s->config->compact && !(status = compact(s, job)))
            status = memory_place(&s->memory, job, size, p);
    }
    return status;
}

static void start(struct partition_sim *s, size_t job, const struct placement *p)
{
    struct job_run *r = &s->run[job];
    bool swap_in = r->swapped_out;
    *r = (struct job_run){JOB_RESIDENT, p->addr, p->held, s->now, s->now, r->left, false};
    if (swap_in) {
        s->outcome->totals.swaps_in++;
        s->outcome->totals.swap_bytes += s->jobs[job].size;
    } else {
        s->outcome->jobs[job].start = s->now;
    }
    tell(s, &(struct partition_event){.kind = EVENT_START, .job = job, .placement = p,
                                      .swap_in = swap_in});
}

static int serve_queue(struct partition_sim *s)
{
    while (s->queue_length) {
        size_t job = queue_head(s);
        struct placement p;
        int status = find_place(s, job, &p);
        if (status)
            return status;
        if (!p.placed) {
            tell(s, &(struct partition_event){.kind = EVENT_WAIT, .job = job});
            return SIM_OK;
        }
        dequeue(s);
        start(s, job, &p);
    }
    return SIM_OK;
}

/* ---- the clock ---------------------------------------------------------- */

/* The next tick at which something may happen; false when all is done. */
static bool next_tick(const struct partition_sim *s, uint64_t *next)
{
    bool any = false;
    *next = UINT64_MAX;
    if (s->arrived < s->count) {
        *next = s->jobs[s->arrived].arrive;
        any = true;
    }
    for (size_t i = 0; i < s->memory.region_count; i++) {
        size_t j = s->memory.regions[i].job;
        uint64_t at = s->now + left_now(s, j);
        /* a job placed now may be swapped out from the next tick on */
        if (s->config->swap && s->queue_length && s->run[j].since == s->now)
            at = s->now + 1;
        if (at < *next)
            *next = at;
        any = true;
    }
    return any;
}

/* The measures after a tick, and their sums until the next one. */
static void measure(struct partition_sim *s)
{
    struct partition_totals *t = &s->outcome->totals;
    s->used = s->internal = 0;
    for (size_t i = 0; i < s->memory.region_count; i++) {
        const struct region *r = &s->memory.regions[i];
        s->used += s->jobs[r->job].size;
        s->internal += r->held - s->jobs[r->job].size;
    }
    uint64_t free_bytes = memory_free(&s->memory);
    s->external = free_bytes ? 1 - (double)memory_largest(&s->memory) / (double)free_bytes : 0;
    if (s->internal > t->internal_worst)
        t->internal_worst = s->internal;
    if (s->external > t->external_worst)
        t->external_worst = s->external;
}

static void add_time(struct partition_sim *s, uint64_t ticks)
{
    s->used_sum += (double)s->used * (double)ticks;
    s->internal_sum += (double)s->internal * (double)ticks;
    s->external_sum += s->external * (double)ticks;
}

static void sum_up(struct partition_sim *s)
{
    struct partition_totals *t = &s->outcome->totals;
    t->jobs = s->count;
    t->first_arrival = s->jobs[0].arrive;
    t->end = s->now;
    double time = (double)(t->end - t->first_arrival);
    uint64_t waits = 0;
    for (size_t j = 0; j < s->count; j++) {
        waits += s->outcome->jobs[j].wait;
        if (s->outcome->jobs[j].wait > t->wait_worst)
            t->wait_worst = s->outcome->jobs[j].wait;
    }
    t->wait_mean = (double)waits / (double)s->count;
    t->utilisation = s->used_sum / ((double)s->config->heap.size * time);
    t->internal_mean = s->internal_sum / time;
    t->external_mean = s->external_sum / time;
}

static int tick(struct partition_sim *s)
{
    s->tick_events = 0;
    int status = end_jobs(s);
    arrive_jobs(s);
    if (!status)
        status = serve_queue(s);
    if (status)
        return status;
    measure(s);
    if (s->explain && s->tick_events)
        partition_explain_map(s->explain, s);
    return SIM_OK;
}

static int simulate(struct partition_sim *s)
{
    s->now = s->jobs[0].arrive;
    for (;;) {
        int status = tick(s);
        uint64_t next;
        if (status || !next_tick(s, &next))
            return status;
        add_time(s, next - s->now);
        s->now = next;
    }
}

int partition_run(const struct partition_config *config, const struct partition_job *jobs,
                  size_t count, const struct partition_run_options *options,
                  struct partition_outcome *outcome, struct sim_diag *diag)
{
    *outcome = (struct partition_outcome){0};
    if (!count)
        return diag_set(diag, SIM_ERR_PARSE, NULL, 0, NULL, "no jobs");
    struct partition_sim s = {.config = config, .jobs = jobs, .count = count, .outcome = outcome,
                              .explain = options ? options->explain : NULL,
                              .json = options ? options->json : NULL};
    s.run = calloc(count, sizeof *s.run);
    s.queue = calloc(count, sizeof *s.queue);
    outcome->jobs = calloc(count, sizeof *outcome->jobs);
    int status = s.run && s.queue && outcome->jobs ? memory_init(&s.memory, config)
                                                   : SIM_ERR_NOMEM;
    if (!status) {
        if (s.explain)
            partition_explain_start(s.explain, &s);
        if (s.json)
            partition_json_start(s.json, &s);
        status = simulate(&s);
    }
    if (!status) {
        sum_up(&s);
        if (s.json)
            partition_json_end(s.json, &s);
    }
    memory_fini(&s.memory);
    free(s.run);
    free(s.queue);
    if (status)
        partition_outcome_free(outcome);
    return status;
}

void partition_outcome_free(struct partition_outcome *outcome)
{
    free(outcome->jobs);
    free(outcome->spans);
    *outcome = (struct partition_outcome){0};
}
