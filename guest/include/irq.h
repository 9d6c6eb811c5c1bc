/* The 8259 pair remapped to vectors 0x20-0x2f, and the PIT on IRQ 0. */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

/* IRQ 0 has an entry of its own (isr.S): it counts the tick in pit_ticks
 * and stamps tick n with the TSC in pit_tick_tsc[n % PIT_TICK_STAMPS]. */
#define PIT_TICK_STAMPS 16

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef void (*irq_handler)(int irq);

void pic_init(void);
void irq_register(int irq, irq_handler h);
void irq_unmask(int irq);
void irq_mask(int irq);
void pic_eoi(int irq);
void irq_dispatch(int irq);

#define HZ 1000
void pit_init(unsigned hz);
void pit_set_hz(unsigned hz);
uint16_t pit_read_count(void);
uint16_t pit_reload(void);
extern volatile uint64_t pit_ticks;
extern volatile uint64_t pit_tick_tsc[PIT_TICK_STAMPS];

#endif
#endif
