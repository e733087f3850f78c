/* mrc_followed.c - fixed-size SHARDS' pages, a max-heap on their hash, so
 * that the page to drop (the largest hash) is always on top. */
#include "mrc_profile.h"

void followed_push(struct followed *heap, uint64_t hash, uint32_t id)
{
    size_t i = heap->count++;
    for (; i && heap->hash[(i - 1) / 2] < hash; i = (i - 1) / 2) {
        heap->hash[i] = heap->hash[(i - 1) / 2];
        heap->id[i] = heap->id[(i - 1) / 2];
    }
    heap->hash[i] = hash;
    heap->id[i] = id;
}

void followed_pop(struct followed *heap)
{
    uint64_t hash = heap->hash[--heap->count];
    uint32_t id = heap->id[heap->count];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= heap->count)
            break;
        if (child + 1 < heap->count && heap->hash[child + 1] > heap->hash[child])
            child++;
        if (heap->hash[child] <= hash)
            break;
        heap->hash[i] = heap->hash[child];
        heap->id[i] = heap->id[child];
        i = child;
    }
    heap->hash[i] = hash;
    heap->id[i] = id;
}
