/* mrc_shards.c - SHARDS (Waldspurger, Park, Garthwaite and Ahmad, FAST
 * 2015): the LRU curve from a spatial sample of the pages.  A page is
 * followed when its hash falls below a threshold T out of 2^24, a rate
 * R = T / 2^24, so every reference to a followed page is seen, and the
 * followed pages used since its page's last use, divided by R, estimate
 * all the pages used since.  Each sampled reference stands for 1 / R
 * references.
 *
 * Fixed size: at most max_pages pages are followed; when one more comes,
 * the page with the largest hash is dropped and T falls to that hash, so
 * the rate adapts to the trace and memory stays bounded.
 *
 * The published correction: the sample holds N R references only on
 * average; the difference from the trace's true count N is credited to the
 * smallest distance, which removes most of the bias of a sample that
 * happens to hold a few hot pages too many or too few. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mrc_histogram.h"
#include "page_index.h"
#include "reuse.h"

#define SHARDS_BITS 24
#define SHARDS_MODULUS (1u << SHARDS_BITS)

/* The followed pages as a max-heap on their hash (fixed size only). */
struct followed {
    uint64_t *hash;
    uint32_t *id;
    size_t count;
};

static void heap_push(struct followed *heap, uint64_t hash, uint32_t id)
{
    size_t i = heap->count++;
    for (; i && heap->hash[(i - 1) / 2] < hash; i = (i - 1) / 2) {
        heap->hash[i] = heap->hash[(i - 1) / 2];
        heap->id[i] = heap->id[(i - 1) / 2];
    }
    heap->hash[i] = hash;
    heap->id[i] = id;
}

static void heap_pop(struct followed *heap)
{
    uint64_t hash = heap->hash[--heap->count];
    uint32_t id = heap->id[heap->count];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= heap->count)
            break;
        if (child + 1 < heap->count && heap->hash[child + 1] > heap->hash[child])
            child++;
        if (heap->hash[child] <= hash)
            break;
        heap->hash[i] = heap->hash[child];
        heap->id[i] = heap->id[child];
        i = child;
    }
    heap->hash[i] = hash;
    heap->id[i] = id;
}

struct shards {
    struct page_index index;
    struct reuse reuse;
    struct mrc_histogram histogram;
    struct followed heap;
    uint64_t threshold, max_pages;
    double weight; /* sampled references, each weighed 1 / R at its time */
};

/* A reference to a page whose hash passed the threshold. */
static int shards_sample(struct shards *s, uint64_t vpn, uint16_t pid, uint64_t hash,
                         uint64_t sample_hash)
{
    uint32_t id, before = s->index.count;
    uint64_t distance;
    if (page_index_id(&s->index, vpn, pid, hash, &id) || reuse_touch(&s->reuse, id, &distance))
        return SIM_ERR_NOMEM;
    if (s->max_pages && s->index.count > before) {
        heap_push(&s->heap, sample_hash, id);
        if (s->heap.count > s->max_pages) {
            /* Drop the largest hash; pages with a hash at or above it are
             * no longer followed. */
            s->threshold = s->heap.hash[0];
            reuse_forget(&s->reuse, s->heap.id[0]);
            heap_pop(&s->heap);
            if (sample_hash >= s->threshold)
                return SIM_OK; /* the new page itself went */
        }
    }
    double rate = (double)s->threshold / SHARDS_MODULUS;
    s->weight += 1 / rate;
    /* The other pages seen since, d - 1, are a sample at rate R of the
     * true ones. */
    uint64_t scaled = distance ? 1 + (uint64_t)llround((double)(distance - 1) / rate) : 0;
    return mrc_histogram_add(&s->histogram, scaled, 1 / rate);
}

static void shards_free(struct shards *s)
{
    page_index_free(&s->index);
    reuse_free(&s->reuse);
    mrc_histogram_free(&s->histogram);
    free(s->heap.hash);
    free(s->heap.id);
}

static int shards_init(struct shards *s, double rate, uint64_t max_pages)
{
    *s = (struct shards){.max_pages = max_pages};
    s->threshold = (uint64_t)llround(rate * SHARDS_MODULUS);
    if (s->threshold < 1)
        s->threshold = 1;
    int a = page_index_init(&s->index), b = reuse_init(&s->reuse);
    int c = mrc_histogram_init(&s->histogram);
    if (max_pages) {
        s->heap.hash = malloc(sizeof *s->heap.hash * (max_pages + 1));
        s->heap.id = malloc(sizeof *s->heap.id * (max_pages + 1));
    }
    if (a || b || c || (max_pages && (!s->heap.hash || !s->heap.id))) {
        shards_free(s);
        return SIM_ERR_NOMEM;
    }
    return SIM_OK;
}

int sim_mrc_shards(struct sim_mrc *curve, const struct sim_config *config,
                   const struct sim_workload *workload, double rate, uint64_t max_pages,
                   struct sim_diag *diag)
{
    *curve = (struct sim_mrc){0};
    int status = sim_mrc_check_config(config, diag);
    if (status)
        return status;
    struct shards s;
    if (shards_init(&s, rate, max_pages))
        return SIM_ERR_NOMEM;
    struct page_walk walk;
    page_walk_init(&walk, config, true);
    for (size_t i = 0; !status && i < workload->count; i++) {
        const struct sim_record *r = &workload->records[i];
        uint64_t vpns[2];
        unsigned pages = page_walk_record(&walk, r, vpns);
        for (unsigned k = 0; !status && k < pages; k++) {
            uint64_t hash = page_hash(vpns[k], r->pid);
            uint64_t sample_hash = hash >> (64 - SHARDS_BITS);
            if (sample_hash < s.threshold)
                status = shards_sample(&s, vpns[k], r->pid, hash, sample_hash);
        }
        curve->references += pages;
    }
    double final_rate = (double)s.threshold / SHARDS_MODULUS;
    curve->sample_rate = final_rate;
    curve->footprint = (uint64_t)llround(s.reuse.live / final_rate);
    if (max_pages)
        snprintf(curve->name, sizeof curve->name, "lru, SHARDS %llu",
                 (unsigned long long)max_pages);
    else
        snprintf(curve->name, sizeof curve->name, "lru, SHARDS %g%%", rate * 100);
    /* The correction: credit what the sample missed to the top of the stack. */
    if (!status)
        status = mrc_histogram_add(&s.histogram, 1, (double)curve->references - s.weight);
    if (!status)
        status = mrc_histogram_curve(&s.histogram, curve);
    shards_free(&s);
    return status;
}
