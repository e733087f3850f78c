/*
 * leaks.h - the blocks that are live (debug mode, leaks=1), and the leak
 * report at exit: blocks no pointer reaches any more, grouped by the stack
 * that allocated them, largest first, like LeakSanitizer's.
 */
#ifndef MMKIT_LEAKS_H
#define MMKIT_LEAKS_H

#include <stdbool.h>

#include "block_header.h"
#include "platform.h"

struct mmkit_heap;

void live_insert(track_header *t) INTERNAL;
void live_remove(track_header *t) INTERNAL;
/* Forget the live blocks of a pool being destroyed. */
void live_forget_heap(struct mmkit_heap *heap) INTERNAL;

/* Print the leak report on stderr: as text (json false) or one JSON object.
 * Returns the number of leaked blocks. */
size_t leaks_report(bool json) INTERNAL;

#endif /* MMKIT_LEAKS_H */
