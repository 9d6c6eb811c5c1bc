/* The UART behaves as the console driver assumes. */
#include "contract/platform.h"
#include "tap.h"
#include "x86.h"

SELFTEST(40, serial_scratch)
{
    outb(COM1_BASE + UART_SCR, 0x3c);
    EXPECT_EQ(t, 0x3c, inb(COM1_BASE + UART_SCR), "scratch register round trip");
    uint8_t lsr = inb(COM1_BASE + UART_LSR);
    EXPECT_EQ(t, UART_LSR_THRE | UART_LSR_TEMT, lsr & (UART_LSR_THRE | UART_LSR_TEMT),
              "LSR THRE and TEMT");
    EXPECT_EQ(t, UART_IIR_FIFO, inb(COM1_BASE + UART_IIR) & UART_IIR_FIFO,
              "IIR shows the FIFOs enabled");
}
