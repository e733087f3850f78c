/*
 * fault.h - the checking modes' handler of SIGSEGV and SIGBUS.  An access
 * to one of the allocator's guard pages (a guarded block's, or the one that
 * ends each page of small blocks in hardened and debug mode) is reported
 * through report_error, naming what was overrun; any other fault goes back
 * to the handler the program had, so the program ends as it would have
 * without us.
 */
#ifndef MMKIT_FAULT_H
#define MMKIT_FAULT_H

#include "platform.h"

/* Install the handler; once, however often it is called. */
void fault_handler_install(void) INTERNAL;

#endif /* MMKIT_FAULT_H */
