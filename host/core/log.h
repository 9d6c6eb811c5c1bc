/*
 * Messages to stderr, each one line starting with "pcemu: ": errors, and
 * warnings, every host warning through log_warn (or log_warn_rl).
 *
 * The guest's console (COM1 on stdout) and stderr often share a terminal
 * or a file (2>&1). Both are written unbuffered, so a warning printed
 * while the guest is in the middle of a line would land inside that line
 * and break its TAP. A warning is therefore held while the console is
 * mid-line and printed right after the guest's next newline (or at
 * log_flush, when the run ends), so it always stands on a line of its
 * own. Errors are printed at once.
 */
#ifndef HOST_CORE_LOG_H
#define HOST_CORE_LOG_H

#include <stddef.h>
#include <stdint.h>

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A function that can fail with a reason writes it into the caller's
 * buffer: char *why, size_t whylen. This one is calloc's, the reason
 * "out of memory". */
void *zalloc_or_why(size_t size, char *why, size_t whylen);

/* What the guest wrote to a console that shares the terminal: a line
 * ending there lets held warnings out. */
void log_console(const uint8_t *buf, size_t len);
/* Prints what is still held (the run is over): after a newline if the
 * guest's last line never ended and shares stderr's file. */
void log_flush(void);

/* At most `burst` messages, then silence until `interval_ns` passed since
 * the first of them; what was suppressed is counted in the next message. */
struct ratelimit {
    uint64_t window_start;
    unsigned burst, count;
    unsigned long suppressed;
};
#define RATELIMIT_INIT { 0, 5, 0, 0 }

void log_warn_rl(struct ratelimit *rl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Tests read warnings back; NULL restores stderr. */
void log_capture(void (*sink)(void *opaque, const char *line), void *opaque);

#endif
