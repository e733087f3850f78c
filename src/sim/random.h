/* random.h - the simulator's seeded generator (xorshift64*): runs repeat
 * exactly for a given seed, on every platform. */
#ifndef MMKIT_SIM_RANDOM_H
#define MMKIT_SIM_RANDOM_H

#include <stdint.h>

/* state must never be 0; seed it with (seed | 1). */
static inline uint64_t random_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

#endif
