/* hole_tags.h - boundary tags: what a real heap writes at both ends of a
 * free block, so that a block being freed finds the holes that touch it
 * with one look to either side, however many holes there are.  Here the
 * tags are kept beside the heap, in an addr_table keyed by each hole's
 * first byte and by its last byte. */
#ifndef MMKIT_FREESPACE_HOLE_TAGS_H
#define MMKIT_FREESPACE_HOLE_TAGS_H

#include "addr_table.h"
#include "mmkit/freespace.h"

struct hole_tags {
    struct addr_table at; /* value.tags: the sizes of the holes that start
                           * (starting) and that end (ending) at a byte;
                           * 0: none */
};

/* 0 or SIM_ERR_NOMEM. */
int hole_tags_init(struct hole_tags *tags);
void hole_tags_free(struct hole_tags *tags);
/* Tag both ends of hole, which touches no tag: 0 or SIM_ERR_NOMEM (then
 * nothing changed).  Adding back a hole just removed never fails. */
int hole_tags_add(struct hole_tags *tags, struct freespace_hole hole);
/* Take a tagged hole's tags off. */
void hole_tags_remove(struct hole_tags *tags, struct freespace_hole hole);
/* The tagged hole old becomes now, which keeps one of its ends (a merge
 * onto it, a split's rest): the tag of that end is rewritten in place and
 * the other moves.  0 or SIM_ERR_NOMEM (then old is tagged as it was);
 * moving a hole back never fails. */
int hole_tags_move(struct hole_tags *tags, struct freespace_hole old, struct freespace_hole now);

/* The hole that starts at addr; size 0 if none does. */
static inline struct freespace_hole hole_tags_starting_at(const struct hole_tags *tags,
                                                          uint64_t addr)
{
    const struct addr_slot *s = addr_table_find(&tags->at, addr);
    return (struct freespace_hole){addr, s ? s->value.tags.starting : 0};
}

/* The hole that ends where addr begins; size 0 if none does. */
static inline struct freespace_hole hole_tags_ending_at(const struct hole_tags *tags,
                                                        uint64_t addr)
{
    const struct addr_slot *s = addr ? addr_table_find(&tags->at, addr - 1) : NULL;
    uint64_t size = s ? s->value.tags.ending : 0;
    return (struct freespace_hole){addr - size, size};
}

#endif
