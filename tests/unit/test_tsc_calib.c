/* The guest's TSC calibration (guest/kernel/tsc_calib.c) against a
 * simulated PIT counter 0 and a 2.6 GHz TSC on one clock, on a host that
 * stops the vCPU: inside a sample's bracket (the count then belongs to
 * the end of the stop, the stamp to its middle), between samples for
 * longer than the counter's period (a wrap unseen), both at once, and a
 * counter that does not count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "tsc_calib.h"
#include "../../guest/kernel/tsc_calib_internal.h"

#define TSC_KHZ 2600000ull
#define RELOAD  0x10000u

struct sim {
    uint64_t ns;
    uint64_t reads;
    /* a stop of stall_ns inside the bracket of every stall_every-th
     * sample, before the latch; one of gap_ns before every gap_every-th */
    uint64_t stall_every, stall_ns, gap_every, gap_ns;
    uint64_t gap_at[2];     /* and before these samples */
    bool frozen;            /* the counter does not count */
};

static uint64_t tsc(uint64_t ns)
{
    return ns * TSC_KHZ / 1000000;
}

static uint16_t count(const struct sim *m)
{
    if (m->frozen)
        return 1234;
    uint64_t clocks = (uint64_t)((unsigned __int128)m->ns * PIT_HZ / 1000000000);
    return (uint16_t)(RELOAD - clocks % RELOAD);      /* 65536 reads as 0 */
}

/* The guest's read, with the costs of an exit: ~1.4 us a sample. */
static void sim_read(void *ctx, struct pit_sample *s)
{
    struct sim *m = ctx;
    m->reads++;
    m->ns += 100;
    if ((m->gap_every && m->reads % m->gap_every == 0) || m->reads == m->gap_at[0] ||
        m->reads == m->gap_at[1])
        m->ns += m->gap_ns;
    s->tsc_before = tsc(m->ns);
    m->ns += 400;
    if (m->stall_every && m->reads % m->stall_every == 0)
        m->ns += m->stall_ns;
    s->count = count(m);
    m->ns += 400 + (m->reads % 7) * 20;
    s->tsc_after = tsc(m->ns);
    m->ns += 500;
}

static uint64_t run(struct sim *m)
{
    m->ns += 987654321;                 /* anywhere in the counter's period */
    return tsc_calibrate(sim_read, m, RELOAD);
}

/* within 0.1%: the tsc_rate self-test allows 2% */
static void assert_rate(uint64_t hz)
{
    uint64_t want = TSC_KHZ * 1000;
    if (hz < want - want / 1000 || hz > want + want / 1000)
        fail_msg("calibrated %llu Hz, the TSC runs at %llu", (unsigned long long)hz,
                 (unsigned long long)want);
}

static void quiet_host(void **state)
{
    struct sim m = { 0 };
    assert_rate(run(&m));
}

/* Every exit slow alike: the stamps' offsets cancel. */
static void slow_exits(void **state)
{
    struct sim m = { .stall_every = 1, .stall_ns = 30000 };
    assert_rate(run(&m));
}

/* A 20 ms stop inside a bracket every ~1.5 ms: every 2 ms span has one,
 * and ends on it unless a span must end on a tight sample (the old
 * calibration took 0.55 times the rate here, as finding 8 saw). */
static void stops_inside_brackets(void **state)
{
    struct sim m = { .stall_every = 1100, .stall_ns = 20000000 };
    assert_rate(run(&m));
    /* and a stop in the sample a span would start on */
    struct sim s = { .stall_every = 9, .stall_ns = 3000000 };
    assert_rate(run(&s));
}

/* A 60 ms stop between samples, longer than the counter's 55 ms
 * period: the clocks of a whole period go unseen. In the first two
 * spans (of about 1460 samples each), then now and then. */
static void stops_longer_than_a_period(void **state)
{
    struct sim m = { .gap_at = { 700, 2200 }, .gap_ns = 60000000 };
    assert_rate(run(&m));
    struct sim n = { .gap_every = 5000, .gap_ns = 60000000 };
    assert_rate(run(&n));
}

static void both(void **state)
{
    struct sim m = { .stall_every = 1300, .stall_ns = 15000000,
                     .gap_every = 4100, .gap_ns = 70000000 };
    assert_rate(run(&m));
}

/* A counter that does not count ends the calibration (0), after a
 * bounded number of reads. */
static void dead_counter(void **state)
{
    struct sim m = { .frozen = true };
    assert_int_equal(run(&m), 0);
    assert_true(m.reads < 2 * SPAN_READS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quiet_host),
        cmocka_unit_test(slow_exits),
        cmocka_unit_test(stops_inside_brackets),
        cmocka_unit_test(stops_longer_than_a_period),
        cmocka_unit_test(both),
        cmocka_unit_test(dead_counter),
    };
    return cmocka_run_group_tests_name("tsc_calib", tests, NULL, NULL);
}
