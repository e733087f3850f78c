/* frame_ring.h - the circular list of frames with a hand that fifo, clock,
 * esc and wsclock sweep.
 *
 * Frames enter in the order they are first filled; a victim's slot is
 * reused by the page loaded next (policy.h's invariant), so the ring's order
 * is load order and the hand moves on past the slot it refilled. */
#ifndef MMKIT_SIM_FRAME_RING_H
#define MMKIT_SIM_FRAME_RING_H

#include <stdint.h>
#include <stdlib.h>

struct frame_ring {
    uint32_t *slots;
    uint64_t count, capacity;
    uint64_t hand;    /* next slot to consider, < count when count > 0 */
    uint64_t pending; /* slot emptied by frame_ring_take, or UINT64_MAX */
};

static inline int frame_ring_init(struct frame_ring *ring, uint64_t capacity)
{
    *ring = (struct frame_ring){.capacity = capacity, .pending = UINT64_MAX};
    ring->slots = malloc(sizeof(uint32_t) * (capacity ? capacity : 1));
    return ring->slots ? 0 : -1;
}

static inline void frame_ring_free(struct frame_ring *ring)
{
    free(ring->slots);
}

static inline void frame_ring_insert(struct frame_ring *ring, uint32_t frame)
{
    if (ring->pending != UINT64_MAX) {
        ring->slots[ring->pending] = frame;
        ring->pending = UINT64_MAX;
    } else {
        ring->slots[ring->count++] = frame;
    }
}

static inline uint32_t frame_ring_at_hand(const struct frame_ring *ring)
{
    return ring->slots[ring->hand];
}

static inline void frame_ring_advance(struct frame_ring *ring)
{
    ring->hand = ring->hand + 1 == ring->count ? 0 : ring->hand + 1;
}

/* Remove the frame at the hand and move the hand past its slot. */
static inline uint32_t frame_ring_take(struct frame_ring *ring)
{
    uint32_t frame = ring->slots[ring->hand];
    ring->pending = ring->hand;
    frame_ring_advance(ring);
    return frame;
}

#endif
