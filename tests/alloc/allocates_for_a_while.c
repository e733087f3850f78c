/*
 * allocates_for_a_while.c - a long-running program in miniature: it
 * allocates and frees blocks of many sizes for argv[1] milliseconds (by its
 * own clock), then prints "done".  check_stats_interval.py runs it on
 * libmmkit with stats_interval set.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000LL + (now.tv_nsec - since->tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
    long long run_ms = argc > 1 ? atoll(argv[1]) : 1000;
    static void *volatile blocks[1000];
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        for (int i = 0; i < 1000; i++)
            if (!(blocks[i] = malloc(16 + (size_t)i % 500)))
                return 1;
        for (int i = 0; i < 1000; i++)
            free(blocks[i]);
    } while (elapsed_ms(&start) < run_ms);
    puts("done");
    return 0;
}
