/* Messages to stderr, each one line starting with "pcemu: ". */
#ifndef HOST_CORE_LOG_H
#define HOST_CORE_LOG_H

#include <stdint.h>

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
