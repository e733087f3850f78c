/* reuse.c - the slots of reuse.h, their counts and their renumbering.
 * Slot s (from 1) is bit s % 64 of word s / 64; the tree's node w + 1
 * counts word w. */
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
    uint32_t *tree = realloc(r->tree, sizeof *tree * (cap / 64 + 2));
    if (tree)
        r->tree = tree;
    uint32_t *owner = realloc(r->owner, sizeof *owner * (cap + 1));
    if (owner)
        r->owner = owner;
    if (!bits || !tree || !owner)
        return SIM_ERR_NOMEM;
    r->cap = cap;
    return SIM_OK;
}

int reuse_init(struct reuse *r)
{
    *r = (struct reuse){.pages = 1024};
    r->last = calloc(r->pages, sizeof *r->last);
    if (r->last && !allocate(r, 1024)) {
        memset(r->bits, 0, sizeof *r->bits * words(r));
        memset(r->tree, 0, sizeof *r->tree * (words(r) + 1));
        return SIM_OK;
    }
    reuse_free(r);
    return SIM_ERR_NOMEM;
}

void reuse_free(struct reuse *r)
{
    free(r->bits);
    free(r->tree);
    free(r->owner);
    free(r->last);
    *r = (struct reuse){0};
}

/* Only the words before now's are in the tree ("closed"): the slot of a
 * reference is always now's, so marking it costs no walk up the tree, and
 * the word is added to the tree whole when now moves past it. */
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
    uint64_t after = slot % 64 == 63 ? 0 : ~0ull << (slot % 64 + 1);
    uint32_t in_word = ones(r->bits[slot / 64] & after);
    if (slot / 64 == r->now / 64)
        return in_word;
    return in_word + r->closed - tree_prefix(r, slot / 64) + r->open;
}

static void clear_slot(struct reuse *r, size_t slot)
{
    r->bits[slot / 64] &= ~(1ull << (slot % 64));
    if (slot / 64 == r->now / 64) {
        r->open--;
    } else {
        tree_add(r, slot / 64, (uint32_t)-1);
        r->closed--;
    }
}

/* Move now on by one slot and mark it, closing its word if it is a new
 * one. */
static void advance(struct reuse *r)
{
    size_t word = r->now / 64;
    r->now++;
    if (r->now / 64 != word) {
        tree_add(r, word, r->open);
        r->closed += r->open;
        r->open = 0;
    }
    r->bits[r->now / 64] |= 1ull << (r->now % 64);
    r->open++;
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
    memset(r->bits, 0, sizeof *r->bits * words(r));
    for (size_t slot = 1; slot <= taken; slot++)
        r->bits[slot / 64] |= 1ull << (slot % 64);
    /* The tree in linear time, each node passing its sum to its parent;
     * the words before the last taken slot's are closed. */
    memset(r->tree, 0, sizeof *r->tree * (words(r) + 1));
    r->closed = 0;
    for (size_t node = 1; node <= words(r); node++) {
        if (node <= taken / 64) {
            uint32_t count = ones(r->bits[node - 1]);
            r->tree[node] += count;
            r->closed += count;
        }
        size_t parent = node + (node & -node);
        if (parent <= words(r))
            r->tree[parent] += r->tree[node];
    }
    r->open = ones(r->bits[taken / 64]);
    r->now = taken;
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
