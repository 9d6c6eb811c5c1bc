/* isa-debug-exit: the status QEMU would exit with, (v << 1) | 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "hw/debug_exit.h"

static int status = -1;

static void on_exit_cb(void *opaque, int s) { status = s; }

static void statuses(void **state)
{
    struct debug_exit *d = debug_exit_create(on_exit_cb, NULL);
    struct region io;
    struct address_space as;
    region_init_container(&io, "io", 0x10000);
    region_add(&io, debug_exit_region(d), DEBUG_EXIT_PORT, 0);
    address_space_init(&as, "I/O", &io);
    static const struct { unsigned v; int want; } cases[] = {
        { 0, 1 }, { 1, 3 }, { 0x10, 0x21 }, { 0x7f, 0xff }, { 0xff, 0x1ff },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        status = -1;
        as_write(&as, DEBUG_EXIT_PORT, cases[i].v, 1);
        assert_int_equal(status, cases[i].want);
    }
    assert_int_equal(as_read(&as, DEBUG_EXIT_PORT, 1), 0xff);
    debug_exit_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(statuses) };
    return cmocka_run_group_tests_name("debug_exit", tests, NULL, NULL);
}
