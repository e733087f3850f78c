/* hole_tree.c - the AVL tree of holes, with each subtree's count and
 * largest size kept up to date.  A change walks down by a loop, keeping
 * its path, sets the counts it can on the way, and walks back up only as
 * far as heights or largest sizes change.  The two sides of a node are
 * child[LOWER] and child[HIGHER], so that a rotation and its mirror image
 * are one function. */
#include <stdlib.h>

#include "hole_tree.h"

#define MAX_NODES (UINT32_MAX / 2)
/* No AVL tree of MAX_NODES nodes is this high (1.44 log2 n at most). */
#define MAX_HEIGHT 64

int hole_tree_init(struct hole_tree *tree, bool by_size)
{
    *tree = (struct hole_tree){.by_size = by_size, .capacity = 64};
    tree->node = malloc(sizeof *tree->node * tree->capacity);
    if (!tree->node)
        return SIM_ERR_NOMEM;
    tree->node[0] = (struct hole_node){0};
    return SIM_OK;
}

void hole_tree_free(struct hole_tree *tree)
{
    free(tree->node);
    tree->node = NULL;
}

/* Whether hole a sorts before hole b.  Computed without branches: which
 * way a walk turns at each node is as good as random, and a mispredicted
 * branch at every level costs more than the comparisons. */
static bool before(const struct hole_tree *tree, struct freespace_hole a,
                   struct freespace_hole b)
{
    bool by_addr = a.addr < b.addr;
    return tree->by_size ? (a.size < b.size) | ((a.size == b.size) & by_addr) : by_addr;
}

static struct freespace_hole hole_of(const struct hole_node *n)
{
    return (struct freespace_hole){n->addr, n->size};
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* Recompute what node n knows of its subtree from its children. */
static void update(struct hole_tree *t, uint32_t n)
{
    struct hole_node *node = &t->node[n];
    const struct hole_node *lower = &t->node[node->child[LOWER]];
    const struct hole_node *higher = &t->node[node->child[HIGHER]];
    node->height = 1 + (lower->height > higher->height ? lower->height : higher->height);
    node->count = 1 + lower->count + higher->count;
    node->largest = max_u64(node->size, max_u64(lower->largest, higher->largest));
}

/* Lift the child of n on side into n's place; the subtree's new root. */
static uint32_t lift(struct hole_tree *t, uint32_t n, int side)
{
    uint32_t c = t->node[n].child[side];
    t->node[n].child[side] = t->node[c].child[!side];
    t->node[c].child[!side] = n;
    update(t, n);
    update(t, c);
    return c;
}

/* Node n after a change below it: updated, and rotated back into balance
 * (children's heights differing by at most one); the subtree's new root. */
static uint32_t rebalance(struct hole_tree *t, uint32_t n)
{
    update(t, n);
    const struct hole_node *node = &t->node[n];
    int32_t balance = t->node[node->child[LOWER]].height - t->node[node->child[HIGHER]].height;
    if (balance >= -1 && balance <= 1)
        return n;
    int heavy = balance < 0 ? HIGHER : LOWER;
    uint32_t c = node->child[heavy];
    if (t->node[t->node[c].child[!heavy]].height > t->node[t->node[c].child[heavy]].height)
        t->node[n].child[heavy] = lift(t, c, !heavy);
    return lift(t, n, heavy);
}

static uint32_t new_node(struct hole_tree *t)
{
    if (t->spare) {
        uint32_t n = t->spare;
        t->spare = t->node[n].child[LOWER];
        return n;
    }
    if (t->used + 1 == t->capacity) {
        if (t->capacity > MAX_NODES)
            return 0;
        struct hole_node *grown = realloc(t->node, sizeof *grown * t->capacity * 2);
        if (!grown)
            return 0;
        t->node = grown;
        t->capacity *= 2;
    }
    return ++t->used;
}

/* A walk down from the root: the nodes it passed and the side it left
 * each by, so that a change at the bottom is carried back up without
 * recursion. */
struct path {
    uint32_t node[MAX_HEIGHT];
    uint8_t side[MAX_HEIGHT];
    int depth;
};

static void step(struct path *p, uint32_t n, int side)
{
    p->node[p->depth] = n;
    p->side[p->depth++] = (uint8_t)side;
}

/* Point the link to the subtree at level of the path (the root's, or its
 * parent's child) at n. */
static void relink(struct hole_tree *t, const struct path *p, int level, uint32_t n)
{
    if (level)
        t->node[p->node[level - 1]].child[p->side[level - 1]] = n;
    else
        t->root = n;
}

/* Rebalance the path's nodes from the bottom up, to the root or, from
 * level `settled` up, until a node's height and largest size come out as
 * they were: the counts above were set on the way down, and nothing else
 * above can change then. */
static void retrace(struct hole_tree *t, const struct path *p, int settled)
{
    for (int level = p->depth - 1; level >= 0; level--) {
        uint32_t n = p->node[level];
        int32_t height = t->node[n].height;
        uint64_t largest = t->node[n].largest;
        uint32_t now = rebalance(t, n);
        if (now != n)
            relink(t, p, level, now);
        if (level <= settled && t->node[now].height == height && t->node[now].largest == largest)
            return;
    }
}

int hole_tree_insert(struct hole_tree *tree, struct freespace_hole hole)
{
    uint32_t fresh = new_node(tree); /* first: it may move the nodes */
    if (!fresh)
        return SIM_ERR_NOMEM;
    tree->node[fresh] = (struct hole_node){.addr = hole.addr, .size = hole.size};
    update(tree, fresh);
    struct path p;
    p.depth = 0; /* only what a walk sets is read */
    for (uint32_t n = tree->root; n;) {
        struct hole_node *node = &tree->node[n];
        node->count++; /* every node on the way holds the hole below it */
        node->largest = max_u64(node->largest, hole.size);
        int side = before(tree, hole, hole_of(node)) ? LOWER : HIGHER;
        step(&p, n, side);
        n = node->child[side];
    }
    relink(tree, &p, p.depth, fresh);
    retrace(tree, &p, p.depth);
    return SIM_OK;
}

uint64_t hole_tree_remove(struct hole_tree *tree, struct freespace_hole hole)
{
    struct path p;
    p.depth = 0; /* only what a walk sets is read */
    uint64_t rank = 0;
    uint32_t n = tree->root;
    while (tree->node[n].addr != hole.addr) { /* every node on the way loses it */
        tree->node[n].count--;
        int side = before(tree, hole, hole_of(&tree->node[n])) ? LOWER : HIGHER;
        rank += side == HIGHER ? 1 + tree->node[tree->node[n].child[LOWER]].count : 0;
        step(&p, n, side);
        n = tree->node[n].child[side];
    }
    int level = p.depth; /* n's, where its successor, if it needs one, goes */
    struct hole_node *gone = &tree->node[n];
    rank += tree->node[gone->child[LOWER]].count;
    uint32_t lower = gone->child[LOWER], higher = gone->child[HIGHER];
    if (!lower || !higher) {
        relink(tree, &p, level, lower ? lower : higher);
    } else { /* the next hole up leaves its place and takes n's */
        step(&p, n, HIGHER);
        uint32_t next = higher;
        for (; tree->node[next].child[LOWER]; next = tree->node[next].child[LOWER]) {
            tree->node[next].count--;
            step(&p, next, LOWER);
        }
        relink(tree, &p, p.depth, tree->node[next].child[HIGHER]);
        struct hole_node *moved = &tree->node[next];
        moved->child[LOWER] = gone->child[LOWER];
        moved->child[HIGHER] = gone->child[HIGHER];
        moved->height = gone->height;
        moved->count = gone->count - 1;
        moved->largest = gone->largest;
        relink(tree, &p, level, next);
        p.node[level] = next;
    }
    gone->child[LOWER] = tree->spare;
    tree->spare = n;
    retrace(tree, &p, level);
    return rank;
}

uint64_t hole_tree_reshape(struct hole_tree *tree, uint64_t addr, struct freespace_hole now)
{
    uint32_t path[MAX_HEIGHT];
    int depth = 0;
    uint64_t rank = 0;
    uint32_t n = tree->root;
    for (; tree->node[n].addr != addr; n = tree->node[n].child[tree->node[n].addr < addr]) {
        path[depth++] = n;
        rank += tree->node[n].addr < addr ? 1 + tree->node[tree->node[n].child[LOWER]].count : 0;
    }
    rank += tree->node[tree->node[n].child[LOWER]].count;
    tree->node[n].addr = now.addr;
    tree->node[n].size = now.size;
    /* Only the largest sizes above it can change, and once one does not,
     * none above it does. */
    for (uint64_t was = tree->node[n].largest;; n = path[--depth]) {
        update(tree, n);
        if (tree->node[n].largest == was || !depth)
            return rank;
        was = tree->node[path[depth - 1]].largest;
    }
}

/* The lowest node of subtree n at or above from that holds size bytes;
 * *rank counts the holes below it, starting from below_n, the holes below
 * the subtree. */
static uint32_t first_fit_below(const struct hole_tree *t, uint32_t n, uint64_t size,
                                uint64_t from, uint64_t below_n, uint64_t *rank)
{
    const struct hole_node *node = &t->node[n];
    if (!n || node->largest < size)
        return 0;
    uint64_t lower_count = t->node[node->child[LOWER]].count;
    if (node->addr >= from) {
        uint32_t found = first_fit_below(t, node->child[LOWER], size, from, below_n, rank);
        if (found)
            return found;
        if (node->size >= size) {
            *rank = below_n + lower_count;
            return n;
        }
    }
    return first_fit_below(t, node->child[HIGHER], size, from, below_n + lower_count + 1, rank);
}

bool hole_tree_first_fit(const struct hole_tree *tree, uint64_t size, uint64_t from,
                         struct freespace_hole *found, uint64_t *rank)
{
    uint32_t n = first_fit_below(tree, tree->root, size, from, 0, rank);
    if (n)
        *found = hole_of(&tree->node[n]);
    return n != 0;
}

/* The nearest node to one side among those that qualify, when the
 * qualifying nodes all lie on one side of the others in tree order: the
 * walk keeps the last qualifying node and looks beyond it for a nearer one
 * (lower if lowest, else higher), or past a node that does not qualify for
 * one that does. */
static bool nearest(const struct hole_tree *tree,
                    bool (*qualifies)(const struct hole_node *, uint64_t), uint64_t key,
                    bool lowest, struct freespace_hole *found)
{
    uint32_t best = 0;
    for (uint32_t n = tree->root; n;) {
        bool yes = qualifies(&tree->node[n], key);
        if (yes)
            best = n;
        n = tree->node[n].child[yes == lowest ? LOWER : HIGHER];
    }
    if (best)
        *found = hole_of(&tree->node[best]);
    return best != 0;
}

static bool holds(const struct hole_node *node, uint64_t size)
{
    return node->size >= size;
}

static bool lies_below(const struct hole_node *node, uint64_t addr)
{
    return node->addr < addr;
}

static bool lies_at_or_above(const struct hole_node *node, uint64_t addr)
{
    return node->addr >= addr;
}

bool hole_tree_best_fit(const struct hole_tree *tree, uint64_t size,
                        struct freespace_hole *found)
{
    return nearest(tree, holds, size, true, found);
}

bool hole_tree_below(const struct hole_tree *tree, uint64_t addr, struct freespace_hole *found)
{
    return nearest(tree, lies_below, addr, false, found);
}

bool hole_tree_at_or_above(const struct hole_tree *tree, uint64_t addr,
                           struct freespace_hole *found)
{
    return nearest(tree, lies_at_or_above, addr, true, found);
}

uint64_t hole_tree_around(const struct hole_tree *tree, uint64_t addr, struct hole_around *around)
{
    uint64_t rank = 0;
    uint32_t below = 0, above = 0;
    for (uint32_t n = tree->root; n;) { /* without branches, as before() */
        const struct hole_node *node = &tree->node[n];
        bool lies_below = node->addr < addr;
        rank += lies_below ? 1 + tree->node[node->child[LOWER]].count : 0;
        below = lies_below ? n : below;
        above = lies_below ? above : n;
        n = node->child[lies_below];
    }
    if (around) {
        around->has_below = below != 0;
        around->has_above = above != 0;
        around->below = hole_of(&tree->node[below]);
        around->above = hole_of(&tree->node[above]);
    }
    return rank;
}

uint64_t hole_tree_rank(const struct hole_tree *tree, uint64_t addr)
{
    return hole_tree_around(tree, addr, NULL);
}

static void list_below(const struct hole_tree *t, uint32_t n, struct freespace_hole *out,
                       size_t cap, size_t *done)
{
    if (!n || *done >= cap)
        return;
    list_below(t, t->node[n].child[LOWER], out, cap, done);
    if (*done < cap)
        out[(*done)++] = hole_of(&t->node[n]);
    list_below(t, t->node[n].child[HIGHER], out, cap, done);
}

size_t hole_tree_list(const struct hole_tree *tree, struct freespace_hole *out, size_t cap)
{
    size_t done = 0;
    if (cap) /* else only the count, which the root knows */
        list_below(tree, tree->root, out, cap, &done);
    return hole_tree_count(tree);
}

struct freespace_hole hole_tree_largest_hole(const struct hole_tree *tree)
{
    struct freespace_hole largest = {0, 0};
    uint64_t rank;
    if (hole_tree_count(tree))
        hole_tree_first_fit(tree, hole_tree_largest_size(tree), 0, &largest, &rank);
    return largest;
}
