/*
 * producer_consumer - blocks allocated on one thread, freed on another.
 *
 * Two pairs of threads; in each pair the producer allocates batches of
 * blocks, fills them and passes them through a bounded queue, and the
 * consumer checks and frees them.  Every free is a cross-thread free of a
 * block whose owner is alive and still allocating - the path a pipeline or a
 * message-passing program stresses, and where allocators that take a lock
 * per remote free fall behind.
 */
#include <sched.h>
#include <stdatomic.h>

#include "bench_util.h"

enum {
    PAIRS = 2,
    BATCHES_PER_PRODUCER = 60000,
    BLOCKS_PER_BATCH = 64,
    QUEUE_CAPACITY = 32,
    MIN_SIZE = 16,
    MAX_SIZE = 2048,
};

/* A batch is itself malloc'ed by the producer and freed by the consumer. */
struct batch {
    struct tagged_slot blocks[BLOCKS_PER_BATCH];
};

/* Single-producer single-consumer ring.  head is written only by the
 * consumer, tail only by the producer; release/acquire on them publishes the
 * batch pointers.  A full or empty ring yields the core instead of spinning,
 * because the machine may have fewer cores than threads. */
struct queue {
    struct batch *_Atomic slots[QUEUE_CAPACITY];
    _Atomic size_t head;
    char pad_between_ends[64];
    _Atomic size_t tail;
};

struct pair {
    struct queue queue;
    uint64_t seed;
    size_t batches;
    uint64_t consumed_digest;
};

static void queue_push(struct queue *queue, struct batch *batch)
{
    size_t tail = atomic_load_explicit(&queue->tail, memory_order_relaxed);
    while (tail - atomic_load_explicit(&queue->head, memory_order_acquire) == QUEUE_CAPACITY)
        sched_yield();
    atomic_store_explicit(&queue->slots[tail % QUEUE_CAPACITY], batch, memory_order_relaxed);
    atomic_store_explicit(&queue->tail, tail + 1, memory_order_release);
}

static struct batch *queue_pop(struct queue *queue)
{
    size_t head = atomic_load_explicit(&queue->head, memory_order_relaxed);
    while (atomic_load_explicit(&queue->tail, memory_order_acquire) == head)
        sched_yield();
    struct batch *batch =
        atomic_load_explicit(&queue->slots[head % QUEUE_CAPACITY], memory_order_relaxed);
    atomic_store_explicit(&queue->head, head + 1, memory_order_release);
    return batch;
}

static void *produce(void *arg)
{
    struct pair *pair = arg;
    uint64_t rng = pair->seed;
    for (size_t b = 0; b < pair->batches; b++) {
        struct batch *batch = bench_malloc(sizeof *batch);
        for (size_t i = 0; i < BLOCKS_PER_BATCH; i++)
            slot_fill(&batch->blocks[i], rng_size_log(&rng, MIN_SIZE, MAX_SIZE), &rng);
        queue_push(&pair->queue, batch);
    }
    return NULL;
}

static void *consume(void *arg)
{
    struct pair *pair = arg;
    for (size_t b = 0; b < pair->batches; b++) {
        struct batch *batch = queue_pop(&pair->queue);
        for (size_t i = 0; i < BLOCKS_PER_BATCH; i++)
            slot_empty(&batch->blocks[i], &pair->consumed_digest);
        free(batch);
    }
    return NULL;
}

/* Threads 0..PAIRS-1 produce, PAIRS..2*PAIRS-1 consume; both halves of a
 * pair find it through this table. */
struct role {
    struct pair *pair;
    bool producer;
};

static void *play_role(void *arg)
{
    struct role *role = arg;
    return role->producer ? produce(role->pair) : consume(role->pair);
}

int main(int argc, char **argv)
{
    size_t batches = bench_scaled(BATCHES_PER_PRODUCER, bench_scale(argc, argv));
    struct pair *pairs = bench_malloc(PAIRS * sizeof *pairs);
    struct role roles[2 * PAIRS];
    for (size_t p = 0; p < PAIRS; p++) {
        memset(&pairs[p], 0, sizeof pairs[p]);
        pairs[p].seed = p + 1;
        pairs[p].batches = batches;
        roles[p] = (struct role){&pairs[p], true};
        roles[PAIRS + p] = (struct role){&pairs[p], false};
    }
    bench_run_threads(2 * PAIRS, play_role, roles, sizeof roles[0]);

    uint64_t digest = 0;
    for (size_t p = 0; p < PAIRS; p++)
        digest += pairs[p].consumed_digest;
    free(pairs);
    bench_report(digest);
    return 0;
}
