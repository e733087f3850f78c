/* frame_set.h - an unordered set of frames with O(1) insert and remove,
 * for the policies that scan or sample all their frames (opt, nru, aging,
 * random, ws).  Members are dense in members[0 .. count-1]. */
#ifndef MMKIT_SIM_FRAME_SET_H
#define MMKIT_SIM_FRAME_SET_H

#include <stdint.h>
#include <stdlib.h>

struct frame_set {
    uint32_t *members;
    uint32_t *position; /* position[frame] is its index in members */
    uint64_t count;
};

static inline int frame_set_init(struct frame_set *set, uint64_t capacity, uint64_t frame_count)
{
    set->count = 0;
    set->members = malloc(sizeof(uint32_t) * (capacity ? capacity : 1));
    set->position = malloc(sizeof(uint32_t) * (frame_count ? frame_count : 1));
    return set->members && set->position ? 0 : -1;
}

static inline void frame_set_free(struct frame_set *set)
{
    free(set->members);
    free(set->position);
}

static inline void frame_set_add(struct frame_set *set, uint32_t frame)
{
    set->position[frame] = (uint32_t)set->count;
    set->members[set->count++] = frame;
}

static inline void frame_set_remove(struct frame_set *set, uint32_t frame)
{
    uint32_t last = set->members[--set->count];
    set->members[set->position[frame]] = last;
    set->position[last] = set->position[frame];
}

#endif
