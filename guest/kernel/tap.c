/*
 * The self-test runner: TAP version 13 on the console, then the verdict.
 * A failing test prints a YAML block with what was expected and what was
 * seen; an exception inside a test reports it as not ok and bails out.
 */
#include "clock.h"
#include "kernel.h"
#include "tap.h"
#include "usermode.h"
#include "trap.h"

extern const struct selftest __start_selftests[], __stop_selftests[];

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

/* s as a double-quoted YAML scalar: a plain one would break on ": " or a
 * leading quote, and programs read this. */
static const char *quoted(char *buf, size_t size, const char *s)
{
    size_t n = 0;
    buf[n++] = '"';
    for (; *s && n + 4 < size; s++) {
        if (*s == '"' || *s == '\\')
            buf[n++] = '\\';
        buf[n++] = (unsigned char)*s < ' ' ? ' ' : *s;
    }
    buf[n++] = '"';
    buf[n] = 0;
    return buf;
}

static void yaml(const char *message, const char *expected, const char *got)
{
    char m[200], e[200], g[200];
    printf("  ---\n  message: %s\n  expected: %s\n  got: %s\n  ...\n",
           quoted(m, sizeof m, message), quoted(e, sizeof e, expected),
           quoted(g, sizeof g, got));
}

/* The tests= list, split once: every guest instruction may be emulated,
 * so the command line is not parsed again for each test. */
static char wanted[256];
static int have_wanted;

static int listed(const char *list, const char *name, size_t n)
{
    for (const char *w = list; *w;) {
        const char *comma = strchr(w, ',');
        size_t len = comma ? (size_t)(comma - w) : strlen(w);
        if (len == n && memcmp(w, name, n) == 0)
            return 1;
        if (!comma)
            break;
        w = comma + 1;
    }
    return 0;
}

static int selected(const struct selftest *s)
{
    if (!have_wanted)
        return !s->on_demand || (s->on_demand == 2 && cmdline_get("net.echo"));
    return listed(wanted, s->name, strlen(s->name));
}

/* A name in tests= that no test has would make an empty, passing run:
 * say so and fail instead. */
static void check_wanted(void)
{
    for (const char *w = wanted; have_wanted && *w;) {
        const char *comma = strchr(w, ',');
        size_t len = comma ? (size_t)(comma - w) : strlen(w);
        int found = len == 0;
        for (const struct selftest *s = __start_selftests; s < __stop_selftests && !found; s++)
            found = strlen(s->name) == len && memcmp(s->name, w, len) == 0;
        if (!found) {
            printf("Bail out! tests=%s: there is no self-test named '%.*s'\n",
                   wanted, (int)len, w);
            verdict(1);
        }
        if (!comma)
            break;
        w = comma + 1;
    }
}

static int run_one(const struct selftest *s, int i)
{
    struct tap t = { 0 };
    user_resume();          /* back at CPL 3 if a debugger's stop moved us */
    running = s;
    running_number = i;
    uint64_t t0 = time_ns();
    s->fn(&t);
    uint64_t us = (time_ns() - t0) / 1000;
    running = NULL;
    char took[96];
    snprintf(took, sizeof took, "# %s: %llu.%03llu ms\n", s->name,
             (unsigned long long)(us / 1000), (unsigned long long)(us % 1000));
    /* a passing test's two lines in one write: each costs a trip to CPL 0 */
    if (t.failed) {
        printf("not ok %d - %s\n", i, s->name);
        yaml(t.message, t.expected, t.got);
        printf("%s", took);
    } else {
        printf("ok %d - %s\n%s", i, s->name, took);
    }
    return t.failed != 0;
}

int tap_run(void)
{
    const char *list = cmdline_get("tests");
    have_wanted = list && *list;
    if (list)
        snprintf(wanted, sizeof wanted, "%s", list);
    printf("TAP version 13\n");
    check_wanted();
    const struct selftest *extra = selftest_injected();
    int n = extra != NULL, failed = 0, i = 0;
    for (const struct selftest *s = __start_selftests; s < __stop_selftests; s++)
        n += selected(s);
    printf("1..%d\n", n);
    int unplanned = 0;
    for (const struct selftest *s = __start_selftests; s < __stop_selftests; s++)
        unplanned += !have_wanted && s->on_demand == 2 && !selected(s);
    if (unplanned)
        printf("# %d network tests need the host harness's ports (net.echo=... on the "
               "command line; tools/run-guest-tests.sh starts it): not planned\n", unplanned);
    for (const struct selftest *s = __start_selftests; s < __stop_selftests; s++)
        if (selected(s))
            failed += run_one(s, ++i);
    if (extra)
        failed += run_one(extra, ++i);
    printf("# %d passed, %d failed\n", n - failed, failed);
    return failed;
}

void tap_crash(const struct trap_frame *f, uint64_t cr2)
{
    char what[96], m[120];
    snprintf(what, sizeof what, "unexpected exception %s (vector %llu) at rip 0x%llx",
             exception_name(f->vector), (unsigned long long)f->vector,
             (unsigned long long)f->rip);
    if (running) {
        printf("not ok %d - %s\n", running_number, running->name);
        printf("  ---\n  message: %s\n  vector: %llu\n  exception: \"%s\"\n"
               "  error: 0x%llx\n  rip: 0x%llx\n  rsp: 0x%llx\n  cr2: 0x%llx\n  ...\n",
               quoted(m, sizeof m, what), (unsigned long long)f->vector,
               exception_name(f->vector), (unsigned long long)f->error,
               (unsigned long long)f->rip, (unsigned long long)f->rsp,
               (unsigned long long)cr2);
    }
    printf("Bail out! %s\n", what);
    verdict(1);
}
