/* block.h - a block of the simulated heap, as the heap (heap.h) and the
 * table of a trace's live blocks (heap_blocks.h) both know it. */
#ifndef MMKIT_FREESPACE_BLOCK_H
#define MMKIT_FREESPACE_BLOCK_H

#include <stdint.h>

enum block_state { BLOCK_LIVE, BLOCK_FREED, BLOCK_FAILED };

struct block {
    uint64_t addr;    /* its first byte, where its header is */
    uint64_t size;    /* bytes it takes */
    uint64_t request; /* bytes asked for */
    enum block_state state;
};

#endif
