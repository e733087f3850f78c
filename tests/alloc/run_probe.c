/*
 * run_probe.c - tells whether it runs on libmmkit: prints "on mmkit" and the
 * file malloc comes from, with the mmap threshold in force, or "not on
 * mmkit"; then exits with the status given as its argument.
 */
#include "test_util.h"

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
    return argc > 1 ? atoi(argv[1]) : 0;
}
