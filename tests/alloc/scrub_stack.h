/*
 * scrub_stack.h - for leak tests: overwrite the stack below the caller's
 * frame, where pointers to the blocks it just lost were, so that only the
 * program's live data may point at blocks when the leak report scans.
 */
#ifndef MMKIT_SCRUB_STACK_H
#define MMKIT_SCRUB_STACK_H

#include <string.h>

static __attribute__((noinline)) void scrub_stack(void)
{
    volatile char area[64 * 1024];
    memset((char *)area, 0, sizeof area);
}

#endif /* MMKIT_SCRUB_STACK_H */
