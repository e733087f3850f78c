/* replay_main.c - runs a fuzz harness over saved inputs without libFuzzer,
 * so every compiler's build checks the corpus: each argument is a file, or
 * a directory whose files are all replayed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;
    for (size_t n;; size += n) {
        if (size == cap && !(data = realloc(data, cap = cap * 2 + 4096)))
            abort();
        if (!(n = fread(data + size, 1, cap - size, file)))
            break;
    }
    fclose(file);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int failures = 0, replayed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *dir = opendir(argv[i]);
            for (struct dirent *entry; dir && (entry = readdir(dir));) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[i], entry->d_name);
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                    failures += replay_file(path);
                    replayed++;
                }
            }
            if (dir)
                closedir(dir);
        } else {
            failures += replay_file(argv[i]);
            replayed++;
        }
    }
    printf("replayed %d inputs\n", replayed);
    return failures || replayed == 0;
}
