/* The 8254 on a clock the test moves: IRQ 0 edges, counts read through
 * the latch and read-back commands, access modes, one-shot mode 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "hw/pit.h"

struct rig {
    struct loop loop;
    uint64_t now;
    struct pit *pit;
    struct region io;
    struct address_space as;
    int edges, level;
};

static uint64_t fake_now(void *opaque) { return ((struct rig *)opaque)->now; }

static void irq(void *opaque, int n, int level)
{
    struct rig *r = opaque;
    if (level && !r->level)
        r->edges++;
    r->level = level;
}

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    loop_init(&r.loop);
    r.now = 1000000000ull;
    r.loop.now = fake_now;
    r.loop.now_opaque = &r;
    r.pit = pit_create(&r.loop, (struct irq_line){ irq, &r, 0 });
    region_init_container(&r.io, "io", 0x10000);
    region_add(&r.io, pit_region(r.pit), PIT_CH0, 0);
    address_space_init(&r.as, "I/O", &r.io);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    pit_destroy(((struct rig *)*state)->pit);
    return 0;
}

static void wr(struct rig *r, uint16_t port, uint8_t v) { as_write(&r->as, port, v, 1); }
static uint8_t rd(struct rig *r, uint16_t port) { return (uint8_t)as_read(&r->as, port, 1); }

/* advance the clock in steps, running timers as the loop would */
static void advance(struct rig *r, uint64_t ns, uint64_t step)
{
    for (uint64_t end = r->now + ns; r->now < end;) {
        r->now = r->now + step < end ? r->now + step : end;
        loop_run_timers(&r->loop);
    }
}

static void program(struct rig *r, int mode, uint16_t reload)
{
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB_MSB | mode << PIT_MODE_SHIFT);
    wr(r, PIT_CH0, (uint8_t)reload);
    wr(r, PIT_CH0, (uint8_t)(reload >> 8));
}

static uint16_t latched_count(struct rig *r)
{
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LATCH);
    uint8_t lo = rd(r, PIT_CH0);
    return (uint16_t)(lo | rd(r, PIT_CH0) << 8);
}

static void mode2_one_edge_per_period(void **state)
{
    struct rig *r = *state;
    program(r, 2, 1193);                 /* ~1000 Hz */
    assert_int_equal(pit_reload(r->pit, 0), 1193);
    advance(r, 100000000, 100000);       /* 100 ms in 0.1 ms steps */
    assert_int_equal(r->edges, 100);
    assert_int_equal(pit_irq_count(r->pit), 100);
}

static void no_burst_after_a_stall(void **state)
{
    struct rig *r = *state;
    program(r, 2, 1193);
    advance(r, 50000000, 50000000);      /* the host was away for 50 ms */
    assert_int_equal(r->edges, 1);       /* one tick, not fifty */
    int before = r->edges;
    advance(r, 10000000, 100000);
    assert_int_equal(r->edges - before, 10);   /* and back on the grid */
}

static void latch_reads_the_count(void **state)
{
    struct rig *r = *state;
    program(r, 2, 10000);
    assert_int_equal(latched_count(r), 10000);
    /* 1 ms is 1193.182 input clocks: the count has gone down by 1193 */
    r->now += 1000000;
    assert_int_equal(latched_count(r), 10000 - 1193);
    /* a latched value holds while time moves on */
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LATCH);
    r->now += 1000000;
    uint8_t lo = rd(r, PIT_CH0);
    uint16_t v = (uint16_t)(lo | rd(r, PIT_CH0) << 8);
    assert_int_equal(v, 10000 - 1193);
}

static void access_modes(void **state)
{
    struct rig *r = *state;
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB | 2 << PIT_MODE_SHIFT);
    wr(r, PIT_CH0, 200);
    assert_int_equal(pit_reload(r->pit, 0), 200);
    assert_int_equal(rd(r, PIT_CH0), 200);       /* LSB only */
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_MSB | 2 << PIT_MODE_SHIFT);
    wr(r, PIT_CH0, 0x12);
    assert_int_equal(pit_reload(r->pit, 0), 0x1200);
    assert_int_equal(rd(r, PIT_CH0), 0x12);      /* MSB only */
    program(r, 2, 0);                            /* 0 means 65536 */
    assert_int_equal(pit_reload(r->pit, 0), 0x10000);
    assert_int_equal(rd(r, PIT_MODE), 0xff);     /* the control word is write-only */
}

static void mode0_fires_once(void **state)
{
    struct rig *r = *state;
    program(r, 0, 1193);
    advance(r, 900000, 100000);
    assert_int_equal(r->edges, 0);
    advance(r, 200000, 100000);
    assert_int_equal(r->edges, 1);
    advance(r, 50000000, 1000000);
    assert_int_equal(r->edges, 1);               /* one shot */
    /* reprogramming starts it again */
    program(r, 0, 1193);
    advance(r, 2000000, 100000);
    assert_int_equal(r->edges, 2);
}

static void readback_status(void **state)
{
    struct rig *r = *state;
    program(r, 0, 1000);
    /* read-back: latch status of counter 0 (bit 5 set: no count latch) */
    wr(r, PIT_MODE, PIT_SEL_READBACK | 0x20 | 0x02);
    uint8_t st = rd(r, PIT_CH0);
    assert_int_equal(st & 0x3f, (PIT_RW_LSB_MSB | 0 << PIT_MODE_SHIFT));
    assert_false(st & 0x80);                     /* output low until terminal count */
    r->now += 2000000;
    wr(r, PIT_MODE, PIT_SEL_READBACK | 0x20 | 0x02);
    assert_true(rd(r, PIT_CH0) & 0x80);
}

static void reprogramming_stops_the_old_rate(void **state)
{
    struct rig *r = *state;
    program(r, 2, 1193);
    advance(r, 10000000, 100000);
    assert_int_equal(r->edges, 10);
    program(r, 2, 1193 / 4 + 1);                 /* ~4000 Hz */
    advance(r, 10000000, 50000);
    assert_in_range(r->edges - 10, 39, 41);
    /* a mode word alone stops the counter until a count arrives */
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB_MSB | 2 << PIT_MODE_SHIFT);
    int before = r->edges;
    advance(r, 10000000, 100000);
    assert_int_equal(r->edges, before);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(mode2_one_edge_per_period), T(no_burst_after_a_stall), T(latch_reads_the_count),
        T(access_modes), T(mode0_fires_once), T(readback_status),
        T(reprogramming_stops_the_old_rate),
    };
    return cmocka_run_group_tests_name("pit", tests, NULL, NULL);
}
