/*
 * The IDT and the C side of every trap. IRQs go to their handlers; an
 * exception is recorded, then goes to a handler a test registered, or to
 * the exception table (safe_read64 and friends), or ends the run:
 * register dump, the running test reported not ok, Bail out!, the
 * failing verdict.
 */
#include "irq.h"
#include "kernel.h"
#include "tap.h"
#include "trap.h"
#include "usermode.h"
#include "x86.h"

/* A 64-bit gate: offset 15:0, selector, IST, type, offset 31:16 in the
 * low quadword, offset 63:32 in the high one. Built as two quadword
 * stores: at CPL 0 this host emulates every instruction. */
struct gate {
    uint64_t lo, hi;
};

#define GATE_INTR 0x8e              /* present, DPL 0, 64-bit interrupt gate */
#define GATE_INTR_DPL3 0xee         /* the same, int3 allowed from CPL 3 */

static struct gate idt[256] __attribute__((aligned(16)));
static trap_handler handlers[32];
extern const uint64_t __start_extable[], __stop_extable[];

struct trap_record last_exception;

static const char *const names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#RES15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#RES22", "#RES23",
    "#RES24", "#RES25", "#RES26", "#RES27", "#HV", "#VC", "#SX", "#RES31",
};

const char *exception_name(uint64_t vector)
{
    return vector < 32 ? names[vector] : "#IRQ";
}

static void set_gate(int v, uint64_t handler, int ist)
{
    uint64_t type = v == VEC_BP ? GATE_INTR_DPL3 : GATE_INTR;
    idt[v].lo = (handler & 0xffff) | (uint64_t)SEL_KCODE << 16 | (uint64_t)ist << 32 |
                type << 40 | (handler >> 16 & 0xffff) << 48;
    idt[v].hi = handler >> 32;
}

static void fill(int v)
{
    /* These may arrive on a broken stack (a #DF from a kernel stack
     * overflow): they get the TSS's IST1 stack. */
    set_gate(v, isr_table[v], v == VEC_DF || v == VEC_NMI || v == VEC_MC ? 1 : 0);
}

/* Loads the IDT with the two gates code at CPL 3 traps through (kcall's
 * #UD; cli and sti's #GP), so that idt_fill can run there: the IDT is
 * ordinary memory, and a KVM that emulates each instruction at CPL 0
 * makes filling all 48 gates there slow (docs/results.md). */
void idt_init(void)
{
    fill(VEC_UD);
    fill(VEC_GP);
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = {
        sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(ptr));
}

/* Every other gate; until then any other trap is a triple fault. */
void idt_fill(void)
{
    for (int v = 0; v < NR_VECTORS; v++)
        if (v != VEC_UD && v != VEC_GP)
            fill(v);
}

void trap_set_handler(int vector, trap_handler h)
{
    if (vector >= 0 && vector < 32)
        handlers[vector] = h;
}

/* The exception table: (faulting rip, where to resume) pairs. */
static int fixup(struct trap_frame *f)
{
    for (const uint64_t *e = __start_extable; e < __stop_extable; e += 2) {
        if (e[0] == f->rip) {
            f->rip = e[1];
            return 1;
        }
    }
    return 0;
}

static void dump(const struct trap_frame *f, uint64_t cr2)
{
    printf("# exception %s (vector %llu) at rip 0x%llx, error 0x%llx\n",
           exception_name(f->vector), (unsigned long long)f->vector,
           (unsigned long long)f->rip, (unsigned long long)f->error);
    printf("# rsp %016llx rflags %016llx cr2 %016llx cr3 %016llx\n",
           (unsigned long long)f->rsp, (unsigned long long)f->rflags,
           (unsigned long long)cr2, (unsigned long long)read_cr3());
    printf("# rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
           (unsigned long long)f->rax, (unsigned long long)f->rbx,
           (unsigned long long)f->rcx, (unsigned long long)f->rdx);
    printf("# rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n",
           (unsigned long long)f->rsi, (unsigned long long)f->rdi,
           (unsigned long long)f->rbp, (unsigned long long)f->r8);
    printf("# r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n",
           (unsigned long long)f->r9, (unsigned long long)f->r10,
           (unsigned long long)f->r11, (unsigned long long)f->r12);
    printf("# r13 %016llx r14 %016llx r15 %016llx\n",
           (unsigned long long)f->r13, (unsigned long long)f->r14,
           (unsigned long long)f->r15);
}

void trap_dispatch(struct trap_frame *f)
{
    static int crashing;

    if (f->vector >= VEC_IRQ0) {
        irq_dispatch((int)(f->vector - VEC_IRQ0));
        return;
    }
    /* CPL 3's privileged instructions and kernel calls are not
     * exceptions to the code that runs there (usermode.c) */
    if (f->cs & 3) {
        if ((f->vector == VEC_GP && user_gp(f)) || (f->vector == VEC_UD && user_ud(f)) ||
            (f->vector == VEC_BP && !handlers[VEC_BP] && user_bp(f)))
            return;
    }
    /* CR2 first: a fault while handling this one would overwrite it.
     * Only a #PF sets it, but a #DF from a stack overflow leaves the
     * guard page's address there, worth showing. */
    uint64_t cr2 = read_cr2();
    last_exception = (struct trap_record){ f->vector, f->error, f->rip, cr2,
                                           last_exception.count + 1 };
    if (handlers[f->vector]) {
        handlers[f->vector](f);
        return;
    }
    if ((f->vector == VEC_PF || f->vector == VEC_GP) && fixup(f))
        return;
    if (crashing++)             /* faulted while reporting a fault */
        verdict(1);
    dump(f, cr2);
    tap_crash(f, cr2);
}
