/* The 8254 on a clock the test moves: IRQ 0 edges, counts read through
 * the latch and read-back commands, access modes, modes 0-5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "core/log.h"
#include "hw/pit.h"
#include "clock_rig.h"
#include "io_rig.h"

#define MS 1000000ull

struct rig {
    struct loop loop;
    uint64_t now;
    struct pit *pit;
    struct region io;
    struct address_space as;
    int edges, level;
    struct irq_counter irq_counter;
    int warnings;
    int period_warnings;    /* of those, the IRQ 0 floor's */
    char last_warning[256];
};

static void capture(void *opaque, const char *line)
{
    struct rig *r = opaque;
    r->warnings++;
    r->period_warnings += strstr(line, "IRQ 0 comes at most") != NULL;
    strncpy(r->last_warning, line, sizeof r->last_warning - 1);
}

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    clock_rig_attach(&r.loop, &r.now, 1000000000ull);
    r.pit = pit_create(&r.loop, irq_counter_line(&r.irq_counter, PIT_IRQ, &r.level, &r.edges));
    assert_non_null(r.pit);
    io_rig_ports(&r.io, &r.as, pit_region(r.pit), PIT_CH0);
    log_capture(capture, &r);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    log_capture(NULL, NULL);
    pit_destroy(r->pit);
    assert_int_equal(loop_next_deadline(&r->loop), UINT64_MAX);  /* no timer left behind */
    return 0;
}

static void wr(struct rig *r, uint16_t port, uint8_t v) { as_write(&r->as, port, v, 1); }
static uint8_t rd(struct rig *r, uint16_t port) { return (uint8_t)as_read(&r->as, port, 1); }

/* The first ns at which k input clocks have passed. */
static uint64_t clocks(uint64_t k)
{
    return (k * 1000000000ull + PIT_HZ - 1) / PIT_HZ;
}

/* Advance the clock in steps, running timers as the loop would. */
static void advance(struct rig *r, uint64_t ns, uint64_t step)
{
    for (uint64_t end = r->now + ns; r->now < end;) {
        r->now = r->now + step < end ? r->now + step : end;
        loop_run_timers(&r->loop);
    }
}

static void goto_time(struct rig *r, uint64_t t)
{
    r->now = t;
    loop_run_timers(&r->loop);
}

static void program(struct rig *r, int ch, int mode, uint16_t reload)
{
    wr(r, PIT_MODE, PIT_SEL(ch) | PIT_RW_LSB_MSB | mode << PIT_MODE_SHIFT);
    wr(r, PIT_CH0 + ch, (uint8_t)reload);
    wr(r, PIT_CH0 + ch, (uint8_t)(reload >> 8));
}

static uint16_t latched_count(struct rig *r, int ch)
{
    wr(r, PIT_MODE, PIT_SEL(ch) | PIT_RW_LATCH);
    uint8_t lo = rd(r, PIT_CH0 + ch);
    return (uint16_t)(lo | rd(r, PIT_CH0 + ch) << 8);
}

static uint8_t status(struct rig *r, int ch)
{
    wr(r, PIT_MODE, PIT_SEL_READBACK | PIT_RB_COUNT | PIT_RB_CNT(ch));
    return rd(r, PIT_CH0 + ch);
}

static bool out(struct rig *r, int ch)
{
    return status(r, ch) & PIT_STATUS_OUT;
}

/* The guest's tick: (PIT_HZ + 500) / 1000 = 1193 clocks, one IRQ 0 pulse
 * in every millisecond for the first few thousand (counted from the
 * clock that loads the count). */
static void mode2_one_pulse_per_ms(void **state)
{
    struct rig *r = *state;
    program(r, 0, 2, 1193);
    assert_int_equal(pit_reload(r->pit, 0), 1193);
    advance(r, clocks(1), clocks(1));
    for (int ms = 1; ms <= 1000; ms++) {
        advance(r, MS, 10000);
        assert_int_equal(r->edges, ms);
        assert_int_equal(r->level, 0);          /* a pulse, not a level */
    }
    assert_int_equal(pit_irq_count(r->pit), 1000);
}

static void mode2_edges_on_the_clock_grid(void **state)
{
    struct rig *r = *state;
    uint64_t t0 = r->now;
    program(r, 0, 2, 1193);
    for (int k = 1; k <= 5; k++) {
        uint64_t edge = t0 + clocks(1 + 1193ull * k);      /* loaded one clock in */
        assert_int_equal(loop_next_deadline(&r->loop), edge);
        goto_time(r, edge - 1000);
        assert_true(out(r, 0));
        /* OUT is low for the one clock at count 1, then rises */
        goto_time(r, edge - 1);
        assert_int_equal(r->edges, k - 1);
        assert_false(out(r, 0));
        assert_int_equal(latched_count(r, 0), 1);
        goto_time(r, edge);
        assert_int_equal(r->edges, k);
        assert_true(out(r, 0));
        assert_int_equal(latched_count(r, 0), 1193);
    }
}

static void no_burst_after_a_stall(void **state)
{
    struct rig *r = *state;
    uint64_t t0 = r->now;
    program(r, 0, 2, 1193);
    r->now += 50 * MS + MS / 3;                 /* the host was away for 50.3 ms */
    assert_int_equal(loop_run_timers(&r->loop), 1);
    assert_int_equal(r->edges, 1);              /* one tick, not fifty */
    /* the next edge is on the original grid, not 1193 clocks from now */
    uint64_t k = ((uint64_t)((50 * MS + MS / 3) * (unsigned __int128)PIT_HZ / 1000000000u) - 1) /
                 1193 + 1;
    assert_int_equal(loop_next_deadline(&r->loop), t0 + clocks(1 + 1193 * k));
    advance(r, 10 * MS, 10000);
    assert_int_equal(r->edges, 1 + 10);
    /* and a second, longer stall: one tick again */
    r->now += 1000 * MS;
    loop_run_timers(&r->loop);
    assert_int_equal(r->edges, 12);
    assert_int_equal(pit_irq_count(r->pit), 12);
}

static void latch_reads_the_count(void **state)
{
    struct rig *r = *state;
    uint64_t t0 = r->now;
    program(r, 0, 2, 10000);
    assert_int_equal(latched_count(r, 0), 10000);
    /* 1 ms is 1193.182 input clocks, the first of which loaded the count:
     * it has gone down by 1192 */
    r->now += MS;
    assert_int_equal(latched_count(r, 0), 10000 - 1192);
    /* a latched value holds while time moves on ... */
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LATCH);
    r->now += MS;
    uint8_t lo = rd(r, PIT_CH0);
    /* ... and a second latch before it is read is ignored */
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LATCH);
    uint16_t v = (uint16_t)(lo | rd(r, PIT_CH0) << 8);
    assert_int_equal(v, 10000 - 1192);
    /* once read, the next latch takes the count of now */
    assert_int_equal(latched_count(r, 0), 10000 - 2385);
    /* and the count goes around: down to 1, then back to the top */
    r->now = t0 + clocks(1 + 9999);
    assert_int_equal(latched_count(r, 0), 1);
    r->now = t0 + clocks(1 + 10000);
    assert_int_equal(latched_count(r, 0), 10000);
    /* a latch not read is dropped by a control word */
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LATCH);
    program(r, 0, 2, 3000);
    assert_int_equal(latched_count(r, 0), 3000);
    /* a latch restarts the byte order, even after a lone LSB read */
    r->now += clocks(1 + 0x100);
    assert_int_equal(rd(r, PIT_CH0), (3000 - 0x100) & 0xff);
    assert_int_equal(latched_count(r, 0), 3000 - 0x100);
}

static void access_modes(void **state)
{
    struct rig *r = *state;
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB | 2 << PIT_MODE_SHIFT);
    wr(r, PIT_CH0, 200);                         /* one byte loads */
    assert_int_equal(pit_reload(r->pit, 0), 200);
    assert_int_equal(rd(r, PIT_CH0), 200);       /* LSB only, every read */
    assert_int_equal(rd(r, PIT_CH0), 200);
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_MSB | 2 << PIT_MODE_SHIFT);
    wr(r, PIT_CH0, 0x12);
    assert_int_equal(pit_reload(r->pit, 0), 0x1200);
    assert_int_equal(rd(r, PIT_CH0), 0x12);      /* MSB only */
    program(r, 0, 2, 0);                         /* 0 means 65536 */
    assert_int_equal(pit_reload(r->pit, 0), 0x10000);
    assert_int_equal(latched_count(r, 0), 0);
    /* LSB then MSB: the first byte alone loads nothing */
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB_MSB | 2 << PIT_MODE_SHIFT);
    wr(r, PIT_CH0, 0x34);
    assert_int_equal(pit_reload(r->pit, 0), 0x10000);
    wr(r, PIT_CH0, 0x12);
    assert_int_equal(pit_reload(r->pit, 0), 0x1234);
    /* unlatched reads alternate too; reads and writes have their own
     * byte pointers, so they may interleave */
    assert_int_equal(rd(r, PIT_CH0), 0x34);
    wr(r, PIT_CH0, 0x00);
    assert_int_equal(rd(r, PIT_CH0), 0x12);
    wr(r, PIT_CH0, 0x20);
    assert_int_equal(pit_reload(r->pit, 0), 0x2000);
    /* a control word resets the byte pointer */
    wr(r, PIT_CH0, 0x99);
    program(r, 0, 2, 0x0456);
    assert_int_equal(pit_reload(r->pit, 0), 0x0456);
    /* the control word register cannot be read */
    assert_int_equal(rd(r, PIT_MODE), 0xff);
    /* nothing but the short periods loaded on the way is warned of */
    assert_int_equal(r->warnings, r->period_warnings);
}

static void mode0_one_shot(void **state)
{
    struct rig *r = *state;
    uint64_t t0 = r->now;
    program(r, 0, 0, 1193);
    assert_false(out(r, 0));                     /* low while counting */
    /* 'Mode 0': OUT rises N + 1 clocks after the count is written */
    goto_time(r, t0 + clocks(1 + 1193) - 1);
    assert_int_equal(r->edges, 0);
    assert_int_equal(latched_count(r, 0), 1);
    goto_time(r, t0 + clocks(1 + 1193));
    assert_int_equal(r->edges, 1);
    assert_true(out(r, 0));                      /* high at terminal count */
    assert_int_equal(latched_count(r, 0), 0);
    /* the count goes on down through 0xffff */
    goto_time(r, t0 + clocks(1 + 1193 + 10));
    assert_int_equal(latched_count(r, 0), 0x10000 - 10);
    advance(r, 50 * MS, MS);
    assert_int_equal(r->edges, 1);               /* one shot */
    assert_true(out(r, 0));
    /* a new count starts it again */
    program(r, 0, 0, 1193);
    assert_false(out(r, 0));
    advance(r, 2 * MS, 100000);
    assert_int_equal(r->edges, 2);
    /* the first byte of a two-byte count stops the counter where it is */
    program(r, 0, 0, 5000);
    r->now += MS;
    wr(r, PIT_CH0, 0x10);
    uint16_t held = latched_count(r, 0);
    assert_int_equal(held, 5000 - 1192);
    advance(r, 10 * MS, MS);
    assert_int_equal(latched_count(r, 0), held);
    assert_int_equal(r->edges, 2);
    wr(r, PIT_CH0, 0x00);                        /* the second byte: 16 */
    assert_int_equal(pit_reload(r->pit, 0), 0x10);
    advance(r, MS, 1000);
    assert_int_equal(r->edges, 3);
}

static void mode3_square_wave(void **state)
{
    struct rig *r = *state;
    uint64_t t0 = r->now;
    program(r, 0, 3, 1000);
    assert_int_equal(latched_count(r, 0), 1000);
    assert_true(out(r, 0));
    /* times count from the clock that loads the count, one after the write */
    r->now = t0 + clocks(1 + 100);
    assert_int_equal(latched_count(r, 0), 800);  /* down by two */
    r->now = t0 + clocks(1 + 499);
    assert_int_equal(latched_count(r, 0), 2);
    assert_true(out(r, 0));
    r->now = t0 + clocks(1 + 500);               /* second half: low, from the top */
    assert_int_equal(latched_count(r, 0), 1000);
    assert_false(out(r, 0));
    assert_int_equal(r->edges, 0);               /* a falling edge is no IRQ */
    goto_time(r, t0 + clocks(1 + 1000));
    assert_true(out(r, 0));
    assert_int_equal(r->edges, 1);
    advance(r, clocks(1 + 5000) - clocks(1 + 1000), 10000);
    assert_int_equal(r->edges, 5);
    /* an odd count is high one clock longer than low */
    t0 = r->now;
    program(r, 0, 3, 1001);
    assert_int_equal(latched_count(r, 0), 1000);
    r->now = t0 + clocks(1 + 500);
    assert_true(out(r, 0));
    assert_int_equal(latched_count(r, 0), 0);
    r->now = t0 + clocks(1 + 501);
    assert_false(out(r, 0));
    assert_int_equal(latched_count(r, 0), 1000);
    goto_time(r, t0 + clocks(1 + 1001));
    assert_true(out(r, 0));
    assert_int_equal(r->edges, 6);
}

static void readback(void **state)
{
    struct rig *r = *state;
    /* after a control word: OUT at the mode's initial level, NULL COUNT */
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB_MSB | 2 << PIT_MODE_SHIFT);
    assert_int_equal(status(r, 0), PIT_STATUS_OUT | PIT_STATUS_NULL | PIT_RW_LSB_MSB |
                                   2 << PIT_MODE_SHIFT);
    wr(r, PIT_CH0, 0xe8);
    wr(r, PIT_CH0, 0x03);
    /* NULL COUNT holds until the next clock puts the count in the counting
     * element (Figure 12) */
    assert_int_equal(status(r, 0), PIT_STATUS_OUT | PIT_STATUS_NULL | PIT_RW_LSB_MSB |
                                   2 << PIT_MODE_SHIFT);
    r->now += clocks(1);
    assert_int_equal(status(r, 0), PIT_STATUS_OUT | PIT_RW_LSB_MSB | 2 << PIT_MODE_SHIFT);
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB_MSB | 0 << PIT_MODE_SHIFT);
    assert_int_equal(status(r, 0), PIT_STATUS_NULL | PIT_RW_LSB_MSB);  /* mode 0: OUT low */
    wr(r, PIT_CH0, 0xe8);
    wr(r, PIT_CH0, 0x03);
    assert_int_equal(status(r, 0), PIT_STATUS_NULL | PIT_RW_LSB_MSB);
    r->now += clocks(1);
    assert_int_equal(status(r, 0), PIT_RW_LSB_MSB);
    r->now += clocks(300);
    /* status and count together: status first, then the count */
    wr(r, PIT_MODE, PIT_SEL_READBACK | PIT_RB_CNT(0));
    r->now += clocks(300);
    assert_int_equal(rd(r, PIT_CH0), PIT_RW_LSB_MSB);
    uint8_t lo = rd(r, PIT_CH0);
    assert_int_equal(lo | rd(r, PIT_CH0) << 8, 700);
    /* several counters in one command; a second status latch is ignored */
    program(r, 2, 3, 100);
    wr(r, PIT_MODE, PIT_SEL_READBACK | PIT_RB_COUNT | PIT_RB_CNT(0) | PIT_RB_CNT(2));
    r->now += clocks(1 + 1000);
    wr(r, PIT_MODE, PIT_SEL_READBACK | PIT_RB_COUNT | PIT_RB_CNT(0) | PIT_RB_CNT(2));
    assert_int_equal(rd(r, PIT_CH2), PIT_STATUS_OUT | PIT_STATUS_NULL | PIT_RW_LSB_MSB |
                                     3 << PIT_MODE_SHIFT);   /* as latched at the write */
    assert_int_equal(rd(r, PIT_CH0), PIT_RW_LSB_MSB);   /* OUT still low when latched */
    assert_int_equal(status(r, 0), PIT_STATUS_OUT | PIT_RW_LSB_MSB);
    /* count only: no status byte comes first */
    wr(r, PIT_MODE, PIT_SEL_READBACK | PIT_RB_STATUS | PIT_RB_CNT(2));
    lo = rd(r, PIT_CH2);
    assert_int_equal(lo | rd(r, PIT_CH2) << 8, 100);
    /* modes 6 and 7 are 2 and 3, and the status shows what was written */
    wr(r, PIT_MODE, PIT_SEL(1) | PIT_RW_LSB | 6 << PIT_MODE_SHIFT);
    wr(r, PIT_CH1, 50);
    r->now += clocks(1);
    assert_int_equal(status(r, 1), PIT_STATUS_OUT | PIT_RW_LSB | 6 << PIT_MODE_SHIFT);
    r->now += clocks(49);
    assert_int_equal(rd(r, PIT_CH1), 1);         /* counting as mode 2 */
    assert_false(out(r, 1));
}

static void reprogramming(void **state)
{
    struct rig *r = *state;
    program(r, 0, 2, 1193);
    advance(r, 10 * MS, 100000);
    assert_int_equal(r->edges, 10);
    /* a control word stops the old rate, and the count, at once */
    r->now += clocks(100);
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB_MSB | 2 << PIT_MODE_SHIFT);
    assert_int_equal(loop_next_deadline(&r->loop), UINT64_MAX);
    uint16_t stopped = latched_count(r, 0);
    assert_in_range(stopped, 1193 - 101, 1193 - 100);
    advance(r, 10 * MS, 100000);
    assert_int_equal(r->edges, 10);
    assert_int_equal(latched_count(r, 0), stopped);
    /* and the new count starts the new one */
    wr(r, PIT_CH0, (uint8_t)298);
    wr(r, PIT_CH0, 298 >> 8);
    assert_int_equal(pit_reload(r->pit, 0), 298);
    advance(r, 10 * MS, 10000);
    assert_int_equal(r->edges, 10 + 40);        /* 298 clocks: 40 in 10 ms */
}

/* In modes 2 and 3 a count written without a control word takes effect
 * when the period under way ends. */
static void new_count_at_end_of_period(void **state)
{
    struct rig *r = *state;
    uint64_t t0 = r->now;
    program(r, 0, 2, 1193);
    r->now = t0 + MS / 2;
    wr(r, PIT_CH0, (uint8_t)2386);
    wr(r, PIT_CH0, (uint8_t)(2386 >> 8));
    assert_int_equal(pit_reload(r->pit, 0), 2386);
    assert_true(status(r, 0) & PIT_STATUS_NULL);      /* not in the counter yet */
    assert_int_equal(latched_count(r, 0), 1193 - 595);
    uint64_t t1 = t0 + clocks(1 + 1193);
    assert_int_equal(loop_next_deadline(&r->loop), t1);
    goto_time(r, t1);
    assert_int_equal(r->edges, 1);
    assert_false(status(r, 0) & PIT_STATUS_NULL);
    assert_int_equal(latched_count(r, 0), 2386);
    goto_time(r, t1 + clocks(2386) - 1);
    assert_int_equal(r->edges, 1);
    goto_time(r, t1 + clocks(2386));
    assert_int_equal(r->edges, 2);
    /* mode 0 takes a new count at once */
    program(r, 0, 0, 60000);
    r->now += MS;
    t0 = r->now;
    wr(r, PIT_CH0, 100);
    wr(r, PIT_CH0, 0);
    assert_int_equal(latched_count(r, 0), 100);
    goto_time(r, t0 + clocks(1 + 100));
    assert_int_equal(r->edges, 3);
}

static void counters_1_and_2_count_without_irq(void **state)
{
    struct rig *r = *state;
    program(r, 1, 2, 18);                       /* the old DRAM refresh rate */
    program(r, 2, 3, 1193);                     /* a 1 kHz beep nobody hears */
    r->now += clocks(1 + 5);
    assert_int_equal(latched_count(r, 1), 13);
    assert_int_equal(latched_count(r, 2), 1193 - 1 - 10);
    advance(r, 50 * MS, MS);
    assert_int_equal(r->edges, 0);
    assert_int_equal(pit_irq_count(r->pit), 0);
    assert_int_equal(loop_next_deadline(&r->loop), UINT64_MAX);
    assert_int_equal(pit_reload(r->pit, 1), 18);
    assert_int_equal(pit_reload(r->pit, 2), 1193);
    assert_int_equal(pit_reload(r->pit, 0), 0x10000);    /* never programmed */
}

static void modes_1_and_5_wait_for_a_gate_edge(void **state)
{
    struct rig *r = *state;
    for (int mode = 1; mode <= 5; mode += 4) {
        program(r, 0, mode, 1000);
        assert_int_equal(pit_reload(r->pit, 0), 1000);
        advance(r, 10 * MS, MS);
        assert_int_equal(r->edges, 0);
        uint8_t st = status(r, 0);
        assert_true(st & PIT_STATUS_OUT);
        assert_true(st & PIT_STATUS_NULL);      /* the count never got in */
    }
}

static void mode4_strobe(void **state)
{
    struct rig *r = *state;
    uint64_t t0 = r->now;
    program(r, 0, 4, 1000);
    assert_true(out(r, 0));
    /* 'Mode 4': the strobe comes N + 1 clocks after the count is written */
    r->now = t0 + clocks(1 + 1000);
    assert_false(out(r, 0));                     /* low for one clock at terminal count */
    goto_time(r, t0 + clocks(1 + 1001) - 1);
    assert_int_equal(r->edges, 0);
    goto_time(r, t0 + clocks(1 + 1001));
    assert_int_equal(r->edges, 1);
    assert_true(out(r, 0));
    advance(r, 100 * MS, MS);
    assert_int_equal(r->edges, 1);
}

static void unmodelled_settings_warn(void **state)
{
    struct rig *r = *state;
    wr(r, PIT_MODE, PIT_SEL(0) | PIT_RW_LSB_MSB | 2 << PIT_MODE_SHIFT | PIT_BCD);
    assert_int_equal(r->warnings, 1);
    assert_non_null(strstr(r->last_warning, "BCD"));
    program(r, 0, 2, 1);
    assert_int_equal(r->warnings - r->period_warnings, 2);
    assert_int_equal(pit_reload(r->pit, 0), 2);  /* 1 is not a mode 2 count */
    /* it counts 2, 1, 2, 1 (its IRQ 0 edges are coalesced: pit.h) */
    uint64_t t0 = r->now;
    for (int k = 0; k < 6; k++) {
        r->now = t0 + clocks(1 + (uint64_t)k) + 1;
        assert_int_equal(latched_count(r, 0), k % 2 ? 1 : 2);
    }
}

static void reset(void **state)
{
    struct rig *r = *state;
    program(r, 0, 2, 1193);
    advance(r, clocks(1 + 3 * 1193), 10000);
    assert_int_equal(r->edges, 3);
    pit_reset(r->pit);
    assert_int_equal(loop_next_deadline(&r->loop), UINT64_MAX);
    assert_int_equal(pit_reload(r->pit, 0), 0x10000);
    advance(r, 10 * MS, MS);
    assert_int_equal(r->edges, 3);
    program(r, 0, 2, 1193);
    advance(r, clocks(1 + 3 * 1193), 10000);
    assert_int_equal(r->edges, 6);
}

/* A period far shorter than an interrupt can be served in (count 2:
 * about 600 kHz) must not become a timer due every 1.7 us that keeps the
 * vcpu from running: edges come at most every PIT_MIN_IRQ_PERIOD_NS, on
 * the counter's grid, with one warning, while the count reads exactly. */
static void tiny_period_is_coalesced(void **state)
{
    struct rig *r = *state;
    program(r, 0, 2, 2);
    assert_int_equal(r->warnings, 1);
    assert_non_null(strstr(r->last_warning, "counter 0"));
    int fired = 0;
    uint64_t end = r->now + 10 * MS;
    while (loop_next_deadline(&r->loop) <= end) {
        goto_time(r, loop_next_deadline(&r->loop));
        fired++;
    }
    /* 10 ms at one edge per 200 us at most: 50, not the 11 932 edges the
     * counter makes */
    assert_true((uint64_t)fired <= 10 * MS / PIT_MIN_IRQ_PERIOD_NS + 1);
    assert_true((uint64_t)r->edges >= 10 * MS / PIT_MIN_IRQ_PERIOD_NS - 1);
    assert_true(r->edges <= fired);
    /* the count still runs at 1.19 MHz */
    goto_time(r, r->now + clocks(1) / 2);
    uint16_t c = latched_count(r, 0);
    assert_true(c == 1 || c == 2);
}

/* 8254, 'Mode 0' (and likewise 2, 3, 4): a count written is loaded on the
 * next CLK pulse, which does not decrement it, so OUT rises N + 1 clocks
 * after the write; NULL COUNT holds until that pulse (Figure 12). */
static void count_loaded_on_the_next_clock(void **state)
{
    struct rig *r = *state;
    uint64_t t0 = r->now;
    program(r, 0, 0, 3);
    assert_true(status(r, 0) & PIT_STATUS_NULL);
    r->now = t0 + clocks(1);
    assert_false(status(r, 0) & PIT_STATUS_NULL);
    assert_int_equal(latched_count(r, 0), 3);   /* loaded, not decremented */
    r->now = t0 + clocks(3);
    assert_int_equal(latched_count(r, 0), 1);
    assert_false(out(r, 0));
    goto_time(r, t0 + clocks(4) - 1);
    assert_int_equal(r->edges, 0);
    goto_time(r, t0 + clocks(4));
    assert_int_equal(r->edges, 1);
    assert_true(out(r, 0));
    /* mode 2: the first IRQ 0 edge N + 1 clocks after the write, then every N */
    t0 = r->now;
    program(r, 0, 2, 1193);
    assert_int_equal(loop_next_deadline(&r->loop), t0 + clocks(1 + 1193));
    goto_time(r, t0 + clocks(1 + 1193));
    assert_int_equal(loop_next_deadline(&r->loop), t0 + clocks(1 + 2 * 1193));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(mode2_one_pulse_per_ms), T(mode2_edges_on_the_clock_grid), T(no_burst_after_a_stall),
        T(latch_reads_the_count), T(access_modes), T(mode0_one_shot), T(mode3_square_wave),
        T(readback), T(reprogramming), T(new_count_at_end_of_period),
        T(counters_1_and_2_count_without_irq), T(modes_1_and_5_wait_for_a_gate_edge),
        T(mode4_strobe), T(unmodelled_settings_warn), T(reset), T(tiny_period_is_coalesced),
        T(count_loaded_on_the_next_clock),
    };
    return cmocka_run_group_tests_name("pit", tests, NULL, NULL);
}
