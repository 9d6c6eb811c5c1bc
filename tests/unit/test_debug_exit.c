/* isa-debug-exit: the status QEMU would exit with, (v << 1) | 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "core/log.h"
#include "hw/debug_exit.h"
#include "io_rig.h"

struct rig {
    struct debug_exit *d;
    struct region io;
    struct address_space as;
    int status, calls;
    void *opaque_seen;
};

static void on_exit_cb(void *opaque, int status)
{
    struct rig *r = opaque;
    r->opaque_seen = opaque;
    r->status = status;
    r->calls++;
}

static void quiet(void *opaque, const char *line) { }

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    r.status = -1;
    r.d = debug_exit_create(on_exit_cb, &r);
    assert_non_null(r.d);
    io_rig_ports(&r.io, &r.as, debug_exit_region(r.d), DEBUG_EXIT_PORT);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    debug_exit_destroy(((struct rig *)*state)->d);
    return 0;
}

static void statuses(void **state)
{
    struct rig *r = *state;
    static const struct { unsigned v; int want; } cases[] = {
        { 0, 1 }, { 1, 3 }, { 2, 5 }, { 0x10, 0x21 }, { 0x7f, 0xff }, { 0x80, 0x101 },
        { 0xff, 0x1ff },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r->status = -1;
        as_write(&r->as, DEBUG_EXIT_PORT, cases[i].v, 1);
        assert_int_equal(r->status, cases[i].want);
        assert_int_equal(r->status, DEBUG_EXIT_STATUS(cases[i].v));
        assert_int_equal(r->calls, (int)i + 1);
    }
    assert_ptr_equal(r->opaque_seen, r);
    /* the guest's verdicts: the shell sees 1 for pass, 3 for fail */
    as_write(&r->as, DEBUG_EXIT_PORT, VERDICT_PASS, 1);
    assert_int_equal(r->status, 1);
    as_write(&r->as, DEBUG_EXIT_PORT, VERDICT_FAIL, 1);
    assert_int_equal(r->status, 3);
}

static void reads_and_wide_writes(void **state)
{
    struct rig *r = *state;
    assert_int_equal(as_read(&r->as, DEBUG_EXIT_PORT, 1), 0xff);
    assert_int_equal(r->calls, 0);              /* reading ends nothing */
    /* a wider access is cut to the one byte port; the rest is unassigned */
    log_capture(quiet, NULL);
    as_write(&r->as, DEBUG_EXIT_PORT, 0x1234, 2);
    assert_int_equal(as_read(&r->as, DEBUG_EXIT_PORT, 4), 0xffffffff);
    log_capture(NULL, NULL);
    assert_int_equal(r->calls, 1);
    assert_int_equal(r->status, DEBUG_EXIT_STATUS(0x34));
    assert_string_equal(debug_exit_region(r->d)->name, "isa-debug-exit");
    assert_int_equal(debug_exit_region(r->d)->size, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = { T(statuses), T(reads_and_wide_writes) };
    return cmocka_run_group_tests_name("debug_exit", tests, NULL, NULL);
}
