#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "core/chardev.h"
#include "core/log.h"

struct chardev {
    struct loop *loop;
    int in_fd, out_fd;
    bool own_out, tty_saved, out_broken;
    struct termios saved;
    struct chardev_frontend fe;
    uint8_t inbuf[256];
    size_t inlen;
    struct timer retry;
};

static void feed(struct chardev *c);

static void on_input(void *opaque, short revents)
{
    struct chardev *c = opaque;
    ssize_t n = read(c->in_fd, c->inbuf + c->inlen, sizeof c->inbuf - c->inlen);
    if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) {
        /* End of input: the guest just sees no more characters. */
        loop_del_fd(c->loop, c->in_fd);
        c->in_fd = -1;
        return;
    }
    if (n > 0)
        c->inlen += (size_t)n;
    feed(c);
}

static void retry(void *opaque)
{
    feed(opaque);
}

/* Hand the front end what it can take; while it is full, stop reading and
 * look again shortly, so nothing typed is lost. */
static void feed(struct chardev *c)
{
    if (c->fe.receive && c->inlen) {
        size_t room = c->fe.can_receive(c->fe.opaque);
        size_t n = room < c->inlen ? room : c->inlen;
        if (n) {
            c->fe.receive(c->fe.opaque, c->inbuf, n);
            memmove(c->inbuf, c->inbuf + n, c->inlen - n);
            c->inlen -= n;
        }
    }
    if (c->in_fd < 0)
        return;
    if (c->inlen == sizeof c->inbuf || (c->inlen && !c->fe.receive)) {
        loop_del_fd(c->loop, c->in_fd);
        timer_mod(&c->retry, loop_now(c->loop) + 1000000);
    } else {
        if (c->inlen)
            timer_mod(&c->retry, loop_now(c->loop) + 1000000);
        loop_add_fd(c->loop, c->in_fd, POLLIN, on_input, c);
    }
}

struct chardev *chardev_open(struct loop *l, const char *spec, char *why, size_t whylen)
{
    struct chardev *c = zalloc_or_why(sizeof *c, why, whylen);
    if (!c)
        return NULL;
    c->loop = l;
    c->in_fd = c->out_fd = -1;
    timer_init(&c->retry, l, retry, c);

    if (strcmp(spec, "stdio") == 0) {
        c->out_fd = STDOUT_FILENO;
        c->in_fd = STDIN_FILENO;
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
            struct termios raw = c->saved;
            /* Keys go to the guest as typed; Ctrl-C still stops pcemu. */
            raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
            raw.c_iflag &= ~(tcflag_t)(ICRNL);
            raw.c_cc[VMIN] = 1;
            raw.c_cc[VTIME] = 0;
            if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
                c->tty_saved = true;
        }
        if (fcntl(STDIN_FILENO, F_GETFL) < 0)
            c->in_fd = -1;      /* no stdin at all (CI closes it) */
    } else if (strcmp(spec, "stdout") == 0) {
        c->out_fd = STDOUT_FILENO;      /* output only: stdin is the monitor's */
    } else if (strcmp(spec, "file:") == 0) {
        snprintf(why, whylen, "the file path is empty (file:PATH)");
        free(c);
        return NULL;
    } else if (strncmp(spec, "file:", 5) == 0) {
        c->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (c->out_fd < 0) {
            snprintf(why, whylen, "%s: %s", spec + 5, strerror(errno));
            free(c);
            return NULL;
        }
        c->own_out = true;
    } else if (strcmp(spec, "none") != 0 && strcmp(spec, "null") != 0) {
        snprintf(why, whylen, "unknown backend (use stdio, file:PATH or none)");
        free(c);
        return NULL;
    }
    return c;
}

void chardev_attach(struct chardev *c, const struct chardev_frontend *fe)
{
    c->fe = *fe;
    if (c->in_fd >= 0)
        loop_add_fd(c->loop, c->in_fd, POLLIN, on_input, c);
}

void chardev_write(struct chardev *c, const uint8_t *buf, size_t len)
{
    while (len && c->out_fd >= 0 && !c->out_broken) {
        ssize_t n = write(c->out_fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = c->out_fd, .events = POLLOUT };
            poll(&p, 1, -1);
            continue;
        }
        if (n <= 0) {
            /* A closed pipe must not kill the machine; say so once. */
            log_warn("serial output: %s; further output is discarded",
                     n < 0 ? strerror(errno) : "short write");
            c->out_broken = true;
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

void chardev_close(struct chardev *c)
{
    if (!c)
        return;
    timer_del(&c->retry);
    if (c->in_fd >= 0)
        loop_del_fd(c->loop, c->in_fd);
    if (c->tty_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
    if (c->own_out)
        close(c->out_fd);
    free(c);
}
