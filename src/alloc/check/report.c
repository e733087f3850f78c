/*
 * report.c - the one reporting function of the checking modes.  A report:
 *
 *   ==4242== mmkit: error: double free of 0x7f00c0001010
 *     in process 4242 (prog)
 *     0x7f00c0001010 is the start of a 24-byte block
 *     at:
 *       #0 0x... in main at prog.c:12
 *     the block was allocated at:
 *       ...
 *     and freed at:
 *       ...
 *   SUMMARY: mmkit: double free 0x7f00c0001010
 *
 * The first and last lines are stable: tests and scripts match them.  The
 * second names the process, as every block the allocator prints does: a
 * program's children run on the allocator too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "locks.h"
#include "platform.h"
#include "report.h"
#include "suppressions.h"

/* Where the address lies relative to the block, in words. */
static void print_place(const error_report *r)
{
    uintptr_t a = (uintptr_t)r->address, b = (uintptr_t)r->block;
    if (!r->block)
        return;
    if (!r->block_size) { /* a freed block whose size the allocator reused */
        if (r->address == r->block)
            os_printf("  %p is the start of a freed block\n", r->address);
        else
            os_printf("  %p is near a freed block at %p\n", r->address, r->block);
        return;
    }
    if (a < b)
        os_printf("  %p is %zu bytes before a %zu-byte block at %p\n", r->address,
                      (size_t)(b - a), r->block_size, r->block);
    else if (a >= b + r->block_size && r->block_size)
        os_printf("  %p is %zu bytes after the end of a %zu-byte block at %p\n", r->address,
                      (size_t)(a - (b + r->block_size)), r->block_size, r->block);
    else if (a == b)
        os_printf("  %p is the start of a %zu-byte block\n", r->address, r->block_size);
    else
        os_printf("  %p is %zu bytes inside a %zu-byte block at %p\n", r->address,
                      (size_t)(a - b), r->block_size, r->block);
}

static _Atomic uintptr_t reporting_thread;

/* The process that reported something: a fork child inherits the
 * parent's memory, not its findings. */
static _Atomic pid_t found_in;

void report_found(void)
{
    atomic_store_explicit(&found_in, getpid(), memory_order_relaxed);
}

bool report_found_any(void)
{
    return atomic_load_explicit(&found_in, memory_order_relaxed) == getpid();
}

void report_error(const error_report *r)
{
    uintptr_t self = current_thread_id();
    if (atomic_load(&reporting_thread) == self) {
        os_write_stderr("mmkit: error: a memory error while reporting one\n");
        abort();
    }
    stack_id here = stack_capture(0);
    lock_take(LOCK_REPORT);
    atomic_store(&reporting_thread, self);
    /* A fault cannot be let go: the program would fault again at once. */
    int rule = r->fatal ? -1 : suppressions_match(r->kind, here);
    if (rule >= 0) {
        suppressions_count(rule, 0);
        atomic_store(&reporting_thread, 0);
        lock_release(LOCK_REPORT);
        return;
    }

    const char *what = error_kind_words(r->kind);
    int pid = (int)getpid();
    if (r->access)
        os_printf("==%d== mmkit: error: %s (%s) at %p\n", pid, what, r->access, r->address);
    else
        os_printf("==%d== mmkit: error: %s of %p\n", pid, what, r->address);
    os_printf("  in process %d (%s)\n", pid, os_program_name());
    print_place(r);
    if (r->detail)
        os_printf("  %s\n", r->detail);
    os_printf("  at:\n");
    stack_print(here);
    if (r->alloc_stack) {
        os_printf("  the block was allocated at:\n");
        stack_print(r->alloc_stack);
    }
    if (r->free_stack) {
        os_printf("  and freed at:\n");
        stack_print(r->free_stack);
    }
    os_printf("SUMMARY: mmkit: %s %p\n", what, r->address);

    report_found();
    atomic_store(&reporting_thread, 0);
    lock_release(LOCK_REPORT);
    if (r->fatal || mmkit_options.abort_on_error)
        abort();
}
