/*
 * freed_pages.h - debug mode: the whole pages of a large freed block are
 * made inaccessible, and their memory given back, while the block waits in
 * the quarantine.  A use after free of them faults at once and is reported
 * with the block's stacks, where poison would catch only a write, and
 * late; and freeing a block of a gigabyte costs a system call, not a pass
 * over its bytes to poison them and another to check them.
 */
#ifndef MMKIT_FREED_PAGES_H
#define MMKIT_FREED_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "stack.h"

/* The pages of the freed block [user, user + size) this module would make
 * inaccessible: [*from, *to), empty (both user + size) if the block spans
 * too few whole pages for it to be worth a mapping of its own. */
void freed_pages_span(const void *user, size_t size, uint8_t **from, uint8_t **to) INTERNAL;

/* Make the span of a freed block inaccessible, remembering the block for
 * fault reports; false (nothing done, the caller poisons the span) if it
 * is empty, the table of such blocks is full or the kernel refuses. */
bool freed_pages_protect(void *user, size_t size, stack_id alloc_stack, stack_id free_stack)
    INTERNAL;

/* The block of `size` bytes leaves the quarantine: its span accessible
 * again (reading as zeros); false (nothing done) if it was not protected.
 * Only a block with a span is looked for in the table. */
bool freed_pages_release(void *user, size_t size) INTERNAL;
/* Is the block's span protected now? */
bool freed_pages_held(const void *user, size_t size) INTERNAL;

/* Report a fault at `address` (fault.c) if it lies in a protected span, and
 * abort; false if it does not. */
bool freed_pages_fault(const void *address, const char *access) INTERNAL;

#endif /* MMKIT_FREED_PAGES_H */
