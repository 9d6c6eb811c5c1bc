/*
 * The PC platform both sides agree on: legacy ports, IRQ numbers, clocks.
 */
#ifndef CONTRACT_PLATFORM_H
#define CONTRACT_PLATFORM_H

/* 8259A PIC pair */
#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0
#define PIC2_DATA       0xa1
#define PIC_ELCR1       0x4d0   /* PIIX edge/level control, IRQ 0-7 */
#define PIC_ELCR2       0x4d1   /* IRQ 8-15 */
#define PIC_ICW1_ICW4   0x01
#define PIC_ICW1_SINGLE 0x02
#define PIC_ICW1_LTIM   0x08
#define PIC_ICW1_INIT   0x10
#define PIC_ICW4_8086   0x01
#define PIC_ICW4_AEOI   0x02
#define PIC_ICW4_SFNM   0x10
#define PIC_OCW2_EOI    0x20
#define PIC_OCW2_SL     0x40
#define PIC_OCW2_R      0x80
#define PIC_OCW3        0x08
#define PIC_OCW3_READ_IRR 0x0a
#define PIC_OCW3_READ_ISR 0x0b
#define PIC_OCW3_RR     0x02   /* read register command; RIS picks IRR/ISR */
#define PIC_OCW3_RIS    0x01
#define PIC_OCW3_POLL   0x04
#define PIC_OCW3_SMM    0x20
#define PIC_OCW3_ESMM   0x40
#define PIC_CASCADE_IRQ 2

/* 8254 PIT */
#define PIT_CH0         0x40
#define PIT_CH1         0x41
#define PIT_CH2         0x42
#define PIT_MODE        0x43
#define PIT_HZ          1193182u
#define PIT_IRQ         0
/* mode/command register fields */
#define PIT_SEL(ch)     ((ch) << 6)
#define PIT_SEL_READBACK (3u << 6)
#define PIT_RW_LATCH    (0u << 4)
#define PIT_RW_LSB      (1u << 4)
#define PIT_RW_MSB      (2u << 4)
#define PIT_RW_LSB_MSB  (3u << 4)
#define PIT_MODE_SHIFT  1
#define PIT_BCD         0x01
/* read-back command (PIT_SEL_READBACK): the two latch bits are active low */
#define PIT_RB_COUNT    0x20   /* set: do not latch the count */
#define PIT_RB_STATUS   0x10   /* set: do not latch the status */
#define PIT_RB_CNT(ch)  (2u << (ch))
/* status byte: OUT, NULL COUNT, then the low six bits of the control word */
#define PIT_STATUS_OUT  0x80
#define PIT_STATUS_NULL 0x40

/* 16550A UART, COM1 */
#define COM1_BASE       0x3f8
#define COM1_IRQ        4
#define UART_RBR        0   /* read, DLAB=0 */
#define UART_THR        0   /* write, DLAB=0 */
#define UART_DLL        0   /* DLAB=1 */
#define UART_IER        1   /* DLAB=0 */
#define UART_DLM        1   /* DLAB=1 */
#define UART_IIR        2   /* read */
#define UART_FCR        2   /* write */
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define UART_MSR        6
#define UART_SCR        7
#define UART_IER_RDI    0x01
#define UART_IER_THRI   0x02
#define UART_IER_RLSI   0x04
#define UART_IER_MSI    0x08
#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c
#define UART_IIR_FIFO   0xc0
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLR_RX 0x02
#define UART_FCR_CLR_TX 0x04
#define UART_FCR_DMA    0x08
#define UART_FCR_TRIGGER_MASK 0xc0   /* receive FIFO trigger level */
#define UART_FCR_TRIGGER_1  0x00
#define UART_FCR_TRIGGER_4  0x40
#define UART_FCR_TRIGGER_8  0x80
#define UART_FCR_TRIGGER_14 0xc0
#define UART_LCR_DLAB   0x80
#define UART_LCR_8N1    0x03
#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10
#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04
#define UART_MSR_DDCD   0x08
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80
#define UART_FIFO_DEPTH 16
#define UART_CLOCK_HZ   1843200u   /* 115200 baud at divisor 1 */

/* isa-debug-exit: writing v ends the machine with status (v << 1) | 1 */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_STATUS(v) ((((v) & 0xffu) << 1) | 1)

/* CPUID: the hypervisor range, and the timing leaf pcemu fills in
 * (EAX = TSC frequency in kHz, EBX = 0: no local APIC timer offered) */
#define PCEMU_CPUID_HV_BASE 0x40000000u
#define PCEMU_CPUID_TIMING  0x40000010u

/* pcemu's own leaves, beside whatever range the backend offers at
 * 0x40000000 (KVM's, or the interpreter's): PCEMU_CPUID_INFO returns the
 * highest pcemu leaf in EAX and "pcemu" in EBX, ECX, EDX (zero-padded);
 * PCEMU_CPUID_HOST says in EAX how the guest's code is run. */
#define PCEMU_CPUID_INFO    0x40000100u
#define PCEMU_CPUID_HOST    0x40000101u
#define PCEMU_CPUID_SIG_EBX 0x6d656370u     /* "pcem" */
#define PCEMU_CPUID_SIG_ECX 0x00000075u     /* "u" */
#define PCEMU_CPUID_SIG_EDX 0x00000000u
/* The host runs CPL 3 natively but emulates every CPL 0 instruction
 * (a PVM host): a guest does its work at CPL 3 there. */
#define PCEMU_HOST_CPL0_EMULATED 0x1u
/* The CPU is pcemu's interpreter: time is the instruction count. */
#define PCEMU_HOST_INTERPRETER   0x2u

/* Guest verdicts written to DEBUG_EXIT_PORT */
#define VERDICT_PASS    0
#define VERDICT_FAIL    1

#endif
