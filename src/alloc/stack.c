/*
 * stack.c - call stacks for reports (see stack.h).  First version: no
 * unwinder yet, so no stack is ever captured.
 */
#include "report.h"
#include "stack.h"

void stacks_init(unsigned depth)
{
    (void)depth;
}

stack_id stack_capture(unsigned skip)
{
    (void)skip;
    return 0;
}

size_t stack_frames(stack_id id, uintptr_t *pcs, size_t max)
{
    (void)id;
    (void)pcs;
    (void)max;
    return 0;
}

bool stack_symbolize(uintptr_t pc, symbol *out)
{
    (void)pc;
    (void)out;
    return false;
}

void stack_print(stack_id id)
{
    (void)id;
    report_printf("    (no stack)\n");
}
