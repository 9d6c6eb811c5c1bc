#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

unsigned report_passed, report_failed, report_skipped;
uint64_t report_seed;
bool report_verbose;

void pass(void)
{
    report_passed++;
}

void fail(const char *name, const char *fmt, ...)
{
    va_list ap;
    report_failed++;
    printf("FAIL %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

void skip(const char *name, const char *fmt, ...)
{
    va_list ap;
    report_skipped++;
    printf("SKIP %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

bool selected(const char *name)
{
    const char *only = getenv("CPU_TEST_ONLY");
    return !only || !*only || strstr(name, only);
}
