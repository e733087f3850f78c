/* mrc_profile.c - the LRU curve of mrc_profile.h, reference by reference:
 * LRU keeps the f most recently used pages in f frames, so a reference
 * hits with f frames exactly when its stack distance is at most f
 * (Mattson et al., 1970). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mrc_profile.h"
#include "trace.h"

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

/* A page reference that passed the sampling filter. */
struct page_ref {
    uint64_t vpn, hash;
    uint16_t pid;
    bool new_page; /* its first reference (from look_up) */
    uint32_t id;   /* from look_up */
};

/* References are taken a chunk at a time, in stages that each start
 * fetching what the next one reads, so that on a large footprint the
 * cache misses of a chunk's references overlap rather than follow one
 * another: the filter keeps the references to sampled pages and fetches
 * their index slots, the look-up turns them into ids and fetches their
 * last uses, and last the references are counted in order. */
#define FEED_CHUNK 64

/* A reference to a page whose hash passes the threshold; *followed: the
 * page still is once it is counted. */
static int sample(struct lru_profile *p, const struct page_ref *ref, uint64_t sample_hash,
                  bool *followed)
{
    uint64_t distance;
    *followed = false;
    if (reuse_touch(&p->reuse, ref->id, &distance))
        return SIM_ERR_NOMEM;
    if (p->max_pages && ref->new_page) {
        followed_push(&p->heap, sample_hash, ref->id);
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
    if (p->threshold == SHARDS_MODULUS) {
        p->weight++; /* exact: no scaling */
        return mrc_histogram_add(&p->histogram, distance, 1);
    }
    double scale = SHARDS_MODULUS / (double)p->threshold; /* 1 / R */
    p->weight += scale;
    /* The other pages seen since, d - 1, are a sample at rate R of the
     * true ones (rounded to the nearest by adding a half: llround is a
     * call, and this is done for every sampled reference). */
    uint64_t scaled = distance ? 1 + (uint64_t)((double)(distance - 1) * scale + 0.5) : 0;
    return mrc_histogram_add(&p->histogram, scaled, scale);
}

/* The filter's state, in a local copy while a chunk is filtered, which
 * the compiler can then keep in registers. */
struct filter {
    struct page_walk walk;
    uint64_t threshold;
    uint64_t last_vpn, last_hash; /* the page referenced last */
    uint16_t last_pid;
    bool passed;                  /* whether it passed */
    uint64_t references;
    size_t n;                     /* references kept */
};

static inline struct filter filter_start(const struct lru_profile *p)
{
    return (struct filter){.walk = p->walk, .threshold = p->threshold, .passed = p->last_passed,
                           .last_vpn = p->last_vpn, .last_hash = p->last_hash,
                           .last_pid = p->last_pid};
}

/* One record's page references to sampled pages into refs; references to
 * the page just referenced are kept only if it passed the filter. */
static inline void filter_record(struct filter *f, const struct sim_record *r,
                                 const struct page_index *index, struct page_ref *refs)
{
    uint64_t vpns[2];
    unsigned pages = page_walk_record(&f->walk, r, vpns);
    f->references += pages;
    for (unsigned k = 0; k < pages; k++) {
        if (vpns[k] != f->last_vpn || r->pid != f->last_pid) {
            f->last_vpn = vpns[k];
            f->last_pid = r->pid;
            f->last_hash = page_hash(vpns[k], r->pid);
            f->passed = f->last_hash >> (64 - SHARDS_BITS) < f->threshold;
            if (f->passed)
                page_index_prefetch(index, f->last_hash);
        }
        if (f->passed)
            refs[f->n++] = (struct page_ref){
                .vpn = f->last_vpn, .hash = f->last_hash, .pid = f->last_pid};
    }
}

static size_t filter_end(struct lru_profile *p, const struct filter *f)
{
    p->last_vpn = f->last_vpn;
    p->last_hash = f->last_hash;
    p->last_pid = f->last_pid;
    p->last_passed = f->passed;
    p->references += f->references;
    return f->n;
}

/* The chunk's references to sampled pages into refs; how many. */
static size_t filter(struct lru_profile *p, const void *items, size_t count,
                     struct page_ref *refs)
{
    const struct sim_record *records = items;
    struct filter f = filter_start(p);
    for (size_t i = 0; i < count; i++)
        filter_record(&f, &records[i], &p->index, refs);
    return filter_end(p, &f);
}

/* As filter, of a binary trace's words, each decoded as it is filtered. */
static size_t filter_words(struct lru_profile *p, const void *items, size_t count,
                           struct page_ref *refs)
{
    const unsigned char *words = items;
    struct filter f = filter_start(p);
    for (size_t i = 0; i < count; i++) {
        struct sim_record r = binary_decode(binary_word(words + 8 * i), 0);
        filter_record(&f, &r, &p->index, refs);
    }
    return filter_end(p, &f);
}

/* The ids of the chunk's pages, and a start on fetching their last uses. */
static int look_up(struct lru_profile *p, struct page_ref *refs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t before = p->index.count;
        if (page_index_id(&p->index, refs[i].vpn, refs[i].pid, refs[i].hash, &refs[i].id))
            return SIM_ERR_NOMEM;
        refs[i].new_page = p->index.count > before;
        reuse_prefetch(&p->reuse, refs[i].id);
    }
    return SIM_OK;
}

/* Count the chunk's references kept by the filter, in order. */
static int count_refs(struct lru_profile *p, struct page_ref *refs, size_t n)
{
    if (look_up(p, refs, n))
        return SIM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct page_ref *ref = &refs[i];
        /* A fixed-size sample may have dropped the page since the
         * filter passed it. */
        uint64_t sample_hash = ref->hash >> (64 - SHARDS_BITS);
        if (sample_hash >= p->threshold)
            continue;
        if (i && ref->vpn == refs[i - 1].vpn && ref->pid == refs[i - 1].pid && p->last_followed) {
            /* The most recent followed page again: distance 1. */
            double weight = SHARDS_MODULUS / (double)p->threshold;
            p->repeats += weight;
            p->weight += weight;
            continue;
        }
        if (sample(p, ref, sample_hash, &p->last_followed))
            return SIM_ERR_NOMEM;
    }
    return SIM_OK;
}

/* Filter items[0 .. count) chunk by chunk, each item item_size bytes, and
 * count what passes: the one loop of both feeds, in which the filter's
 * call is direct once this is inlined. */
static inline int feed(struct lru_profile *p, const unsigned char *items, size_t item_size,
                       size_t count,
                       size_t (*filter_chunk)(struct lru_profile *, const void *, size_t,
                                              struct page_ref *))
{
    struct page_ref refs[2 * FEED_CHUNK];
    for (size_t done = 0; done < count; done += FEED_CHUNK) {
        size_t chunk = count - done < FEED_CHUNK ? count - done : FEED_CHUNK;
        if (count_refs(p, refs, filter_chunk(p, items + item_size * done, chunk, refs)))
            return SIM_ERR_NOMEM;
    }
    return SIM_OK;
}

int lru_profile_feed(struct lru_profile *p, const struct sim_record *records, size_t count)
{
    return feed(p, (const unsigned char *)records, sizeof *records, count, filter);
}

int lru_profile_feed_words(struct lru_profile *p, const unsigned char *words, size_t count)
{
    return feed(p, words, 8, count, filter_words);
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
