/* Interrupts and exceptions: the frame isr.asm builds, handlers, and the
 * exception table that lets chosen instructions fault safely. */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

#define VEC_DE   0
#define VEC_DB   1
#define VEC_NMI  2
#define VEC_BP   3
#define VEC_UD   6
#define VEC_DF   8
#define VEC_GP   13
#define VEC_PF   14
#define VEC_IRQ0 32

/* A handler for an exception vector; it returns to the interrupted code. */
typedef void (*trap_handler)(struct trap_frame *f);
void trap_set_handler(int vector, trap_handler h);

/* What the last fault caught through the exception table was. */
struct trap_record {
    uint64_t vector, error, rip, cr2;
    uint64_t count;
};
extern struct trap_record last_fault;

/* Returns 0 and *out, or -1 when reading addr faults. */
int safe_read64(uint64_t addr, uint64_t *out);

const char *exception_name(uint64_t vector);

void gdt_init(void);
void idt_init(void);
void paging_init(void);

#endif
