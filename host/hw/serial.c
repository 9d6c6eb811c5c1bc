/*
 * A 16550A UART (PC16550D register set). Section and table numbers below
 * are those of National's PC16550D datasheet (June 1995).
 *
 * Transmission is instantaneous: a THR write goes straight to the
 * backend, so THRE and TEMT always read set. Reception has the 16-byte
 * FIFO (one byte, the 16450's RBR, with FIFOs off); a byte arriving to a
 * full receiver sets OE (8.4). Interrupts follow the priority of Table
 * IV, 'Interrupt Control Functions': line status, received data or
 * character timeout, THR empty, modem status. On a PC the chip's INTR
 * reaches the PIC only while the OUT 2 pin is active.
 */
#include <stdbool.h>
#include <stdlib.h>
#include "contract/platform.h"
#include "hw/serial.h"

#define MSR_DELTAS  (UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_TERI | UART_MSR_DDCD)

struct serial {
    struct region region;
    struct irq_line irq;
    serial_out_fn out;
    void *out_opaque;
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    uint16_t divisor;
    uint8_t rx[UART_FIFO_DEPTH];
    unsigned rx_head, rx_count;
    bool thre_pending;      /* THR-empty interrupt not yet seen by the CPU */
    int level;              /* what the irq line was last set to */
};

static bool fifo_on(const struct serial *s)
{
    return s->fcr & UART_FCR_ENABLE;
}

static unsigned rx_depth(const struct serial *s)
{
    return fifo_on(s) ? UART_FIFO_DEPTH : 1;
}

static unsigned rx_trigger(const struct serial *s)
{
    static const unsigned level[4] = { 1, 4, 8, 14 };
    return fifo_on(s) ? level[(s->fcr & UART_FCR_TRIGGER_MASK) >> 6] : 1;
}

/* The highest-priority pending source, as IIR encodes it (8.6, Table IV).
 * Below the FIFO trigger level the chip raises the timeout interrupt four
 * character times after the last byte (8.11); there is no line timing
 * here, so that time has always passed and the data is never left
 * sitting unannounced. */
static uint8_t pending(const struct serial *s)
{
    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_OE))
        return UART_IIR_RLSI;
    if ((s->ier & UART_IER_RDI) && s->rx_count)
        return s->rx_count >= rx_trigger(s) ? UART_IIR_RDI : UART_IIR_CTI;
    if ((s->ier & UART_IER_THRI) && s->thre_pending)
        return UART_IIR_THRI;
    if ((s->ier & UART_IER_MSI) && (s->msr & MSR_DELTAS))
        return UART_IIR_MSI;
    return UART_IIR_NO_INT;
}

/* The board gates INTR with the OUT 2 pin, which MCR bit 3 makes active
 * and loop mode holds inactive (6.0, 'OUT 2'; 8.8, bit 4): in loopback
 * the interrupts still show in IIR but none reaches the PIC. */
static void update_irq(struct serial *s)
{
    int level = pending(s) != UART_IIR_NO_INT && (s->mcr & UART_MCR_OUT2) &&
                !(s->mcr & UART_MCR_LOOP);
    if (level != s->level) {
        s->level = level;
        irq_set(&s->irq, level);
    }
}

static void rx_push(struct serial *s, uint8_t b)
{
    if (s->rx_count == rx_depth(s)) {
        s->lsr |= UART_LSR_OE;
        /* With FIFOs the byte in the shift register is lost; without,
         * it overwrites the unread one in RBR (8.4, bit 1). */
        if (!fifo_on(s))
            s->rx[s->rx_head] = b;
        return;
    }
    s->rx[(s->rx_head + s->rx_count) % UART_FIFO_DEPTH] = b;
    s->rx_count++;
    s->lsr |= UART_LSR_DR;
}

static uint8_t rx_pop(struct serial *s)
{
    if (!s->rx_count)
        return s->rx[s->rx_head];       /* RBR keeps the last byte */
    uint8_t b = s->rx[s->rx_head];
    if (--s->rx_count) {
        s->rx_head = (s->rx_head + 1) % UART_FIFO_DEPTH;
    } else {
        s->rx_head = 0;
        s->rx[0] = b;
        s->lsr &= ~UART_LSR_DR;
    }
    return b;
}

static void rx_clear(struct serial *s)
{
    s->rx_head = s->rx_count = 0;
    s->lsr &= ~UART_LSR_DR;
}

/* The modem inputs: in loopback the four MCR outputs feed them back
 * (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD: 8.9, bits 4-7), which is what
 * drivers probe for; otherwise the host end is a modem that is always
 * ready. The delta bits accumulate until MSR is read; TERI marks RI's
 * trailing edge (8.9, bits 0-3). */
static void update_msr(struct serial *s)
{
    uint8_t in = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    if (s->mcr & UART_MCR_LOOP)
        in = (uint8_t)(((s->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
                       ((s->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
                       ((s->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
                       ((s->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
    uint8_t changed = s->msr ^ in, delta = s->msr & MSR_DELTAS;
    if (changed & UART_MSR_CTS) delta |= UART_MSR_DCTS;
    if (changed & UART_MSR_DSR) delta |= UART_MSR_DDSR;
    if (changed & UART_MSR_DCD) delta |= UART_MSR_DDCD;
    if ((s->msr & UART_MSR_RI) && !(in & UART_MSR_RI)) delta |= UART_MSR_TERI;
    s->msr = in | delta;
}

static uint64_t serial_read(void *opaque, uint64_t off, unsigned size)
{
    struct serial *s = opaque;
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t v = 0xff;
    switch (off) {
    case UART_RBR:
        v = dlab ? (uint8_t)s->divisor : rx_pop(s);
        break;
    case UART_IER:
        v = dlab ? (uint8_t)(s->divisor >> 8) : s->ier;
        break;
    case UART_IIR:
        v = pending(s);
        if (v == UART_IIR_THRI)         /* Table IV: reading IIR clears THRE's */
            s->thre_pending = false;    /* interrupt when it is the source */
        if (fifo_on(s))
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
        s->lsr &= ~UART_LSR_OE;         /* error bits clear on read (8.4) */
        break;
    case UART_MSR:
        v = s->msr;
        s->msr &= ~MSR_DELTAS;
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
    s->thre_pending = false;            /* writing THR clears its interrupt (Table IV) */
    if (s->mcr & UART_MCR_LOOP)
        rx_push(s, b);
    else if (s->out)
        s->out(s->out_opaque, &b, 1);
    s->thre_pending = true;             /* sent at once: THR is empty again */
}

static void write_fcr(struct serial *s, uint8_t v)
{
    /* 8.5: the other bits are only programmed together with FCR0;
     * changing FCR0 empties the FIFOs; FCR1 empties the receive FIFO and
     * clears itself. There is no transmit FIFO to clear. */
    if (!(v & UART_FCR_ENABLE)) {
        if (fifo_on(s))
            rx_clear(s);
        s->fcr = 0;
        return;
    }
    if (!fifo_on(s) || (v & UART_FCR_CLR_RX))
        rx_clear(s);
    s->fcr = v & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER_MASK);
}

static void serial_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct serial *s = opaque;
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t v = (uint8_t)val;
    switch (off) {
    case UART_THR:
        if (dlab)
            s->divisor = (uint16_t)((s->divisor & 0xff00) | v);
        else
            transmit(s, v);
        break;
    case UART_IER:
        if (dlab) {
            s->divisor = (uint16_t)((s->divisor & 0x00ff) | v << 8);
            break;
        }
        /* enabling THRI while THR is empty raises the interrupt at once */
        if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
            s->thre_pending = true;
        s->ier = v & 0x0f;              /* 8.7: bits 4-7 are always 0 */
        break;
    case UART_FCR:
        write_fcr(s, v);
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & 0x1f;              /* 8.8: bits 5-7 are always 0 */
        update_msr(s);
        break;
    case UART_SCR:
        s->scr = v;
        break;
    default:
        break;                          /* LSR and MSR: factory test only (8.4) */
    }
    update_irq(s);
}

static const struct region_ops serial_ops = {
    .read = serial_read,
    .write = serial_write,
    .max_access = 1,
};

/* Table I, 'UART Reset Configuration'; master reset leaves the divisor
 * latches alone (6.0, 'MR'), so 12 (9600 baud), what a PC BIOS leaves,
 * stands in for it. */
void serial_reset(struct serial *s)
{
    s->ier = s->lcr = s->mcr = s->fcr = s->scr = 0;
    s->divisor = 12;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = 0;
    update_msr(s);
    s->msr &= ~MSR_DELTAS;
    s->thre_pending = false;
    rx_clear(s);
    s->rx[0] = 0;
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
    /* THR only collects bytes (and DLL, at the same offset, only holds
     * the divisor): nothing the guest sees until it next reads the UART,
     * so a CPU backend may queue these writes (core/coalesce.h). */
    region_set_write_queue(&s->region, 0, UART_THR, 1);
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

/* In loopback the receiver is cut off from the line (8.8, bit 4):
 * nothing comes in. */
size_t serial_can_receive(struct serial *s)
{
    return s->mcr & UART_MCR_LOOP ? 0 : rx_depth(s) - s->rx_count;
}

void serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
    if (s->mcr & UART_MCR_LOOP)
        return;
    for (size_t i = 0; i < len; i++)
        rx_push(s, buf[i]);
    update_irq(s);
}
