/*
 * The self-test runner: TAP version 13 on the console, then the verdict.
 * A failing test prints a YAML block with what was expected and what was
 * seen; an exception inside a test reports it as not ok and bails out.
 */
#include "clock.h"
#include "kernel.h"
#include "tap.h"

extern const struct selftest __start_selftests[], __stop_selftests[];
/* A deliberate failure the command line asked for, or NULL (inject.c). */
const struct selftest *selftest_injected(void);

static const struct selftest *running;
static int running_number;

void tap_fail(struct tap *t, const char *message, const char *expected, const char *got)
{
    if (t->failed++)
        return;         /* the first failure is the one reported */
    snprintf(t->message, sizeof t->message, "%s", message);
    snprintf(t->expected, sizeof t->expected, "%s", expected);
    snprintf(t->got, sizeof t->got, "%s", got);
}

void tap_failf(struct tap *t, const char *message, const char *expected_fmt,
               unsigned long long expected, const char *got_fmt, unsigned long long got)
{
    char e[64], g[64];
    snprintf(e, sizeof e, expected_fmt, expected);
    snprintf(g, sizeof g, got_fmt, got);
    tap_fail(t, message, e, g);
}

static void yaml(const char *message, const char *expected, const char *got)
{
    printf("  ---\n  message: \"%s\"\n  expected: %s\n  got: %s\n  ...\n",
           message, expected, got);
}

/* The tests= list, split once: every guest instruction may be emulated,
 * so the command line is not parsed again for each test. */
static char wanted[256];
static int have_wanted;

static int selected(const struct selftest *s)
{
    if (!have_wanted)
        return 1;
    size_t n = strlen(s->name);
    for (const char *w = wanted; *w;) {
        const char *comma = strchr(w, ',');
        size_t len = comma ? (size_t)(comma - w) : strlen(w);
        if (len == n && memcmp(w, s->name, n) == 0)
            return 1;
        if (!comma)
            break;
        w = comma + 1;
    }
    return 0;
}

static int run_one(const struct selftest *s, int i)
{
    struct tap t = { 0 };
    running = s;
    running_number = i;
    uint64_t t0 = time_ns();
    s->fn(&t);
    uint64_t us = (time_ns() - t0) / 1000;
    running = NULL;
    if (t.failed) {
        printf("not ok %d - %s\n", i, s->name);
        yaml(t.message, t.expected, t.got);
    } else {
        printf("ok %d - %s\n", i, s->name);
    }
    printf("# %s: %llu.%03llu ms\n", s->name, (unsigned long long)(us / 1000),
           (unsigned long long)(us % 1000));
    return t.failed != 0;
}

int tap_run(void)
{
    const char *list = cmdline_get("tests");
    have_wanted = list != NULL;
    if (list)
        snprintf(wanted, sizeof wanted, "%s", list);
    const struct selftest *extra = selftest_injected();
    int n = extra != NULL, failed = 0, i = 0;
    for (const struct selftest *s = __start_selftests; s < __stop_selftests; s++)
        n += selected(s);
    printf("TAP version 13\n1..%d\n", n);
    for (const struct selftest *s = __start_selftests; s < __stop_selftests; s++)
        if (selected(s))
            failed += run_one(s, ++i);
    if (extra)
        failed += run_one(extra, ++i);
    printf("# %d passed, %d failed\n", n - failed, failed);
    return failed;
}

void tap_crash(const char *what, uint64_t vector, uint64_t rip)
{
    char v[32], r[32];
    snprintf(v, sizeof v, "no exception");
    snprintf(r, sizeof r, "vector %llu at rip 0x%llx", (unsigned long long)vector,
             (unsigned long long)rip);
    if (running) {
        printf("not ok %d - %s\n", running_number, running->name);
        yaml(what, v, r);
    }
    printf("Bail out! %s\n", what);
    verdict(1);
}
