/* policy_tlsf.c - two-level segregated fit (Masmano et al., 2004): good
 * fit in a bounded number of steps, whatever the number of holes.
 *
 * The classes split every power of two into SUBCLASSES equal ranges: the
 * first level is the power of two below a size, the second which of its
 * SUBCLASSES slices the size falls in (sizes below SUBCLASSES have a class
 * each).  A hole goes in the class its size falls in.  A request is first
 * rounded up to the next class boundary, so that every hole of the class
 * it then names, and of every class above, holds it: the allocator takes
 * the first hole of the lowest such class that has one, found from the
 * bits of the classes with holes, and never looks at a hole that is too
 * small.  The price is a request that fails, or takes a larger hole, while
 * a hole of its own class would have held it.  Freed blocks always merge
 * with the holes either side of them. */
#include <inttypes.h>

#include "class_lists.h"
#include "heap.h"

#define SUBCLASS_BITS 4
#define SUBCLASSES (1u << SUBCLASS_BITS)
#define CLASSES ((64 - SUBCLASS_BITS + 1) * SUBCLASSES)

struct tlsf {
    struct class_lists lists; /* first: class_lists.h */
    uint64_t min_split;
    struct { /* what the last allocation did, for --explain */
        uint64_t size;         /* the block asked for */
        uint64_t rounded;      /* rounded up to the start of a class */
        size_t class, taken;   /* the class it names, the class it took from */
    } last;
};

/* The first level and the slice, as one number: the class a hole of size
 * bytes (not 0) is kept in. */
static size_t class_of(uint64_t size)
{
    if (size < SUBCLASSES)
        return (size_t)size;
    unsigned level = class_log2(size);
    size_t slice = (size_t)(size >> (level - SUBCLASS_BITS)) - SUBCLASSES;
    return (level - SUBCLASS_BITS + 1) * SUBCLASSES + slice;
}

/* The smallest size of a class. */
static uint64_t class_start(size_t class)
{
    if (class < SUBCLASSES)
        return class;
    unsigned level = (unsigned)(class / SUBCLASSES) + SUBCLASS_BITS - 1;
    return (uint64_t)(SUBCLASSES + class % SUBCLASSES) << (level - SUBCLASS_BITS);
}

/* "24..27", the sizes of a class, or "10" */
static void print_class(FILE *out, size_t class)
{
    uint64_t end = class + 1 < CLASSES ? class_start(class + 1) - 1 : UINT64_MAX;
    fprintf(out, "%" PRIu64, class_start(class));
    if (end > class_start(class))
        fprintf(out, "..%" PRIu64, end);
}

/* size rounded up to the start of a class; UINT64_MAX if none starts there */
static uint64_t round_up(uint64_t size)
{
    if (size < SUBCLASSES)
        return size;
    uint64_t step = (uint64_t)1 << (class_log2(size) - SUBCLASS_BITS);
    return size > UINT64_MAX - (step - 1) ? UINT64_MAX : (size + step - 1) & ~(step - 1);
}

static void *tlsf_create(const struct freespace_config *config, enum fit fit)
{
    (void)fit;
    struct freespace_hole heap = {config->base, config->size};
    struct tlsf *t = class_lists_create(sizeof *t, CLASSES, class_of, print_class, &heap, 1);
    if (t)
        t->min_split = config->min_split;
    return t;
}

static int tlsf_place(void *state, uint64_t size, struct freespace_result *r)
{
    struct tlsf *t = state;
    t->last.size = size;
    t->last.rounded = round_up(size);
    t->last.class = t->last.rounded == UINT64_MAX ? CLASSES : class_of(t->last.rounded);
    t->last.taken = class_lists_next(&t->lists, t->last.class);
    if (t->last.taken == CLASSES) {
        r->failed = true;
        r->hole = class_lists_largest_hole(&t->lists);
        return SIM_OK;
    }
    r->searched = 1;
    r->hole = class_lists_first(&t->lists, t->last.taken);
    return class_lists_carve(&t->lists, r->hole, size, t->min_split, r);
}

static int tlsf_release(void *state, uint64_t block, uint64_t size, struct freespace_result *r)
{
    struct tlsf *t = state;
    return class_lists_release(&t->lists, (struct freespace_hole){block, size}, true, r);
}

static void tlsf_describe(FILE *out, const struct freespace_config *c)
{
    (void)c;
    fprintf(out, "two-level segregated fit, %u classes per power of two, good fit from "
                 "the class bits, coalescing",
            SUBCLASSES);
}

static void tlsf_explain(const void *state, FILE *out, const struct freespace_result *r)
{
    const struct tlsf *t = state;
    if (r->op.kind == FREESPACE_FREE) {
        freespace_explain_merges(out, r);
        return;
    }
    if (t->last.rounded != t->last.size)
        fprintf(out, "  rounded up to %" PRIu64 ", the start of class ", t->last.rounded);
    else
        fprintf(out, "  class ");
    if (t->last.class == CLASSES) {
        fprintf(out, "past the last\n");
        return;
    }
    print_class(out, t->last.class);
    if (t->last.taken == CLASSES) {
        fprintf(out, ": it and the classes above have no holes\n");
        return;
    }
    if (t->last.taken == t->last.class) {
        fprintf(out, ": its first hole, ");
    } else {
        fprintf(out, " has no holes; the bits give class ");
        print_class(out, t->last.taken);
        fprintf(out, ", and its first hole, ");
    }
    freespace_print_hole(out, r->hole);
    fprintf(out, ", holds it\n");
    class_lists_explain_split(out, &t->lists, r);
}

const struct freespace_policy_ops freespace_policy_tlsf = {
    .name = "tlsf",
    .create = tlsf_create,
    .destroy = class_lists_destroy,
    .place = tlsf_place,
    .release = tlsf_release,
    .holes = class_lists_holes,
    .largest = class_lists_largest,
    .describe = tlsf_describe,
    .explain = tlsf_explain,
    .show = class_lists_show,
};
