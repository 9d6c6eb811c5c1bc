/* The MC146818A RTC on a clock the test moves: the date in BCD and binary,
 * 12 and 24 hours, UIP's window, SET, the periodic, alarm and update
 * interrupts and register C, CMOS RAM, and -rtc base= dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/log.h"
#include "hw/rtc.h"
#include "clock_rig.h"
#include "io_rig.h"

#define MS 1000000ull
#define S 1000000000ull
/* 2024-02-29T23:59:58 UTC, a Thursday */
#define LEAP_EVE 1709251198ll

struct rig {
    struct loop loop;
    uint64_t now;
    struct rtc *rtc;
    struct region io;
    struct address_space as;
    int edges, level;
    struct irq_counter irq_counter;
};

/* An RTC with the date base at the clock's now, not started yet. */
static struct rig *create(int64_t base, uint64_t now)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    clock_rig_attach(&r.loop, &r.now, now);
    r.rtc = rtc_create(&r.loop, irq_counter_line(&r.irq_counter, RTC_IRQ, &r.level, &r.edges),
                       base);
    assert_non_null(r.rtc);
    io_rig_ports(&r.io, &r.as, rtc_region(r.rtc), RTC_PORT_INDEX);
    return &r;
}

static struct rig *make(int64_t base)
{
    struct rig *r = create(base, 5 * S + 123);      /* the clock does not start at zero */
    rtc_start(r->rtc);
    return r;
}

static int setup(void **state)
{
    *state = make(LEAP_EVE);
    return 0;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    rtc_destroy(r->rtc);
    return 0;
}

static uint8_t rd(struct rig *r, uint8_t reg)
{
    as_write(&r->as, RTC_PORT_INDEX, reg, 1);
    return (uint8_t)as_read(&r->as, RTC_PORT_DATA, 1);
}

static void wr(struct rig *r, uint8_t reg, uint8_t v)
{
    as_write(&r->as, RTC_PORT_INDEX, reg, 1);
    as_write(&r->as, RTC_PORT_DATA, v, 1);
}

/* Moves the clock to t, running the timers due, as the loop would. */
static void run_to(struct rig *r, uint64_t t)
{
    clock_rig_run_to(&r->loop, &r->now, t);
}

static void date_in_bcd(void **state)
{
    struct rig *r = *state;
    assert_int_equal(rd(r, RTC_SECONDS), 0x58);
    assert_int_equal(rd(r, RTC_MINUTES), 0x59);
    assert_int_equal(rd(r, RTC_HOURS), 0x23);
    assert_int_equal(rd(r, RTC_DAY_OF_WEEK), 5);    /* Thursday; 1 = Sunday */
    assert_int_equal(rd(r, RTC_DAY_OF_MONTH), 0x29);
    assert_int_equal(rd(r, RTC_MONTH), 0x02);
    assert_int_equal(rd(r, RTC_YEAR), 0x24);
    assert_int_equal(rd(r, RTC_CENTURY), 0x20);
    assert_int_equal(rd(r, RTC_REG_A), RTC_A_DEFAULT);
    assert_int_equal(rd(r, RTC_REG_B), RTC_B_DEFAULT);
    assert_int_equal(rd(r, RTC_REG_D), RTC_D_VRT);
    /* two seconds later it is March: the leap day rolled over */
    r->now += 2 * S;
    assert_int_equal(rd(r, RTC_SECONDS), 0x00);
    assert_int_equal(rd(r, RTC_MINUTES), 0x00);
    assert_int_equal(rd(r, RTC_HOURS), 0x00);
    assert_int_equal(rd(r, RTC_DAY_OF_MONTH), 0x01);
    assert_int_equal(rd(r, RTC_MONTH), 0x03);
    assert_int_equal(rd(r, RTC_DAY_OF_WEEK), 6);
    assert_int_equal(rtc_time(r->rtc), LEAP_EVE + 2);
}

static void binary_and_12_hour(void **state)
{
    struct rig *r = *state;
    wr(r, RTC_REG_B, RTC_B_DM);         /* binary, 12-hour */
    assert_int_equal(rd(r, RTC_SECONDS), 58);
    assert_int_equal(rd(r, RTC_YEAR), 24);
    assert_int_equal(rd(r, RTC_HOURS), RTC_HOUR_PM | 11);   /* 23:59 is 11 PM */
    r->now += 2 * S;
    assert_int_equal(rd(r, RTC_HOURS), 12);                 /* midnight is 12 AM */
    wr(r, RTC_REG_B, 0);                                    /* BCD, 12-hour */
    r->now += 12 * 3600 * S;
    assert_int_equal(rd(r, RTC_HOURS), RTC_HOUR_PM | 0x12); /* noon is 12 PM */
    r->now += 10 * 3600 * S;
    assert_int_equal(rd(r, RTC_HOURS), RTC_HOUR_PM | 0x10); /* 22:00 */
}

static void uip_in_the_last_244us(void **state)
{
    struct rig *r = *state;
    uint64_t boundary = 5 * S + 123 + S;    /* the first update after start */
    r->now = boundary - RTC_UIP_NS - 1;
    assert_int_equal(rd(r, RTC_REG_A) & RTC_A_UIP, 0);
    assert_int_equal(rd(r, RTC_SECONDS), 0x58);
    r->now = boundary - RTC_UIP_NS;
    assert_int_equal(rd(r, RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
    assert_int_equal(rd(r, RTC_SECONDS), 0x58);             /* not updated yet */
    r->now = boundary - 1;
    assert_int_equal(rd(r, RTC_REG_A), RTC_A_UIP | RTC_A_DEFAULT);
    r->now = boundary;
    assert_int_equal(rd(r, RTC_REG_A) & RTC_A_UIP, 0);
    assert_int_equal(rd(r, RTC_SECONDS), 0x59);
    /* UIP is read-only, and never set while SET holds the registers */
    wr(r, RTC_REG_A, 0xff);
    assert_int_equal(rd(r, RTC_REG_A) & 0x7f, 0x7f);
    wr(r, RTC_REG_A, RTC_A_DEFAULT);
    wr(r, RTC_REG_B, RTC_B_DEFAULT | RTC_B_SET);
    r->now = boundary + S - 1;
    assert_int_equal(rd(r, RTC_REG_A) & RTC_A_UIP, 0);
}

static void set_holds_and_writes_the_time(void **state)
{
    struct rig *r = *state;
    wr(r, RTC_REG_B, RTC_B_DEFAULT | RTC_B_SET | RTC_B_UIE);
    assert_int_equal(rd(r, RTC_REG_B) & RTC_B_UIE, 0);      /* SET clears UIE */
    r->now += 5 * S;
    assert_int_equal(rd(r, RTC_SECONDS), 0x58);             /* held */
    assert_int_equal(rd(r, RTC_REG_C) & RTC_C_UF, 0);       /* no updates while held */
    /* 1999-12-31 23:59:30 */
    wr(r, RTC_YEAR, 0x99);
    wr(r, RTC_MONTH, 0x12);
    wr(r, RTC_DAY_OF_MONTH, 0x31);
    wr(r, RTC_HOURS, 0x23);
    wr(r, RTC_MINUTES, 0x59);
    wr(r, RTC_SECONDS, 0x30);
    assert_int_equal(rd(r, RTC_SECONDS), 0x30);
    wr(r, RTC_REG_B, RTC_B_DEFAULT);
    assert_int_equal(rtc_time(r->rtc), 946684770);
    r->now += 30 * S;
    assert_int_equal(rd(r, RTC_YEAR), 0x00);                /* 2000 */
    assert_int_equal(rd(r, RTC_MONTH), 0x01);
    assert_int_equal(rd(r, RTC_DAY_OF_MONTH), 0x01);
    assert_int_equal(rd(r, RTC_DAY_OF_WEEK), 7);            /* a Saturday */
    assert_int_equal(rd(r, RTC_CENTURY), 0x19);             /* kept from the write */
    /* a field written while counting changes that field now */
    wr(r, RTC_MINUTES, 0x10);
    assert_int_equal(rd(r, RTC_MINUTES), 0x10);
    assert_int_equal(rtc_time(r->rtc), 946684800 + 600);
    /* written in binary mode, read back in binary */
    wr(r, RTC_REG_B, RTC_B_DM | RTC_B_24H | RTC_B_SET);
    wr(r, RTC_HOURS, 13);
    wr(r, RTC_REG_B, RTC_B_DM | RTC_B_24H);
    assert_int_equal(rd(r, RTC_HOURS), 13);
}

static void update_interrupt(void **state)
{
    struct rig *r = *state;
    wr(r, RTC_REG_A, 0x20);             /* no periodic ticks: PF stays clear */
    wr(r, RTC_SECONDS_ALARM, 0x7a);     /* an alarm that never rings: AF too */
    assert_int_equal(rd(r, RTC_REG_C), 0);
    wr(r, RTC_REG_B, RTC_B_DEFAULT | RTC_B_UIE);
    assert_int_equal(r->level, 0);
    uint64_t boundary = 5 * S + 123 + S;
    assert_int_equal(loop_next_deadline(&r->loop), boundary);
    run_to(r, boundary + MS);
    assert_int_equal(r->edges, 1);
    assert_int_equal(r->level, 1);
    /* the line stays up until register C is read; no more timers meanwhile */
    assert_int_equal(loop_next_deadline(&r->loop), UINT64_MAX);
    run_to(r, boundary + 3 * S);
    assert_int_equal(r->edges, 1);
    assert_int_equal(rd(r, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
    assert_int_equal(r->level, 0);
    assert_int_equal(rd(r, RTC_REG_C), 0);                  /* reading cleared it */
    run_to(r, boundary + 4 * S);
    assert_int_equal(r->edges, 2);
    /* disabled: the flag is still set, the line is not */
    wr(r, RTC_REG_B, RTC_B_DEFAULT);
    assert_int_equal(rd(r, RTC_REG_C), RTC_C_UF);
    assert_int_equal(loop_next_deadline(&r->loop), UINT64_MAX);
    run_to(r, boundary + 6 * S);
    assert_int_equal(rd(r, RTC_REG_C), RTC_C_UF);
    assert_int_equal(r->edges, 2);
}

static void periodic_interrupt_rates(void **state)
{
    struct rig *r = *state;
    /* RS 6: 1024 Hz, 976.5625 us */
    wr(r, RTC_REG_B, RTC_B_DEFAULT | RTC_B_PIE);
    int got = 0;
    uint64_t start = r->now;
    while (r->now < start + S) {
        run_to(r, loop_next_deadline(&r->loop));
        if (r->level) {
            assert_int_equal(rd(r, RTC_REG_C) & (RTC_C_IRQF | RTC_C_PF), RTC_C_IRQF | RTC_C_PF);
            got++;
        }
    }
    assert_in_range(got, 1023, 1025);
    /* RS 15: 2 Hz; RS 3: 8192 Hz; RS 1 and 2 are 256 and 128 Hz */
    static const struct { uint8_t rs; unsigned hz; } rates[] = {
        { 15, 2 }, { 3, 8192 }, { 1, 256 }, { 2, 128 }, { 9, 128 },
    };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        wr(r, RTC_REG_A, 0x20 | rates[i].rs);
        rd(r, RTC_REG_C);
        got = 0;
        start = r->now;
        while (r->now < start + S) {
            run_to(r, loop_next_deadline(&r->loop));
            if (r->level) {
                rd(r, RTC_REG_C);
                got++;
            }
        }
        assert_in_range(got, rates[i].hz - 1, rates[i].hz + 1);
    }
    /* RS 0: no periodic interrupt, no flag */
    wr(r, RTC_REG_A, 0x20);
    rd(r, RTC_REG_C);
    assert_int_equal(loop_next_deadline(&r->loop), UINT64_MAX);
    r->now += S;
    assert_int_equal(rd(r, RTC_REG_C) & RTC_C_PF, 0);
}

static void alarm_interrupt(void **state)
{
    struct rig *r = *state;
    wr(r, RTC_REG_A, 0x20);             /* no periodic ticks: PF stays clear */
    /* 00:00:05 on the next day, that is 7 s on */
    wr(r, RTC_HOURS_ALARM, 0x00);
    wr(r, RTC_MINUTES_ALARM, 0x00);
    wr(r, RTC_SECONDS_ALARM, 0x05);
    wr(r, RTC_REG_B, RTC_B_DEFAULT | RTC_B_AIE);
    uint64_t at = 5 * S + 123 + 7 * S;
    assert_int_equal(loop_next_deadline(&r->loop), at);
    run_to(r, at - 1);
    assert_int_equal(r->edges, 0);
    run_to(r, at);
    assert_int_equal(r->edges, 1);
    assert_int_equal(rd(r, RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
    /* the same time again a day later */
    assert_int_equal(loop_next_deadline(&r->loop), at + 86400 * S);
    /* don't care bytes: every minute at :30 */
    wr(r, RTC_HOURS_ALARM, RTC_ALARM_ANY);
    wr(r, RTC_MINUTES_ALARM, 0xff);
    wr(r, RTC_SECONDS_ALARM, 0x30);
    assert_int_equal(loop_next_deadline(&r->loop), at + 25 * S);
    /* an alarm that never rings arms nothing; its flag never comes */
    wr(r, RTC_SECONDS_ALARM, 0x7a);
    assert_int_equal(loop_next_deadline(&r->loop), UINT64_MAX);
    r->now += 2 * 86400 * S;
    assert_int_equal(rd(r, RTC_REG_C) & RTC_C_AF, 0);
    /* AF is gathered even with AIE off, across a long quiet stretch */
    wr(r, RTC_REG_B, RTC_B_DEFAULT);
    wr(r, RTC_SECONDS_ALARM, 0x00);
    rd(r, RTC_REG_C);
    r->now += 3600 * S;
    assert_int_equal(rd(r, RTC_REG_C), RTC_C_AF | RTC_C_UF);
}

static void cmos_ram_and_ports(void **state)
{
    struct rig *r = *state;
    for (unsigned i = 0x0e; i < RTC_CMOS_SIZE; i++)
        wr(r, (uint8_t)i, (uint8_t)(i ^ 0x5a));
    for (unsigned i = 0x0e; i < RTC_CMOS_SIZE; i++)
        assert_int_equal(rd(r, (uint8_t)i), (uint8_t)(i ^ 0x5a));
    /* bit 7 of the index masks NMI and does not select a register */
    as_write(&r->as, RTC_PORT_INDEX, RTC_NMI_MASK | 0x20, 1);
    assert_int_equal(as_read(&r->as, RTC_PORT_DATA, 1), 0x20 ^ 0x5a);
    /* the index port reads all ones; C and D ignore writes */
    assert_int_equal(as_read(&r->as, RTC_PORT_INDEX, 1), 0xff);
    wr(r, RTC_REG_D, 0);
    assert_int_equal(rd(r, RTC_REG_D), RTC_D_VRT);
    wr(r, RTC_REG_C, 0xf0);
    assert_int_equal(rd(r, RTC_REG_C), 0);
    /* the alarm bytes are storage */
    wr(r, RTC_SECONDS_ALARM, 0x42);
    assert_int_equal(rd(r, RTC_SECONDS_ALARM), 0x42);
}

static void default_base_and_lazy_start(void **state)
{
    struct rig *r = make(RTC_DEFAULT_BASE);
    /* 2025-01-01T00:00:00, a Wednesday */
    assert_int_equal(rd(r, RTC_YEAR), 0x25);
    assert_int_equal(rd(r, RTC_MONTH), 0x01);
    assert_int_equal(rd(r, RTC_DAY_OF_MONTH), 0x01);
    assert_int_equal(rd(r, RTC_DAY_OF_WEEK), 4);
    assert_int_equal(rd(r, RTC_HOURS), 0x00);
    rtc_destroy(r->rtc);
    /* never started: the first access starts it at the base */
    r = create(RTC_DEFAULT_BASE, 77 * S);
    r->now = 99 * S;
    assert_int_equal(rtc_time(r->rtc), RTC_DEFAULT_BASE);
    r->now += S;
    assert_int_equal(rtc_time(r->rtc), RTC_DEFAULT_BASE + 1);
    rtc_destroy(r->rtc);
}

static void parse_dates(void **state)
{
    int64_t t;
    assert_true(rtc_parse_date("2025-01-01", &t));
    assert_int_equal(t, RTC_DEFAULT_BASE);
    assert_true(rtc_parse_date("2024-02-29T23:59:58", &t));
    assert_int_equal(t, LEAP_EVE);
    assert_true(rtc_parse_date("1970-01-01T00:00:00", &t));
    assert_int_equal(t, 0);
    assert_true(rtc_parse_date("2069-12-31T23:59:59", &t));
    static const char *bad[] = {
        "", "2025", "2025-1-1", "2025-13-01", "2025-02-29", "2023-00-10", "1969-12-31",
        "2070-01-01", "2025-01-01T24:00:00", "2025-01-01T12:60:00", "2025-01-01T12:00",
        "2025-01-01 12:00:00", "2025-01-01T12:00:00Z", "utc", "2025-01-01x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(rtc_parse_date(bad[i], &t));
}

/* The MC146818A's address map: 'the high-order bit of the seconds byte
 * is read only' (it reads 0), held by SET or not. */
static void seconds_bit7_is_read_only(void **state)
{
    struct rig *r = *state;
    wr(r, RTC_REG_B, RTC_B_DEFAULT | RTC_B_SET);
    wr(r, RTC_SECONDS, 0x80 | 0x30);
    assert_int_equal(rd(r, RTC_SECONDS), 0x30);
    wr(r, RTC_REG_B, RTC_B_DEFAULT);
    assert_int_equal(rd(r, RTC_SECONDS), 0x30);
    wr(r, RTC_SECONDS, 0x80 | 0x12);                /* while counting */
    assert_int_equal(rd(r, RTC_SECONDS), 0x12);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(date_in_bcd),
        T(binary_and_12_hour),
        T(uip_in_the_last_244us),
        T(set_holds_and_writes_the_time),
        T(update_interrupt),
        T(periodic_interrupt_rates),
        T(alarm_interrupt),
        T(cmos_ram_and_ports),
        T(seconds_bit7_is_read_only),
        cmocka_unit_test(default_base_and_lazy_start),
        cmocka_unit_test(parse_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
