/*
 * unixcat PATH: connect to a unix stream socket (the monitor's), send
 * stdin, print what comes back until the peer closes or goes quiet for
 * a second after stdin ended.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: unixcat PATH\n");
        return 2;
    }
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    int tries = 0;
    while (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (++tries > 200) {
            fprintf(stderr, "unixcat: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        usleep(10000);     /* the server may still be starting */
    }
    struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
    int in_open = 1;
    char buf[4096];
    for (;;) {
        int r = poll(p + !in_open, in_open ? 2 : 1, in_open ? -1 : 1000);
        if (r == 0)
            break;
        if (in_open && p[0].revents) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n <= 0) {
                in_open = 0;
                continue;
            }
            if (write(fd, buf, (size_t)n) != n)
                break;
        }
        if (p[1].revents) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n <= 0)
                break;
            fwrite(buf, 1, (size_t)n, stdout);
            fflush(stdout);
        }
    }
    return 0;
}
