/*
 * timeit -n RUNS [-q] -- COMMAND...: runs COMMAND RUNS times (output to
 * /dev/null) and prints the median, min and max wall time from fork to
 * exit, and the exit status the runs had in common.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = 10, i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
    }
    if (i + 1 >= argc || runs < 1) {
        fprintf(stderr, "usage: timeit -n RUNS -- COMMAND...\n");
        return 2;
    }
    char **cmd = argv + i + 1;
    double *t = calloc((size_t)runs, sizeof *t);
    int status = -1, mixed = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid == 0) {
            int fd = open("/dev/null", O_RDWR);
            dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
            execvp(cmd[0], cmd);
            _exit(127);
        }
        int ws;
        waitpid(pid, &ws, 0);
        t[r] = now_ms() - t0;
        int st = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        if (r && st != status)
            mixed = 1;
        status = st;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    double med = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    printf("%.2f ms median (min %.2f, max %.2f, %d runs, exit status %d%s)\n",
           med, t[0], t[runs - 1], runs, status, mixed ? ", varied" : "");
    free(t);
    return 0;
}
