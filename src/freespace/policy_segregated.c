/* policy_segregated.c - segregated free lists: a list of holes for each
 * class of sizes, class k holding the holes of 2^k to 2^(k+1) - 1 bytes.
 *
 * A request of n bytes starts at n's own class, whose holes may be too
 * small, and takes the first that holds it (each list is kept by address,
 * so this is address-ordered first fit within the class); if none does,
 * it takes the first hole of the next class that has any, which holds it
 * whatever its size, without looking at the empty classes between.  The
 * rest of a split hole goes to the list of its own, smaller class.  With
 * --coalesce a freed block merges with the holes either side of it by
 * address, as boundary tags let a real allocator do. */
#include <inttypes.h>

#include "class_lists.h"
#include "heap.h"

#define CLASSES 64

struct segregated {
    struct class_lists lists; /* first: class_lists.h */
    bool coalesce;
    uint64_t min_split;
    struct { /* what the last allocation looked at, for --explain */
        size_t own_class, taken_class;
        uint64_t looked_in_own; /* holes of its own class looked at */
    } last;
};

static size_t class_of(uint64_t size)
{
    return class_log2(size);
}

/* "16..31" */
static void print_class(FILE *out, size_t class)
{
    fprintf(out, "%" PRIu64 "..%" PRIu64, (uint64_t)1 << class,
            class == 63 ? UINT64_MAX : ((uint64_t)2 << class) - 1);
}

static void *segregated_create(const struct freespace_config *config, enum fit fit)
{
    (void)fit;
    struct freespace_hole heap = {config->base, config->size};
    struct segregated *s = class_lists_create(sizeof *s, CLASSES, class_of, print_class, &heap, 1);
    if (s) {
        s->coalesce = config->coalesce;
        s->min_split = config->min_split;
    }
    return s;
}

static int segregated_place(void *state, uint64_t size, struct freespace_result *r)
{
    struct segregated *s = state;
    size_t own = class_of(size), taken = CLASSES;
    uint64_t rank = 0;
    const struct hole_tree *own_list = class_lists_of(&s->lists, own);
    r->searched = 0;
    if (own_list && hole_tree_first_fit(own_list, size, 0, &r->hole, &rank)) {
        r->searched = rank + 1;
        taken = own;
    } else {
        r->searched = own_list ? hole_tree_count(own_list) : 0;
        taken = class_lists_next(&s->lists, own + 1);
        if (taken < CLASSES) {
            r->hole = class_lists_first(&s->lists, taken);
            r->searched++;
        }
    }
    s->last.own_class = own;
    s->last.taken_class = taken;
    s->last.looked_in_own = taken == own ? rank + 1 : r->searched - (taken < CLASSES);
    if (taken == CLASSES) {
        r->failed = true;
        r->hole = class_lists_largest_hole(&s->lists);
        return SIM_OK;
    }
    return class_lists_carve(&s->lists, r->hole, size, s->min_split, r);
}

static int segregated_release(void *state, uint64_t block, uint64_t size,
                              struct freespace_result *r)
{
    struct segregated *s = state;
    return class_lists_release(&s->lists, (struct freespace_hole){block, size}, s->coalesce, r);
}

static void segregated_describe(FILE *out, const struct freespace_config *c)
{
    fprintf(out, "a free list for each power-of-two class of sizes, first fit in the "
                 "request's class, %s",
            c->coalesce ? "coalescing" : "no coalescing");
}

static void explain_alloc(FILE *out, const struct segregated *s, const struct freespace_result *r)
{
    fprintf(out, "  class ");
    print_class(out, s->last.own_class);
    if (s->last.taken_class == s->last.own_class) {
        fprintf(out, ": ");
        freespace_print_hole(out, r->hole);
        fprintf(out, ", hole %" PRIu64 " of the class, is the first that holds it\n",
                s->last.looked_in_own);
    } else {
        if (s->last.looked_in_own)
            fprintf(out, ": none of its %" PRIu64 " holes holds it", s->last.looked_in_own);
        else
            fprintf(out, ": no holes");
        if (s->last.taken_class == CLASSES) {
            fprintf(out, ", and no larger class has any\n");
            return;
        }
        fprintf(out, "; the next class with holes is ");
        print_class(out, s->last.taken_class);
        fprintf(out, ", and its first, ");
        freespace_print_hole(out, r->hole);
        fprintf(out, ", holds it\n");
    }
    class_lists_explain_split(out, &s->lists, r);
}

static void segregated_explain(const void *state, FILE *out, const struct freespace_result *r)
{
    const struct segregated *s = state;
    if (r->op.kind == FREESPACE_ALLOC) {
        explain_alloc(out, s, r);
        return;
    }
    freespace_explain_merges(out, r);
    /* each merge grows the hole of the one before: the last is the whole */
    uint64_t size = r->merges ? r->merged[r->merges - 1].into.size +
                                    r->merged[r->merges - 1].absorbed.size
                              : r->block_size;
    fprintf(out, "  the hole of %" PRIu64 " bytes goes to class ", size);
    print_class(out, class_of(size));
    fputc('\n', out);
}

const struct freespace_policy_ops freespace_policy_segregated = {
    .name = "segregated",
    .create = segregated_create,
    .destroy = class_lists_destroy,
    .place = segregated_place,
    .release = segregated_release,
    .holes = class_lists_holes,
    .largest = class_lists_largest,
    .describe = segregated_describe,
    .explain = segregated_explain,
    .show = class_lists_show,
};
