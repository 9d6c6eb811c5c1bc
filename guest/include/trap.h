/* Interrupts and exceptions: the frame isr.S builds, handlers, and the
 * exception table that lets chosen instructions fault safely. */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include <stdint.h>

/* In memory order, lowest address first: the reverse of the push order
 * (the CPU's part, then the stub's vector and error code, then the GPRs). */
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
#define VEC_MC   18
#define VEC_IRQ0 32
#define NR_VECTORS 48               /* 32 exceptions, 16 PIC lines */

/* Page fault error code bits */
#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_USER    0x4

/* A handler for an exception vector; it returns to the interrupted code
 * (at f->rip, which it may change). */
typedef void (*trap_handler)(struct trap_frame *f);
void trap_set_handler(int vector, trap_handler h);

/* Every exception taken, recorded before it is handled. */
struct trap_record {
    uint64_t vector, error, rip, cr2;       /* cr2: set by #PF (and kept) */
    uint64_t count;                         /* exceptions so far */
};
extern struct trap_record last_exception;

/* Returns 0 and *out, or -1 when reading addr faults (isr.S). */
int safe_read64(uint64_t addr, uint64_t *out);

const char *exception_name(uint64_t vector);

/* isr.S's side: one entry stub a vector, and the C they all call. */
extern const uint64_t isr_table[NR_VECTORS];
void trap_dispatch(struct trap_frame *f);

void gdt_init(void);
void idt_init(void);
void idt_fill(void);
void paging_init(void);

#endif
