/*
 * The 8254 programmable interval timer: three 16-bit down-counters on a
 * 1.193182 MHz clock. Nothing ticks here: a counter remembers when it was
 * loaded, and its count and output are computed from the loop's clock
 * when someone looks. Counter 0's output rises once per period in modes 2
 * and 3 (and once at terminal count in modes 0 and 4); each rising edge
 * is an IRQ 0 pulse, delivered by a timer armed at the next edge.
 *
 * When the host falls behind by several periods, one edge is delivered
 * and the next is armed on the original period grid: the guest sees a
 * tick missing rather than a burst, and the rate does not drift.
 */
#include <stdbool.h>
#include <stdlib.h>
#include "contract/platform.h"
#include "core/log.h"
#include "hw/pit.h"

#define NS 1000000000ull

struct pit;

struct counter {
    struct pit *pit;
    int index;
    uint8_t mode, rw, bcd;
    uint32_t reload;        /* 1..65536 */
    bool counting;
    uint64_t load_time;     /* ns on the loop's clock */
    bool write_msb;         /* LSB-then-MSB: the next write is the MSB */
    uint8_t lsb;
    bool read_msb;          /* LSB-then-MSB: the next read is the MSB */
    bool count_latched, status_latched;
    uint16_t latched_count;
    uint8_t latched_status;
    bool read_latched_msb;
    bool null_count;
    struct timer timer;     /* counter 0: the next output edge */
};

struct pit {
    struct loop *loop;
    struct irq_line irq0;
    struct counter c[3];
    uint64_t irqs;
    struct region region;
    struct ratelimit rl;
};

static uint64_t ticks_since(const struct counter *c, uint64_t now)
{
    uint64_t ns = now > c->load_time ? now - c->load_time : 0;
    return (uint64_t)((unsigned __int128)ns * PIT_HZ / NS);
}

/* ns on the loop's clock when the counter reaches `ticks` after loading */
static uint64_t time_of_tick(const struct counter *c, uint64_t ticks)
{
    return c->load_time + (uint64_t)(((unsigned __int128)ticks * NS + PIT_HZ - 1) / PIT_HZ);
}

static bool periodic(uint8_t mode)
{
    return mode == 2 || mode == 3;
}

static uint16_t count_now(const struct counter *c, uint64_t now)
{
    if (!c->counting)
        return (uint16_t)c->reload;
    uint64_t t = ticks_since(c, now);
    uint32_t r = c->reload;
    switch (c->mode) {
    case 2:
        return (uint16_t)(r - t % r);
    case 3: {
        /* counts down by two, each half period */
        uint64_t half = (r + 1) / 2, in = t % r;
        uint64_t left = in < half ? r - 2 * in : r - 2 * (in - half);
        return (uint16_t)(left & 0xfffe ? left & 0xfffe : left);
    }
    default:            /* 0, 1, 4, 5: one pass, then wraps on */
        return (uint16_t)(r - t);
    }
}

static bool output_now(const struct counter *c, uint64_t now)
{
    if (!c->counting)
        return c->mode != 0;
    uint64_t t = ticks_since(c, now);
    switch (c->mode) {
    case 0:
        return t >= c->reload;
    case 2:
        return t % c->reload != c->reload - 1;
    case 3:
        return t % c->reload < (c->reload + 1) / 2;
    case 4:
        return t != c->reload;
    default:
        return true;
    }
}

static void arm(struct counter *c, uint64_t now)
{
    if (c->index != 0 || !c->counting) {
        timer_del(&c->timer);
        return;
    }
    uint64_t t = ticks_since(c, now);
    uint64_t edge;
    if (periodic(c->mode)) {
        edge = (t / c->reload + 1) * c->reload;
    } else if (c->mode == 0 || c->mode == 4) {
        if (t >= c->reload) {
            timer_del(&c->timer);      /* one-shot already fired */
            return;
        }
        edge = c->reload;
    } else {
        timer_del(&c->timer);          /* modes 1 and 5 wait for a gate edge */
        return;
    }
    timer_mod(&c->timer, time_of_tick(c, edge));
}

static void edge(void *opaque)
{
    struct counter *c = opaque;
    struct pit *p = c->pit;
    p->irqs++;
    irq_pulse(&p->irq0);
    arm(c, loop_now(p->loop));
}

static void load(struct counter *c, uint32_t value)
{
    struct pit *p = c->pit;
    c->reload = value ? value : 0x10000;
    if (periodic(c->mode) && c->reload == 1) {
        log_warn_rl(&p->rl, "pit: counter %d loaded with 1 in mode %d, which the 8254 "
                    "does not allow; using 2", c->index, c->mode);
        c->reload = 2;
    }
    c->counting = true;
    c->null_count = false;
    c->load_time = loop_now(p->loop);
    arm(c, c->load_time);
}

static uint8_t status(const struct counter *c, uint64_t now)
{
    return (uint8_t)((output_now(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
                     c->rw << 4 | c->mode << 1 | c->bcd);
}

static void latch_count(struct counter *c, uint64_t now)
{
    if (c->count_latched)
        return;         /* a second latch before the read is ignored */
    c->count_latched = true;
    c->read_latched_msb = false;
    c->latched_count = count_now(c, now);
}

static void control(struct pit *p, uint8_t v)
{
    uint64_t now = loop_now(p->loop);
    unsigned sel = v >> 6;
    if (sel == 3) {     /* read-back: bits 3:1 select counters 2..0 */
        for (int i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            struct counter *c = &p->c[i];
            if (!(v & 0x10) && !c->status_latched) {
                c->status_latched = true;
                c->latched_status = status(c, now);
            }
            if (!(v & 0x20))
                latch_count(c, now);
        }
        return;
    }
    struct counter *c = &p->c[sel];
    unsigned rw = (v >> 4) & 3;
    if (rw == 0) {
        latch_count(c, now);
        return;
    }
    c->rw = (uint8_t)rw;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;   /* 6 and 7 are 2 and 3 */
    c->bcd = v & PIT_BCD;
    if (c->bcd)
        log_warn_rl(&p->rl, "pit: counter %d set to BCD counting, not modelled; "
                    "counting in binary", c->index);
    c->counting = false;
    c->null_count = true;
    c->write_msb = c->read_msb = false;
    c->count_latched = c->status_latched = false;
    timer_del(&c->timer);
}

static void write_count(struct counter *c, uint8_t v)
{
    switch (c->rw) {
    case 1:
        load(c, v);
        break;
    case 2:
        load(c, (uint32_t)v << 8);
        break;
    case 3:
        if (!c->write_msb) {
            c->lsb = v;
            c->write_msb = true;
            if (c->mode == 0) {         /* the first byte stops mode 0 */
                c->counting = false;
                timer_del(&c->timer);
            }
        } else {
            c->write_msb = false;
            load(c, c->lsb | (uint32_t)v << 8);
        }
        break;
    default:
        break;          /* never programmed: the write goes nowhere */
    }
}

static uint8_t read_count(struct counter *c)
{
    uint64_t now = loop_now(c->pit->loop);
    if (c->status_latched) {
        c->status_latched = false;
        return c->latched_status;
    }
    uint16_t v;
    bool msb;
    if (c->count_latched) {
        v = c->latched_count;
        if (c->rw == 3) {
            msb = c->read_latched_msb;
            c->read_latched_msb = !msb;
            if (msb)
                c->count_latched = false;
        } else {
            msb = c->rw == 2;
            c->count_latched = false;
        }
    } else {
        v = count_now(c, now);
        if (c->rw == 3) {
            msb = c->read_msb;
            c->read_msb = !msb;
        } else {
            msb = c->rw == 2;
        }
    }
    return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static uint64_t pit_read(void *opaque, uint64_t off, unsigned size)
{
    struct pit *p = opaque;
    if (off == 3)
        return 0xff;    /* the control word register is write-only */
    return read_count(&p->c[off]);
}

static void pit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pit *p = opaque;
    if (off == 3)
        control(p, (uint8_t)val);
    else
        write_count(&p->c[off], (uint8_t)val);
}

static const struct region_ops pit_ops = { pit_read, pit_write, 1 };

void pit_reset(struct pit *p)
{
    for (int i = 0; i < 3; i++) {
        struct counter *c = &p->c[i];
        timer_del(&c->timer);
        *c = (struct counter){ .pit = p, .index = i, .reload = 0x10000, .timer = c->timer };
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
        timer_init(&p->c[i].timer, loop, edge, &p->c[i]);
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
