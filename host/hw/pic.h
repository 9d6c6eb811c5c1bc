/*
 * The 8259A pair as wired on a PC (slave on master IRQ 2), with the PIIX
 * ELCR registers that make PCI interrupts level-triggered.
 *
 * The CPU backend asks pic_pending() before entering the guest and, when
 * the guest can take it, pic_ack() for the vector (the INTA cycle).
 */
#ifndef HOST_HW_PIC_H
#define HOST_HW_PIC_H

#include <stdbool.h>
#include "core/irq.h"
#include "core/memory.h"

struct pic;

/* intr_changed is called whenever the INTR output to the CPU may have
 * gone up, so a sleeping vcpu can be woken; it may be NULL. */
struct pic *pic_create(void (*intr_changed)(void *opaque), void *opaque);
void pic_destroy(struct pic *p);

/* Regions: master (0x20, 2 bytes), slave (0xa0, 2 bytes), ELCR (0x4d0, 2). */
struct region *pic_region_master(struct pic *p);
struct region *pic_region_slave(struct pic *p);
struct region *pic_region_elcr(struct pic *p);

/* The ISA IRQ lines 0-15, for devices to drive. */
struct irq_line pic_irq(struct pic *p, int irq);
void pic_set_irq(struct pic *p, int irq, int level);

bool pic_pending(struct pic *p);
/* Acknowledge the highest-priority request; returns its vector (a
 * spurious IRQ 7/15 vector when nothing is left to deliver). */
int pic_ack(struct pic *p);

void pic_reset(struct pic *p);

#endif
