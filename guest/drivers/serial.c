/*
 * The COM1 console, driven as a normal 16550 driver would: interrupts
 * off, 115200 8N1, FIFOs on, the scratch register checked. Output waits
 * for THRE and then fills the 16-byte FIFO, so a line costs one status
 * read per 16 characters (each port access is a VM exit). Called at CPL 3
 * (usermode.h), a line goes up to CPL 0 in one kcall: a KVM that
 * emulates CPL 0 runs rep outsb there, but at CPL 3 takes a trap for
 * every byte of it, each far costlier (docs/results.md).
 */
#include "contract/platform.h"
#include "serial.h"
#include "usermode.h"
#include "x86.h"

static int present;

static void reg_write(int reg, uint8_t v) { outb(COM1_BASE + reg, v); }
static uint8_t reg_read(int reg) { return inb(COM1_BASE + reg); }

int serial_init(void)
{
    reg_write(UART_IER, 0);
    reg_write(UART_LCR, UART_LCR_DLAB);
    reg_write(UART_DLL, 1);
    reg_write(UART_DLM, 0);
    reg_write(UART_LCR, UART_LCR_8N1);
    reg_write(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX | UART_FCR_CLR_TX);
    reg_write(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
    reg_write(UART_SCR, 0x5a);
    int ok = reg_read(UART_SCR) == 0x5a;
    reg_write(UART_SCR, 0xa5);
    ok = ok && reg_read(UART_SCR) == 0xa5;
    present = ok;
    return ok ? 0 : -1;
}

static void write_cpl0(const char *s, size_t n)
{
    while (n) {
        /* A missing UART reads all ones, THRE included: no hang either way. */
        for (int spin = 0; !(reg_read(UART_LSR) & UART_LSR_THRE) && spin < 1000000; spin++)
            ;
        size_t burst = n < UART_FIFO_DEPTH ? n : UART_FIFO_DEPTH;
        n -= burst;
        __asm__ volatile("rep outsb" : "+S"(s), "+c"(burst) : "d"(COM1_BASE + UART_THR)
                         : "memory");
    }
}

struct chunk {
    const char *s;
    size_t n;
};

static uint64_t write_k(uint64_t arg)
{
    const struct chunk *c = (const struct chunk *)arg;
    write_cpl0(c->s, c->n);
    return 0;
}

void serial_write(const char *s, size_t n)
{
    if (current_cpl() == 0) {
        write_cpl0(s, n);
        return;
    }
    struct chunk c = { s, n };
    kcall(write_k, (uint64_t)&c);
}
