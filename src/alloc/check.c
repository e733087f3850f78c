/*
 * check.c - the checking modes' layer (see check.h).
 */
#include <pthread.h>

#include "check.h"
#include "internal.h"

static pthread_mutex_t internal_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool in_internal;

void internal_alloc_enter(void)
{
    pthread_mutex_lock(&internal_lock);
    in_internal = true;
}

void internal_alloc_leave(void)
{
    in_internal = false;
    pthread_mutex_unlock(&internal_lock);
}
