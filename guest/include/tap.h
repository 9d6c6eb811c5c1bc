/*
 * Self-tests and their TAP version 13 report. A test is a function that
 * records at most one failure with what was expected and what was seen:
 *
 *     SELFTEST(20, int3_handler) { EXPECT_EQ(t, 1, count, "handler calls"); }
 *
 * Tests run in the order of their first argument, then their name.
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include <stdint.h>

struct tap {
    int failed;
    char message[160], expected[160], got[160];
};

struct selftest {
    const char *name;
    void (*fn)(struct tap *t);
};

#define SELFTEST(order, name)                                                    \
    static void selftest_##name(struct tap *t);                                  \
    static const struct selftest selftest_desc_##name                            \
        __attribute__((used, section(".selftests." #order "." #name), aligned(8))) = \
        { #name, selftest_##name };                                              \
    static void selftest_##name(struct tap *t)

void tap_fail(struct tap *t, const char *message, const char *expected, const char *got);
void tap_failf(struct tap *t, const char *message, const char *expected_fmt,
               unsigned long long expected, const char *got_fmt, unsigned long long got);

#define EXPECT_EQ(t, want, have, what) do {                                      \
        unsigned long long w_ = (unsigned long long)(want), h_ = (unsigned long long)(have); \
        if (w_ != h_)                                                            \
            tap_failf((t), (what), "0x%llx", w_, "0x%llx", h_);                  \
    } while (0)

#define EXPECT_TRUE(t, cond, what) do {                                          \
        if (!(cond))                                                             \
            tap_fail((t), (what), "true: " #cond, "false");                      \
    } while (0)

/* Runs the registered tests the command line selects; returns failures. */
int tap_run(void);

/* For the exception handler: report the running test as crashed. */
void tap_crash(const char *what, uint64_t vector, uint64_t rip);

#endif
