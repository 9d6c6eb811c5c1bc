/*
 * The 8259A programmable interrupt controller pair of the PC.
 *
 * Each chip has the request (IRR), in-service (ISR) and mask (IMR)
 * registers. A request reaches the CPU when it is unmasked and outranks
 * everything in service (fully nested mode). The slave's INT output is
 * wired to the master's IR2; IR2 is treated as following that output, so
 * a second slave request behind the first is never lost. Edge-triggered
 * inputs latch IRR on a rising edge; level-triggered ones (ELCR, or LTIM
 * in ICW1) make IRR follow the line.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "contract/platform.h"
#include "core/log.h"
#include "hw/pic.h"

struct chip {
    uint8_t irr, isr, imr;
    uint8_t level;          /* input lines as last driven */
    uint8_t elcr, elcr_mask;
    uint8_t base;           /* ICW2: vector of IR0 */
    uint8_t init_step;      /* 0: operational; 2..4: expecting ICW2..ICW4 */
    bool ltim, single, need_icw4, aeoi, rotate_on_aeoi;
    bool read_isr, poll;
    uint8_t priority_add;   /* lowest-priority rotation */
    struct region region;
    struct pic *pic;
};

struct pic {
    struct chip c[2];       /* master, slave */
    struct region elcr_region;
    void (*intr_changed)(void *opaque);
    void *opaque;
    bool intr;
    struct ratelimit rl;
};

/* Lowest priority number among the bits of mask, 8 when none. */
static int priority(const struct chip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    int p = 0;
    while (!(mask & (1u << ((p + c->priority_add) & 7))))
        p++;
    return p;
}

static bool is_level(const struct chip *c, int irq)
{
    return c->ltim || (c->elcr & (1u << irq));
}

/* The IR line this chip would signal now, or -1. */
static int output(const struct chip *c)
{
    int p = priority(c, c->irr & ~c->imr);
    if (p == 8)
        return -1;
    if (p < priority(c, c->isr))
        return (p + c->priority_add) & 7;
    return -1;
}

static void chip_set_line(struct chip *c, int irq, int lvl)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (is_level(c, irq)) {
        c->irr = lvl ? c->irr | bit : c->irr & ~bit;
    } else if (lvl && !(c->level & bit)) {
        c->irr |= bit;
    }
    c->level = lvl ? c->level | bit : c->level & ~bit;
}

static void update(struct pic *p)
{
    /* cascade: the slave's INT is the master's IR2 level */
    struct chip *m = &p->c[0];
    uint8_t bit = 1u << PIC_CASCADE_IRQ;
    m->irr = output(&p->c[1]) >= 0 ? m->irr | bit : m->irr & ~bit;
    bool intr = output(m) >= 0;
    if (intr && !p->intr && p->intr_changed)
        p->intr_changed(p->opaque);
    p->intr = intr;
}

void pic_set_irq(struct pic *p, int irq, int level)
{
    if (irq < 0 || irq > 15 || irq == PIC_CASCADE_IRQ)
        return;
    chip_set_line(&p->c[irq >> 3], irq & 7, level);
    update(p);
}

static void set_irq_line(void *opaque, int n, int level)
{
    pic_set_irq(opaque, n, level);
}

struct irq_line pic_irq(struct pic *p, int irq)
{
    return (struct irq_line){ set_irq_line, p, irq };
}

bool pic_pending(struct pic *p)
{
    return output(&p->c[0]) >= 0;
}

static void ack_chip(struct chip *c, int irq)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (c->aeoi) {
        if (c->rotate_on_aeoi)
            c->priority_add = (uint8_t)((irq + 1) & 7);
    } else {
        c->isr |= bit;
    }
    if (!is_level(c, irq))
        c->irr &= ~bit;
}

int pic_ack(struct pic *p)
{
    struct chip *m = &p->c[0], *s = &p->c[1];
    int irq = output(m);
    int vector;
    if (irq < 0) {
        vector = m->base + 7;          /* the request went away: spurious */
    } else if (irq == PIC_CASCADE_IRQ) {
        int sirq = output(s);
        ack_chip(m, irq);
        if (sirq < 0) {
            vector = s->base + 7;
        } else {
            ack_chip(s, sirq);
            vector = s->base + sirq;
        }
    } else {
        ack_chip(m, irq);
        vector = m->base + irq;
    }
    update(p);
    return vector;
}

/* OCW2: end of interrupt and priority rotation. */
static void ocw2(struct pic *p, struct chip *c, uint8_t v)
{
    int n = v & 7;
    int highest = priority(c, c->isr);
    int hirq = highest == 8 ? -1 : (highest + c->priority_add) & 7;
    switch (v >> 5) {
    case 0: /* rotate in AEOI mode, clear */
    case 4: /* rotate in AEOI mode, set */
        c->rotate_on_aeoi = v >> 7;
        break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        if (hirq >= 0) {
            c->isr &= (uint8_t)~(1u << hirq);
            if (v >> 7)
                c->priority_add = (uint8_t)((hirq + 1) & 7);
        }
        break;
    case 3: /* specific EOI */
    case 7: /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << n);
        if (v >> 7)
            c->priority_add = (uint8_t)((n + 1) & 7);
        break;
    case 6: /* set priority */
        c->priority_add = (uint8_t)((n + 1) & 7);
        break;
    default: /* 2: no operation */
        break;
    }
    update(p);
}

static void ocw3(struct chip *c, uint8_t v)
{
    if (v & 0x04)
        c->poll = true;
    if (v & 0x02)
        c->read_isr = v & 0x01;
    /* special mask mode (bits 6:5) is not modelled: no PC OS uses it */
}

/* ICW1 starts initialisation: masks, requests in service and modes are
 * cleared; the ELCR (a PIIX register, not the 8259's) is kept. */
static void icw1(struct chip *c, uint8_t v)
{
    c->irr = c->isr = c->imr = 0;
    c->aeoi = c->rotate_on_aeoi = c->read_isr = c->poll = false;
    c->priority_add = 0;
    c->ltim = v & PIC_ICW1_LTIM;
    c->single = v & PIC_ICW1_SINGLE;
    c->need_icw4 = v & PIC_ICW1_ICW4;
    c->init_step = 2;
}

static uint64_t chip_read(void *opaque, uint64_t off, unsigned size)
{
    struct chip *c = opaque;
    struct pic *p = c->pic;
    if (c->poll) {
        /* Poll command: the read acknowledges like an INTA cycle. */
        c->poll = false;
        int irq = output(c);
        if (irq < 0)
            return 0;
        ack_chip(c, irq);
        update(p);
        return 0x80 | (unsigned)irq;
    }
    if (off == 0)
        return c->read_isr ? c->isr : c->irr;
    return c->imr;
}

static void chip_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct chip *c = opaque;
    struct pic *p = c->pic;
    uint8_t v = (uint8_t)val;
    if (off == 0) {
        if (v & PIC_ICW1_INIT)
            icw1(c, v);
        else if (v & PIC_OCW3)
            ocw3(c, v);
        else
            ocw2(p, c, v);
        update(p);
        return;
    }
    switch (c->init_step) {
    case 2:
        c->base = v & 0xf8;
        c->init_step = c->single ? (c->need_icw4 ? 4 : 0) : 3;
        break;
    case 3:
        /* ICW3: the cascade wiring is fixed on a PC; nothing to record. */
        c->init_step = c->need_icw4 ? 4 : 0;
        break;
    case 4:
        c->aeoi = v & PIC_ICW4_AEOI;
        if (!(v & PIC_ICW4_8086))
            log_warn_rl(&p->rl, "pic: ICW4 selects 8080/8085 mode, which a PC cannot use; "
                        "treated as 8086 mode");
        c->init_step = 0;
        break;
    default:
        c->imr = v;         /* OCW1 */
        break;
    }
    update(p);
}

static uint64_t elcr_read(void *opaque, uint64_t off, unsigned size)
{
    struct pic *p = opaque;
    return p->c[off].elcr;
}

static void elcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pic *p = opaque;
    struct chip *c = &p->c[off];
    c->elcr = (uint8_t)val & c->elcr_mask;
    /* an input switched to level takes its current line state */
    for (int i = 0; i < 8; i++)
        if (c->elcr & (1u << i))
            c->irr = (c->level & (1u << i)) ? c->irr | (1u << i) : c->irr & ~(1u << i);
    update(p);
}

static const struct region_ops chip_ops = { chip_read, chip_write, 1 };
static const struct region_ops elcr_ops = { elcr_read, elcr_write, 1 };

void pic_reset(struct pic *p)
{
    for (int i = 0; i < 2; i++) {
        struct chip *c = &p->c[i];
        icw1(c, 0);
        c->init_step = 0;
        c->base = 0;
        c->level = 0;
        c->elcr = 0;
        c->pic = p;
        c->elcr_mask = i == 0 ? 0xf8 : 0xde;   /* IRQ 0-2, 8 and 13 are edge only */
    }
    p->intr = false;
}

struct pic *pic_create(void (*intr_changed)(void *opaque), void *opaque)
{
    struct pic *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->intr_changed = intr_changed;
    p->opaque = opaque;
    p->rl = (struct ratelimit)RATELIMIT_INIT;
    region_init_io(&p->c[0].region, "pic", 2, &chip_ops, &p->c[0]);
    region_init_io(&p->c[1].region, "pic", 2, &chip_ops, &p->c[1]);
    region_init_io(&p->elcr_region, "elcr", 2, &elcr_ops, p);
    pic_reset(p);
    return p;
}

void pic_destroy(struct pic *p)
{
    free(p);
}

struct region *pic_region_master(struct pic *p) { return &p->c[0].region; }
struct region *pic_region_slave(struct pic *p) { return &p->c[1].region; }
struct region *pic_region_elcr(struct pic *p) { return &p->elcr_region; }
