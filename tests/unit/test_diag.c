/* Warnings wait while the guest's console line is open and come out
 * right after its newline, never inside it (core/log.h); a device
 * diagnostic names the guest instruction by function and file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "core/log.h"
#include "debug/diag.h"
#include "debug/symbolize.h"

static struct {
    char lines[32][512];
    int n;
    uint64_t pc;
    bool pc_known;
} r;

static void sink(void *opaque, const char *line)
{
    if (r.n < 32)
        snprintf(r.lines[r.n], sizeof r.lines[0], "%s", line);
    r.n++;
}

static bool access_pc(void *opaque, uint64_t *pc)
{
    *pc = r.pc;
    return r.pc_known;
}

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    log_capture(sink, NULL);
    return 0;
}

static int teardown(void **state)
{
    log_flush();
    log_capture(NULL, NULL);
    return 0;
}

static void console(const char *s)
{
    log_console((const uint8_t *)s, strlen(s));
}

static void printed_at_once_between_lines(void **state)
{
    console("ok 1 - first\n");
    log_warn("e1000: %s", "something");
    assert_int_equal(r.n, 1);
    assert_string_equal(r.lines[0], "pcemu: warning: e1000: something");
}

static void held_while_the_line_is_open(void **state)
{
    console("ok 2 - sec");
    log_warn("one");
    log_warn("two");
    assert_int_equal(r.n, 0);
    console("ond");                  /* still open */
    assert_int_equal(r.n, 0);
    console("\nok 3");               /* a newline, not at the end */
    assert_int_equal(r.n, 0);
    console(" - third\n");
    assert_int_equal(r.n, 2);
    assert_string_equal(r.lines[0], "pcemu: warning: one");
    assert_string_equal(r.lines[1], "pcemu: warning: two");
}

static void many_held_are_counted(void **state)
{
    console("#");
    for (int i = 0; i < 20; i++)
        log_warn("w%d", i);
    assert_int_equal(r.n, 0);
    console("\n");
    assert_int_equal(r.n, 17);
    assert_string_equal(r.lines[15], "pcemu: warning: w15");
    assert_string_equal(r.lines[16], "pcemu: warning: 4 more warnings were dropped while the "
                                     "guest's console line was open");
}

static void flushed_when_the_run_ends(void **state)
{
    console("no newline ever");
    log_warn("late");
    assert_int_equal(r.n, 0);
    log_flush();
    assert_int_equal(r.n, 1);
    assert_string_equal(r.lines[0], "pcemu: warning: late");
    log_warn("after");              /* the line counts as ended now */
    assert_int_equal(r.n, 2);
}

/* Every warning goes the one way: a rate-limited one waits too. */
static void rate_limited_warnings_are_held_too(void **state)
{
    struct ratelimit rl = RATELIMIT_INIT;
    console("ok 4 - fou");
    log_warn_rl(&rl, "net: %d dropped", 3);
    assert_int_equal(r.n, 0);
    console("rth\n");
    assert_int_equal(r.n, 1);
    assert_string_equal(r.lines[0], "pcemu: warning: net: 3 dropped");
}

static void without_a_diag_plain_warnings(void **state)
{
    log_warn("plain %d", 7);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.lines[0], "pcemu: warning: plain 7");
    uint64_t pc;
    assert_false(diag_access_pc(NULL, &pc));
}

/* An address in this very function, from the call on the line before. */
static __attribute__((noinline)) uint64_t caller_pc(void)
{
    return (uint64_t)(uintptr_t)__builtin_return_address(0) - 1;
}

static void names_the_function_and_line(void **state)
{
    r.pc = caller_pc();
    int line = __LINE__ - 1;
    r.pc_known = true;
    struct diag *d = diag_create(NULL, access_pc, NULL);
    uint64_t pc = 0;
    assert_true(diag_access_pc(d, &pc));
    assert_int_equal(pc, r.pc);
    char where[300], want[300];
    diag_where(d, pc, where, sizeof where);
    snprintf(want, sizeof want, "0x%llx in names_the_function_and_line "
             "(tests/unit/test_diag.c:%d)", (unsigned long long)pc, line);
    assert_string_equal(where, want);
    r.pc_known = false;
    assert_false(diag_access_pc(d, &pc));
    /* an address in no function: just the address */
    diag_where(d, 0x10, where, sizeof where);
    assert_string_equal(where, "0x10");
    diag_destroy(d);
}

static void a_kernel_that_cannot_be_read(void **state)
{
    assert_null(symbolizer_open("/nonexistent/guest.elf"));
    char buf[64];
    assert_false(symbolize(NULL, 0x100000, buf, sizeof buf));
    assert_string_equal(buf, "");
    struct diag *d = diag_create("/nonexistent/guest.elf", NULL, NULL);
    diag_where(d, 0x101234, buf, sizeof buf);
    assert_string_equal(buf, "0x101234");
    diag_destroy(d);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(printed_at_once_between_lines), T(held_while_the_line_is_open),
        T(many_held_are_counted), T(flushed_when_the_run_ends),
        T(rate_limited_warnings_are_held_too), T(without_a_diag_plain_warnings),
        T(names_the_function_and_line),
        T(a_kernel_that_cannot_be_read),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
