/* The kernel's code at CPL 3 (usermode.h): the privileged instructions
 * it uses still do what they do at CPL 0, and kcall goes up and back. */
#include "clock.h"
#include "contract/platform.h"
#include "kernel.h"
#include "irq.h"
#include "tap.h"
#include "usermode.h"
#include "x86.h"

static uint64_t at_cpl0(uint64_t arg)
{
    return (uint64_t)current_cpl() << 32 | (arg + 1);
}

SELFTEST(25, usermode_privileged)
{
    EXPECT_EQ(t, usermode_enabled ? 3 : 0, current_cpl(),
              "the level the self-tests run at (usermode=)");

    /* kcall runs the function at CPL 0 and returns its value */
    EXPECT_EQ(t, (uint64_t)0 << 32 | 42, kcall(at_cpl0, 41), "kcall: CPL 0 and the result");

    /* cli holds the tick off, sti lets it in (what IF does, rather than
     * what pushf shows: PVM's pushf always shows IF set) */
    cli();
    uint64_t held = pit_ticks, until = time_ns() + 3000000;
    while (time_ns() < until)
        ;
    EXPECT_EQ(t, held, pit_ticks, "ticks during 3 ms after cli");
    sti();
    until = time_ns() + 50000000;   /* generous: the host may be busy */
    while (time_ns() < until && pit_ticks == held)
        ;
    EXPECT_TRUE(t, pit_ticks > held, "a tick within 50 ms of sti");

    /* port I/O of each width, through the immediate and the DX forms: at
     * CPL 3 the TSS's I/O bitmap allows it (a #GP would end the run) */
    outb(COM1_BASE + UART_SCR, 0xa5);
    EXPECT_EQ(t, 0xa5, inb(COM1_BASE + UART_SCR), "outb/inb through the scratch register");
    /* the immediate-port forms: latch PIT counter 0 and read it */
    uint8_t lo, hi;
    cli();
    __asm__ volatile("outb %%al, $0x43" :: "a"(0));
    __asm__ volatile("inb $0x40, %%al" : "=a"(lo));
    __asm__ volatile("inb $0x40, %%al" : "=a"(hi));
    sti();
    uint16_t count = (uint16_t)(hi << 8 | lo);
    EXPECT_TRUE(t, count > 0 && count <= pit_reload(), "PIT count latched through ports 0x43/0x40");

    /* sti; hlt sleeps until an interrupt (the tick, or the NIC's) and
     * goes on after the hlt */
    uint64_t ticks = pit_ticks, end = time_ns() + 10000000;
    while (pit_ticks == ticks && time_ns() < end)
        sti_hlt();
    EXPECT_TRUE(t, pit_ticks > ticks, "a tick woke sti; hlt within 10 ms");
}
