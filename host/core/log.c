#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "core/log.h"
#include "core/loop.h"

/* Warnings held at most; more while the console stays mid-line are
 * counted and reported with the rest. */
#define LOG_HELD 16

static void (*capture_sink)(void *, const char *);
static void *capture_opaque;
static bool mid_line;               /* the console's last byte was not '\n' */
static char *held[LOG_HELD];
static int nheld;
static unsigned long dropped;

void log_capture(void (*sink)(void *opaque, const char *line), void *opaque)
{
    capture_sink = sink;
    capture_opaque = opaque;
}

static void emit(const char *kind, const char *fmt, va_list ap)
{
    char line[512];
    int n = snprintf(line, sizeof line, "pcemu: %s", kind);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (capture_sink)
        capture_sink(capture_opaque, line);
    else
        fprintf(stderr, "%s\n", line);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}

static void warn_now(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_now(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warning: ", fmt, ap);
    va_end(ap);
}

static void release(void)
{
    for (int i = 0; i < nheld; i++) {
        warn_now("%s", held[i]);
        free(held[i]);
    }
    nheld = 0;
    if (dropped)
        warn_now("%lu more warnings were dropped while the guest's console line was open",
                 dropped);
    dropped = 0;
}

static void vwarn(const char *fmt, va_list ap)
{
    char line[480];
    vsnprintf(line, sizeof line, fmt, ap);
    if (!mid_line) {
        warn_now("%s", line);
        return;
    }
    char *copy = nheld < LOG_HELD ? strdup(line) : NULL;
    if (copy)
        held[nheld++] = copy;
    else
        dropped++;
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

void *zalloc_or_why(size_t size, char *why, size_t whylen)
{
    void *p = calloc(1, size);
    if (!p)
        snprintf(why, whylen, "out of memory");
    return p;
}

void log_console(const uint8_t *buf, size_t len)
{
    if (!len)
        return;
    mid_line = buf[len - 1] != '\n';
    if (!mid_line)
        release();
}

/* Whether stdout and stderr are one file (a terminal, or 2>&1). */
static bool shared_output(void)
{
    struct stat o, e;
    return fstat(1, &o) == 0 && fstat(2, &e) == 0 && o.st_dev == e.st_dev &&
           o.st_ino == e.st_ino;
}

void log_flush(void)
{
    if (!nheld && !dropped) {
        mid_line = false;
        return;
    }
    /* the guest's last line never ended: end it, where it is seen */
    if (mid_line && shared_output() && !capture_sink)
        fputc('\n', stderr);
    mid_line = false;
    release();
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}

void log_warn_rl(struct ratelimit *rl, const char *fmt, ...)
{
    const uint64_t interval = 5000000000ull;   /* 5 s */
    uint64_t now = monotonic_ns();
    if (now - rl->window_start >= interval) {
        rl->window_start = now;
        rl->count = 0;
    }
    if (rl->count >= rl->burst) {
        rl->suppressed++;
        return;
    }
    rl->count++;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (rl->suppressed) {
        log_warn("%s (%lu similar messages suppressed)", msg, rl->suppressed);
        rl->suppressed = 0;
    } else {
        log_warn("%s", msg);
    }
}
