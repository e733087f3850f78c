/*
 * threads.c - hearing of a thread's exit (platform.h): a pthread key whose
 * destructor runs as the thread ends.
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
