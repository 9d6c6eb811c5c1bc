/*
 * Self-tests and their TAP version 13 report. A test is a function that
 * records failures with what was expected and what was seen (the first
 * one is reported, in a YAML block):
 *
 *     SELFTEST(20, int3_handler) { EXPECT_EQ(t, 1, count, "handler calls"); }
 *
 * Each test file registers its own tests through the .selftests linker
 * section; they run in the order of their first argument (two digits),
 * then their name.
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include <stdint.h>

struct trap_frame;

struct tap {
    int failed;
    char message[160], expected[160], got[160];
};

struct selftest {
    const char *name;
    void (*fn)(struct tap *t);
    int on_demand;      /* 1: runs only when tests= names it; 2: also when
                           the host harness's ports are on the command line */
};

#define SELFTEST_(order, name, demand)                                           \
    static void selftest_##name(struct tap *t);                                  \
    static const struct selftest selftest_desc_##name                            \
        __attribute__((used, section(".selftests." #order "." #name), aligned(8))) = \
        { #name, selftest_##name, demand };                                      \
    static void selftest_##name(struct tap *t)

#define SELFTEST(order, name) SELFTEST_(order, name, 0)
/* A test that needs something from outside the guest (the monitor
 * unplugging the cable): it runs only when tests= asks for it by name. */
#define SELFTEST_ON_DEMAND(order, name) SELFTEST_(order, name, 1)
/* A test that talks to the host harness's servers (tools/netharness.c):
 * planned when the command line carries their ports (net.echo=...). */
#define SELFTEST_HARNESS(order, name) SELFTEST_(order, name, 2)

/* Fail the test: message says what was checked, expected and got what
 * should have been seen and what was. */
void tap_fail(struct tap *t, const char *message, const char *expected, const char *got);
/* The same, each side formatted from one number ("%llu ns", "0x%llx"). */
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

/* Runs the registered tests the command line selects (tests=a,b; all by
 * default), then the one selftest.inject= asks for; returns failures. */
int tap_run(void);

/* A deliberate failure the command line asked for, or NULL (inject.c). */
const struct selftest *selftest_injected(void);

/* For the exception handler: report the running test not ok with the
 * exception in its YAML block, bail out, give the failing verdict. */
void tap_crash(const struct trap_frame *f, uint64_t cr2) __attribute__((noreturn));

#endif
