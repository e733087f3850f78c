/*
 * counters.c - the counters every thread may touch: what the allocator
 * asked of the kernel, and huge blocks and threads (platform.h).
 */
#include "platform.h"

os_counters os_stats;

void stats_shared_add(_Atomic uint64_t *c, int64_t delta, _Atomic uint64_t *peak)
{
    uint64_t now = atomic_fetch_add_explicit(c, (uint64_t)delta, memory_order_relaxed) + (uint64_t)delta;
    if (!peak)
        return;
    uint64_t seen = atomic_load_explicit(peak, memory_order_relaxed);
    while (now > seen &&
           !atomic_compare_exchange_weak_explicit(peak, &seen, now, memory_order_relaxed, memory_order_relaxed)) {
    }
}
