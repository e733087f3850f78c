/*
 * cache_scratch - passive false sharing (Berger et al., Hoard's benchmark).
 *
 * The main thread allocates one small object per worker - neighbours in
 * memory, likely on one cache line - and hands each worker its object.  The
 * worker frees it, then repeatedly allocates an object of the same size and
 * writes it hard.  An allocator that gives the freed neighbour back to the
 * worker that freed it puts two threads' hot objects on one cache line, and
 * the line then bounces between cores on every write.  Writes dominate the
 * time, so the result mostly tells which allocators avoid that.
 */
#include "bench_util.h"

enum {
    WORKERS = 2,
    OBJECT_SIZE = 8,
    OBJECTS_PER_WORKER = 4000,
    WRITES_PER_OBJECT = 60000,
};

struct worker {
    char *inherited;
    size_t objects;
    uint64_t digest;
};

static void *scratch(void *arg)
{
    struct worker *worker = arg;
    free(worker->inherited);
    for (size_t o = 0; o < worker->objects; o++) {
        /* volatile: each write must reach the cache line, as a counter in a
         * real program would.  Zeroed first so that the digest does not
         * depend on what the allocator left in the block. */
        volatile char *object = bench_malloc(OBJECT_SIZE);
        for (size_t i = 0; i < OBJECT_SIZE; i++)
            object[i] = 0;
        for (size_t w = 0; w < WRITES_PER_OBJECT; w++)
            for (size_t i = 0; i < OBJECT_SIZE; i++)
                object[i] = (char)(object[i] + (char)(w + i));
        for (size_t i = 0; i < OBJECT_SIZE; i++)
            worker->digest = check_mix(worker->digest, (unsigned char)object[i]);
        free((void *)object);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    size_t objects = bench_scaled(OBJECTS_PER_WORKER, bench_scale(argc, argv));
    struct worker workers[WORKERS];
    for (size_t w = 0; w < WORKERS; w++) {
        workers[w] = (struct worker){.inherited = bench_malloc(OBJECT_SIZE), .objects = objects};
        memset(workers[w].inherited, 0, OBJECT_SIZE);
    }
    bench_run_threads(WORKERS, scratch, workers, sizeof workers[0]);

    uint64_t digest = 0;
    for (size_t w = 0; w < WORKERS; w++)
        digest += workers[w].digest;
    bench_report(digest);
    return 0;
}
