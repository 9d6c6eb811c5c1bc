#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "core/log.h"
#include "core/loop.h"

static void (*capture_sink)(void *, const char *);
static void *capture_opaque;

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

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warning: ", fmt, ap);
    va_end(ap);
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
