/*
 * A 16550A UART: divisor latch, LCR/MCR/IER, a 16-byte receive FIFO,
 * loopback, the scratch register, and its interrupt on an irq line
 * (gated by the OUT 2 pin as on a PC, so never in loopback). Transmit is
 * instantaneous: THR writes go straight to the output callback, so
 * LSR.THRE and TEMT read set.
 */
#ifndef HOST_HW_SERIAL_H
#define HOST_HW_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include "core/irq.h"
#include "core/memory.h"

struct serial;

typedef void (*serial_out_fn)(void *opaque, const uint8_t *buf, size_t len);

struct serial *serial_create(struct irq_line irq, serial_out_fn out, void *out_opaque);
void serial_destroy(struct serial *s);

/* The 8-byte register block, to map in the I/O space at COM1_BASE. */
struct region *serial_region(struct serial *s);

/* Host input: how many bytes the receive FIFO can take now, and feed it. */
size_t serial_can_receive(struct serial *s);
void serial_receive(struct serial *s, const uint8_t *buf, size_t len);

void serial_reset(struct serial *s);

#endif
