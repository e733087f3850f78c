/*
 * secure.h - the secure heap's part in start-up.  The secure heap itself
 * is public API (mmkit_secure_* in mmkit.h; see secure.c).
 */
#ifndef MMKIT_SECURE_H
#define MMKIT_SECURE_H

#include "platform.h"

/* MMKIT_OPTIONS=lock=all: lock every page the process maps now and later
 * (mlockall), so none of its memory is ever swapped out.  If the kernel
 * refuses (RLIMIT_MEMLOCK, most often), print one warning and go on with
 * the memory unlocked. */
void secure_lock_all(void) INTERNAL;

#endif /* MMKIT_SECURE_H */
