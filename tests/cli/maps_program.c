/*
 * maps_program.c FILE [--wait] - a process with a layout known in advance,
 * for `mmkit maps` to find: 256 KiB of initialised data, 2 MiB of bss, a
 * 4 MiB brk heap, 256 KiB of stack, FILE (256 KiB) mapped, and an 8 MiB
 * block and a small one from malloc; it writes to the first half of each, so half of each
 * is resident.  With --wait it then says "ready" and waits for its standard
 * input to close.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define KIB 1024
#define PAGE 4096

/* Non-zero, so that the array is in .data and not in .bss. */
int initialised[256 * KIB / sizeof(int)] = {1};
char zeroed[2048 * KIB] __attribute__((aligned(PAGE)));

/* Half of [start, start + size): one write a page, so no page beyond the
 * half faults in.  Huge pages would fault in more than that. */
static void touch_half(volatile char *start, size_t size)
{
    madvise((void *)((uintptr_t)start & ~(uintptr_t)(PAGE - 1)), size, MADV_NOHUGEPAGE);
    for (size_t at = 0; at < size / 2; at += PAGE)
        start[at] = 1;
}

/* 256 KiB of stack, in use while `then` runs. */
static int with_stack(int (*then)(void))
{
    volatile char frame[256 * KIB];
    for (size_t at = 0; at < sizeof frame; at += PAGE)
        frame[at] = 1;
    return then() + frame[0] - 1;
}

static int wait_for_eof(void)
{
    /* Every page it writes is written: a watcher may look now. */
    puts("ready");
    fflush(stdout);
    char byte;
    while (read(0, &byte, 1) > 0)
        continue;
    return 0;
}

static int no_wait(void)
{
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: maps_program FILE [--wait]\n");
        return 2;
    }
    /* Before malloc does: the heap's first 4 MiB are ours. */
    char *heap = sbrk(4096 * KIB);
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (heap == (void *)-1 || fd < 0 || ftruncate(fd, 256 * KIB) != 0)
        return 1;
    /* Private and written: a write fault maps one page, where a read
     * would map the pages around it too. */
    char *file = mmap(NULL, 256 * KIB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char *block = malloc(8192 * KIB), *small = malloc(100);
    if (file == MAP_FAILED || !block || !small)
        return 1;
    small[0] = 1;
    touch_half((char *)initialised, sizeof initialised);
    touch_half(zeroed, sizeof zeroed);
    touch_half(heap, 4096 * KIB);
    touch_half(file, 256 * KIB);
    touch_half(block, 8192 * KIB);
    return with_stack(argc > 2 && !strcmp(argv[2], "--wait") ? wait_for_eof : no_wait);
}
