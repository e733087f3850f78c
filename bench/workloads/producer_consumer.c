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
#include "bench_util.h"

enum {
    PAIRS = 2,
    BATCHES_PER_PRODUCER = 100000,
    BLOCKS_PER_BATCH = 64,
    QUEUE_CAPACITY = 32,
    MIN_SIZE = 16,
    MAX_SIZE = 2048,
};

/* A batch is itself malloc'ed by the producer and freed by the consumer. */
struct batch {
    struct tagged_slot blocks[BLOCKS_PER_BATCH];
};

/* A bounded queue of batches.  A lock per batch of 64 blocks costs little
 * next to the 128 allocator calls the batch stands for, and a full or empty
 * queue puts the waiting thread to sleep: spinning, even with sched_yield,
 * made the times depend on how a busy machine scheduled four threads on its
 * cores rather than on the allocator. */
struct queue {
    pthread_mutex_t lock;
    pthread_cond_t not_full;
    pthread_cond_t not_empty;
    struct batch *slots[QUEUE_CAPACITY];
    size_t head, tail;
};

struct pair {
    struct queue queue;
    uint64_t seed;
    size_t batches;
    uint64_t consumed_digest;
};

static void queue_init(struct queue *queue)
{
    pthread_mutex_init(&queue->lock, NULL);
    pthread_cond_init(&queue->not_full, NULL);
    pthread_cond_init(&queue->not_empty, NULL);
    queue->head = queue->tail = 0;
}

static void queue_push(struct queue *queue, struct batch *batch)
{
    pthread_mutex_lock(&queue->lock);
    while (queue->tail - queue->head == QUEUE_CAPACITY)
        pthread_cond_wait(&queue->not_full, &queue->lock);
    queue->slots[queue->tail++ % QUEUE_CAPACITY] = batch;
    pthread_cond_signal(&queue->not_empty);
    pthread_mutex_unlock(&queue->lock);
}

static struct batch *queue_pop(struct queue *queue)
{
    pthread_mutex_lock(&queue->lock);
    while (queue->tail == queue->head)
        pthread_cond_wait(&queue->not_empty, &queue->lock);
    struct batch *batch = queue->slots[queue->head++ % QUEUE_CAPACITY];
    pthread_cond_signal(&queue->not_full);
    pthread_mutex_unlock(&queue->lock);
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
        queue_init(&pairs[p].queue);
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
