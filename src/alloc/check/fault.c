/*
 * fault.c - one handler for faults on the allocator's guard pages (fault.h).
 * It runs in a signal handler: it reads the segments' tables without locks and
 * takes nothing from the user's heap, which may be what was overrun; it
 * reports and aborts, or returns at once.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>

#include "fault.h"
#include "freed_pages.h"
#include "guarded.h"
#include "core.h"
#include "report.h"

static struct sigaction previous_segv, previous_bus;
static atomic_flag installed = ATOMIC_FLAG_INIT;

static const char *fault_access(const void *context)
{
#if defined(__x86_64__)
    /* Bit 1 of the page fault's error code is set for a write. */
    const ucontext_t *uc = context;
    return (uc->uc_mcontext.gregs[REG_ERR] & 2) ? "write" : "read";
#else
    (void)context;
    return "read or write";
#endif
}

/* A fault on the guard page that ends a slice of a segment (hardened and
 * debug mode): in its first half, the page's last blocks were overrun; in
 * its second, the next page's first block was underrun. */
static bool page_guard_fault(const void *address, const char *access)
{
    const page *before, *after;
    size_t offset;
    if (!segment_guard_at(address, &before, &after, &offset))
        return false;
    bool overflow = offset < OS_PAGE_SIZE / 2;
    const page *overrun = overflow ? before : after;
    char detail[128];
    if (overrun)
        snprintf(detail, sizeof detail, "the address is in the guard page %s a page of %u-byte blocks",
                 overflow ? "after" : "before", overrun->block_size);
    else
        snprintf(detail, sizeof detail, "the address is in a guard page between pages of blocks");
    error_report r = {.kind = overflow ? ERROR_HEAP_OVERFLOW : ERROR_HEAP_UNDERFLOW,
                      .address = address, .access = access, .detail = detail, .fatal = true};
    report_error(&r);
    return true;
}

static void on_fault(int sig, siginfo_t *info, void *context)
{
    const char *access = fault_access(context);
    if (guarded_fault(info->si_addr, access) || page_guard_fault(info->si_addr, access) ||
        freed_pages_fault(info->si_addr, access))
        return; /* not reached: the report aborts */
    /* Not ours: return to the fault with the handler it had before. */
    sigaction(sig, sig == SIGSEGV ? &previous_segv : &previous_bus, NULL);
}

static void install(void)
{
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
    sigaction(SIGBUS, &sa, &previous_bus);
}

void fault_handler_install(void)
{
    if (!atomic_flag_test_and_set(&installed))
        install();
}
