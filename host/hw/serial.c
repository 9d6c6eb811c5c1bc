/*
 * A 16550A UART. Transmission is instantaneous: a THR write goes straight
 * to the backend, so THRE and TEMT always read set (outside loopback).
 * Reception has the 16-byte FIFO (1 byte with FIFOs off) and sets OE when
 * a byte arrives to a full FIFO. The interrupt follows the datasheet's
 * priority: line status, received data, THR empty, modem status; on a PC
 * the line to the PIC is gated by MCR.OUT2.
 */
#include <stdbool.h>
#include <stdlib.h>
#include "contract/platform.h"
#include "hw/serial.h"

struct serial {
    struct region region;
    struct irq_line irq;
    serial_out_fn out;
    void *out_opaque;
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    uint16_t divisor;
    uint8_t rx[UART_FIFO_DEPTH];
    unsigned rx_head, rx_count;
    bool thr_ipending;      /* THRE interrupt waiting to be seen */
    int level;
};

static unsigned fifo_depth(const struct serial *s)
{
    return s->fcr & UART_FCR_ENABLE ? UART_FIFO_DEPTH : 1;
}

/* The highest-priority pending source as IIR encodes it. */
static uint8_t pending(const struct serial *s)
{
    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_OE))
        return UART_IIR_RLSI;
    if ((s->ier & UART_IER_RDI) && s->rx_count)
        return UART_IIR_RDI;
    if ((s->ier & UART_IER_THRI) && s->thr_ipending)
        return UART_IIR_THRI;
    if ((s->ier & UART_IER_MSI) && (s->msr & 0x0f))
        return UART_IIR_MSI;
    return UART_IIR_NO_INT;
}

static void update_irq(struct serial *s)
{
    int level = pending(s) != UART_IIR_NO_INT && (s->mcr & UART_MCR_OUT2);
    if (level != s->level) {
        s->level = level;
        irq_set(&s->irq, level);
    }
}

static void rx_push(struct serial *s, uint8_t b)
{
    if (s->rx_count == fifo_depth(s)) {
        s->lsr |= UART_LSR_OE;      /* the byte is lost, as on the chip */
        return;
    }
    s->rx[(s->rx_head + s->rx_count) % UART_FIFO_DEPTH] = b;
    s->rx_count++;
    s->lsr |= UART_LSR_DR;
}

static uint8_t rx_pop(struct serial *s)
{
    if (!s->rx_count)
        return 0;
    uint8_t b = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % UART_FIFO_DEPTH;
    if (--s->rx_count == 0)
        s->lsr &= ~UART_LSR_DR;
    return b;
}

static void rx_clear(struct serial *s)
{
    s->rx_head = s->rx_count = 0;
    s->lsr &= ~UART_LSR_DR;
}

/* Modem status: in loopback the outputs feed the inputs; otherwise the
 * "modem" is always there (CTS, DSR, DCD set). */
static void update_msr(struct serial *s)
{
    uint8_t in;
    if (s->mcr & UART_MCR_LOOP)
        in = (uint8_t)(((s->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
                       ((s->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
                       ((s->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
                       ((s->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
    else
        in = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    uint8_t old = s->msr, delta = 0;
    if ((old ^ in) & UART_MSR_CTS) delta |= UART_MSR_DCTS;
    if ((old ^ in) & UART_MSR_DSR) delta |= UART_MSR_DDSR;
    if ((old ^ in) & UART_MSR_DCD) delta |= UART_MSR_DDCD;
    if ((old & UART_MSR_RI) && !(in & UART_MSR_RI)) delta |= UART_MSR_TERI;
    s->msr = (uint8_t)(in | (old & 0x0f) | delta);
}

static uint64_t serial_read(void *opaque, uint64_t off, unsigned size)
{
    struct serial *s = opaque;
    uint8_t v = 0;
    bool dlab = s->lcr & UART_LCR_DLAB;
    switch (off) {
    case UART_RBR:
        v = dlab ? (uint8_t)s->divisor : rx_pop(s);
        break;
    case UART_IER:
        v = dlab ? (uint8_t)(s->divisor >> 8) : s->ier;
        break;
    case UART_IIR:
        v = pending(s);
        if (v == UART_IIR_THRI)
            s->thr_ipending = false;    /* reading IIR clears a THRE interrupt */
        if (s->fcr & UART_FCR_ENABLE)
            v |= UART_IIR_FIFO;
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        v = s->lsr;
        s->lsr &= ~UART_LSR_OE;         /* errors clear on read */
        break;
    case UART_MSR:
        v = s->msr;
        s->msr &= 0xf0;                 /* deltas clear on read */
        break;
    case UART_SCR:
        v = s->scr;
        break;
    }
    update_irq(s);
    return v;
}

static void transmit(struct serial *s, uint8_t b)
{
    if (s->mcr & UART_MCR_LOOP)
        rx_push(s, b);
    else if (s->out)
        s->out(s->out_opaque, &b, 1);
    /* sent at once: the holding register is empty again */
    s->thr_ipending = true;
}

static void serial_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct serial *s = opaque;
    uint8_t v = (uint8_t)val;
    bool dlab = s->lcr & UART_LCR_DLAB;
    switch (off) {
    case UART_THR:
        if (dlab) {
            s->divisor = (uint16_t)((s->divisor & 0xff00) | v);
        } else {
            s->thr_ipending = false;
            transmit(s, v);
        }
        break;
    case UART_IER:
        if (dlab) {
            s->divisor = (uint16_t)((s->divisor & 0x00ff) | v << 8);
        } else {
            /* enabling THRE interrupts with THR empty raises one */
            if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
                s->thr_ipending = true;
            s->ier = v & 0x0f;
        }
        break;
    case UART_FCR:
        if ((v ^ s->fcr) & UART_FCR_ENABLE)
            rx_clear(s);                /* switching FIFO mode empties it */
        if (v & UART_FCR_CLR_RX)
            rx_clear(s);
        s->fcr = v & 0xc9;              /* enable, DMA mode, trigger level */
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & 0x1f;
        update_msr(s);
        break;
    case UART_LSR:
    case UART_MSR:
        break;                          /* read-only on the 16550A */
    case UART_SCR:
        s->scr = v;
        break;
    }
    update_irq(s);
}

static const struct region_ops serial_ops = { serial_read, serial_write, 1 };

void serial_reset(struct serial *s)
{
    s->ier = s->fcr = s->scr = s->mcr = 0;
    s->lcr = UART_LCR_8N1;
    s->divisor = 12;                    /* 9600 baud */
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = 0;
    update_msr(s);
    s->msr &= 0xf0;
    s->thr_ipending = false;
    rx_clear(s);
    update_irq(s);
}

struct serial *serial_create(struct irq_line irq, serial_out_fn out, void *out_opaque)
{
    struct serial *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->irq = irq;
    s->out = out;
    s->out_opaque = out_opaque;
    region_init_io(&s->region, "serial", 8, &serial_ops, s);
    serial_reset(s);
    return s;
}

void serial_destroy(struct serial *s)
{
    free(s);
}

struct region *serial_region(struct serial *s)
{
    return &s->region;
}

size_t serial_can_receive(struct serial *s)
{
    /* loopback mode takes nothing from outside */
    return s->mcr & UART_MCR_LOOP ? 0 : fifo_depth(s) - s->rx_count;
}

void serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        rx_push(s, buf[i]);
    update_irq(s);
}
