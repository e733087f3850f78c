/*
 * freed_pages.c - the inaccessible pages of large freed blocks in the
 * quarantine (see freed_pages.h).  A fixed table names the blocks whose
 * pages are protected, so the fault handler can tell which block an address
 * was in without a lock or an allocation: an entry is filled before its
 * pages are protected and emptied after they are opened again.
 */
#include <errno.h>

#include "freed_pages.h"
#include "report.h"

/* A span of fewer whole pages is poisoned instead: a mapping of its own
 * (vm.max_map_count) and two system calls are not worth less. */
#define MIN_PAGES 16
/* Blocks protected at once; past them, blocks are poisoned. */
#define TABLE_SIZE 1024

static struct entry {
    _Atomic uintptr_t user; /* 0: a free entry */
    uint8_t *from, *to;
    size_t size;
    stack_id alloc_stack, free_stack;
} table[TABLE_SIZE];

void freed_pages_span(const void *user, size_t size, uint8_t **from, uint8_t **to)
{
    uintptr_t start = align_up((uintptr_t)user, OS_PAGE_SIZE);
    uintptr_t end = ((uintptr_t)user + size) & ~(uintptr_t)(OS_PAGE_SIZE - 1);
    if (end < start + MIN_PAGES * OS_PAGE_SIZE)
        start = end = (uintptr_t)user + size;
    *from = (uint8_t *)start;
    *to = (uint8_t *)end;
}

bool freed_pages_protect(void *user, size_t size, stack_id alloc_stack, stack_id free_stack)
{
    uint8_t *from, *to;
    freed_pages_span(user, size, &from, &to);
    if (from == to)
        return false;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        uintptr_t empty = 0;
        if (!atomic_compare_exchange_strong(&table[i].user, &empty, (uintptr_t)user))
            continue;
        table[i].from = from;
        table[i].to = to;
        table[i].size = size;
        table[i].alloc_stack = alloc_stack;
        table[i].free_stack = free_stack;
        atomic_thread_fence(memory_order_release);
        /* free leaves errno alone, even where the kernel refuses (at the
         * limit of mappings, most likely). */
        int saved_errno = errno;
        bool done = os_set_access(from, (size_t)(to - from), OS_NO_ACCESS) == 0;
        if (done)
            os_discard(from, (size_t)(to - from));
        else
            atomic_store(&table[i].user, 0);
        errno = saved_errno;
        return done;
    }
    return false;
}

/* The block's entry; NULL if it has none, at once for a block too small
 * for a span. */
static struct entry *entry_of(const void *user, size_t size)
{
    uint8_t *from, *to;
    freed_pages_span(user, size, &from, &to);
    if (from == to)
        return NULL;
    for (size_t i = 0; i < TABLE_SIZE; i++)
        if (atomic_load_explicit(&table[i].user, memory_order_relaxed) == (uintptr_t)user)
            return &table[i];
    return NULL;
}

bool freed_pages_held(const void *user, size_t size)
{
    return entry_of(user, size) != NULL;
}

bool freed_pages_release(void *user, size_t size)
{
    struct entry *e = entry_of(user, size);
    if (!e)
        return false;
    int saved_errno = errno;
    os_set_access(e->from, (size_t)(e->to - e->from), OS_READ_WRITE);
    errno = saved_errno;
    atomic_store(&e->user, 0);
    return true;
}

bool freed_pages_fault(const void *address, const char *access)
{
    const uint8_t *a = address;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        const struct entry *e = &table[i];
        uintptr_t user = atomic_load_explicit(&e->user, memory_order_acquire);
        if (!user || a < e->from || a >= e->to)
            continue;
        error_report r = {
            .kind = ERROR_USE_AFTER_FREE,
            .address = address,
            .block = (const void *)user,
            .block_size = e->size,
            .alloc_stack = e->alloc_stack,
            .free_stack = e->free_stack,
            .access = access,
            .detail = "the freed block's pages are kept inaccessible while it waits in the "
                      "quarantine",
            .fatal = true,
        };
        report_error(&r);
        return true;
    }
    return false;
}
