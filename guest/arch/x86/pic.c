/* The 8259 pair remapped above the exceptions, every line masked until a
 * driver asks for it. */
#include "contract/platform.h"
#include "irq.h"
#include "kernel.h"
#include "x86.h"

static irq_handler handlers[16];
static uint16_t mask = 0xffff & ~(1u << PIC_CASCADE_IRQ);

static void write_masks(void)
{
    outb(PIC1_DATA, (uint8_t)mask);
    outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

void pic_init(void)
{
    outb(PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    outb(PIC2_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4);
    outb(PIC1_DATA, 0x20);                   /* ICW2: vectors 0x20-0x27 */
    outb(PIC2_DATA, 0x28);                   /* 0x28-0x2f */
    outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ);  /* ICW3: slave on IR2 */
    outb(PIC2_DATA, PIC_CASCADE_IRQ);        /* slave identity */
    outb(PIC1_DATA, PIC_ICW4_8086);
    outb(PIC2_DATA, PIC_ICW4_8086);
    write_masks();
}

void irq_register(int irq, irq_handler h)
{
    handlers[irq & 15] = h;
}

void irq_unmask(int irq)
{
    mask &= (uint16_t)~(1u << irq);
    write_masks();
}

void irq_mask(int irq)
{
    mask |= (uint16_t)(1u << irq);
    write_masks();
}

void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_OCW2_EOI);
    outb(PIC1_CMD, PIC_OCW2_EOI);
}

static int in_service(int irq)
{
    uint16_t port = irq >= 8 ? PIC2_CMD : PIC1_CMD;
    outb(port, PIC_OCW3_READ_ISR);
    int isr = inb(port) & (1 << (irq & 7));
    outb(port, PIC_OCW3_READ_IRR);
    return isr;
}

void irq_dispatch(int irq)
{
    /* IRQ 7 and 15 also arrive when a request vanished before the
     * acknowledge: a spurious one is not in service and gets no EOI
     * (for 15, the master still saw its cascade line). */
    if ((irq == 7 || irq == 15) && !in_service(irq)) {
        if (irq == 15)
            outb(PIC1_CMD, PIC_OCW2_EOI);
        return;
    }
    if (handlers[irq])
        handlers[irq](irq);
    pic_eoi(irq);
}
