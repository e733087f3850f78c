/* class_lists.h - holes sorted into classes by size, as segregated free
 * lists, TLSF and the buddy system keep them.  Each class's holes are kept
 * by address (a hole_tree), so "the first hole of the class" is the lowest
 * one and a search of a class counts holes as a list by address would.
 * Beside the classes:
 * - boundary tags (hole_tags.h), which find the holes that touch a block
 *   and the hole that starts at an address, as a real heap finds them;
 * - a bit for each class that has holes, and a bit for each word of those
 *   bits that is not zero: the lowest class at or above any class with a
 *   hole is found in two steps, whatever the number of classes, and the
 *   highest class with holes, which holds the largest, in two more.
 * A family's classes grow with the size (a larger hole is never in a
 * lower class): the largest holes are all in the highest class that has
 * holes.
 * A family keeps its struct class_lists as the first member of its state,
 * so that the calls below that take a state serve as its policy ops. */
#ifndef MMKIT_FREESPACE_CLASS_LISTS_H
#define MMKIT_FREESPACE_CLASS_LISTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hole_tags.h"
#include "hole_tree.h"
#include "policy.h"

#define CLASS_LISTS_MAX 4096 /* 64 words of 64 bits */

struct class_lists {
    struct hole_tags tags;      /* both ends of every hole */
    uint64_t count;             /* holes */
    struct hole_tree *of_class; /* each class's holes, by address; made on first use */
    uint64_t nonempty[CLASS_LISTS_MAX / 64];
    uint64_t nonempty_words;
    size_t classes;
    size_t (*class_of)(uint64_t size); /* the class a hole of size bytes is kept in */
    void (*print_class)(FILE *out, size_t class); /* its sizes: "16..31" */
};

/* A family's state of state_size bytes, zeroed but for the lists it starts
 * with, which hold the holes start[0 .. count - 1]; NULL when out of
 * memory. */
void *class_lists_create(size_t state_size, size_t classes, size_t (*class_of)(uint64_t size),
                         void (*print_class)(FILE *out, size_t class),
                         const struct freespace_hole *start, size_t count);
void class_lists_destroy(void *state);
/* Put a hole in its class: 0 or SIM_ERR_NOMEM (then it is in none). */
int class_lists_add(struct class_lists *lists, struct freespace_hole hole);
void class_lists_remove(struct class_lists *lists, struct freespace_hole hole);
/* The lowest class at or above from that has a hole; lists->classes if none. */
size_t class_lists_next(const struct class_lists *lists, size_t from);
/* The class's holes, by address (NULL if it never had one). */
const struct hole_tree *class_lists_of(const struct class_lists *lists, size_t class);
/* The lowest hole of a class that has one. */
struct freespace_hole class_lists_first(const struct class_lists *lists, size_t class);
/* The lowest of the largest holes; size 0 if there is none. */
struct freespace_hole class_lists_largest_hole(const struct class_lists *lists);
/* Whether a hole starts at addr, and which. */
bool class_lists_at(const struct class_lists *lists, uint64_t addr, struct freespace_hole *found);

/* The first size bytes of hole, which is in the lists, become a block:
 * the hole leaves, and the rest goes to its class unless it would be fewer
 * than min_split bytes (the block then takes them).  Fills result's block,
 * block_size and split.  0 or SIM_ERR_NOMEM (then nothing changed). */
int class_lists_carve(struct class_lists *lists, struct freespace_hole hole, uint64_t size,
                      uint64_t min_split, struct freespace_result *result);
/* Put the freed block back, merged with the holes that touch it on either
 * side when coalesce is set (noted in result).  0 or SIM_ERR_NOMEM. */
int class_lists_release(struct class_lists *lists, struct freespace_hole block, bool coalesce,
                        struct freespace_result *result);

/* As the policy ops: the holes by address; the size of the largest. */
size_t class_lists_holes(const void *state, struct freespace_hole *out, size_t cap);
uint64_t class_lists_largest(const void *state);

/* --explain: "  free lists by class:", then a line for each class with
 * holes: its sizes and its first few holes. */
void class_lists_show(const void *state, FILE *out);
/* --explain: what carving result's block left, and the class it went to. */
void class_lists_explain_split(FILE *out, const struct class_lists *lists,
                               const struct freespace_result *result);

/* The number of the highest bit set in x, which is not 0: floor(log2 x). */
static inline unsigned class_log2(uint64_t x)
{
    return 63u - (unsigned)__builtin_clzll(x);
}

#endif
