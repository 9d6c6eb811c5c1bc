/* The 16550A as a driver sees it through its eight registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/platform.h"
#include "hw/serial.h"
#include "io_rig.h"

#define IIR_ID(v)   ((v) & 0x0f)

struct rig {
    struct serial *s;
    struct region io;
    struct address_space as;
    uint8_t out[512];
    size_t nout;
    int irq, irq_rises;
    struct irq_counter irq_counter;
};

static void out(void *opaque, const uint8_t *buf, size_t len)
{
    struct rig *r = opaque;
    assert_true(r->nout + len <= sizeof r->out);
    memcpy(r->out + r->nout, buf, len);
    r->nout += len;
}

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    r.s = serial_create(irq_counter_line(&r.irq_counter, COM1_IRQ, &r.irq, &r.irq_rises), out,
                        &r);
    assert_non_null(r.s);
    io_rig_ports(&r.io, &r.as, serial_region(r.s), COM1_BASE);
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
static void rx(struct rig *r, const char *s) { serial_receive(r->s, (const uint8_t *)s, strlen(s)); }

/* What our guest's console driver (and Linux's) writes. */
static void driver_init(struct rig *r)
{
    wr(r, UART_IER, 0);
    wr(r, UART_LCR, UART_LCR_DLAB);
    wr(r, UART_DLL, 1);
    wr(r, UART_DLM, 0);
    wr(r, UART_LCR, UART_LCR_8N1);
    wr(r, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX | UART_FCR_CLR_TX);
    wr(r, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
}

static void reset_values(void **state)
{
    struct rig *r = *state;
    assert_int_equal(rd(r, UART_IER), 0);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
    assert_int_equal(rd(r, UART_LCR), 0);
    assert_int_equal(rd(r, UART_MCR), 0);
    assert_int_equal(rd(r, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    /* a modem that is always there, and no stale deltas */
    assert_int_equal(rd(r, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
    assert_int_equal(r->irq, 0);
    assert_int_equal(r->nout, 0);
}

static void divisor_latch(void **state)
{
    struct rig *r = *state;
    rx(r, "q");
    wr(r, UART_LCR, UART_LCR_DLAB | UART_LCR_8N1);
    wr(r, UART_DLL, 0x01);
    wr(r, UART_DLM, 0x02);
    assert_int_equal(rd(r, UART_DLL), 0x01);
    assert_int_equal(rd(r, UART_DLM), 0x02);
    assert_int_equal(r->nout, 0);                     /* a DLL write is not output */
    assert_true(rd(r, UART_LSR) & UART_LSR_DR);       /* a DLL read took no byte */
    wr(r, UART_LCR, UART_LCR_8N1);
    /* with DLAB clear the same offsets are RBR/THR and IER */
    assert_int_equal(rd(r, UART_RBR), 'q');
    wr(r, UART_IER, UART_IER_RDI | UART_IER_RLSI);
    assert_int_equal(rd(r, UART_IER), UART_IER_RDI | UART_IER_RLSI);
    wr(r, UART_IER, 0xff);
    assert_int_equal(rd(r, UART_IER), 0x0f);          /* four bits only */
    wr(r, UART_IER, 0);
    wr(r, UART_THR, 'x');
    assert_int_equal(r->nout, 1);
    /* and the divisor kept its value through all that */
    wr(r, UART_LCR, UART_LCR_DLAB);
    assert_int_equal(rd(r, UART_DLL), 0x01);
    assert_int_equal(rd(r, UART_DLM), 0x02);
    wr(r, UART_DLM, 0);                               /* not IER */
    wr(r, UART_LCR, 0);
    assert_int_equal(rd(r, UART_IER), 0);
}

static void lcr_mcr_scr_round_trip(void **state)
{
    struct rig *r = *state;
    for (unsigned v = 0; v < 256; v++) {
        wr(r, UART_SCR, (uint8_t)v);
        assert_int_equal(rd(r, UART_SCR), v);
        wr(r, UART_LCR, (uint8_t)v);
        assert_int_equal(rd(r, UART_LCR), v);
        wr(r, UART_MCR, (uint8_t)v);
        assert_int_equal(rd(r, UART_MCR), v & 0x1f);  /* five bits */
    }
    assert_int_equal(r->nout, 0);
}

static void status_after_driver_init(void **state)
{
    struct rig *r = *state;
    driver_init(r);
    assert_int_equal(rd(r, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
    assert_int_equal(rd(r, UART_LCR), UART_LCR_8N1);
    assert_int_equal(r->irq, 0);
    assert_int_equal(r->nout, 0);
}

static void output_gets_exactly_the_bytes_written(void **state)
{
    struct rig *r = *state;
    driver_init(r);
    uint8_t want[256 + 3];
    for (int i = 0; i < 256; i++) {
        want[i] = (uint8_t)i;
        wr(r, UART_THR, (uint8_t)i);
        /* nothing else produces output, and THR is empty at once */
        assert_int_equal(rd(r, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
                         UART_LSR_THRE | UART_LSR_TEMT);
        rd(r, UART_IIR);
        rd(r, UART_MSR);
    }
    memcpy(want + 256, "ok\n", 3);
    for (const char *p = "ok\n"; *p; p++)
        wr(r, UART_THR, (uint8_t)*p);
    assert_int_equal(r->nout, sizeof want);
    assert_memory_equal(r->out, want, sizeof want);
}

static void fcr_and_iir_fifo_bits(void **state)
{
    struct rig *r = *state;
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
    assert_int_equal(serial_can_receive(r->s), 1);    /* the 16450's RBR */
    rx(r, "x");
    wr(r, UART_FCR, UART_FCR_ENABLE);                 /* FCR0 changing empties it */
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
    assert_int_equal(serial_can_receive(r->s), UART_FIFO_DEPTH);
    /* writing FCR without clear bits keeps the data; CLR_RX empties it */
    rx(r, "ab");
    wr(r, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_TX);
    assert_true(rd(r, UART_LSR) & UART_LSR_DR);
    assert_int_equal(serial_can_receive(r->s), UART_FIFO_DEPTH - 2);
    wr(r, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    assert_int_equal(serial_can_receive(r->s), UART_FIFO_DEPTH);
    /* turning the FIFOs off empties them too */
    rx(r, "cd");
    wr(r, UART_FCR, 0);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    assert_int_equal(serial_can_receive(r->s), 1);
}

static void trigger_level_and_timeout(void **state)
{
    struct rig *r = *state;
    wr(r, UART_MCR, UART_MCR_OUT2);
    wr(r, UART_IER, UART_IER_RDI);
    wr(r, UART_FCR, UART_FCR_ENABLE | UART_FCR_TRIGGER_4);
    rx(r, "abc");
    /* below the trigger level: the character timeout announces it */
    assert_int_equal(rd(r, UART_IIR), UART_IIR_FIFO | UART_IIR_CTI);
    assert_int_equal(r->irq, 1);
    rx(r, "d");
    assert_int_equal(rd(r, UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
    assert_int_equal(rd(r, UART_RBR), 'a');
    assert_int_equal(rd(r, UART_IIR), UART_IIR_FIFO | UART_IIR_CTI);
    wr(r, UART_FCR, UART_FCR_ENABLE | UART_FCR_TRIGGER_14 | UART_FCR_CLR_RX);
    rx(r, "0123456789abc");
    assert_int_equal(IIR_ID(rd(r, UART_IIR)), UART_IIR_CTI);
    rx(r, "d");
    assert_int_equal(IIR_ID(rd(r, UART_IIR)), UART_IIR_RDI);
    while (rd(r, UART_LSR) & UART_LSR_DR)
        rd(r, UART_RBR);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
    assert_int_equal(r->irq, 0);
    /* without FIFOs every byte is at the trigger level */
    wr(r, UART_FCR, 0);
    rx(r, "z");
    assert_int_equal(rd(r, UART_IIR), UART_IIR_RDI);
}

static void receive_fifo_and_overrun(void **state)
{
    struct rig *r = *state;
    wr(r, UART_FCR, UART_FCR_ENABLE);
    uint8_t data[UART_FIFO_DEPTH];
    for (int i = 0; i < UART_FIFO_DEPTH; i++)
        data[i] = (uint8_t)('a' + i);
    serial_receive(r->s, data, 10);
    assert_int_equal(serial_can_receive(r->s), UART_FIFO_DEPTH - 10);
    serial_receive(r->s, data + 10, UART_FIFO_DEPTH - 10);
    assert_int_equal(serial_can_receive(r->s), 0);
    assert_int_equal(rd(r, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
    rx(r, "!");                                       /* one too many */
    assert_int_equal(rd(r, UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
    assert_false(rd(r, UART_LSR) & UART_LSR_OE);      /* cleared by reading */
    /* the FIFO kept its sixteen; the extra byte was lost */
    for (int i = 0; i < UART_FIFO_DEPTH; i++) {
        assert_true(rd(r, UART_LSR) & UART_LSR_DR);
        assert_int_equal(rd(r, UART_RBR), 'a' + i);
    }
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    assert_int_equal(serial_can_receive(r->s), UART_FIFO_DEPTH);
    /* and it wraps around cleanly */
    rx(r, "0123456789");
    for (const char *p = "0123456789"; *p; p++)
        assert_int_equal(rd(r, UART_RBR), *p);
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
}

static void overrun_without_fifo(void **state)
{
    struct rig *r = *state;
    rx(r, "a");
    assert_int_equal(serial_can_receive(r->s), 0);
    rx(r, "b");                                       /* RBR is overwritten */
    assert_int_equal(rd(r, UART_LSR) & (UART_LSR_DR | UART_LSR_OE), UART_LSR_DR | UART_LSR_OE);
    assert_int_equal(rd(r, UART_RBR), 'b');
    assert_int_equal(rd(r, UART_LSR) & (UART_LSR_DR | UART_LSR_OE), 0);
}

static void receive_interrupt_needs_out2(void **state)
{
    struct rig *r = *state;
    wr(r, UART_IER, UART_IER_RDI);
    rx(r, "k");
    assert_int_equal(rd(r, UART_IIR), UART_IIR_RDI);
    assert_int_equal(r->irq, 0);                      /* OUT2 gates the line */
    wr(r, UART_MCR, UART_MCR_OUT2);
    assert_int_equal(r->irq, 1);
    wr(r, UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
    assert_int_equal(r->irq, 0);
    wr(r, UART_MCR, UART_MCR_OUT2);
    assert_int_equal(r->irq, 1);
    assert_int_equal(rd(r, UART_RBR), 'k');
    assert_int_equal(r->irq, 0);                      /* the data was the source */
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
    /* disabled in IER: no interrupt, OUT2 or not */
    wr(r, UART_IER, 0);
    rx(r, "m");
    assert_int_equal(r->irq, 0);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
}

static void thre_interrupt(void **state)
{
    struct rig *r = *state;
    wr(r, UART_MCR, UART_MCR_OUT2);
    wr(r, UART_IER, UART_IER_THRI);                   /* THR is empty: at once */
    assert_int_equal(r->irq, 1);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_THRI);
    assert_int_equal(r->irq, 0);                      /* reading IIR cleared it */
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
    int rises = r->irq_rises;
    wr(r, UART_THR, 'x');                             /* sent, so empty again */
    assert_int_equal(r->irq, 1);
    assert_int_equal(r->irq_rises, rises + 1);
    wr(r, UART_IER, 0);
    assert_int_equal(r->irq, 0);
    wr(r, UART_IER, UART_IER_THRI);                   /* re-enabling raises it again */
    assert_int_equal(r->irq, 1);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_THRI);
    assert_int_equal(r->irq, 0);
}

/* Line status > received data > THR empty > modem status; reading IIR
 * clears THRE only when THRE is what it reported. */
static void interrupt_priority(void **state)
{
    struct rig *r = *state;
    wr(r, UART_MCR, UART_MCR_OUT2);
    wr(r, UART_IER, UART_IER_RDI | UART_IER_THRI | UART_IER_RLSI | UART_IER_MSI);
    rx(r, "a");
    rx(r, "b");                                       /* overrun, FIFOs off */
    assert_int_equal(r->irq, 1);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_RLSI);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_RLSI); /* IIR does not clear it */
    rd(r, UART_LSR);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_RDI);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_RDI);
    rd(r, UART_RBR);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_THRI); /* still pending underneath */
    assert_int_equal(r->irq, 0);
    /* modem status: loopback makes the inputs move (and holds the OUT 2
     * pin inactive, so the line to the PIC stays low) */
    wr(r, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP | UART_MCR_DTR);
    assert_int_equal(r->irq, 0);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_MSI);
    assert_true(rd(r, UART_MSR) & UART_MSR_DCTS);     /* CTS fell */
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
    assert_int_equal(r->irq, 0);
}

static void loopback_data(void **state)
{
    struct rig *r = *state;
    wr(r, UART_FCR, UART_FCR_ENABLE);
    wr(r, UART_MCR, UART_MCR_LOOP);
    assert_int_equal(serial_can_receive(r->s), 0);    /* the line is cut off */
    rx(r, "outside");
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    for (const char *p = "loop"; *p; p++)
        wr(r, UART_THR, (uint8_t)*p);
    assert_int_equal(r->nout, 0);                     /* nothing leaves the chip */
    for (const char *p = "loop"; *p; p++) {
        assert_true(rd(r, UART_LSR) & UART_LSR_DR);
        assert_int_equal(rd(r, UART_RBR), *p);
    }
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    wr(r, UART_MCR, 0);
    wr(r, UART_THR, 'o');
    assert_int_equal(r->nout, 1);
    assert_int_equal(r->out[0], 'o');
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
}

static void loopback_modem_lines(void **state)
{
    struct rig *r = *state;
    static const struct { uint8_t mcr, msr; } map[] = {
        { UART_MCR_DTR, UART_MSR_DSR }, { UART_MCR_RTS, UART_MSR_CTS },
        { UART_MCR_OUT1, UART_MSR_RI }, { UART_MCR_OUT2, UART_MSR_DCD },
    };
    wr(r, UART_MCR, UART_MCR_LOOP);
    assert_int_equal(rd(r, UART_MSR) & 0xf0, 0);
    assert_int_equal(rd(r, UART_MSR) & 0x0f, 0);      /* deltas cleared by reading */
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        wr(r, UART_MCR, UART_MCR_LOOP | map[i].mcr);
        assert_int_equal(rd(r, UART_MSR) & 0xf0, map[i].msr);
        wr(r, UART_MCR, UART_MCR_LOOP);
        rd(r, UART_MSR);
    }
    /* Linux's 8250 autoconfig: RTS and OUT2 in loopback read as CTS, DCD */
    wr(r, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
    uint8_t msr = rd(r, UART_MSR);
    assert_int_equal(msr & 0xf0, 0x90);
    assert_int_equal(msr & 0x0f, UART_MSR_DCTS | UART_MSR_DDCD);
    /* TERI marks RI's trailing edge only */
    wr(r, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
    assert_int_equal(rd(r, UART_MSR) & UART_MSR_TERI, 0);
    wr(r, UART_MCR, UART_MCR_LOOP);
    assert_int_equal(rd(r, UART_MSR) & UART_MSR_TERI, UART_MSR_TERI);
    /* leaving loopback: the outside modem is back */
    wr(r, UART_MCR, 0);
    assert_int_equal(rd(r, UART_MSR) & 0xf0, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
}

static void odd_accesses(void **state)
{
    struct rig *r = *state;
    /* wider accesses are split per byte by the region layer */
    as_write(&r->as, COM1_BASE + UART_MSR, 0x5a00, 2);    /* MSR (ignored), SCR */
    assert_int_equal(rd(r, UART_SCR), 0x5a);
    uint64_t v = as_read(&r->as, COM1_BASE + UART_MCR, 4);  /* MCR, LSR, MSR, SCR */
    assert_int_equal(v & 0xff, 0);
    assert_int_equal((v >> 8) & 0xff, UART_LSR_THRE | UART_LSR_TEMT);
    assert_int_equal(v >> 24, 0x5a);
    as_read(&r->as, COM1_BASE, 8);
    as_write(&r->as, COM1_BASE + UART_LSR, 0xffffff, 3);  /* LSR, MSR: read-only */
    assert_int_equal(rd(r, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    assert_int_equal(rd(r, UART_SCR), 0xff);
    /* an empty RBR reads without harm */
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    rd(r, UART_RBR);
    assert_false(rd(r, UART_LSR) & UART_LSR_DR);
    /* reset goes back to the power-on state */
    wr(r, UART_IER, 0x0f);
    wr(r, UART_MCR, UART_MCR_OUT2);
    wr(r, UART_FCR, UART_FCR_ENABLE);
    rx(r, "data");
    wr(r, UART_LCR, UART_LCR_DLAB | UART_LCR_8N1);
    assert_int_equal(r->irq, 1);
    serial_reset(r->s);
    assert_int_equal(r->irq, 0);
    assert_int_equal(rd(r, UART_LCR), 0);
    assert_int_equal(rd(r, UART_IER), 0);
    assert_int_equal(rd(r, UART_MCR), 0);
    assert_int_equal(rd(r, UART_IIR), UART_IIR_NO_INT);
    assert_int_equal(rd(r, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    assert_int_equal(serial_can_receive(r->s), 1);    /* FIFOs off and empty */
}

/* PC16550D 6.0 ('OUT 2') and 8.8 (bit 4): loop mode holds the OUT 2 pin
 * inactive, and the PC gates INTR with that pin, so interrupts show in
 * IIR but none reaches the PIC until loop mode ends. */
static void loopback_holds_out2_inactive(void **state)
{
    struct rig *r = *state;
    wr(r, UART_IER, UART_IER_RDI);
    wr(r, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
    wr(r, UART_THR, 'x');                             /* looped back in */
    assert_int_equal(rd(r, UART_IIR), UART_IIR_RDI);
    assert_int_equal(r->irq, 0);
    wr(r, UART_MCR, UART_MCR_OUT2);                   /* loop mode off: the pin is live */
    assert_int_equal(r->irq, 1);
    assert_int_equal(rd(r, UART_RBR), 'x');
    assert_int_equal(r->irq, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(reset_values), T(divisor_latch), T(lcr_mcr_scr_round_trip),
        T(status_after_driver_init), T(output_gets_exactly_the_bytes_written),
        T(fcr_and_iir_fifo_bits), T(trigger_level_and_timeout), T(receive_fifo_and_overrun),
        T(overrun_without_fifo), T(receive_interrupt_needs_out2), T(thre_interrupt),
        T(interrupt_priority), T(loopback_data), T(loopback_modem_lines), T(odd_accesses),
        T(loopback_holds_out2_inactive),
    };
    return cmocka_run_group_tests_name("serial", tests, NULL, NULL);
}
