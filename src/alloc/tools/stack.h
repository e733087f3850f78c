/*
 * stack.h - call stacks for reports: captured cheaply when a block is
 * allocated or freed (libunwind), stored once each in a depot and named by a
 * 32-bit id, symbolized (function, file, line with libdw) only when printed.
 * Both libraries are loaded with dlopen when the checking modes need them,
 * so the fast allocator depends on neither; without them stacks print as
 * addresses and module offsets.
 */
#ifndef MMKIT_STACK_H
#define MMKIT_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

typedef uint32_t stack_id; /* 0: no stack */

/* Load the unwinder and keep up to `depth` frames per stack for reports
 * (0: capture none) and up to `trace_depth` for the allocation trace (0:
 * none).  Call once at start-up, before any capture. */
void stacks_init(unsigned depth, unsigned trace_depth) INTERNAL;

/* The calling thread's stack, minus its `skip` innermost frames (besides
 * stack_capture itself); 0 if capturing is off or fails. */
stack_id stack_capture(unsigned skip) INTERNAL;

/* The same with up to trace_depth frames, for the allocation trace. */
stack_id stack_capture_for_trace(unsigned skip) INTERNAL;

/* The return addresses of a stack, innermost first, from the program's
 * call into the allocator (libmmkit's own frames left out); how many. */
size_t stack_frames(stack_id id, uintptr_t *pcs, size_t max) INTERNAL;

/* Every return address of a stack as captured, innermost first; how many.
 * It asks nothing of the dynamic loader, so it may run under any lock. */
size_t stack_pcs(stack_id id, uintptr_t *pcs, size_t max) INTERNAL;

typedef struct symbol {
    char function[256]; /* "" if unknown */
    char file[512];     /* source file; "" if no debug info */
    unsigned line;      /* 0 if unknown */
    char module[256];   /* the executable or library holding pc */
    uintptr_t module_offset;
} symbol;

/* Name the code at pc; false if nothing is known about it. */
bool stack_symbolize(uintptr_t pc, symbol *out) INTERNAL;

/* Print a stack through os_printf, one frame a line:
 *   "    #0 0x55d0c0001234 in main at prog.c:12"
 *   "    #1 0x7f... in __libc_start_main (libc.so.6+0x271ca)" */
void stack_print(stack_id id) INTERNAL;

#endif /* MMKIT_STACK_H */
