/*
 * The fuzz targets without libFuzzer: every file named (or found in a
 * directory named) on the command line runs once through
 * LLVMFuzzerTestOneInput, each in a child process so that one input's
 * crash or failed check is counted and the rest still run. Built with
 * gcc and ASan+UBSan for `make fuzz-replay`.
 *
 *   replay_TARGET NAME FILE|DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned passed, failed;

/* The file's bytes in a buffer of exactly their size, as libFuzzer
 * passes them (so a read past the end is caught); NULL on error. */
static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        buf[n++] = (uint8_t)c;
    }
    fclose(f);
    uint8_t *exact = malloc(n ? n : 1);
    if (exact && n)
        memcpy(exact, buf, n);
    free(buf);
    *size = n;
    return exact;
}

static void run_one(const char *path)
{
    size_t size;
    uint8_t *data = slurp(path, &size);
    if (!data) {
        fprintf(stderr, "fuzz-replay: %s: cannot read\n", path);
        failed++;
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        exit(0);                /* (exit, not _exit: LeakSanitizer looks at the end) */
    }
    free(data);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "fuzz-replay: %s: FAILED (%s %d)\n", path,
                pid > 0 && WIFSIGNALED(status) ? "signal" : "status",
                pid > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        failed++;
        return;
    }
    passed++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        run_one(path);
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, by_name);
    if (n < 0) {
        fprintf(stderr, "fuzz-replay: %s: cannot list\n", path);
        failed++;
        return;
    }
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char file[4096];
            snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
            run_one(file);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s NAME FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 2; i < argc; i++)
        run_path(argv[i]);
    printf("fuzz-replay %s: %u passed, %u failed\n", argv[1], passed, failed);
    return failed ? 1 : 0;
}
