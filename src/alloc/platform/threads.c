/*
 * threads.c - what the allocator needs of pthreads beyond its locks
 * (platform.h): hearing of a thread's exit, through a key whose destructor
 * runs as the thread ends; and holding off cancellation while it prints.
 */
#include <pthread.h>

#include "platform.h"

static pthread_key_t exit_key;

void thread_exit_init(void (*on_exit)(void *value))
{
    pthread_key_create(&exit_key, on_exit);
}

void thread_exit_watch(void *value)
{
    pthread_setspecific(exit_key, value);
}

int thread_cancel_hold(void)
{
    int old = PTHREAD_CANCEL_ENABLE;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    return old;
}

void thread_cancel_release(int old)
{
    pthread_setcancelstate(old, NULL);
}
