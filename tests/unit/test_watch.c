/* Watchpoints by trapped pages: the memory-slot layout around them and
 * which accesses set them off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "cpu/watch.h"

static const struct ram_range ram[2] = {
    { 0, 0x100000, 0 },                       /* 1 MiB low */
    { 0x100000000ull, 0x200000, 0x100000 },   /* 2 MiB above 4 GiB */
};

static void no_watches_keeps_ram_whole(void **state)
{
    struct memslot s[8];
    struct watch w[4] = { 0 };
    assert_int_equal(watch_layout(ram, 2, w, 4, s, 8), 2);
    assert_int_equal(s[0].gpa, 0);
    assert_int_equal(s[0].size, 0x100000);
    assert_false(s[0].readonly);
    assert_int_equal(s[1].gpa, 0x100000000ull);
    assert_int_equal(s[1].host_off, 0x100000);
}

static void write_watch_makes_a_read_only_page(void **state)
{
    struct memslot s[8];
    struct watch w[4] = { [2] = { true, CPU_BP_WRITE, 4, 0x12344 } };
    assert_int_equal(watch_layout(ram, 1, w, 4, s, 8), 3);
    assert_int_equal(s[0].gpa, 0);
    assert_int_equal(s[0].size, 0x12000);
    assert_int_equal(s[1].gpa, 0x12000);
    assert_int_equal(s[1].size, 4096);
    assert_true(s[1].readonly);
    assert_int_equal(s[1].host_off, 0x12000);
    assert_int_equal(s[2].gpa, 0x13000);
    assert_int_equal(s[2].size, 0x100000 - 0x13000);
    assert_false(s[2].readonly);
}

static void access_watch_leaves_a_hole(void **state)
{
    struct memslot s[8];
    /* a write and an access watch on one page: the hole wins */
    struct watch w[4] = { { true, CPU_BP_WRITE, 8, 0x5008 }, { true, CPU_BP_ACCESS, 1, 0x5ff0 } };
    assert_int_equal(watch_layout(ram, 1, w, 4, s, 8), 2);
    assert_int_equal(s[0].size, 0x5000);
    assert_int_equal(s[1].gpa, 0x6000);
    assert_int_equal(s[1].host_off, 0x6000);
}

static void pages_at_the_edges_and_in_high_ram(void **state)
{
    struct memslot s[8];
    struct watch w[4] = {
        { true, CPU_BP_WRITE, 4, 0x30 },                  /* first page */
        { true, CPU_BP_WRITE, 4, 0x100000000ull + 0x1ff000 },  /* last page up high */
        { true, CPU_BP_WRITE, 2, 0xfe000 },
    };
    int n = watch_layout(ram, 2, w, 4, s, 8);
    assert_int_equal(n, 6);
    assert_int_equal(s[0].gpa, 0);                        /* no empty slot first */
    assert_true(s[0].readonly);
    assert_int_equal(s[1].gpa, 0x1000);
    assert_int_equal(s[2].gpa, 0xfe000);
    assert_true(s[2].readonly);
    assert_int_equal(s[3].gpa, 0xff000);
    assert_int_equal(s[4].gpa, 0x100000000ull);
    assert_int_equal(s[4].size, 0x1ff000);
    assert_int_equal(s[5].gpa, 0x1001ff000ull);
    assert_true(s[5].readonly);
    assert_int_equal(s[5].host_off, 0x100000 + 0x1ff000);
    /* too many slots for the room given */
    assert_int_equal(watch_layout(ram, 2, w, 4, s, 5), -1);
}

static void hits(void **state)
{
    struct watch w[4] = { [1] = { true, CPU_BP_WRITE, 4, 0x2000 },
                          [3] = { true, CPU_BP_ACCESS, 2, 0x2010 } };
    assert_int_equal(watch_hit(w, 4, 0x2000, 4, true), 1);
    assert_int_equal(watch_hit(w, 4, 0x2003, 1, true), 1);
    assert_int_equal(watch_hit(w, 4, 0x1ffc, 8, true), 1);   /* overlaps the start */
    assert_int_equal(watch_hit(w, 4, 0x2000, 4, false), -1); /* reads pass a write watch */
    assert_int_equal(watch_hit(w, 4, 0x2004, 4, true), -1);  /* just after */
    assert_int_equal(watch_hit(w, 4, 0x1ffc, 4, true), -1);  /* just before */
    assert_int_equal(watch_hit(w, 4, 0x2011, 1, false), 3);  /* access: reads too */
    assert_int_equal(watch_hit(w, 4, 0x2012, 2, true), -1);
    /* a read watch: reads only, and its page is a hole */
    struct watch rd[1] = { { true, CPU_BP_READ, 4, 0x3000 } };
    assert_int_equal(watch_hit(rd, 1, 0x3000, 4, false), 0);
    assert_int_equal(watch_hit(rd, 1, 0x3000, 4, true), -1);
    struct memslot s[8];
    assert_int_equal(watch_layout(ram, 1, rd, 1, s, 8), 2);
    assert_int_equal(s[1].gpa, 0x4000);
    w[1].on = false;
    assert_int_equal(watch_hit(w, 4, 0x2000, 4, true), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_watches_keeps_ram_whole),
        cmocka_unit_test(write_watch_makes_a_read_only_page),
        cmocka_unit_test(access_watch_leaves_a_hole),
        cmocka_unit_test(pages_at_the_edges_and_in_high_ram),
        cmocka_unit_test(hits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
