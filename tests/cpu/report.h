/* Counting checks and reporting failures, one line each. */
#ifndef TESTS_CPU_REPORT_H
#define TESTS_CPU_REPORT_H

#include <stdbool.h>
#include <stdint.h>

extern unsigned report_passed, report_failed, report_skipped;
extern uint64_t report_seed;        /* the run's seed, named in failures */
extern bool report_verbose;

void pass(void);
/* One failure: prints "FAIL <name>: <message>". */
void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A check that could not run: a line saying why; never counted as passed. */
void skip(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether a test with this name runs (CPU_TEST_ONLY: a substring). */
bool selected(const char *name);

#endif
