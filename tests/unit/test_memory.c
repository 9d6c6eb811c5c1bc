/* Region tree dispatch: priorities, enable flags, aliases, splitting,
 * unassigned accesses and RAM copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/log.h"
#include "core/memory.h"

struct dev {
    uint8_t regs[16];
    int reads, writes;
    uint64_t last_off;
    unsigned last_size;
};

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev *d = opaque;
    uint64_t v = 0;
    d->reads++;
    d->last_off = off;
    d->last_size = size;
    memcpy(&v, d->regs + off, size);
    return v;
}

static void dev_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct dev *d = opaque;
    d->writes++;
    d->last_off = off;
    d->last_size = size;
    memcpy(d->regs + off, &v, size);
}

static const struct region_ops dev_ops = { dev_read, dev_write, 0 };
static const struct region_ops dev_ops_byte = { dev_read, dev_write, 1 };

static char warnings[80][256];
static int nwarnings;

static void sink(void *opaque, const char *line)
{
    if (nwarnings < 80)
        strncpy(warnings[nwarnings], line, 255);
    nwarnings++;
}

struct fixture {
    struct region root;
    struct address_space as;
    int changes;
};

static void changed(void *opaque, struct address_space *as)
{
    ((struct fixture *)opaque)->changes++;
}

/* A device's registers, size bytes through ops, at base in the fixture's
 * space with priority. */
static void map_dev(struct fixture *f, struct region *r, const char *name, uint64_t size,
                    const struct region_ops *ops, void *dev, uint64_t base, int priority)
{
    region_init_io(r, name, size, ops, dev);
    region_add(&f->root, r, base, priority);
}

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    region_init_container(&f.root, "io", 0x10000);
    address_space_init(&f.as, "I/O", &f.root);
    f.as.changed = changed;
    f.as.changed_opaque = &f;
    nwarnings = 0;
    log_capture(sink, NULL);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    log_capture(NULL, NULL);
    return 0;
}

static void dispatch_to_offset(void **state)
{
    struct fixture *f = *state;
    struct dev d = { 0 };
    struct region r;
    map_dev(f, &r, "dev", 16, &dev_ops, &d, 0x3f8, 0);
    as_write(&f->as, 0x3fa, 0xab, 1);
    assert_int_equal(d.writes, 1);
    assert_int_equal(d.last_off, 2);
    assert_int_equal(d.regs[2], 0xab);
    assert_int_equal(as_read(&f->as, 0x3fa, 1), 0xab);
    assert_int_equal(d.last_size, 1);
    assert_int_equal(f->changes, 1);
}

static void unassigned_reads_all_ones_and_logs_once(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(as_read(&f->as, 0x80, 1), 0xff);
    assert_int_equal(as_read(&f->as, 0x80, 2), 0xffff);
    assert_int_equal(as_read(&f->as, 0x80, 4), 0xffffffff);
    as_write(&f->as, 0x84, 1, 1);
    assert_int_equal(nwarnings, 2);   /* one per address, not per access */
    assert_non_null(strstr(warnings[0], "unassigned I/O read at 0x80"));
    assert_non_null(strstr(warnings[1], "unassigned I/O write at 0x84"));
    assert_int_equal(f->as.unassigned_reads, 3);
    assert_int_equal(f->as.unassigned_writes, 1);
    /* a read where only a write was logged is named too */
    as_read(&f->as, 0x84, 1);
    assert_int_equal(nwarnings, 3);
    assert_non_null(strstr(warnings[2], "unassigned I/O read at 0x84"));
}

/* When the table is full, one line says so; later addresses are counted. */
static void unassigned_log_says_when_it_stops(void **state)
{
    struct fixture *f = *state;
    const unsigned max = sizeof f->as.logged / sizeof f->as.logged[0];
    for (unsigned i = 0; i < max + 10; i++)
        as_read(&f->as, 0x100 + i, 1);
    assert_true(max <= 80);
    assert_int_equal(nwarnings, max);
    assert_non_null(strstr(warnings[max - 1], "further ones are counted, not logged"));
    assert_int_equal(f->as.unassigned_reads, max + 10);
}

static void higher_priority_wins_overlap(void **state)
{
    struct fixture *f = *state;
    struct dev lo = { 0 }, hi = { 0 };
    struct region a, b;
    map_dev(f, &a, "lo", 16, &dev_ops, &lo, 0x100, 0);
    map_dev(f, &b, "hi", 4, &dev_ops, &hi, 0x104, 1);
    as_write(&f->as, 0x104, 1, 1);
    as_write(&f->as, 0x108, 2, 1);
    assert_int_equal(hi.writes, 1);
    assert_int_equal(hi.last_off, 0);
    assert_int_equal(lo.writes, 1);
    assert_int_equal(lo.last_off, 8);

    /* disabling the high one uncovers the low one beneath */
    region_set_enabled(&b, false);
    as_write(&f->as, 0x104, 3, 1);
    assert_int_equal(lo.writes, 2);
    assert_int_equal(lo.regs[4], 3);
    assert_int_equal(hi.writes, 1);
}

static void equal_priority_last_added_wins(void **state)
{
    struct fixture *f = *state;
    struct dev d1 = { 0 }, d2 = { 0 };
    struct region a, b;
    map_dev(f, &a, "first", 8, &dev_ops, &d1, 0x200, 0);
    map_dev(f, &b, "second", 8, &dev_ops, &d2, 0x200, 0);
    as_read(&f->as, 0x200, 1);
    assert_int_equal(d2.reads, 1);
    assert_int_equal(d1.reads, 0);
    region_del(&b);
    as_read(&f->as, 0x200, 1);
    assert_int_equal(d1.reads, 1);
}

static void disabled_and_moved_regions(void **state)
{
    struct fixture *f = *state;
    struct dev d = { 0 };
    struct region r;
    map_dev(f, &r, "bar", 16, &dev_ops, &d, 0xc000, 0);
    region_set_enabled(&r, false);
    assert_int_equal(as_read(&f->as, 0xc000, 4), 0xffffffff);
    assert_int_equal(d.reads, 0);
    region_set_enabled(&r, true);
    region_set_base(&r, 0xd000);
    d.regs[0] = 0x5a;
    assert_int_equal(as_read(&f->as, 0xd000, 1), 0x5a);
    assert_int_equal(as_read(&f->as, 0xc000, 1), 0xff);
    assert_int_equal(f->changes, 4);   /* add, disable, enable, move */
}

static void nested_container_and_alias(void **state)
{
    struct fixture *f = *state;
    struct dev d = { 0 };
    struct region box, r, al;
    region_init_container(&box, "box", 0x100);
    region_init_io(&r, "inner", 16, &dev_ops, &d);
    region_add(&box, &r, 0x10, 0);
    region_add(&f->root, &box, 0x1000, 0);
    as_write(&f->as, 0x1012, 7, 1);
    assert_int_equal(d.regs[2], 7);
    /* a hole in the container falls through to unassigned */
    assert_int_equal(as_read(&f->as, 0x1000, 1), 0xff);

    region_init_alias(&al, "alias", &r, 4, 8);
    region_add(&f->root, &al, 0x2000, 0);
    as_write(&f->as, 0x2001, 9, 1);
    assert_int_equal(d.regs[5], 9);
    assert_int_equal(as_read(&f->as, 0x2008, 1), 0xff);   /* past the alias */
}

static void wide_access_split_for_narrow_region(void **state)
{
    struct fixture *f = *state;
    struct dev d = { 0 };
    struct region r;
    map_dev(f, &r, "bytes", 8, &dev_ops_byte, &d, 0x60, 0);
    as_write(&f->as, 0x60, 0x44332211, 4);
    assert_int_equal(d.writes, 4);
    assert_memory_equal(d.regs, "\x11\x22\x33\x44", 4);
    assert_int_equal(as_read(&f->as, 0x60, 2), 0x2211);
    assert_int_equal(d.reads, 2);
}

/* A logging device: every access's offset and width, in order. */
struct logdev {
    uint64_t off[16];
    unsigned size[16];
    uint8_t regs[32];
    int n;
};

static uint64_t log_read(void *opaque, uint64_t off, unsigned size)
{
    struct logdev *d = opaque;
    uint64_t v = 0;
    if (d->n < 16) {
        d->off[d->n] = off;
        d->size[d->n++] = size;
    }
    memcpy(&v, d->regs + off, size);
    return v;
}

static void log_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct logdev *d = opaque;
    if (d->n < 16) {
        d->off[d->n] = off;
        d->size[d->n++] = size;
    }
    memcpy(d->regs + off, &v, size);
}

static const struct region_ops log_ops = { log_read, log_write, 0 };

/* The 3-byte half of a store split at a page boundary arrives as 1 + 2
 * at its own addresses, never as a 4-byte write with a stale byte. */
static void odd_lengths_split_never_widened(void **state)
{
    struct fixture *f = *state;
    struct logdev d = { .n = 0 };
    struct region r;
    map_dev(f, &r, "log", 32, &log_ops, &d, 0x100, 0);
    memset(d.regs, 0xee, sizeof d.regs);
    as_write_bytes(&f->as, 0x101, (const uint8_t *)"\x11\x22\x33", 3);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.off[0], 1);
    assert_int_equal(d.size[0], 1);
    assert_int_equal(d.off[1], 2);
    assert_int_equal(d.size[1], 2);
    assert_memory_equal(d.regs, "\xee\x11\x22\x33\xee", 5);

    /* 16 bytes (an SSE store) at an aligned address: two quadwords */
    d.n = 0;
    uint8_t buf[16];
    for (int i = 0; i < 16; i++)
        buf[i] = (uint8_t)i;
    as_write_bytes(&f->as, 0x110, buf, 16);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.size[0], 8);
    assert_int_equal(d.off[1], 0x18);
    assert_memory_equal(d.regs + 0x10, buf, 16);

    /* a standard width goes as one access even unaligned: the device
     * sees the real address and width */
    d.n = 0;
    uint8_t out[4];
    as_read_bytes(&f->as, 0x102, out, 4);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.off[0], 2);
    assert_int_equal(d.size[0], 4);
    assert_memory_equal(out, "\x22\x33\xee\xee", 4);

    /* 7 bytes at offset 1: 1 + 2 + 4 */
    d.n = 0;
    uint8_t seven[7];
    as_read_bytes(&f->as, 0x101, seven, 7);
    assert_int_equal(d.n, 3);
    assert_int_equal(d.size[0], 1);
    assert_int_equal(d.size[1], 2);
    assert_int_equal(d.size[2], 4);
    assert_int_equal(d.off[2], 4);
}

static void access_across_region_end(void **state)
{
    struct fixture *f = *state;
    struct dev d = { 0 };
    struct region r;
    map_dev(f, &r, "short", 2, &dev_ops, &d, 0x70, 0);
    d.regs[0] = 0x11;
    d.regs[1] = 0x22;
    /* the two bytes past the end are unassigned and read as ones */
    assert_int_equal(as_read(&f->as, 0x70, 4), 0xffff2211);
}

static void ram_copies(void **state)
{
    (void)state;
    uint8_t ram[64] = { 0 };
    struct region root, rr;
    struct address_space as;
    struct dev d = { 0 };
    struct region io;
    region_init_container(&root, "system", UINT64_MAX);
    region_init_ram(&rr, "ram", sizeof ram, ram);
    region_add(&root, &rr, 0, 0);
    region_init_io(&io, "mmio", 16, &dev_ops, &d);
    region_add(&root, &io, 64, 0);
    address_space_init(&as, "memory", &root);

    as_write(&as, 8, 0x1122334455667788ull, 8);
    assert_int_equal(as_read(&as, 8, 8), 0x1122334455667788ull);
    assert_int_equal(ram[8], 0x88);
    assert_true(as_ram_write(&as, 60, "abcd", 4));
    char buf[4];
    assert_true(as_ram_read(&as, 60, buf, 4));
    assert_memory_equal(buf, "abcd", 4);
    /* DMA must not reach device registers or run off the end of RAM */
    assert_false(as_ram_read(&as, 62, buf, 4));
    assert_false(as_ram_write(&as, 64, "x", 1));
    assert_int_equal(d.writes, 0);
    assert_false(as_ram_read(&as, UINT64_MAX - 1, buf, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dispatch_to_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(unassigned_reads_all_ones_and_logs_once, setup, teardown),
        cmocka_unit_test_setup_teardown(unassigned_log_says_when_it_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(higher_priority_wins_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(equal_priority_last_added_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(disabled_and_moved_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(nested_container_and_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(wide_access_split_for_narrow_region, setup, teardown),
        cmocka_unit_test_setup_teardown(access_across_region_end, setup, teardown),
        cmocka_unit_test_setup_teardown(odd_lengths_split_never_widened, setup, teardown),
        cmocka_unit_test(ram_copies),
    };
    return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
