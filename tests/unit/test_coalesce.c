/* Queued-write zones follow the ranges that allow them as regions move,
 * are switched off, covered by others, or the range is given up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/coalesce.h"
#include "core/memory.h"

static uint64_t nop_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void nop_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
}

static const struct region_ops ops = { nop_read, nop_write, 0 };

/* The backend as the test sees it: the zones it holds, the calls made. */
struct backend {
    struct coalesce_zone held[16];
    unsigned n, calls, drops;
    bool refuse;
};

static int set(void *opaque, uint64_t addr, uint64_t len, bool on)
{
    struct backend *b = opaque;
    b->calls++;
    if (on) {
        if (b->refuse)
            return -1;
        b->held[b->n++] = (struct coalesce_zone){ addr, len };
        return 0;
    }
    for (unsigned i = 0; i < b->n; i++)
        if (b->held[i].addr == addr && b->held[i].len == len) {
            b->drops++;
            b->held[i] = b->held[--b->n];
            return 0;
        }
    fail_msg("dropped a zone the backend did not hold: 0x%llx+0x%llx",
             (unsigned long long)addr, (unsigned long long)len);
    return -1;
}

struct rig {
    struct region root, pci, dev, cover;
    struct address_space as;
    struct coalesce_set cur;
    struct backend b;
};

static void update(void *opaque, struct address_space *as)
{
    struct rig *r = opaque;
    coalesce_update(as, &r->cur, set, &r->b);
}

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    region_init_container(&r.root, "system", UINT64_MAX);
    address_space_init(&r.as, "memory", &r.root);
    region_init_container(&r.pci, "pci", UINT64_MAX);
    region_add(&r.root, &r.pci, 0, -1);
    r.as.changed = update;
    r.as.changed_opaque = &r;
    region_init_io(&r.dev, "dev", 0x20000, &ops, NULL);
    region_set_write_queue(&r.dev, 0, 0x5200, 0x200);
    *state = &r;
    return 0;
}

static void assert_held(struct rig *r, uint64_t addr, uint64_t len)
{
    assert_int_equal(r->b.n, 1);
    assert_int_equal(r->b.held[0].addr, addr);
    assert_int_equal(r->b.held[0].len, len);
    assert_int_equal(r->cur.n, 1);
}

static void follows_the_bar(void **state)
{
    struct rig *r = *state;
    region_add(&r->pci, &r->dev, 0xfebc0000, 1);
    assert_held(r, 0xfebc5200, 0x200);
    region_set_base(&r->dev, 0xe0000000);
    /* the old place answers nothing now: kept, and the new one added */
    assert_int_equal(r->b.n, 2);
    assert_int_equal(r->b.held[1].addr, 0xe0005200);
    assert_int_equal(r->cur.n, 2);
    /* a device appearing at the old place takes its writes back */
    struct region other;
    region_init_io(&other, "other", 0x10000, &ops, NULL);
    region_add(&r->pci, &other, 0xfebc0000, 1);
    assert_held(r, 0xe0005200, 0x200);
    region_del(&other);
    assert_held(r, 0xe0005200, 0x200);
}

/* Decoding switched off leaves the range answering nothing: the zone
 * stays (dropping one costs milliseconds), and decoding back on
 * finds it in place, with no call to the backend either way. */
static void decoding_off_keeps_the_zone(void **state)
{
    struct rig *r = *state;
    region_add(&r->pci, &r->dev, 0xfebc0000, 1);
    assert_held(r, 0xfebc5200, 0x200);
    unsigned calls = r->b.calls;
    region_set_enabled(&r->dev, false);
    assert_held(r, 0xfebc5200, 0x200);
    region_set_enabled(&r->dev, true);
    assert_held(r, 0xfebc5200, 0x200);
    region_set_enabled(&r->pci, false);     /* a parent switched off: the same */
    assert_held(r, 0xfebc5200, 0x200);
    region_set_enabled(&r->pci, true);
    assert_int_equal(r->b.calls, calls);
    region_del(&r->dev);
    assert_held(r, 0xfebc5200, 0x200);
}

/* Each range of a region gets its own zone, and clearing one leaves the
 * other. */
static void two_ranges_of_one_region(void **state)
{
    struct rig *r = *state;
    region_set_write_queue(&r->dev, 1, 0x14, 4);
    region_add(&r->pci, &r->dev, 0xfebc0000, 1);
    assert_int_equal(r->b.n, 2);
    assert_int_equal(r->cur.n, 2);
    region_set_write_queue(&r->dev, 0, 0, 0);
    assert_held(r, 0xfebc0014, 4);
    region_set_write_queue(&r->dev, REGION_QUEUES, 0x100, 4);  /* no such slot */
    assert_held(r, 0xfebc0014, 4);
}

static bool held(struct rig *r, uint64_t addr)
{
    for (unsigned i = 0; i < r->b.n; i++)
        if (r->b.held[i].addr == addr)
            return true;
    return false;
}

/* Stale zones give way when the set is full, a few times in all: a guest
 * that moves its BAR from place to place costs no drop per move (each
 * one stalls this host's KVM for milliseconds); its writes at the later
 * places simply exit. */
static void stale_zones_make_room_a_few_times(void **state)
{
    struct rig *r = *state;
    region_add(&r->pci, &r->dev, 0, 1);
    uint64_t i = 1;
    for (; i < COALESCE_MAX; i++)               /* fills the set: no drops */
        region_set_base(&r->dev, i << 20);
    assert_int_equal(r->b.n, COALESCE_MAX);
    assert_int_equal(r->b.drops, 0);
    for (unsigned k = 0; k < COALESCE_ROOM_DROPS; k++, i++) {
        region_set_base(&r->dev, i << 20);
        assert_true(held(r, (i << 20) + 0x5200));  /* the newest place, for an old one */
    }
    assert_int_equal(r->b.drops, COALESCE_ROOM_DROPS);
    unsigned calls = r->b.calls;
    for (unsigned k = 0; k < 100; k++, i++) {
        region_set_base(&r->dev, i << 20);
        assert_false(held(r, (i << 20) + 0x5200));
    }
    assert_int_equal(r->b.calls, calls);        /* not even a refused add */
    assert_int_equal(r->b.drops, COALESCE_ROOM_DROPS);
    assert_int_equal(r->cur.n, COALESCE_MAX);
    assert_int_equal(r->b.n, COALESCE_MAX);
    /* back to a place it holds: queued there again, at no cost */
    uint64_t back = (uint64_t)(COALESCE_MAX + COALESCE_ROOM_DROPS - 1) << 20;
    region_set_base(&r->dev, back);
    assert_true(held(r, back + 0x5200));
    assert_int_equal(r->b.calls, calls);
    /* a device answering in a held zone still takes it back, budget or not */
    uint64_t old = r->b.held[0].addr != back + 0x5200 ? r->b.held[0].addr : r->b.held[1].addr;
    struct region other;
    region_init_io(&other, "other", 0x10000, &ops, NULL);
    region_add(&r->pci, &other, old - 0x5200, 1);
    assert_false(held(r, old));
    assert_int_equal(r->b.drops, COALESCE_ROOM_DROPS + 1);
    region_del(&other);
}

static void unchanged_zone_is_left_alone(void **state)
{
    struct rig *r = *state;
    region_add(&r->pci, &r->dev, 0xfebc0000, 1);
    unsigned calls = r->b.calls;
    struct region other;
    region_init_io(&other, "other", 0x100, &ops, NULL);
    region_add(&r->pci, &other, 0xc0000000, 1);     /* elsewhere */
    assert_int_equal(r->b.calls, calls);
    assert_held(r, 0xfebc5200, 0x200);
}

static void covered_range_is_not_queued(void **state)
{
    struct rig *r = *state;
    region_add(&r->pci, &r->dev, 0xfebc0000, 1);
    /* something of higher priority over the last byte of the range:
     * writes there must reach it, not be queued for the device */
    region_init_io(&r->cover, "cover", 0x1000, &ops, NULL);
    region_add(&r->root, &r->cover, 0xfebc5000, 5);
    assert_int_equal(r->b.n, 0);
    region_del(&r->cover);
    assert_held(r, 0xfebc5200, 0x200);
}

static void refused_and_given_up(void **state)
{
    struct rig *r = *state;
    r->b.refuse = true;
    region_add(&r->pci, &r->dev, 0xfebc0000, 1);
    assert_int_equal(r->b.n, 0);
    assert_int_equal(r->cur.n, 0);           /* not counted as held */
    r->b.refuse = false;
    region_set_write_queue(&r->dev, 0, 0x5200, 0x200);
    assert_held(r, 0xfebc5200, 0x200);
    region_set_write_queue(&r->dev, 0, 0, 0);
    assert_int_equal(r->b.n, 0);
    region_set_write_queue(&r->dev, 0, 0x1fff0, 0x20);  /* past the end: ignored */
    assert_int_equal(r->b.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(follows_the_bar, setup),
        cmocka_unit_test_setup(decoding_off_keeps_the_zone, setup),
        cmocka_unit_test_setup(stale_zones_make_room_a_few_times, setup),
        cmocka_unit_test_setup(two_ranges_of_one_region, setup),
        cmocka_unit_test_setup(unchanged_zone_is_left_alone, setup),
        cmocka_unit_test_setup(covered_range_is_not_queued, setup),
        cmocka_unit_test_setup(refused_and_given_up, setup),
    };
    return cmocka_run_group_tests_name("coalesce", tests, NULL, NULL);
}
