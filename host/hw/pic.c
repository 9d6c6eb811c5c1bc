/*
 * The 8259A programmable interrupt controller pair of the PC.
 *
 * Section names below are those of Intel's 8259A datasheet (order number
 * 231468); the ELCR is the PIIX3's (82371SB datasheet, ELCR1/ELCR2).
 *
 * Each chip has the request (IRR), in-service (ISR) and mask (IMR)
 * registers. A request reaches INT when it is unmasked and outranks
 * everything in service ('Fully Nested Mode'). The slave's INT is wired to
 * the master's IR2 ('Cascade Mode'). Edge-triggered inputs latch IRR on a
 * rising edge; level-triggered ones (PIIX ELCR, or ICW1.LTIM) make IRR
 * follow the line ('Edge and Level Triggered Modes').
 *
 * IR2 on the master latches the slave's INT like any edge input, and is
 * held while INT stays high, so a slave request right behind the one just
 * acknowledged is not lost; a slave request that vanishes after the
 * master latched it comes out as the spurious IRQ 15, as on the chip.
 */
#include <stdbool.h>
#include <stdlib.h>
#include "contract/platform.h"
#include "core/log.h"
#include "hw/pic.h"

#define CASCADE_BIT (1u << PIC_CASCADE_IRQ)

struct chip {
    uint8_t irr, isr, imr;
    uint8_t lines;          /* input levels as last driven */
    uint8_t elcr, elcr_mask;
    uint8_t base;           /* ICW2: the vector of IR0 */
    uint8_t icw_step;       /* 0: operational; 2..4: the ICW the data port expects */
    bool ltim, single, need_icw4;
    bool aeoi, rotate_on_aeoi;
    bool read_isr, poll, special_mask;
    uint8_t priority_add;   /* rotation: the IR with the highest priority */
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

/* Rank of the best bit of mask: 0 is the highest priority, 8 is none.
 * IR(priority_add) ranks first: 0 after ICW1 ('Fully Nested Mode'), moved
 * by 'Automatic Rotation' and 'Specific Rotation'. */
static int priority(const struct chip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    int p = 0;
    while (!(mask & (1u << ((p + c->priority_add) & 7))))
        p++;
    return p;
}

static uint8_t level_inputs(const struct chip *c)
{
    return c->ltim ? 0xff : c->elcr;
}

/* The IR this chip would present at INTA now, or -1. In special mask
 * mode a masked level in service no longer holds lower ones back
 * ('Special Mask Mode'). */
static int output(const struct chip *c)
{
    uint8_t blocking = c->special_mask ? c->isr & ~c->imr : c->isr;
    int p = priority(c, c->irr & ~c->imr);
    return p < priority(c, blocking) ? (p + c->priority_add) & 7 : -1;
}

/* 'Edge and Level Triggered Modes': an edge input requests on the
 * low-to-high transition and may stay high without requesting again; a
 * level input requests while high. */
static void set_line(struct chip *c, int ir, bool high)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (level_inputs(c) & bit)
        c->irr = high ? c->irr | bit : c->irr & ~bit;
    else if (high && !(c->lines & bit))
        c->irr |= bit;      /* rising edge */
    c->lines = high ? c->lines | bit : c->lines & ~bit;
}

static void update(struct pic *p)
{
    struct chip *m = &p->c[0];
    if (output(&p->c[1]) >= 0)
        m->irr |= CASCADE_BIT;
    else if (level_inputs(m) & CASCADE_BIT)
        m->irr &= (uint8_t)~CASCADE_BIT;
    bool intr = output(m) >= 0;
    if (intr && !p->intr && p->intr_changed)
        p->intr_changed(p->opaque);
    p->intr = intr;
}

void pic_set_irq(struct pic *p, int irq, int level)
{
    /* IRQ 2 is the cascade: no device can drive it */
    if (irq < 0 || irq > 15 || irq == PIC_CASCADE_IRQ)
        return;
    set_line(&p->c[irq >> 3], irq & 7, level);
    update(p);
}

static void irq_line_set(void *opaque, int n, int level)
{
    pic_set_irq(opaque, n, level);
}

struct irq_line pic_irq(struct pic *p, int irq)
{
    return (struct irq_line){ irq_line_set, p, irq };
}

bool pic_pending(struct pic *p)
{
    return output(&p->c[0]) >= 0;
}

/* The chip's side of INTA: the request moves to in-service, or with
 * AEOI the EOI happens at once ('Automatic End of Interrupt (AEOI)
 * Mode'), rotating if 'rotate in AEOI mode' is set. */
static void ack_chip(struct chip *c, int ir)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (c->aeoi) {
        if (c->rotate_on_aeoi)
            c->priority_add = (uint8_t)((ir + 1) & 7);
    } else {
        c->isr |= bit;
    }
    if (!(level_inputs(c) & bit))
        c->irr &= (uint8_t)~bit;
}

int pic_ack(struct pic *p)
{
    struct chip *m = &p->c[0], *s = &p->c[1];
    int ir = output(m), vector;
    if (ir < 0) {
        /* the request went away before INTA: a default IR7, which sets no
         * ISR bit ('Edge and Level Triggered Modes') */
        vector = m->base + 7;
    } else if (ir == PIC_CASCADE_IRQ) {
        ack_chip(m, ir);
        int sir = output(s);
        if (sir < 0) {
            vector = s->base + 7;
        } else {
            ack_chip(s, sir);
            vector = s->base + sir;
        }
    } else {
        ack_chip(m, ir);
        vector = m->base + ir;
    }
    update(p);
    return vector;
}

/* OCW2: end of interrupt and priority rotation (R, SL, EOI; L2-L0),
 * encoded as in Figure 8, 'Operation Command Word Format'. A non-specific
 * EOI resets the highest IS bit; in special mask mode an IS bit masked in
 * IMR is not cleared by it ('End of Interrupt (EOI)'). That it clears the
 * highest unmasked one instead is inferred (the datasheet advises a
 * specific EOI there): it is the one the chip treats as serviced. */
static void ocw2(struct chip *c, uint8_t v)
{
    int n = v & 7;
    int top = priority(c, c->special_mask ? c->isr & ~c->imr : c->isr);
    int in_service = top == 8 ? -1 : (top + c->priority_add) & 7;
    bool rotate = v & PIC_OCW2_R;
    switch (v & (PIC_OCW2_SL | PIC_OCW2_EOI)) {
    case PIC_OCW2_EOI:                      /* non-specific */
        if (in_service < 0)
            break;
        c->isr &= (uint8_t)~(1u << in_service);
        if (rotate)
            c->priority_add = (uint8_t)((in_service + 1) & 7);
        break;
    case PIC_OCW2_SL | PIC_OCW2_EOI:        /* specific */
        c->isr &= (uint8_t)~(1u << n);
        if (rotate)
            c->priority_add = (uint8_t)((n + 1) & 7);
        break;
    case PIC_OCW2_SL:                       /* set priority (R set), or no-op */
        if (rotate)
            c->priority_add = (uint8_t)((n + 1) & 7);
        break;
    default:                                /* rotate in AEOI mode: set/clear */
        c->rotate_on_aeoi = rotate;
        break;
    }
}

/* OCW3: the register a command-port read returns ('Reading the 8259A
 * Status': RR with RIS), poll ('Poll Command'), and special mask mode,
 * which ESMM enables SMM to set or reset ('Special Mask Mode'). */
static void ocw3(struct chip *c, uint8_t v)
{
    if (v & PIC_OCW3_RR)
        c->read_isr = v & PIC_OCW3_RIS;
    if (v & PIC_OCW3_POLL)
        c->poll = true;
    if (v & PIC_OCW3_ESMM)
        c->special_mask = v & PIC_OCW3_SMM;
}

/* ICW1 starts initialisation ('Initialization Command Words (ICWs)',
 * a-f): the edge sense is reset, so a line already high must fall and
 * rise again to request; IMR is cleared; IR7 gets the lowest priority;
 * special mask mode ends and reads return IRR; ICW4's functions are zero
 * until ICW4 says otherwise. ISR, which that list does not name, is
 * cleared too, as on a reset: nothing is in service under the new
 * vectors. The ELCR is a PIIX register and is kept. */
static void icw1(struct chip *c, uint8_t v)
{
    c->ltim = v & PIC_ICW1_LTIM;
    c->single = v & PIC_ICW1_SINGLE;
    c->need_icw4 = v & PIC_ICW1_ICW4;
    c->irr = c->lines & level_inputs(c);
    c->isr = c->imr = 0;
    c->aeoi = c->rotate_on_aeoi = false;
    c->read_isr = c->poll = c->special_mask = false;
    c->priority_add = 0;
    c->icw_step = 2;
}

static void icw4(struct pic *p, struct chip *c, uint8_t v)
{
    c->aeoi = v & PIC_ICW4_AEOI;
    if (!(v & PIC_ICW4_8086))
        log_warn_rl(&p->rl, "pic: ICW4 selects MCS-80/85 mode, which a PC cannot "
                    "use; treated as 8086 mode");
    /* 'The Special Fully Nest Mode': a slave in service would not lock
     * out its own higher requests on the master */
    if (v & PIC_ICW4_SFNM)
        log_warn_rl(&p->rl, "pic: ICW4 special fully nested mode is not modelled; "
                    "using fully nested mode");
}

/* The data port takes ICW2-ICW4 during initialisation, OCW1 after:
 * ICW3 only in cascade mode (SNGL = 0), ICW4 only if ICW1's IC4 asked
 * for it ('Initialization Command Words (ICWs)'). */
static void write_data(struct pic *p, struct chip *c, uint8_t v)
{
    switch (c->icw_step) {
    case 2:
        c->base = v & 0xf8;
        c->icw_step = !c->single ? 3 : c->need_icw4 ? 4 : 0;
        break;
    case 3:
        /* the cascade wiring of a PC is fixed: nothing to record */
        c->icw_step = c->need_icw4 ? 4 : 0;
        break;
    case 4:
        icw4(p, c, v);
        c->icw_step = 0;
        break;
    default:
        c->imr = v;
        break;
    }
}

/* 'Poll Command': the next read is an acknowledge that sets the IS bit
 * of the highest request and returns 0x80 | IR (I, W2-W0), or 0 when
 * nothing is pending. */
static uint8_t poll(struct pic *p, struct chip *c)
{
    c->poll = false;
    int ir = output(c);
    if (ir < 0)
        return 0;
    ack_chip(c, ir);
    update(p);
    return (uint8_t)(0x80 | ir);
}

/* 'Reading the 8259A Status': A0 = 1 reads IMR with no OCW3 needed;
 * A0 = 0 reads IRR or ISR as the last OCW3 chose. */
static uint64_t chip_read(void *opaque, uint64_t off, unsigned size)
{
    struct chip *c = opaque;
    if (c->poll)
        return poll(c->pic, c);
    if (off)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

/* A0 = 0 with D4 set is ICW1; with D4 clear, D3 tells OCW3 from OCW2
 * (Figure 8). */
static void chip_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct chip *c = opaque;
    struct pic *p = c->pic;
    uint8_t v = (uint8_t)val;
    if (off)
        write_data(p, c, v);
    else if (v & PIC_ICW1_INIT)
        icw1(c, v);
    else if (v & PIC_OCW3)
        ocw3(c, v);
    else
        ocw2(c, v);
    update(p);
}

static uint64_t elcr_read(void *opaque, uint64_t off, unsigned size)
{
    struct pic *p = opaque;
    return p->c[off & 1].elcr;
}

/* An input switched to level takes its line's state into IRR at once. */
static void elcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pic *p = opaque;
    struct chip *c = &p->c[off & 1];
    c->elcr = (uint8_t)val & c->elcr_mask;
    uint8_t level = level_inputs(c);
    c->irr = (uint8_t)((c->irr & ~level) | (c->lines & level));
    update(p);
}

static const struct region_ops chip_ops = {
    .read = chip_read,
    .write = chip_write,
    .max_access = 1,
};

static const struct region_ops elcr_ops = {
    .read = elcr_read,
    .write = elcr_write,
    .max_access = 1,
};

void pic_reset(struct pic *p)
{
    for (int i = 0; i < 2; i++) {
        struct chip *c = &p->c[i];
        c->pic = p;
        c->lines = c->elcr = c->base = 0;
        /* PIIX3 ELCR1/ELCR2: IRQ 0, 1, 2, 8 and 13 are edge only, their
         * bits reserved */
        c->elcr_mask = i == 0 ? 0xf8 : 0xde;
        icw1(c, 0);
        c->icw_step = 0;
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
    /* QEMU's `info mtree` calls both chips "pic" */
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
