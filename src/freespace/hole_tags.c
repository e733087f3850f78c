/* hole_tags.c - the boundary tags of the holes, in an addr_table: a slot
 * for each byte that starts or ends a hole (both, for a hole of one byte
 * or where two holes touch), given back when it tags neither. */
#include <stdbool.h>

#include "hole_tags.h"
#include "mmkit/sim.h"

int hole_tags_init(struct hole_tags *tags)
{
    return addr_table_init(&tags->at);
}

void hole_tags_free(struct hole_tags *tags)
{
    addr_table_free(&tags->at);
}

enum tag_end { TAG_STARTING, TAG_ENDING };

/* Set the tag at byte addr that says a hole of size bytes starts or ends
 * there (size 0: none does).  0 or SIM_ERR_NOMEM. */
static int set_tag(struct hole_tags *tags, uint64_t addr, enum tag_end end, uint64_t size)
{
    bool held = true;
    struct addr_slot *s = size ? addr_table_claim(&tags->at, addr, &held)
                               : addr_table_find(&tags->at, addr);
    if (!s)
        return size ? SIM_ERR_NOMEM : SIM_OK;
    if (!held)
        s->value.tags.starting = s->value.tags.ending = 0;
    if (end == TAG_STARTING)
        s->value.tags.starting = size;
    else
        s->value.tags.ending = size;
    if (!s->value.tags.starting && !s->value.tags.ending)
        addr_table_remove(&tags->at, s);
    return SIM_OK;
}

int hole_tags_add(struct hole_tags *tags, struct freespace_hole hole)
{
    if (set_tag(tags, hole.addr, TAG_STARTING, hole.size))
        return SIM_ERR_NOMEM;
    if (set_tag(tags, hole.addr + hole.size - 1, TAG_ENDING, hole.size)) {
        set_tag(tags, hole.addr, TAG_STARTING, 0);
        return SIM_ERR_NOMEM;
    }
    return SIM_OK;
}

void hole_tags_remove(struct hole_tags *tags, struct freespace_hole hole)
{
    set_tag(tags, hole.addr, TAG_STARTING, 0);
    set_tag(tags, hole.addr + hole.size - 1, TAG_ENDING, 0);
}

int hole_tags_move(struct hole_tags *tags, struct freespace_hole old, struct freespace_hole now)
{
    bool start_stays = now.addr == old.addr;
    enum tag_end kept = start_stays ? TAG_STARTING : TAG_ENDING;
    enum tag_end moving = start_stays ? TAG_ENDING : TAG_STARTING;
    uint64_t old_last = old.addr + old.size - 1, now_last = now.addr + now.size - 1;
    uint64_t from = start_stays ? old_last : old.addr, to = start_stays ? now_last : now.addr;
    set_tag(tags, start_stays ? old.addr : old_last, kept, now.size);
    set_tag(tags, from, moving, 0);
    if (!set_tag(tags, to, moving, now.size))
        return SIM_OK;
    set_tag(tags, from, moving, old.size); /* takes the slot it left */
    set_tag(tags, start_stays ? old.addr : old_last, kept, old.size);
    return SIM_ERR_NOMEM;
}
