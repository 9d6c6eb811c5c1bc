/* The 8259A pair: initialisation, masking, priority, cascade, EOI,
 * edge and level triggering, spurious interrupts, the INTR callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "core/log.h"
#include "hw/pic.h"
#include "io_rig.h"

struct rig {
    struct pic *p;
    struct region io;
    struct address_space as;
    int raised;
    int warnings;
    char last_warning[256];
};

static void raised(void *opaque)
{
    ((struct rig *)opaque)->raised++;
}

static void wr(struct rig *r, uint16_t port, uint8_t v) { as_write(&r->as, port, v, 1); }
static uint8_t rd(struct rig *r, uint16_t port) { return (uint8_t)as_read(&r->as, port, 1); }

static uint8_t reg(struct rig *r, uint16_t cmd, uint8_t ocw3)
{
    wr(r, cmd, ocw3);
    return rd(r, cmd);
}
#define ISR(r, cmd) reg(r, cmd, PIC_OCW3_READ_ISR)
#define IRR(r, cmd) reg(r, cmd, PIC_OCW3_READ_IRR)

/* The sequence Linux and our guest use, every line unmasked after. */
static void init_pc(struct rig *r)
{
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    wr(r, PIC2_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    wr(r, PIC1_DATA, 0x20);
    wr(r, PIC2_DATA, 0x28);
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    wr(r, PIC2_DATA, PIC_CASCADE_IRQ);
    wr(r, PIC1_DATA, PIC_ICW4_8086);
    wr(r, PIC2_DATA, PIC_ICW4_8086);
    wr(r, PIC1_DATA, 0x00);
    wr(r, PIC2_DATA, 0x00);
}

static void eoi(struct rig *r, int irq)
{
    if (irq >= 8)
        wr(r, PIC2_CMD, PIC_OCW2_EOI);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
}

static void capture(void *opaque, const char *line)
{
    struct rig *r = opaque;
    r->warnings++;
    strncpy(r->last_warning, line, sizeof r->last_warning - 1);
}

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    r.p = pic_create(raised, &r);
    assert_non_null(r.p);
    io_rig_ports(&r.io, &r.as, pic_region_master(r.p), PIC1_CMD);
    region_add(&r.io, pic_region_slave(r.p), PIC2_CMD, 0);
    region_add(&r.io, pic_region_elcr(r.p), PIC_ELCR1, 0);
    log_capture(capture, &r);
    init_pc(&r);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    log_capture(NULL, NULL);
    pic_destroy(((struct rig *)*state)->p);
    return 0;
}

static void init_sequence(void **state)
{
    struct rig *r = *state;
    assert_int_equal(r->warnings, 0);
    /* the ICW bytes went to ICW2-4, not to the masks */
    assert_int_equal(rd(r, PIC1_DATA), 0);
    assert_int_equal(rd(r, PIC2_DATA), 0);
    assert_false(pic_pending(r->p));
    /* every line comes out at the remapped vector */
    for (int irq = 0; irq < 16; irq++) {
        if (irq == PIC_CASCADE_IRQ)
            continue;
        pic_set_irq(r->p, irq, 1);
        assert_true(pic_pending(r->p));
        assert_int_equal(pic_ack(r->p), (irq < 8 ? 0x20 : 0x28) + (irq & 7));
        eoi(r, irq);
        pic_set_irq(r->p, irq, 0);
        assert_false(pic_pending(r->p));
    }
    /* ICW1 clears the mask register; OCW1 after the ICWs sets it */
    wr(r, PIC1_DATA, 0xfb);
    assert_int_equal(rd(r, PIC1_DATA), 0xfb);
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    assert_int_equal(rd(r, PIC1_DATA), 0);
    wr(r, PIC1_DATA, 0x40);
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    wr(r, PIC1_DATA, PIC_ICW4_8086);
    assert_int_equal(rd(r, PIC1_DATA), 0);
    pic_set_irq(r->p, 3, 1);
    assert_int_equal(pic_ack(r->p), 0x43);
    /* ICW2's low three bits are not part of the base */
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    wr(r, PIC1_DATA, 0x57);
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    wr(r, PIC1_DATA, PIC_ICW4_8086);
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x51);
}

static void init_single_without_icw4(void **state)
{
    struct rig *r = *state;
    /* single mode skips ICW3, no IC4 skips ICW4: the next byte is OCW1 */
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_SINGLE);
    wr(r, PIC1_DATA, 0x30);
    wr(r, PIC1_DATA, 0x01);
    assert_int_equal(rd(r, PIC1_DATA), 0x01);
    pic_set_irq(r->p, 0, 1);
    assert_false(pic_pending(r->p));
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x31);
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4 | PIC_ICW1_SINGLE);
    wr(r, PIC1_DATA, 0x30);
    wr(r, PIC1_DATA, PIC_ICW4_8086);
    wr(r, PIC1_DATA, 0x7f);
    assert_int_equal(rd(r, PIC1_DATA), 0x7f);
}

static void icw4_modes_we_do_not_model_warn(void **state)
{
    struct rig *r = *state;
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    wr(r, PIC1_DATA, 0x20);
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    wr(r, PIC1_DATA, 0);                        /* MCS-80/85 mode */
    assert_int_equal(r->warnings, 1);
    assert_non_null(strstr(r->last_warning, "MCS-80/85"));
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    wr(r, PIC1_DATA, 0x20);
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    wr(r, PIC1_DATA, PIC_ICW4_8086 | PIC_ICW4_SFNM);
    assert_int_equal(r->warnings, 2);
    assert_non_null(strstr(r->last_warning, "special fully nested"));
    /* and the chip still works in 8086 mode */
    pic_set_irq(r->p, 6, 1);
    assert_int_equal(pic_ack(r->p), 0x26);
}

static void masking(void **state)
{
    struct rig *r = *state;
    wr(r, PIC1_DATA, 0x01);
    assert_int_equal(rd(r, PIC1_DATA), 0x01);
    pic_set_irq(r->p, 0, 1);
    assert_false(pic_pending(r->p));
    assert_int_equal(IRR(r, PIC1_CMD), 0x01);  /* requested even though masked */
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x21);      /* the unmasked one gets through */
    eoi(r, 1);
    wr(r, PIC1_DATA, 0x00);                     /* the latched request shows up */
    assert_true(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x20);
    eoi(r, 0);
    /* the slave's own mask */
    wr(r, PIC2_DATA, 1u << (14 - 8));
    assert_int_equal(rd(r, PIC2_DATA), 1u << (14 - 8));
    pic_set_irq(r->p, 14, 1);
    assert_false(pic_pending(r->p));
    wr(r, PIC2_DATA, 0);
    assert_int_equal(pic_ack(r->p), 0x2e);
}

static void priority_and_nesting(void **state)
{
    struct rig *r = *state;
    pic_set_irq(r->p, 4, 1);
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x21);      /* lower number, higher priority */
    assert_false(pic_pending(r->p));            /* IRQ 4 waits behind IRQ 1 */
    pic_set_irq(r->p, 0, 1);
    assert_true(pic_pending(r->p));             /* but IRQ 0 outranks it */
    assert_int_equal(pic_ack(r->p), 0x20);
    assert_int_equal(ISR(r, PIC1_CMD), 0x03);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);              /* ends IRQ 0, the highest in service */
    assert_int_equal(ISR(r, PIC1_CMD), 0x02);
    assert_false(pic_pending(r->p));
    wr(r, PIC1_CMD, PIC_OCW2_EOI);              /* ends IRQ 1 */
    assert_int_equal(pic_ack(r->p), 0x24);
    /* slave lines rank where IRQ 2 does: above 3-7, below 0-1 */
    pic_set_irq(r->p, 5, 1);
    pic_set_irq(r->p, 15, 1);
    pic_set_irq(r->p, 3, 1);
    eoi(r, 4);
    assert_int_equal(pic_ack(r->p), 0x2f);
    pic_set_irq(r->p, 1, 0);
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x21);
    eoi(r, 1);
    eoi(r, 15);
    assert_int_equal(pic_ack(r->p), 0x23);
    eoi(r, 3);
    assert_int_equal(pic_ack(r->p), 0x25);
}

static void eoi_commands(void **state)
{
    struct rig *r = *state;
    pic_set_irq(r->p, 3, 1);
    pic_set_irq(r->p, 5, 1);
    assert_int_equal(pic_ack(r->p), 0x23);
    assert_int_equal(ISR(r, PIC1_CMD), 0x08);
    /* a specific EOI for another level leaves this one in service */
    wr(r, PIC1_CMD, PIC_OCW2_EOI | PIC_OCW2_SL | 5);
    assert_int_equal(ISR(r, PIC1_CMD), 0x08);
    assert_false(pic_pending(r->p));
    wr(r, PIC1_CMD, PIC_OCW2_EOI | PIC_OCW2_SL | 3);
    assert_int_equal(ISR(r, PIC1_CMD), 0x00);
    assert_int_equal(pic_ack(r->p), 0x25);
    /* a non-specific EOI with nothing in service does nothing */
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_int_equal(ISR(r, PIC1_CMD), 0x00);
    /* the no-operation OCW2 */
    pic_set_irq(r->p, 6, 1);
    assert_int_equal(pic_ack(r->p), 0x26);
    wr(r, PIC1_CMD, PIC_OCW2_SL);
    assert_int_equal(ISR(r, PIC1_CMD), 0x40);
}

static void rotation(void **state)
{
    struct rig *r = *state;
    /* rotate on non-specific EOI: the level just ended becomes the lowest */
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x21);
    wr(r, PIC1_CMD, PIC_OCW2_R | PIC_OCW2_EOI);
    pic_set_irq(r->p, 0, 1);
    pic_set_irq(r->p, 3, 1);
    assert_int_equal(pic_ack(r->p), 0x23);      /* order is now 2..7, 0, 1 */
    /* set priority: IR 3 lowest, so IR 4 highest */
    wr(r, PIC1_CMD, PIC_OCW2_R | PIC_OCW2_SL | 3);
    wr(r, PIC1_CMD, PIC_OCW2_EOI | PIC_OCW2_SL | 3);
    pic_set_irq(r->p, 3, 0);
    pic_set_irq(r->p, 3, 1);
    pic_set_irq(r->p, 4, 1);
    assert_int_equal(pic_ack(r->p), 0x24);
    /* ICW1 restores the fixed order */
    init_pc(r);
    pic_set_irq(r->p, 7, 1);
    pic_set_irq(r->p, 0, 0);
    pic_set_irq(r->p, 0, 1);
    assert_int_equal(pic_ack(r->p), 0x20);
}

static void cascade(void **state)
{
    struct rig *r = *state;
    pic_set_irq(r->p, 11, 1);
    assert_true(pic_pending(r->p));
    assert_int_equal(IRR(r, PIC1_CMD), 1u << PIC_CASCADE_IRQ);
    assert_int_equal(pic_ack(r->p), 0x2b);
    assert_int_equal(ISR(r, PIC2_CMD), 0x08);
    assert_int_equal(ISR(r, PIC1_CMD), 0x04);   /* the cascade line in service */
    /* a second slave request waits until both EOIs */
    pic_set_irq(r->p, 9, 1);
    assert_false(pic_pending(r->p));
    wr(r, PIC2_CMD, PIC_OCW2_EOI);
    assert_false(pic_pending(r->p));            /* the master still has IR2 in service */
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_true(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x29);
    eoi(r, 9);
    /* masking the slave line on the master blocks every slave IRQ */
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    pic_set_irq(r->p, 12, 1);
    assert_false(pic_pending(r->p));
    wr(r, PIC1_DATA, 0);
    assert_int_equal(pic_ack(r->p), 0x2c);
    eoi(r, 12);
    /* IRQ 2 itself is no device's line */
    pic_set_irq(r->p, 2, 1);
    assert_false(pic_pending(r->p));
}

static void edge_triggering(void **state)
{
    struct rig *r = *state;
    /* a line held high gives one interrupt */
    pic_set_irq(r->p, 5, 1);
    assert_int_equal(pic_ack(r->p), 0x25);
    eoi(r, 5);
    assert_false(pic_pending(r->p));
    pic_set_irq(r->p, 5, 1);                    /* no edge: nothing new */
    assert_false(pic_pending(r->p));
    pic_set_irq(r->p, 5, 0);
    pic_set_irq(r->p, 5, 1);                    /* a new rising edge */
    assert_int_equal(pic_ack(r->p), 0x25);
    eoi(r, 5);
    /* a pulse is latched even though the line is low again */
    pic_set_irq(r->p, 6, 1);
    pic_set_irq(r->p, 6, 0);
    assert_int_equal(pic_ack(r->p), 0x26);
    eoi(r, 6);
    /* through the irq_line a device holds */
    struct irq_line line = pic_irq(r->p, 10);
    irq_pulse(&line);
    assert_int_equal(pic_ack(r->p), 0x2a);
}

static void level_triggering(void **state)
{
    struct rig *r = *state;
    wr(r, PIC_ELCR2, 1u << (11 - 8));
    assert_int_equal(rd(r, PIC_ELCR2), 1u << (11 - 8));
    assert_int_equal(rd(r, PIC_ELCR1), 0);
    pic_set_irq(r->p, 11, 1);
    assert_int_equal(pic_ack(r->p), 0x2b);
    eoi(r, 11);
    /* a line still high after EOI interrupts again */
    assert_true(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x2b);
    pic_set_irq(r->p, 11, 0);
    eoi(r, 11);
    assert_false(pic_pending(r->p));
    /* a pulse on a level input is gone when the line is */
    pic_set_irq(r->p, 11, 1);
    pic_set_irq(r->p, 11, 0);
    assert_int_equal(IRR(r, PIC2_CMD), 0);
    /* though the master latched the slave's INT meanwhile: spurious 15 */
    assert_int_equal(pic_ack(r->p), 0x2f);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_false(pic_pending(r->p));
    /* switching an input to level takes the line state as it is */
    pic_set_irq(r->p, 5, 1);
    assert_int_equal(pic_ack(r->p), 0x25);
    eoi(r, 5);
    wr(r, PIC_ELCR1, 1u << 5);
    assert_int_equal(pic_ack(r->p), 0x25);
    eoi(r, 5);
    /* IRQs 0-2, 8 and 13 cannot be level-triggered on the PIIX */
    wr(r, PIC_ELCR1, 0xff);
    assert_int_equal(rd(r, PIC_ELCR1), 0xf8);
    wr(r, PIC_ELCR2, 0xff);
    assert_int_equal(rd(r, PIC_ELCR2), 0xde);
    pic_set_irq(r->p, 0, 1);
    assert_int_equal(pic_ack(r->p), 0x20);
    eoi(r, 0);
    assert_int_equal(IRR(r, PIC1_CMD) & 1, 0);  /* IRQ 0 stayed edge */
    /* the ELCR is not the 8259's: ICW1 keeps it, and a level line
     * high across initialisation is still a request after it */
    pic_set_irq(r->p, 11, 1);
    init_pc(r);
    assert_int_equal(rd(r, PIC_ELCR1), 0xf8);
    assert_int_equal(rd(r, PIC_ELCR2), 0xde);
    assert_int_equal(IRR(r, PIC2_CMD), 1u << (11 - 8));
    assert_int_equal(pic_ack(r->p), 0x2b);
}

static void ltim_makes_every_input_level(void **state)
{
    struct rig *r = *state;
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4 | PIC_ICW1_LTIM);
    wr(r, PIC1_DATA, 0x20);
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    wr(r, PIC1_DATA, PIC_ICW4_8086);
    pic_set_irq(r->p, 0, 1);
    assert_int_equal(pic_ack(r->p), 0x20);
    eoi(r, 0);
    assert_int_equal(pic_ack(r->p), 0x20);      /* still high: again */
    eoi(r, 0);
    pic_set_irq(r->p, 0, 0);
    assert_false(pic_pending(r->p));
    /* IR2 too follows the slave's INT: a request gone is no request */
    wr(r, PIC2_DATA, 1u << (10 - 8));
    pic_set_irq(r->p, 10, 1);
    assert_false(pic_pending(r->p));
    wr(r, PIC2_DATA, 0);
    assert_true(pic_pending(r->p));
    wr(r, PIC2_DATA, 1u << (10 - 8));
    assert_false(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x27);
}

static void spurious_irq7(void **state)
{
    struct rig *r = *state;
    assert_int_equal(pic_ack(r->p), 0x27);      /* nothing pending */
    assert_int_equal(ISR(r, PIC1_CMD), 0);      /* and not in service */
    /* a level request that goes away before the acknowledge */
    wr(r, PIC_ELCR1, 1u << 5);
    pic_set_irq(r->p, 5, 1);
    assert_true(pic_pending(r->p));
    pic_set_irq(r->p, 5, 0);
    assert_int_equal(pic_ack(r->p), 0x27);
    assert_int_equal(ISR(r, PIC1_CMD), 0);
    /* a request masked between the check and the acknowledge */
    pic_set_irq(r->p, 4, 1);
    assert_true(pic_pending(r->p));
    wr(r, PIC1_DATA, 1u << 4);
    assert_int_equal(pic_ack(r->p), 0x27);
    /* a real IRQ 7 is in service */
    wr(r, PIC1_DATA, 0);
    assert_int_equal(pic_ack(r->p), 0x24);
    pic_set_irq(r->p, 7, 1);
    eoi(r, 4);
    assert_int_equal(pic_ack(r->p), 0x27);
    assert_int_equal(ISR(r, PIC1_CMD), 0x80);
}

static void spurious_irq15(void **state)
{
    struct rig *r = *state;
    /* the master latched the slave's INT; the slave's request then went */
    wr(r, PIC_ELCR2, 1u << (10 - 8));
    pic_set_irq(r->p, 10, 1);
    assert_true(pic_pending(r->p));
    pic_set_irq(r->p, 10, 0);
    assert_true(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x2f);
    assert_int_equal(ISR(r, PIC2_CMD), 0);      /* the slave has nothing in service */
    assert_int_equal(ISR(r, PIC1_CMD), 0x04);   /* the master does: it wants its EOI */
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_int_equal(ISR(r, PIC1_CMD), 0);
    assert_false(pic_pending(r->p));
}

static void read_irr_isr_and_poll(void **state)
{
    struct rig *r = *state;
    wr(r, PIC1_DATA, 0xff);
    pic_set_irq(r->p, 6, 1);
    pic_set_irq(r->p, 3, 1);
    assert_int_equal(IRR(r, PIC1_CMD), 0x48);
    assert_int_equal(rd(r, PIC1_CMD), 0x48);    /* the choice sticks */
    assert_int_equal(ISR(r, PIC1_CMD), 0x00);
    wr(r, PIC1_DATA, 1u << 3);
    assert_int_equal(pic_ack(r->p), 0x26);
    assert_int_equal(rd(r, PIC1_CMD), 0x40);    /* still reading ISR */
    assert_int_equal(IRR(r, PIC1_CMD), 0x08);
    /* OCW3 without RR leaves the choice alone */
    assert_int_equal(ISR(r, PIC1_CMD), 0x40);
    wr(r, PIC1_CMD, PIC_OCW3);
    assert_int_equal(rd(r, PIC1_CMD), 0x40);
    /* poll: the read acknowledges the highest request */
    eoi(r, 6);
    wr(r, PIC1_DATA, 0);
    wr(r, PIC1_CMD, PIC_OCW3 | PIC_OCW3_POLL);
    assert_int_equal(rd(r, PIC1_CMD), 0x83);
    assert_int_equal(ISR(r, PIC1_CMD), 0x08);
    eoi(r, 3);
    wr(r, PIC1_DATA, 0x80);
    wr(r, PIC1_CMD, PIC_OCW3 | PIC_OCW3_POLL);
    assert_int_equal(rd(r, PIC1_DATA), 0);      /* nothing pending */
    assert_int_equal(rd(r, PIC1_DATA), 0x80);   /* and the poll is over: IMR */
}

static void special_mask_mode(void **state)
{
    struct rig *r = *state;
    pic_set_irq(r->p, 3, 1);
    assert_int_equal(pic_ack(r->p), 0x23);
    pic_set_irq(r->p, 5, 1);
    assert_false(pic_pending(r->p));            /* fully nested: 3 blocks 5 */
    wr(r, PIC1_DATA, 1u << 3);
    wr(r, PIC1_CMD, PIC_OCW3 | PIC_OCW3_ESMM | PIC_OCW3_SMM);
    assert_true(pic_pending(r->p));             /* masked 3 no longer blocks */
    assert_int_equal(ISR(r, PIC1_CMD), 0x08);   /* OCW3 without ESMM keeps the mode */
    assert_true(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x25);
    wr(r, PIC1_CMD, PIC_OCW2_EOI | PIC_OCW2_SL | 5);
    wr(r, PIC1_CMD, PIC_OCW3 | PIC_OCW3_ESMM);  /* leave special mask mode */
    pic_set_irq(r->p, 6, 1);
    assert_false(pic_pending(r->p));            /* 3 in service blocks again */
    wr(r, PIC1_CMD, PIC_OCW2_EOI | PIC_OCW2_SL | 3);
    assert_int_equal(pic_ack(r->p), 0x26);
}

static void auto_eoi(void **state)
{
    struct rig *r = *state;
    wr(r, PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    wr(r, PIC1_DATA, 0x40);
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    wr(r, PIC1_DATA, PIC_ICW4_8086 | PIC_ICW4_AEOI);
    wr(r, PIC1_DATA, 0x00);
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x41);
    assert_int_equal(ISR(r, PIC1_CMD), 0);      /* nothing stays in service */
    pic_set_irq(r->p, 4, 1);
    assert_int_equal(pic_ack(r->p), 0x44);      /* so nothing blocks the next */
    /* rotate in AEOI mode: each level acknowledged becomes the lowest */
    wr(r, PIC1_CMD, PIC_OCW2_R);
    pic_set_irq(r->p, 1, 0);
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x41);
    pic_set_irq(r->p, 0, 1);
    pic_set_irq(r->p, 3, 1);
    assert_int_equal(pic_ack(r->p), 0x43);      /* 2..7, 0, 1 */
    assert_int_equal(pic_ack(r->p), 0x40);      /* 4..7, 0..3 */
    wr(r, PIC1_CMD, 0);                         /* rotate in AEOI mode: clear */
    pic_set_irq(r->p, 5, 1);
    pic_set_irq(r->p, 6, 1);
    assert_int_equal(pic_ack(r->p), 0x45);      /* 1..7, 0 and no more turning */
    pic_set_irq(r->p, 1, 0);
    pic_set_irq(r->p, 1, 1);
    assert_int_equal(pic_ack(r->p), 0x41);
}

/* A slave in AEOI mode keeps INT up across the acknowledge when another
 * request waits: the master must still see it. */
static void slave_request_right_behind(void **state)
{
    struct rig *r = *state;
    wr(r, PIC2_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    wr(r, PIC2_DATA, 0x28);
    wr(r, PIC2_DATA, PIC_CASCADE_IRQ);
    wr(r, PIC2_DATA, PIC_ICW4_8086 | PIC_ICW4_AEOI);
    pic_set_irq(r->p, 9, 1);
    pic_set_irq(r->p, 11, 1);
    assert_int_equal(pic_ack(r->p), 0x29);
    assert_false(pic_pending(r->p));            /* the master has IR2 in service */
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_int_equal(pic_ack(r->p), 0x2b);
}

static void reset_state(void **state)
{
    struct rig *r = *state;
    wr(r, PIC_ELCR2, 0x08);
    wr(r, PIC1_DATA, 0x10);
    pic_set_irq(r->p, 3, 1);
    pic_set_irq(r->p, 11, 1);
    pic_reset(r->p);
    assert_false(pic_pending(r->p));
    assert_int_equal(rd(r, PIC_ELCR2), 0);
    assert_int_equal(rd(r, PIC1_DATA), 0);
    assert_int_equal(IRR(r, PIC1_CMD), 0);
    /* no ICW2 yet: vectors from 0 */
    pic_set_irq(r->p, 5, 1);
    assert_int_equal(pic_ack(r->p), 5);
}

static void intr_changed_on_rise(void **state)
{
    struct rig *r = *state;
    assert_int_equal(r->raised, 0);
    wr(r, PIC1_DATA, 1u << 4);
    pic_set_irq(r->p, 4, 1);
    assert_int_equal(r->raised, 0);             /* masked: INTR stays low */
    wr(r, PIC1_DATA, 0);
    assert_int_equal(r->raised, 1);             /* the unmask raised it */
    pic_set_irq(r->p, 3, 1);
    wr(r, PIC1_DATA, 0);
    assert_int_equal(r->raised, 1);             /* INTR was up already: no new call */
    assert_int_equal(pic_ack(r->p), 0x23);
    eoi(r, 3);
    assert_int_equal(r->raised, 2);             /* down at the INTA, up at the EOI */
    assert_int_equal(pic_ack(r->p), 0x24);
    pic_set_irq(r->p, 6, 1);
    assert_int_equal(r->raised, 2);             /* waits behind IRQ 4 */
    eoi(r, 4);
    assert_int_equal(r->raised, 3);             /* the EOI let it through */
    assert_int_equal(pic_ack(r->p), 0x26);
    eoi(r, 6);
    pic_set_irq(r->p, 9, 1);                    /* through the cascade */
    assert_int_equal(r->raised, 4);
    assert_int_equal(pic_ack(r->p), 0x29);
}

/* 'End of Interrupt (EOI)': in special mask mode a non-specific EOI does
 * not clear an IS bit that IMR masks; it resets the highest unmasked one. */
static void special_mask_mode_nonspecific_eoi(void **state)
{
    struct rig *r = *state;
    pic_set_irq(r->p, 3, 1);
    assert_int_equal(pic_ack(r->p), 0x23);
    wr(r, PIC1_DATA, 1u << 3);
    wr(r, PIC1_CMD, PIC_OCW3 | PIC_OCW3_ESMM | PIC_OCW3_SMM);
    pic_set_irq(r->p, 5, 1);
    assert_int_equal(pic_ack(r->p), 0x25);
    assert_int_equal(ISR(r, PIC1_CMD), 0x28);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_int_equal(ISR(r, PIC1_CMD), 0x08);   /* 5 went; masked 3 stays */
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_int_equal(ISR(r, PIC1_CMD), 0x08);   /* no unmasked level in service */
    wr(r, PIC1_CMD, PIC_OCW3 | PIC_OCW3_ESMM);  /* normal mask mode again */
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_int_equal(ISR(r, PIC1_CMD), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(init_sequence), T(init_single_without_icw4), T(icw4_modes_we_do_not_model_warn),
        T(masking), T(priority_and_nesting), T(eoi_commands), T(rotation), T(cascade),
        T(edge_triggering), T(level_triggering), T(ltim_makes_every_input_level),
        T(spurious_irq7), T(spurious_irq15), T(read_irr_isr_and_poll), T(special_mask_mode),
        T(auto_eoi), T(slave_request_right_behind), T(intr_changed_on_rise), T(reset_state),
        T(special_mask_mode_nonspecific_eoi),
    };
    return cmocka_run_group_tests_name("pic", tests, NULL, NULL);
}
