/* reuse.c - the slots of reuse.h, their counts and their renumbering.
 * Slot s (from 1) is bit s % 64 of word s / 64; the tree's node w + 1
 * counts word w once it is closed. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mmkit/sim.h"
#include "reuse.h"

/* The 1s of a word.  Without the processor's instruction (x86-64's
 * baseline lacks it) __builtin_popcountll is a call into libgcc, which
 * costs more than these few operations inline. */
static uint32_t ones(uint64_t x)
{
#ifdef __POPCNT__
    return (uint32_t)__builtin_popcountll(x);
#else
    x -= x >> 1 & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + (x >> 2 & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (uint32_t)((x * 0x0101010101010101ull) >> 56);
#endif
}

static size_t words(const struct reuse *r)
{
    return r->cap / 64 + 1;
}

static int allocate(struct reuse *r, size_t cap)
{
    uint64_t *bits = realloc(r->bits, sizeof *bits * (cap / 64 + 1));
    if (bits)
        r->bits = bits;
    /* 8 bytes more: recent_since reads the counts 8 at a time. */
    uint8_t *word_ones = realloc(r->word_ones, cap / 64 + 1 + 8);
    if (word_ones)
        r->word_ones = word_ones;
    uint32_t *tree = realloc(r->tree, sizeof *tree * (cap / 64 + 2));
    if (tree)
        r->tree = tree;
    uint32_t *owner = realloc(r->owner, sizeof *owner * (cap + 1));
    if (owner)
        r->owner = owner;
    if (!bits || !word_ones || !tree || !owner)
        return SIM_ERR_NOMEM;
    r->cap = cap;
    return SIM_OK;
}

/* No slot taken. */
static void clear_counts(struct reuse *r)
{
    memset(r->bits, 0, sizeof *r->bits * words(r));
    memset(r->word_ones, 0, words(r) + 8);
    memset(r->tree, 0, sizeof *r->tree * (words(r) + 1));
    r->closed = r->recent = 0;
}

int reuse_init(struct reuse *r)
{
    *r = (struct reuse){.pages = 1024};
    r->last = calloc(r->pages, sizeof *r->last);
    if (r->last && !allocate(r, 1024)) {
        clear_counts(r);
        return SIM_OK;
    }
    reuse_free(r);
    return SIM_ERR_NOMEM;
}

void reuse_free(struct reuse *r)
{
    free(r->bits);
    free(r->word_ones);
    free(r->tree);
    free(r->owner);
    free(r->last);
    *r = (struct reuse){0};
}

/* Whether word is one of the recent ones: now's and the REUSE_RECENT - 1
 * before it. */
static bool recent(const struct reuse *r, size_t word)
{
    return word + REUSE_RECENT > r->now / 64;
}

/* The 1s of the words after word up to now's, 8 counts at a time: each
 * byte pair adds into a 16-bit lane, which counts of at most 64 cannot
 * overflow.  The last 8 may reach past now's word: those counts are 0. */
static uint32_t recent_since(const struct reuse *r, size_t word)
{
    const uint64_t low_bytes = 0x00FF00FF00FF00FFull;
    uint64_t lanes = 0, x;
    for (size_t w = word + 1; w <= r->now / 64; w += 8) {
        memcpy(&x, r->word_ones + w, 8);
        lanes += (x & low_bytes) + (x >> 8 & low_bytes);
    }
    return (uint32_t)((lanes * 0x0001000100010001ull) >> 48);
}

/* Only the words older than the recent ones are in the tree ("closed"):
 * a reference to a page last used in a recent word (most references of a
 * program with locality) sums the counts of the few words since and walks
 * no tree, and a word is added to the tree whole when it stops being
 * recent. */
static void tree_add(struct reuse *r, size_t word, uint32_t delta)
{
    size_t nodes = words(r);
    uint32_t *tree = r->tree;
    for (size_t node = word + 1; node <= nodes; node += node & -node)
        tree[node] += delta;
}

/* The 1s in closed words 0..word. */
static uint32_t tree_prefix(const struct reuse *r, size_t word)
{
    uint32_t sum = 0;
    for (size_t node = word + 1; node; node -= node & -node)
        sum += r->tree[node];
    return sum;
}

/* The 1s in slots after slot, up to now. */
static uint32_t since(const struct reuse *r, size_t slot)
{
    size_t word = slot / 64;
    uint64_t after = slot % 64 == 63 ? 0 : ~0ull << (slot % 64 + 1);
    uint32_t in_word = ones(r->bits[word] & after);
    if (recent(r, word))
        return in_word + recent_since(r, word);
    return in_word + r->closed - tree_prefix(r, word) + r->recent;
}

/* clear_slot and advance are inline: used more than once, the compiler
 * would otherwise leave them out of line, a call for every reference. */
static inline void clear_slot(struct reuse *r, size_t slot)
{
    size_t word = slot / 64;
    r->bits[word] &= ~(1ull << (slot % 64));
    r->word_ones[word]--;
    if (recent(r, word)) {
        r->recent--;
    } else {
        tree_add(r, word, (uint32_t)-1);
        r->closed--;
    }
}

/* Move now on by one slot and mark it; on entering a new word, the
 * oldest recent word is closed. */
static inline void advance(struct reuse *r)
{
    size_t word = r->now / 64;
    r->now++;
    if (r->now / 64 != word && r->now / 64 >= REUSE_RECENT) {
        size_t oldest = r->now / 64 - REUSE_RECENT;
        tree_add(r, oldest, r->word_ones[oldest]);
        r->closed += r->word_ones[oldest];
        r->recent -= r->word_ones[oldest];
    }
    r->bits[r->now / 64] |= 1ull << (r->now % 64);
    r->word_ones[r->now / 64]++;
    r->recent++;
}

/* The slots run out: give the tracked pages slots 1..live in the order of
 * their last references (which keeps every distance), doubling the slots
 * first if more than half of them would stay taken. */
static int renumber(struct reuse *r)
{
    if ((size_t)r->live * 2 > r->cap && allocate(r, r->cap * 2))
        return SIM_ERR_NOMEM;
    /* The 1s are the last uses: read them from the bits, a word at a
     * time, rather than ask every slot's owner. */
    size_t taken = 0;
    for (size_t word = 0; word <= r->now / 64; word++)
        for (uint64_t ones = r->bits[word]; ones; ones &= ones - 1) {
            uint32_t page = r->owner[word * 64 + (size_t)__builtin_ctzll(ones)];
            r->owner[++taken] = page;
            r->last[page] = (uint32_t)taken;
        }
    clear_counts(r);
    for (r->now = 0; r->now < taken;)
        advance(r);
    return SIM_OK;
}

static int grow_pages(struct reuse *r, uint32_t page)
{
    size_t pages = r->pages;
    while (pages <= page)
        pages *= 2;
    uint32_t *last = realloc(r->last, sizeof *last * pages);
    if (!last)
        return SIM_ERR_NOMEM;
    memset(last + r->pages, 0, sizeof *last * (pages - r->pages));
    r->last = last;
    r->pages = pages;
    return SIM_OK;
}

int reuse_touch(struct reuse *r, uint32_t page, uint64_t *distance)
{
    if (page >= r->pages && grow_pages(r, page))
        return SIM_ERR_NOMEM;
    if (r->now && r->last[page] == r->now) {
        *distance = 1; /* already the most recent: nothing moves */
        return SIM_OK;
    }
    if (r->now == r->cap && renumber(r))
        return SIM_ERR_NOMEM;
    size_t slot = r->last[page];
    if (slot) {
        /* Every 1 after the page's slot is a page used since. */
        *distance = since(r, slot) + 1ull;
        clear_slot(r, slot);
    } else {
        *distance = 0;
        r->live++;
    }
    advance(r);
    r->owner[r->now] = page;
    r->last[page] = (uint32_t)r->now;
    return SIM_OK;
}

void reuse_forget(struct reuse *r, uint32_t page)
{
    if (page >= r->pages || !r->last[page])
        return;
    clear_slot(r, r->last[page]);
    r->last[page] = 0;
    r->live--;
}
