/*
 * The 8254 programmable interval timer: three 16-bit down-counters on a
 * PIT_HZ clock. Section and figure names below are those of Intel's 8254
 * datasheet (order number 231164).
 *
 * Nothing ticks here. A counting element remembers when it took its
 * count (start) and the count it took (reload); the current count and
 * OUT are computed from the loop's clock when someone looks. Counter 0's
 * OUT drives IRQ 0: each rising edge is an irq_pulse, delivered by a loop
 * timer armed at the next edge.
 *
 * When the host falls behind by several periods (a stopped process, a
 * busy loop), the timer delivers one edge and arms the next one on the
 * original period grid. The guest sees ticks missing rather than a burst
 * of them, and the rate does not drift: an OS that counts ticks loses
 * time across a stall, one that reads a clock source does not, and
 * neither is flooded with back-to-back interrupts.
 *
 * The gates: counter 0's (and 1's) is tied high on a PC; counter 2's is
 * port 0x61, not modelled, taken as high. Modes 1 and 5 start on a rising
 * gate edge (Figure 21, 'Gate Pin Operations Summary'), which a tied gate
 * never makes: they wait forever with OUT high, as on the board.
 */
#include <stdbool.h>
#include <stdlib.h>
#include "contract/platform.h"
#include "core/log.h"
#include "hw/pit.h"

#define NS_PER_S 1000000000ull

#define RW(ctrl)        (((ctrl) >> 4) & 3)   /* 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB */

/* A count the counting element runs: reload clocks from start on, the
 * first `lead` of them spent loading it. A count written to an idle or
 * one-shot counter is loaded on the next CLK pulse, which does not
 * decrement it (each mode's definition, e.g. 'Mode 0': OUT rises N + 1
 * clocks after the count is written); the clock phase is not modelled,
 * so that pulse is taken one clock after the write. A count taken at the
 * end of a mode 2 or 3 period is loaded by the clock that ends it. A read
 * during that first clock returns the new count here; the chip would
 * return what its counting element held (undefined after a control
 * word), which no driver can rely on. */
struct run {
    uint32_t reload;        /* 1..65536 */
    uint32_t lead;          /* 1 after a write, 0 at a period's end */
    uint64_t start;         /* ns on the loop's clock */
};

struct counter {
    struct pit *pit;
    int index;
    uint8_t ctrl;           /* the last control word, low six bits */
    uint8_t mode;
    bool counting;          /* a count was loaded since the control word */
    uint16_t held;          /* what reads return while not counting */
    struct run run;
    /* Modes 2 and 3 take a new count at the end of the current period:
     * until run.start the previous count is still running. */
    struct run prev;
    uint32_t reload;        /* the count register, as last written */
    bool null_count;        /* written but not yet in the counting element */
    bool write_msb;         /* LSB-then-MSB: the next write is the MSB */
    uint8_t write_lsb;
    bool read_msb;          /* LSB-then-MSB: the next read is the MSB */
    bool count_latched, status_latched;
    uint16_t latched_count;
    uint8_t latched_status;
    struct timer timer;     /* counter 0: the next OUT rising edge */
};

struct pit {
    struct loop *loop;
    struct irq_line irq0;
    struct counter c[3];
    uint64_t irqs;
    struct region region;
    struct ratelimit rl;
};

/* Modes 6 and 7 are 2 and 3 with a don't-care bit (M2 is X for them in
 * Figure 7, 'Control Word Format'). */
static uint8_t mode_of(uint8_t ctrl)
{
    uint8_t m = (ctrl >> PIT_MODE_SHIFT) & 7;
    return m > 5 ? m & 3 : m;
}

static bool periodic(const struct counter *c)
{
    return c->mode == 2 || c->mode == 3;
}

/* The run in effect at `now`. */
static const struct run *current(const struct counter *c, uint64_t now)
{
    return now < c->run.start ? &c->prev : &c->run;
}

/* Input clocks since r started, rounded down. */
static uint64_t raw_ticks(const struct run *r, uint64_t now)
{
    uint64_t ns = now > r->start ? now - r->start : 0;
    return (uint64_t)((unsigned __int128)ns * PIT_HZ / NS_PER_S);
}

/* Whether r's count has reached the counting element by `now`. */
static bool loaded(const struct run *r, uint64_t now)
{
    return now >= r->start && raw_ticks(r, now) >= r->lead;
}

/* Clocks counted since r's count was loaded (0 until it is). */
static uint64_t ticks(const struct run *r, uint64_t now)
{
    uint64_t t = raw_ticks(r, now);
    return t > r->lead ? t - r->lead : 0;
}

/* The first ns at which r has counted `t` clocks: rounded up, so that
 * ticks() at that instant is t and never t - 1. */
static uint64_t tick_time(const struct run *r, uint64_t t)
{
    t += r->lead;
    return r->start + (uint64_t)(((unsigned __int128)t * NS_PER_S + PIT_HZ - 1) / PIT_HZ);
}

static uint16_t count_now(const struct counter *c, uint64_t now)
{
    if (!c->counting)
        return c->held;
    const struct run *r = current(c, now);
    uint64_t t = ticks(r, now);
    uint32_t n = r->reload;
    switch (c->mode) {
    case 2:                 /* n, n-1 .. 1, reload ('Mode 2: Rate Generator') */
        return (uint16_t)(n - t % n);
    case 3: {
        /* 'Mode 3: Square Wave Mode': down by two from n (n-1 when odd)
         * in each half; the high half is one clock longer when n is odd.
         * 65536 reads as 0. */
        uint64_t in = t % n, high = (n + 1) / 2;
        if (in >= high)
            in -= high;
        return (uint16_t)((n & ~1u) - 2 * in);
    }
    default:
        /* 0 and 4: one pass, then on through 0xffff ('Operation Common
         * to All Modes': the count wraps in modes 0, 1, 4 and 5) */
        return (uint16_t)(n - t);
    }
}

static bool out_now(const struct counter *c, uint64_t now)
{
    /* A control word sets OUT to the mode's initial state ('Operation
     * Common to All Modes'): low in mode 0, high in the others. */
    if (!c->counting)
        return c->mode != 0;
    const struct run *r = current(c, now);
    uint64_t t = ticks(r, now);
    uint32_t n = r->reload;
    switch (c->mode) {
    case 0:                     /* high at terminal count, until reloaded ('Mode 0') */
        return t >= n;
    case 2:                     /* low for the one clock at count 1 ('Mode 2') */
        return t % n != n - 1;
    case 3:                     /* high for (n + 1) / 2 clocks, low for n / 2 ('Mode 3') */
        return t % n < (n + 1) / 2;
    case 4:                     /* a one-clock low strobe at terminal count ('Mode 4') */
        return t != n;
    default:
        return true;
    }
}

/* Arm counter 0's timer at OUT's next rising edge after `now`. */
static void arm(struct counter *c, uint64_t now)
{
    if (c->index != 0 || !c->counting) {
        timer_del(&c->timer);
        return;
    }
    if (now < c->run.start) {
        /* the old period ends, and OUT rises, where the new count starts */
        timer_mod(&c->timer, c->run.start);
        return;
    }
    uint64_t t = ticks(&c->run, now), n = c->run.reload, next;
    switch (c->mode) {
    case 2:
    case 3:
        /* a period shorter than an interrupt can be served in: the next
         * edge on the grid at least the floor away (pit.h) */
        if (tick_time(&c->run, n) - tick_time(&c->run, 0) < PIT_MIN_IRQ_PERIOD_NS)
            t = ticks(&c->run, now + PIT_MIN_IRQ_PERIOD_NS - 1);
        next = (t / n + 1) * n;
        break;
    case 0:
        next = n;
        break;
    case 4:
        next = n + 1;
        break;
    default:
        next = 0;
        break;
    }
    if (next <= t)
        timer_del(&c->timer);   /* a one-shot that has fired */
    else
        timer_mod(&c->timer, tick_time(&c->run, next));
}

static void out_rose(void *opaque)
{
    struct counter *c = opaque;
    struct pit *p = c->pit;
    p->irqs++;
    irq_pulse(&p->irq0);
    arm(c, loop_now(p->loop));
}

/* A complete count was written to the count register. */
static void load(struct counter *c, uint32_t value)
{
    struct pit *p = c->pit;
    uint64_t now = loop_now(p->loop);
    /* 0 is the largest count, 2^16 in binary ('Operation Common to All
     * Modes'); modes 2 and 3 take 2 at least (Figure 22, 'Minimum and
     * Maximum Initial Counts'; 'Mode 2': a count of 1 is illegal) */
    c->reload = value ? value : 0x10000;
    if (periodic(c) && c->reload == 1) {
        log_warn_rl(&p->rl, "pit: counter %d loaded with 1 in mode %d, which the 8254 "
                    "does not allow; using 2", c->index, c->mode);
        c->reload = 2;
    }
    if (c->mode == 1 || c->mode == 5) {
        c->null_count = true;   /* waits for a gate trigger that never comes */
        return;
    }
    if (c->index == 0 && periodic(c) &&
        (uint64_t)c->reload * NS_PER_S < PIT_MIN_IRQ_PERIOD_NS * PIT_HZ)
        log_warn_rl(&p->rl, "pit: counter 0 loaded with %u in mode %d, a period of %llu ns; "
                    "IRQ 0 comes at most every %llu ns", c->reload, c->mode,
                    (unsigned long long)((uint64_t)c->reload * NS_PER_S / PIT_HZ),
                    (unsigned long long)PIT_MIN_IRQ_PERIOD_NS);
    c->null_count = false;
    if (periodic(c) && c->counting) {
        /* the period under way finishes with the old count ('Mode 2',
         * 'Mode 3': a new count is loaded at the end of the current
         * period) */
        const struct run *r = current(c, now);
        uint64_t t = ticks(r, now);
        c->prev = *r;
        c->run.start = tick_time(r, (t / r->reload + 1) * r->reload);
        c->run.lead = 0;
    } else {
        c->run.start = now;
        c->run.lead = 1;
    }
    c->run.reload = c->reload;
    c->counting = true;
    arm(c, now);
}

/* Figure 11, 'Status Byte': OUT, NULL COUNT, then the control word's
 * low six bits. NULL COUNT is set by a control word or a count write and
 * cleared when the count reaches the counting element (Figure 12, 'Null
 * Count Operation'). */
static uint8_t status(const struct counter *c, uint64_t now)
{
    bool null = c->null_count || (c->counting && !loaded(&c->run, now));
    return (uint8_t)((out_now(c, now) ? PIT_STATUS_OUT : 0) |
                     (null ? PIT_STATUS_NULL : 0) | c->ctrl);
}

/* 'Counter Latch Command' (Figure 9): the count is held until read or
 * the counter is reprogrammed; a second latch before then is ignored. */
static void latch_count(struct counter *c, uint64_t now)
{
    if (c->count_latched)
        return;
    c->count_latched = true;
    c->latched_count = count_now(c, now);
    c->read_msb = false;
}

/* 'Read-Back Command' (Figure 10): latches the count and/or status of
 * each counter selected, the two latch bits active low; a latch already
 * held is kept, as in Figure 13, 'Read-Back Command Example'. */
static void read_back(struct pit *p, uint8_t v, uint64_t now)
{
    for (int i = 0; i < 3; i++) {
        struct counter *c = &p->c[i];
        if (!(v & PIT_RB_CNT(i)))
            continue;
        if (!(v & PIT_RB_STATUS) && !c->status_latched) {
            c->status_latched = true;
            c->latched_status = status(c, now);
        }
        if (!(v & PIT_RB_COUNT))
            latch_count(c, now);
    }
}

/* A control word: the counter stops until a count is written, OUT goes
 * to the mode's initial level ('Write Operations', 'Operation Common to
 * All Modes'). RW = 00 is the counter latch command, SC = 11 read-back
 * (Figure 7). */
static void control(struct pit *p, uint8_t v)
{
    uint64_t now = loop_now(p->loop);
    if ((v & PIT_SEL_READBACK) == PIT_SEL_READBACK) {
        read_back(p, v, now);
        return;
    }
    struct counter *c = &p->c[v >> 6];
    if (RW(v) == 0) {
        latch_count(c, now);
        return;
    }
    c->held = count_now(c, now);
    c->ctrl = v & 0x3f;
    c->mode = mode_of(v);
    if (v & PIT_BCD)
        log_warn_rl(&p->rl, "pit: counter %d set to BCD counting, which is not "
                    "modelled; counting in binary", c->index);
    c->counting = false;
    c->null_count = true;
    c->write_msb = c->read_msb = false;
    c->count_latched = c->status_latched = false;
    timer_del(&c->timer);
}

static void write_count(struct counter *c, uint8_t v)
{
    switch (RW(c->ctrl)) {
    case 1:
        load(c, v);
        break;
    case 2:
        load(c, (uint32_t)v << 8);
        break;
    case 3:
        if (c->write_msb) {
            c->write_msb = false;
            load(c, c->write_lsb | (uint32_t)v << 8);
            break;
        }
        c->write_lsb = v;
        c->write_msb = true;
        if (c->mode == 0) {
            /* 'Mode 0': writing the first byte disables counting; OUT
             * stays low */
            uint64_t now = loop_now(c->pit->loop);
            c->held = count_now(c, now);
            c->counting = false;
            timer_del(&c->timer);
        }
        break;
    default:
        break;          /* no control word yet: the write goes nowhere */
    }
}

/* 'Read Operations': a latched status is read first, then a latched count,
 * each byte in the order RW selects; a latch lasts until fully read. */
static uint8_t read_count(struct counter *c)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->latched_status;
    }
    uint16_t v = c->count_latched ? c->latched_count
                                  : count_now(c, loop_now(c->pit->loop));
    bool msb;
    switch (RW(c->ctrl)) {
    case 2:
        msb = true;
        c->count_latched = false;
        break;
    case 3:
        msb = c->read_msb;
        c->read_msb = !msb;
        if (msb)
            c->count_latched = false;
        break;
    default:
        msb = false;
        c->count_latched = false;
        break;
    }
    return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static uint64_t pit_read(void *opaque, uint64_t off, unsigned size)
{
    struct pit *p = opaque;
    if (off >= 3)
        return 0xff;    /* 'Control Word Register': written only */
    return read_count(&p->c[off]);
}

static void pit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pit *p = opaque;
    if (off >= 3)
        control(p, (uint8_t)val);
    else
        write_count(&p->c[off], (uint8_t)val);
}

static const struct region_ops pit_ops = {
    .read = pit_read,
    .write = pit_write,
    .max_access = 1,
};

/* Power-on: no control word, nothing counts, every output idle. */
void pit_reset(struct pit *p)
{
    for (int i = 0; i < 3; i++) {
        struct counter *c = &p->c[i];
        timer_del(&c->timer);
        struct timer t = c->timer;
        *c = (struct counter){ .pit = p, .index = i, .reload = 0x10000, .timer = t };
    }
}

struct pit *pit_create(struct loop *loop, struct irq_line irq0)
{
    struct pit *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->loop = loop;
    p->irq0 = irq0;
    p->rl = (struct ratelimit)RATELIMIT_INIT;
    for (int i = 0; i < 3; i++)
        timer_init(&p->c[i].timer, loop, out_rose, &p->c[i]);
    pit_reset(p);
    region_init_io(&p->region, "pit", 4, &pit_ops, p);
    return p;
}

void pit_destroy(struct pit *p)
{
    if (!p)
        return;
    for (int i = 0; i < 3; i++)
        timer_del(&p->c[i].timer);
    free(p);
}

struct region *pit_region(struct pit *p)
{
    return &p->region;
}

uint32_t pit_reload(struct pit *p, int ch)
{
    return ch >= 0 && ch < 3 ? p->c[ch].reload : 0;
}

uint64_t pit_irq_count(struct pit *p)
{
    return p->irqs;
}
