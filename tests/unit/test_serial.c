/* The 16550A as a driver sees it through its eight registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "hw/serial.h"

struct rig {
    struct serial *s;
    struct region io;
    struct address_space as;
    uint8_t out[256];
    size_t nout;
    int irq;
};

static void out(void *opaque, const uint8_t *buf, size_t len)
{
    struct rig *r = opaque;
    memcpy(r->out + r->nout, buf, len);
    r->nout += len;
}

static void irq(void *opaque, int n, int level)
{
    ((struct rig *)opaque)->irq = level;
}

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    r.s = serial_create((struct irq_line){ irq, &r, COM1_IRQ }, out, &r);
    region_init_container(&r.io, "io", 0x10000);
    region_add(&r.io, serial_region(r.s), COM1_BASE, 0);
    address_space_init(&r.as, "I/O", &r.io);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    serial_destroy(((struct rig *)*state)->s);
    return 0;
}

static uint8_t rd(struct rig *r, int reg) { return (uint8_t)as_read(&r->as, COM1_BASE + reg, 1); }
static void wr(struct rig *r, int reg, uint8_t v) { as_write(&r->as, COM1_BASE + reg, v, 1); }

static void divisor_latch_and_registers(void **state)
{
    struct rig *r = *state;
    wr(r, UART_LCR, UART_LCR_DLAB);
    wr(r, UART_DLL, 0x01);
    wr(r, UART_DLM, 0x02);
    assert_int_equal(rd(r, UART_DLL), 0x01);
    assert_int_equal(rd(r, UART_DLM), 0x02);
    wr(r, UART_LCR, UART_LCR_8N1);
    /* with DLAB clear the same offsets are THR and IER */
    wr(r, UART_IER, 0x05);
    assert_int_equal(rd(r, UART_IER), 0x05);
    wr(r, UART_IER, 0xff);
    assert_int_equal(rd(r, UART_IER), 0x0f);          /* four bits only */
    wr(r, UART_LCR, UART_LCR_DLAB);
    assert_int_equal(rd(r, UART_DLM), 0x02);          /* untouched by IER writes */
    wr(r, UART_LCR, 0x1b);
    assert_int_equal(rd(r, UART_LCR), 0x1b);
    wr(r, UART_MCR, 0xff);
    assert_int_equal(rd(r, UART_MCR), 0x1f);
    wr(r, UART_SCR, 0xa5);
    assert_int_equal(rd(r, UART_SCR), 0xa5);
    assert_int_equal(r->nout, 0);                     /* DLL writes are not output */
}

static void transmit_and_status(void **state)
{
    struct rig *r = *state;
    assert_int_equal(rd(r, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
                     UART_LSR_THRE | UART_LSR_TEMT);
    for (const char *p = "hi\n"; *p; p++)
        wr(r, UART_THR, (uint8_t)*p);
    assert_int_equal(r->nout, 3);
    assert_memory_equal(r->out, "hi\n", 3);
    assert_int_equal(rd(r, UART_LSR) & UART_LSR_THRE, UART_LSR_THRE);
}

static void fifo_control_and_iir(void **state)
{
    struct rig *r = *state;
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
    wr(r, UART_FCR, UART_FCR_ENABLE);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT | UART_IIR_FIFO);
    assert_int_equal(serial_can_receive(r->s), 16);
    wr(r, UART_FCR, 0);
    assert_int_equal(serial_can_receive(r->s), 1);
}

static void receive_fifo_and_overrun(void **state)
{
    struct rig *r = *state;
    wr(r, UART_FCR, UART_FCR_ENABLE);
    uint8_t data[16];
    for (int i = 0; i < 16; i++)
        data[i] = (uint8_t)('a' + i);
    serial_receive(r->s, data, 16);
    assert_int_equal(serial_can_receive(r->s), 0);
    assert_true(rd(r, UART_LSR) & UART_LSR_DR);
    serial_receive(r->s, (const uint8_t *)"!", 1);    /* one too many */
    uint8_t lsr = rd(r, UART_LSR);
    assert_true(lsr & UART_LSR_OE);
    assert_false(rd(r, UART_LSR) & UART_LSR_OE);      /* cleared by reading */
    for (int i = 0; i < 16; i++)
        assert_int_equal(rd(r, UART_RBR), 'a' + i);
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    wr(r, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
    serial_receive(r->s, (const uint8_t *)"xy", 2);
    wr(r, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
}

static void receive_interrupt_needs_out2(void **state)
{
    struct rig *r = *state;
    wr(r, UART_IER, UART_IER_RDI);
    serial_receive(r->s, (const uint8_t *)"k", 1);
    assert_int_equal(rd(r, UART_IIR) & 0x0f, UART_IIR_RDI);
    assert_int_equal(r->irq, 0);                      /* OUT2 gates the line */
    wr(r, UART_MCR, UART_MCR_OUT2);
    assert_int_equal(r->irq, 1);
    assert_int_equal(rd(r, UART_RBR), 'k');
    assert_int_equal(r->irq, 0);
    assert_int_equal(rd(r, UART_IIR) & 0x0f, UART_IIR_NO_INT);
}

static void thre_interrupt(void **state)
{
    struct rig *r = *state;
    wr(r, UART_MCR, UART_MCR_OUT2);
    wr(r, UART_IER, UART_IER_THRI);                   /* THR is empty: at once */
    assert_int_equal(r->irq, 1);
    assert_int_equal(rd(r, UART_IIR) & 0x0f, UART_IIR_THRI);
    assert_int_equal(r->irq, 0);                      /* reading IIR cleared it */
    wr(r, UART_THR, 'x');                             /* sent: empty again */
    assert_int_equal(r->irq, 1);
    wr(r, UART_IER, 0);
    assert_int_equal(r->irq, 0);
}

static void loopback(void **state)
{
    struct rig *r = *state;
    wr(r, UART_MCR, UART_MCR_LOOP);
    assert_int_equal(rd(r, UART_MSR) & 0xf0, 0);
    wr(r, UART_THR, 0x42);
    assert_int_equal(r->nout, 0);                     /* nothing leaves the chip */
    assert_true(rd(r, UART_LSR) & UART_LSR_DR);
    assert_int_equal(rd(r, UART_RBR), 0x42);
    wr(r, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT1 | UART_MCR_OUT2);
    uint8_t msr = rd(r, UART_MSR);
    assert_int_equal(msr & 0xf0, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCD);
    assert_true(msr & (UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD));
    assert_int_equal(rd(r, UART_MSR) & 0x0f, 0);      /* deltas cleared by reading */
    assert_int_equal(serial_can_receive(r->s), 0);    /* no outside input in loopback */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(divisor_latch_and_registers), T(transmit_and_status), T(fifo_control_and_iir),
        T(receive_fifo_and_overrun), T(receive_interrupt_needs_out2), T(thre_interrupt),
        T(loopback),
    };
    return cmocka_run_group_tests_name("serial", tests, NULL, NULL);
}
