/* PIT counter 0 as the kernel tick (mode 2, rate generator); the tick
 * itself is counted by isr.S's tick_fast. */
#include "contract/platform.h"
#include "irq.h"
#include "x86.h"

volatile uint64_t pit_ticks;
volatile uint64_t pit_tick_tsc[PIT_TICK_STAMPS];
static uint16_t reload;

void pit_set_hz(unsigned hz)
{
    unsigned r = (PIT_HZ + hz / 2) / hz;
    reload = (uint16_t)(r > 0xffff ? 0 : r);
    outb(PIT_MODE, PIT_SEL(0) | PIT_RW_LSB_MSB | 2 << PIT_MODE_SHIFT);
    outb(PIT_CH0, (uint8_t)reload);
    outb(PIT_CH0, (uint8_t)(reload >> 8));
}

void pit_init(unsigned hz)
{
    pit_set_hz(hz);
    irq_unmask(PIT_IRQ);
}

uint16_t pit_reload(void)
{
    return reload;
}

uint16_t pit_read_count(void)
{
    outb(PIT_MODE, PIT_SEL(0) | PIT_RW_LATCH);
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    return (uint16_t)(lo | hi << 8);
}
