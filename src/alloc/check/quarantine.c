/*
 * quarantine.c - a ring of freed blocks under one lock (see quarantine.h).
 * The ring lives in its own mapping: the quarantine runs inside free().
 */
#define _GNU_SOURCE

#include "core.h"
#include "locks.h"
#include "platform.h"
#include "quarantine.h"

typedef struct entry {
    void *block;
    size_t bytes;
} entry;

/* 1M entries of address space, touched only as far as they are used. */
#define RING_ENTRIES ((size_t)1 << 20)
/* Blocks released per pass outside the lock. */
#define RELEASE_BATCH 32

static entry *ring;
static size_t head, count, queued_bytes, max_bytes;

bool quarantine_init(size_t bytes)
{
    void *mem = os_reserve(RING_ENTRIES * sizeof(entry));
    if (!mem)
        return false;
    ring = mem;
    max_bytes = bytes;
    return true;
}

static entry *oldest(void)
{
    return &ring[head];
}

/* An entry's block leaves the quarantine (entry->block then NULL). */
static void forget(entry *e)
{
    stats_count_held(e->bytes, false);
    e->block = NULL;
}

static void pop_oldest(void)
{
    queued_bytes -= ring[head].bytes;
    /* A stale pointer here would keep memcheck's leak checker from seeing
     * a later block at the same address lost. */
    ring[head].block = NULL;
    head = (head + 1) % RING_ENTRIES;
    count--;
}

void quarantine_push(void *freed, size_t bytes, void (*release)(void *freed))
{
    void *leaving[RELEASE_BATCH];
    size_t n = 0;
    lock_take(LOCK_QUARANTINE);
    ring[(head + count) % RING_ENTRIES] = (entry){freed, bytes};
    stats_count_held(bytes, true);
    count++;
    queued_bytes += bytes;
    for (;;) {
        while (n < RELEASE_BATCH && count > 0 &&
               (queued_bytes > max_bytes || count == RING_ENTRIES)) {
            void *b = oldest()->block;
            if (b) {
                forget(oldest());
                leaving[n++] = b;
            }
            pop_oldest();
        }
        bool more = count > 0 && (queued_bytes > max_bytes || count == RING_ENTRIES);
        lock_release(LOCK_QUARANTINE);
        for (size_t i = 0; i < n; i++)
            release(leaving[i]);
        if (!more)
            return;
        n = 0;
        lock_take(LOCK_QUARANTINE);
    }
}

void *quarantine_take_if(size_t *cursor, bool (*pick)(void *freed))
{
    void *taken = NULL;
    lock_take(LOCK_QUARANTINE);
    for (; !taken && *cursor < count; ++*cursor) {
        entry *e = &ring[(head + *cursor) % RING_ENTRIES];
        if (e->block && pick(e->block)) {
            taken = e->block;
            forget(e); /* its bytes still count until it leaves */
        }
    }
    lock_release(LOCK_QUARANTINE);
    return taken;
}

void quarantine_drop_if(bool (*doomed)(void *freed, void *arg), void *arg)
{
    lock_take(LOCK_QUARANTINE);
    for (size_t i = 0; i < count; i++) {
        entry *e = &ring[(head + i) % RING_ENTRIES];
        if (e->block && doomed(e->block, arg))
            forget(e); /* its bytes still count until it leaves */
    }
    lock_release(LOCK_QUARANTINE);
}
