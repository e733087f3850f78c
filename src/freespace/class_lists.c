/* class_lists.c - holes by class, each class by address, with the holes'
 * boundary tags and two levels of bits for the classes that have holes
 * (class_lists.h). */
#include <inttypes.h>
#include <stdlib.h>

#include "class_lists.h"
#include "heap.h"

void *class_lists_create(size_t state_size, size_t classes, size_t (*class_of)(uint64_t size),
                         void (*print_class)(FILE *out, size_t class),
                         const struct freespace_hole *start, size_t count)
{
    struct class_lists *lists = calloc(1, state_size);
    if (!lists)
        return NULL;
    *lists = (struct class_lists){.classes = classes, .class_of = class_of,
                                  .print_class = print_class};
    lists->of_class = calloc(classes, sizeof *lists->of_class);
    if (!lists->of_class || hole_tags_init(&lists->tags)) {
        free(lists->of_class);
        free(lists);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (class_lists_add(lists, start[i])) {
            class_lists_destroy(lists);
            return NULL;
        }
    }
    return lists;
}

void class_lists_destroy(void *state)
{
    struct class_lists *lists = state;
    if (!lists)
        return;
    for (size_t c = 0; c < lists->classes; c++)
        hole_tree_free(&lists->of_class[c]);
    free(lists->of_class);
    hole_tags_free(&lists->tags);
    free(lists);
}

static void mark(struct class_lists *lists, size_t class, bool has_holes)
{
    uint64_t bit = (uint64_t)1 << (class % 64);
    uint64_t *word = &lists->nonempty[class / 64];
    *word = has_holes ? *word | bit : *word & ~bit;
    uint64_t word_bit = (uint64_t)1 << (class / 64);
    lists->nonempty_words = *word ? lists->nonempty_words | word_bit
                                  : lists->nonempty_words & ~word_bit;
}

int class_lists_add(struct class_lists *lists, struct freespace_hole hole)
{
    size_t class = lists->class_of(hole.size);
    struct hole_tree *tree = &lists->of_class[class];
    if (!tree->node && hole_tree_init(tree, false))
        return SIM_ERR_NOMEM;
    if (hole_tags_add(&lists->tags, hole))
        return SIM_ERR_NOMEM;
    if (hole_tree_insert(tree, hole)) {
        hole_tags_remove(&lists->tags, hole);
        return SIM_ERR_NOMEM;
    }
    mark(lists, class, true);
    lists->count++;
    return SIM_OK;
}

void class_lists_remove(struct class_lists *lists, struct freespace_hole hole)
{
    size_t class = lists->class_of(hole.size);
    hole_tags_remove(&lists->tags, hole);
    hole_tree_remove(&lists->of_class[class], hole);
    if (!hole_tree_count(&lists->of_class[class]))
        mark(lists, class, false);
    lists->count--;
}

size_t class_lists_next(const struct class_lists *lists, size_t from)
{
    if (from >= lists->classes)
        return lists->classes;
    size_t word = from / 64;
    uint64_t here = lists->nonempty[word] & (~(uint64_t)0 << (from % 64));
    if (here)
        return word * 64 + (size_t)__builtin_ctzll(here);
    uint64_t above = word + 1 < 64 ? lists->nonempty_words & (~(uint64_t)0 << (word + 1)) : 0;
    if (!above)
        return lists->classes;
    word = (size_t)__builtin_ctzll(above);
    return word * 64 + (size_t)__builtin_ctzll(lists->nonempty[word]);
}

/* The highest class that has a hole; lists->classes if none. */
static size_t highest_class(const struct class_lists *lists)
{
    if (!lists->nonempty_words)
        return lists->classes;
    size_t word = class_log2(lists->nonempty_words);
    return word * 64 + class_log2(lists->nonempty[word]);
}

const struct hole_tree *class_lists_of(const struct class_lists *lists, size_t class)
{
    return lists->of_class[class].node ? &lists->of_class[class] : NULL;
}

struct freespace_hole class_lists_first(const struct class_lists *lists, size_t class)
{
    struct freespace_hole first = {0, 0};
    hole_tree_at_or_above(&lists->of_class[class], 0, &first);
    return first;
}

struct freespace_hole class_lists_largest_hole(const struct class_lists *lists)
{
    size_t highest = highest_class(lists);
    return highest < lists->classes ? hole_tree_largest_hole(&lists->of_class[highest])
                                    : (struct freespace_hole){0, 0};
}

bool class_lists_at(const struct class_lists *lists, uint64_t addr, struct freespace_hole *found)
{
    *found = hole_tags_starting_at(&lists->tags, addr);
    return found->size != 0;
}

/* The hole old becomes now, which keeps its place by address among all
 * the holes (a split's rest, or a merge): reshaped where it is rather
 * than taken out and put back, and moved only if its class changes.  0 or
 * SIM_ERR_NOMEM, with old as it was. */
static int reshape(struct class_lists *lists, struct freespace_hole old, struct freespace_hole now)
{
    size_t from = lists->class_of(old.size), to = lists->class_of(now.size);
    if (hole_tags_move(&lists->tags, old, now))
        return SIM_ERR_NOMEM;
    if (from == to) {
        hole_tree_reshape(&lists->of_class[from], old.addr, now);
        return SIM_OK;
    }
    hole_tree_remove(&lists->of_class[from], old);
    struct hole_tree *tree = &lists->of_class[to];
    if ((!tree->node && hole_tree_init(tree, false)) || hole_tree_insert(tree, now)) {
        hole_tags_move(&lists->tags, now, old);
        hole_tree_insert(&lists->of_class[from], old); /* takes the node it left */
        return SIM_ERR_NOMEM;
    }
    if (!hole_tree_count(&lists->of_class[from]))
        mark(lists, from, false);
    mark(lists, to, true);
    return SIM_OK;
}

int class_lists_carve(struct class_lists *lists, struct freespace_hole hole, uint64_t size,
                      uint64_t min_split, struct freespace_result *r)
{
    r->block = hole.addr;
    r->block_size = policy_block_size(hole.size, size, min_split);
    r->split = r->block_size < hole.size;
    if (!r->split) {
        class_lists_remove(lists, hole);
        return SIM_OK;
    }
    return reshape(lists, hole,
                   (struct freespace_hole){hole.addr + r->block_size, hole.size - r->block_size});
}

int class_lists_release(struct class_lists *lists, struct freespace_hole block, bool coalesce,
                        struct freespace_result *r)
{
    struct freespace_hole below = hole_tags_ending_at(&lists->tags, block.addr);
    struct freespace_hole above = hole_tags_starting_at(&lists->tags, block.addr + block.size);
    struct freespace_hole merged = block;
    bool with_below = coalesce && below.size, with_above = coalesce && above.size;
    if (with_below) {
        policy_note_merge(r, below, block);
        merged = (struct freespace_hole){below.addr, below.size + block.size};
    }
    if (with_above) {
        policy_note_merge(r, merged, above);
        merged.size += above.size;
    }
    if (with_below && with_above)
        class_lists_remove(lists, above);
    if (with_below || with_above)
        return reshape(lists, with_below ? below : above, merged);
    return class_lists_add(lists, block);
}

static int by_address(const void *a, const void *b)
{
    uint64_t x = ((const struct freespace_hole *)a)->addr;
    uint64_t y = ((const struct freespace_hole *)b)->addr;
    return (x > y) - (x < y);
}

size_t class_lists_holes(const void *state, struct freespace_hole *out, size_t cap)
{
    const struct class_lists *lists = state;
    if (cap && cap >= lists->count) { /* all of them: each class's, then sorted */
        size_t done = 0;
        for (size_t c = class_lists_next(lists, 0); c < lists->classes;
             c = class_lists_next(lists, c + 1))
            done += hole_tree_list(&lists->of_class[c], out + done, cap - done);
        qsort(out, done, sizeof *out, by_address);
        return lists->count;
    }
    /* the lowest cap of them: each the lowest of the classes' next ones */
    for (size_t i = 0; i < cap; i++) {
        uint64_t from = i ? out[i - 1].addr + 1 : 0;
        out[i] = (struct freespace_hole){UINT64_MAX, 0};
        for (size_t c = class_lists_next(lists, 0); c < lists->classes;
             c = class_lists_next(lists, c + 1)) {
            struct freespace_hole next;
            if (hole_tree_at_or_above(&lists->of_class[c], from, &next) &&
                next.addr < out[i].addr)
                out[i] = next;
        }
    }
    return lists->count;
}

uint64_t class_lists_largest(const void *state)
{
    const struct class_lists *lists = state;
    size_t highest = highest_class(lists);
    return highest < lists->classes ? hole_tree_largest_size(&lists->of_class[highest]) : 0;
}

#define SHOWN_PER_CLASS 6

void class_lists_show(const void *state, FILE *out)
{
    const struct class_lists *lists = state;
    fprintf(out, "  free lists by class:%s\n", lists->count ? "" : " all empty");
    for (size_t c = class_lists_next(lists, 0); c < lists->classes;
         c = class_lists_next(lists, c + 1)) {
        struct freespace_hole holes[SHOWN_PER_CLASS];
        size_t count = hole_tree_list(&lists->of_class[c], holes, SHOWN_PER_CLASS);
        fprintf(out, "    ");
        lists->print_class(out, c);
        fprintf(out, ":");
        freespace_print_some_holes(out, holes, count, SHOWN_PER_CLASS);
        fputc('\n', out);
    }
}

void class_lists_explain_split(FILE *out, const struct class_lists *lists,
                               const struct freespace_result *r)
{
    if (!r->split) {
        fprintf(out, "  no split: the block takes all %" PRIu64 " bytes\n", r->block_size);
        return;
    }
    struct freespace_hole rest = {r->block + r->block_size, r->hole.size - r->block_size};
    fprintf(out, "  split: the block takes %" PRIu64 "..%" PRIu64 "; ", r->block,
            r->block + r->block_size - 1);
    freespace_print_hole(out, rest);
    fprintf(out, " goes to class ");
    lists->print_class(out, lists->class_of(rest.size));
    fputc('\n', out);
}
