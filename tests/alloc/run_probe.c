/*
 * run_probe.c - tells whether it runs on libmmkit: prints "on mmkit" and the
 * file malloc comes from, with the mmap threshold in force, or "not on
 * mmkit"; with a second argument "malloc_info" it then prints a line
 * "malloc_info:" and what malloc_info writes; then it exits with the status
 * given as its first argument.
 */
#include "test_util.h"

#include <malloc.h>

int main(int argc, char **argv)
{
    void *p = malloc(100);
    free(p);
    if (malloc_is_mmkit()) {
        Dl_info info;
        long long (*option_get)(const char *);
        *(void **)&option_get = dlsym(RTLD_DEFAULT, "mmkit_option_get");
        check(dladdr(dlsym(RTLD_DEFAULT, "malloc"), &info));
        printf("on mmkit\nlib %s\nmmap_threshold %lld\n", info.dli_fname,
               option_get("mmap_threshold"));
    } else {
        printf("not on mmkit\n");
    }
    if (argc > 2 && !strcmp(argv[2], "malloc_info")) {
        void *big = malloc(5 * MiB), *small = malloc(100);
        printf("malloc_info:\n");
        fflush(stdout);
        check(malloc_info(0, stdout) == 0);
        free(big);
        free(small);
    }
    return argc > 1 ? atoi(argv[1]) : 0;
}
