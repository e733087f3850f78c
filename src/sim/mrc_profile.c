/* mrc_profile.c - the LRU curve of mrc_profile.h, reference by reference:
 * LRU keeps the f most recently used pages in f frames, so a reference
 * hits with f frames exactly when its stack distance is at most f
 * (Mattson et al., 1970). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mrc_profile.h"

void lru_profile_free(struct lru_profile *p)
{
    page_index_free(&p->index);
    reuse_free(&p->reuse);
    mrc_histogram_free(&p->histogram);
    free(p->heap.hash);
    free(p->heap.id);
    p->heap = (struct followed){0};
}

int lru_profile_open(struct lru_profile *p, const struct sim_config *config, double rate,
                     uint64_t max_pages)
{
    *p = (struct lru_profile){.max_pages = max_pages, .last_vpn = UINT64_MAX};
    page_walk_init(&p->walk, config, true);
    p->threshold = (uint64_t)llround(rate * SHARDS_MODULUS);
    if (p->threshold < 1)
        p->threshold = 1;
    int a = page_index_init(&p->index), b = reuse_init(&p->reuse);
    int c = mrc_histogram_init(&p->histogram);
    if (max_pages) {
        p->heap.hash = malloc(sizeof *p->heap.hash * (max_pages + 1));
        p->heap.id = malloc(sizeof *p->heap.id * (max_pages + 1));
    }
    if (a || b || c || (max_pages && (!p->heap.hash || !p->heap.id))) {
        lru_profile_free(p);
        return SIM_ERR_NOMEM;
    }
    return SIM_OK;
}

/* A reference to a page whose hash passed the threshold; *followed: the
 * page still is once it is counted. */
static int sample(struct lru_profile *p, uint64_t vpn, uint16_t pid, uint64_t hash,
                  uint64_t sample_hash, bool *followed)
{
    uint32_t id, before = p->index.count;
    uint64_t distance;
    *followed = false;
    if (page_index_id(&p->index, vpn, pid, hash, &id) || reuse_touch(&p->reuse, id, &distance))
        return SIM_ERR_NOMEM;
    if (p->max_pages && p->index.count > before) {
        followed_push(&p->heap, sample_hash, id);
        if (p->heap.count > p->max_pages) {
            /* Drop the largest hash; pages with a hash at or above it are
             * no longer followed. */
            p->threshold = p->heap.hash[0];
            reuse_forget(&p->reuse, p->heap.id[0]);
            followed_pop(&p->heap);
            if (sample_hash >= p->threshold)
                return SIM_OK; /* the new page itself went */
        }
    }
    *followed = true;
    double scale = SHARDS_MODULUS / (double)p->threshold; /* 1 / R */
    p->weight += scale;
    /* The other pages seen since, d - 1, are a sample at rate R of the
     * true ones (rounded to the nearest by adding a half: llround is a
     * call, and this is done for every sampled reference). */
    uint64_t scaled = distance ? 1 + (uint64_t)((double)(distance - 1) * scale + 0.5) : 0;
    return mrc_histogram_add(&p->histogram, scaled, scale);
}

/* A page reference that passed the sampling filter. */
struct page_ref {
    uint64_t vpn, hash;
    uint16_t pid;
};

/* References are taken a chunk at a time: first the filter, which keeps
 * the references to sampled pages and starts fetching their index slots,
 * then the sampled references in order, by which time their slots are
 * mostly in the cache. */
#define FEED_CHUNK 64

/* The chunk's references to sampled pages into refs; references to the
 * page just referenced are kept only if it passed the filter. */
static size_t filter(struct lru_profile *p, const struct sim_record *records, size_t count,
                     struct page_ref *refs)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const struct sim_record *r = &records[i];
        uint64_t vpns[2];
        unsigned pages = page_walk_record(&p->walk, r, vpns);
        p->references += pages;
        for (unsigned k = 0; k < pages; k++) {
            if (vpns[k] == p->last_vpn && r->pid == p->last_pid) {
                if (p->last_passed)
                    refs[n++] = (struct page_ref){p->last_vpn, p->last_hash, p->last_pid};
                continue;
            }
            p->last_vpn = vpns[k];
            p->last_pid = r->pid;
            uint64_t hash = page_hash(vpns[k], r->pid);
            p->last_hash = hash;
            p->last_passed = hash >> (64 - SHARDS_BITS) < p->threshold;
            if (p->last_passed) {
                page_index_prefetch(&p->index, hash);
                refs[n++] = (struct page_ref){vpns[k], hash, r->pid};
            }
        }
    }
    return n;
}

int lru_profile_feed(struct lru_profile *p, const struct sim_record *records, size_t count)
{
    struct page_ref refs[2 * FEED_CHUNK];
    for (size_t done = 0; done < count; done += FEED_CHUNK) {
        size_t n = filter(p, records + done, count - done < FEED_CHUNK ? count - done : FEED_CHUNK,
                          refs);
        for (size_t i = 0; i < n; i++) {
            const struct page_ref *ref = &refs[i];
            /* A fixed-size sample may have dropped the page since the
             * filter passed it. */
            uint64_t sample_hash = ref->hash >> (64 - SHARDS_BITS);
            if (sample_hash >= p->threshold)
                continue;
            if (i && ref->vpn == refs[i - 1].vpn && ref->pid == refs[i - 1].pid &&
                p->last_followed) {
                /* The most recent followed page again: distance 1. */
                double weight = SHARDS_MODULUS / (double)p->threshold;
                p->repeats += weight;
                p->weight += weight;
                continue;
            }
            if (sample(p, ref->vpn, ref->pid, ref->hash, sample_hash, &p->last_followed))
                return SIM_ERR_NOMEM;
        }
    }
    return SIM_OK;
}

int lru_profile_finish(struct lru_profile *p, struct sim_mrc *curve)
{
    double rate = (double)p->threshold / SHARDS_MODULUS;
    bool exact = p->threshold >= SHARDS_MODULUS && !p->max_pages;
    *curve = (struct sim_mrc){.references = p->references, .sample_rate = exact ? 1 : rate};
    curve->footprint = exact ? p->index.count : (uint64_t)llround(p->reuse.live / rate);
    if (exact)
        snprintf(curve->name, sizeof curve->name, "lru");
    else if (p->max_pages)
        snprintf(curve->name, sizeof curve->name, "lru, SHARDS %llu",
                 (unsigned long long)p->max_pages);
    else
        snprintf(curve->name, sizeof curve->name, "lru, SHARDS %.3g%%", rate * 100);
    int status = p->repeats ? mrc_histogram_add(&p->histogram, 1, p->repeats) : SIM_OK;
    /* The correction: credit what the sample missed to the top of the
     * stack (nothing when exact). */
    if (!status && !exact)
        status = mrc_histogram_add(&p->histogram, 1, (double)p->references - p->weight);
    if (!status)
        status = mrc_histogram_curve(&p->histogram, curve);
    lru_profile_free(p);
    return status;
}
