/*
 * A vcpu backend behind one ops table: KVM, or pcemu's own interpreter.
 * The machine hands it an architectural start state; the backend runs the
 * guest until its next exit, performing port and MMIO accesses on the
 * machine's address spaces; cpu/vcpu.c's loop does everything else.
 */
#ifndef HOST_CPU_CPU_H
#define HOST_CPU_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct machine;

struct cpu_seg {
    uint64_t base;
    uint32_t limit;
    uint16_t selector;
    uint8_t type;       /* descriptor type field (4 bits) */
    uint8_t s, dpl, present, avl, l, db, g;
};

/* What a loader needs to set: enough for real, protected and long mode. */
struct cpu_state {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    struct cpu_seg cs, ds, es, fs, gs, ss, tr, ldt;
    uint64_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint64_t cr0, cr2, cr3, cr4, efer;
};

/* What a debugger can ask of a backend. */
/* READ has no debug-register form; backends that trap pages can do it. */
enum cpu_bp_kind { CPU_BP_EXEC, CPU_BP_WRITE, CPU_BP_ACCESS, CPU_BP_READ };

/* Breakpoint and watchpoint slots: KVM has the four debug registers
 * (CPU_HW_BPS); the interpreter checks as many as the table holds. */
#define CPU_HW_BPS 4
#define CPU_MAX_BPS 32

struct cpu_hw_bp {
    bool on;
    uint8_t kind;       /* enum cpu_bp_kind */
    uint8_t len;        /* 1, 2, 4 or 8 */
    uint64_t addr;
};

struct cpu_debug {
    bool attached;      /* a debugger wants #BP and #DB exits */
    bool single_step;   /* one instruction, interrupts held off */
    struct cpu_hw_bp hw[CPU_MAX_BPS];   /* the backend arms hw_bps of them */
};

/* Why the vcpu stopped for the debugger. */
struct cpu_debug_exit {
    int vector;         /* 1 (#DB) or 3 (#BP) */
    uint64_t pc;        /* for #BP: the address of the int3 */
    uint64_t dr6;       /* bit n: slot n triggered (DR6's B0-B3 under KVM) */
};

/* x87/SSE state in the order gdb's x86-64 description lists it. */
struct cpu_fpu {
    uint8_t st[8][10];
    uint32_t fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop;
    uint8_t xmm[16][16];
    uint32_t mxcsr;
};

struct cpu;

/* Why a backend's run() came back; cpu/vcpu.c dispatches on it. */
enum cpu_exit_kind {
    CPU_EXIT_NONE,      /* a deadline, a kick, an interrupt window */
    CPU_EXIT_IO,        /* port accesses (already performed) */
    CPU_EXIT_MMIO,      /* memory-mapped accesses (already performed) */
    CPU_EXIT_HLT,       /* the guest halted */
    CPU_EXIT_SHUTDOWN,  /* triple fault */
    CPU_EXIT_DEBUG,     /* a #BP or #DB the debugger asked for */
    CPU_EXIT_FAILED,    /* the backend already reported and stopped */
    CPU_EXIT_KINDS
};

struct cpu_exit {
    enum cpu_exit_kind kind;
    bool if_flag;                   /* CPU_EXIT_HLT: can an interrupt wake it */
    struct cpu_debug_exit debug;    /* CPU_EXIT_DEBUG */
};

struct cpu_ops {
    const char *name;
    int hw_bps;         /* breakpoint/watchpoint slots it arms (<= CPU_MAX_BPS) */
    /* Returns NULL and sets *why when the backend cannot run here. */
    struct cpu *(*create)(struct machine *m, char *why, size_t whylen);
    int (*set_state)(struct cpu *c, const struct cpu_state *s);
    int (*get_state)(struct cpu *c, struct cpu_state *s);
    /* Runs the guest until its next exit, or until the loop's clock
     * reaches deadline (ns, UINT64_MAX: none) or CLOCK_MONOTONIC reaches
     * poll_at (when file descriptors want a look), whichever is first.
     * Port and MMIO accesses are performed on the way (as_read/as_write). */
    void (*run)(struct cpu *c, uint64_t deadline, uint64_t poll_at, struct cpu_exit *e);
    /* Make run() come back soon (from a timer, a device or a signal). */
    void (*kick)(struct cpu *c);
    void (*destroy)(struct cpu *c);

    /* Interrupts: whether the guest can take one now (IF set, no
     * interrupt shadow, not single-stepping), give it one, or ask run()
     * to come back as soon as it can. */
    bool (*can_inject)(struct cpu *c);
    void (*inject)(struct cpu *c, int vector);
    void (*want_window)(struct cpu *c, bool on);

    /* A backend that keeps its own time (the interpreter's instruction
     * count) gives the loop its clock in ns, and moves it on while the
     * guest is halted; NULL: the loop runs on CLOCK_MONOTONIC. */
    uint64_t (*clock)(struct cpu *c);
    void (*idle_until)(struct cpu *c, uint64_t ns);
    /* Instructions retired, for -stats (NULL where unknown). */
    uint64_t (*instructions)(struct cpu *c);
    /* While a port or MMIO access is being performed: the guest's linear
     * address of the instruction making it (for device diagnostics);
     * false when it cannot be known. */
    bool (*access_pc)(struct cpu *c, uint64_t *pc);

    /* Writes to these ports (pio) or guest-physical addresses may be
     * queued and delivered at the next exit instead of exiting each time
     * (core/coalesce.h); on false the zone is dropped. */
    int (*coalesce)(struct cpu *c, bool pio, uint64_t addr, uint64_t len, bool on);

    /* Finish an access the guest started (an IN waiting for its value),
     * so that its registers are complete before anyone looks at them. */
    void (*sync)(struct cpu *c);

    /* Debugging (NULL where a backend has none). */
    int (*set_debug)(struct cpu *c, const struct cpu_debug *d);
    int (*get_fpu)(struct cpu *c, struct cpu_fpu *f);
    int (*set_fpu)(struct cpu *c, const struct cpu_fpu *f);
    /* Deliver the #BP the guest itself raised (its own int3). */
    int (*reinject_bp)(struct cpu *c);
    /* Guest TSC, so time can stand still while the guest is stopped. */
    int (*get_tsc)(struct cpu *c, uint64_t *tsc);
    int (*set_tsc)(struct cpu *c, uint64_t tsc);
};

extern const struct cpu_ops kvm_cpu_ops;
extern const struct cpu_ops interp_cpu_ops;

/* The backend-neutral run loop (cpu/vcpu.c): pause, timers, file
 * descriptors, interrupts from the PIC, statistics and the exits'
 * meaning. Returns when the machine stops. */
void vcpu_run(struct machine *m);

/* Reports a fatal guest or backend condition with the vcpu's state and
 * ends the run with status. */
void vcpu_fatal(struct machine *m, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Guest virtual to physical through the page tables the state points at
 * (identity with paging off); false when not mapped. */
bool cpu_translate(struct machine *m, const struct cpu_state *s, uint64_t va, uint64_t *pa);

/* Prints the architectural state, for crash reports. */
void cpu_dump_state(const struct cpu_state *s, FILE *out);

#endif
