/* The 8259A pair: initialisation, masking, priority, cascade, EOI,
 * edge and level triggering, spurious interrupts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "hw/pic.h"

struct rig {
    struct pic *p;
    struct region io;
    struct address_space as;
    int raised;
};

static void raised(void *opaque)
{
    ((struct rig *)opaque)->raised++;
}

static void wr(struct rig *r, uint16_t port, uint8_t v) { as_write(&r->as, port, v, 1); }
static uint8_t rd(struct rig *r, uint16_t port) { return (uint8_t)as_read(&r->as, port, 1); }

/* The sequence Linux and our guest use. */
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

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    r.p = pic_create(raised, &r);
    region_init_container(&r.io, "io", 0x10000);
    region_add(&r.io, pic_region_master(r.p), PIC1_CMD, 0);
    region_add(&r.io, pic_region_slave(r.p), PIC2_CMD, 0);
    region_add(&r.io, pic_region_elcr(r.p), PIC_ELCR1, 0);
    address_space_init(&r.as, "I/O", &r.io);
    init_pc(&r);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    pic_destroy(((struct rig *)*state)->p);
    return 0;
}

static void remapped_vectors(void **state)
{
    struct rig *r = *state;
    assert_false(pic_pending(r->p));
    pic_set_irq(r->p, 0, 1);
    assert_true(pic_pending(r->p));
    assert_int_equal(r->raised, 1);
    assert_int_equal(pic_ack(r->p), 0x20);
    assert_false(pic_pending(r->p));            /* in service blocks itself */
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    pic_set_irq(r->p, 0, 0);
    pic_set_irq(r->p, 4, 1);
    assert_int_equal(pic_ack(r->p), 0x24);
}

static void masking(void **state)
{
    struct rig *r = *state;
    wr(r, PIC1_DATA, 0x01);
    assert_int_equal(rd(r, PIC1_DATA), 0x01);
    pic_set_irq(r->p, 0, 1);
    assert_false(pic_pending(r->p));
    wr(r, PIC1_DATA, 0x00);                     /* the latched request shows up */
    assert_true(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x20);
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
    wr(r, PIC1_CMD, PIC_OCW2_EOI);              /* ends IRQ 0 (highest in service) */
    assert_false(pic_pending(r->p));
    wr(r, PIC1_CMD, PIC_OCW2_EOI);              /* ends IRQ 1 */
    assert_int_equal(pic_ack(r->p), 0x24);
}

static void specific_eoi(void **state)
{
    struct rig *r = *state;
    pic_set_irq(r->p, 3, 1);
    assert_int_equal(pic_ack(r->p), 0x23);
    wr(r, PIC1_CMD, PIC_OCW3_READ_ISR);
    assert_int_equal(rd(r, PIC1_CMD), 0x08);
    wr(r, PIC1_CMD, PIC_OCW2_EOI | PIC_OCW2_SL | 3);
    assert_int_equal(rd(r, PIC1_CMD), 0x00);
}

static void cascade(void **state)
{
    struct rig *r = *state;
    pic_set_irq(r->p, 11, 1);
    assert_true(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x2b);
    wr(r, PIC2_CMD, PIC_OCW3_READ_ISR);
    assert_int_equal(rd(r, PIC2_CMD), 0x08);
    wr(r, PIC1_CMD, PIC_OCW3_READ_ISR);
    assert_int_equal(rd(r, PIC1_CMD), 0x04);    /* the cascade line in service */
    /* a second slave request waits until both EOIs */
    pic_set_irq(r->p, 9, 1);
    assert_false(pic_pending(r->p));
    wr(r, PIC2_CMD, PIC_OCW2_EOI);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_true(pic_pending(r->p));
    assert_int_equal(pic_ack(r->p), 0x29);
    /* masking the slave line on the master blocks every slave IRQ */
    wr(r, PIC2_CMD, PIC_OCW2_EOI);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    wr(r, PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    pic_set_irq(r->p, 12, 1);
    assert_false(pic_pending(r->p));
}

static void edge_versus_level(void **state)
{
    struct rig *r = *state;
    /* edge: a line held high gives one interrupt */
    pic_set_irq(r->p, 5, 1);
    assert_int_equal(pic_ack(r->p), 0x25);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_false(pic_pending(r->p));
    pic_set_irq(r->p, 5, 0);

    /* level (ELCR): a line still high after EOI interrupts again */
    wr(r, PIC_ELCR2, 1u << (11 - 8));
    assert_int_equal(rd(r, PIC_ELCR2), 1u << (11 - 8));
    pic_set_irq(r->p, 11, 1);
    assert_int_equal(pic_ack(r->p), 0x2b);
    wr(r, PIC2_CMD, PIC_OCW2_EOI);
    wr(r, PIC1_CMD, PIC_OCW2_EOI);
    assert_true(pic_pending(r->p));
    /* and a line dropped before the acknowledge is no request at all */
    pic_set_irq(r->p, 11, 0);
    assert_false(pic_pending(r->p));
    /* IRQs 0-2, 8 and 13 cannot be level-triggered */
    wr(r, PIC_ELCR1, 0xff);
    assert_int_equal(rd(r, PIC_ELCR1), 0xf8);
    wr(r, PIC_ELCR2, 0xff);
    assert_int_equal(rd(r, PIC_ELCR2), 0xde);
}

static void spurious(void **state)
{
    struct rig *r = *state;
    assert_int_equal(pic_ack(r->p), 0x27);      /* nothing pending: IRQ 7 */
    wr(r, PIC1_CMD, PIC_OCW3_READ_ISR);
    assert_int_equal(rd(r, PIC1_CMD), 0);       /* and not in service */
}

static void irr_read_and_poll(void **state)
{
    struct rig *r = *state;
    wr(r, PIC1_DATA, 0xff);
    pic_set_irq(r->p, 6, 1);
    wr(r, PIC1_CMD, PIC_OCW3_READ_IRR);
    assert_int_equal(rd(r, PIC1_CMD), 0x40);    /* requested even though masked */
    wr(r, PIC1_DATA, 0x00);
    wr(r, PIC1_CMD, PIC_OCW3 | 0x04);           /* poll */
    assert_int_equal(rd(r, PIC1_CMD), 0x86);
    wr(r, PIC1_CMD, PIC_OCW3_READ_ISR);
    assert_int_equal(rd(r, PIC1_CMD), 0x40);
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
    wr(r, PIC1_CMD, PIC_OCW3_READ_ISR);
    assert_int_equal(rd(r, PIC1_CMD), 0);       /* nothing stays in service */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(remapped_vectors), T(masking), T(priority_and_nesting), T(specific_eoi),
        T(cascade), T(edge_versus_level), T(spurious), T(irr_read_and_poll), T(auto_eoi),
    };
    return cmocka_run_group_tests_name("pic", tests, NULL, NULL);
}
