/*
 * pcemu's own x86-64 CPU: the architectural state and the interfaces the
 * interpreter's parts share. Nothing here knows about the machine: guest
 * RAM is a host buffer and every other physical access, port or memory,
 * goes through struct x86_bus, so the CPU can be tested on its own.
 *
 * Parts, each in its own file:
 *   decode.c, exec_*.c, flags.c  instruction decoding and execution
 *             (exec_fast.c: handlers specialized for the common forms)
 *   fpu.c     x87/SSE state: FXSAVE/FXRSTOR, LDMXCSR, the #NM/#UD checks;
 *             exec_x87.c, x87*.c the x87 FPU, exec_mmx.c MMX, exec_sse.c,
 *             sse_int.c, sse_fp.c SSE/SSE2 (floating point on the host's
 *             own SSE and x87 under the guest's MXCSR and control word)
 *   block.c   the cache of decoded blocks of instructions
 *   mmu.c     linear -> physical: paging, the software TLB, A/D bits
 *   access.c  segmented and linear reads/writes, code fetch (fastmem.h:
 *             the TLB hit of 64-bit code inline)
 *   seg.c     descriptor tables, segment loads, far transfers, iret
 *   except.c  exceptions and interrupts delivered through the IDT
 *   run.c     x86_run: the instruction loop, debug checks, time
 *
 * Faults: a part that detects one calls x86_fault(), which does not
 * return: it records the exception and longjmps to x86_run, which
 * restores RIP to the start of the instruction and delivers it. So an
 * instruction does every access that can fault before it changes any
 * register, as the CPU itself appears to.
 */
#ifndef HOST_CPU_INTERP_X86_H
#define HOST_CPU_INTERP_X86_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

/* General registers in encoding order (SDM Vol. 2, 2.1.5). */
enum x86_reg {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Segment registers in encoding order (Sreg field of ModR/M). */
enum x86_sreg { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_SEG_NONE = 7 };

/* A segment register's visible selector and hidden descriptor cache. */
struct x86_seg {
    uint64_t base;
    uint32_t limit;     /* in bytes, granularity already applied */
    uint16_t sel;
    uint16_t attr;      /* descriptor bits 40-55 (see X86_ATTR_*) */
};

/* attr: the descriptor's high dword bits 8-23 (SDM Vol. 3, 3.4.5) */
#define X86_ATTR_TYPE   0x000f
#define X86_ATTR_S      0x0010      /* code/data (1) or system (0) */
#define X86_ATTR_DPL(a) (((a) >> 5) & 3)
#define X86_ATTR_P      0x0080
#define X86_ATTR_AVL    0x1000
#define X86_ATTR_L      0x2000
#define X86_ATTR_DB     0x4000
#define X86_ATTR_G      0x8000
/* type bits for code/data segments */
#define X86_TYPE_A      0x1         /* accessed */
#define X86_TYPE_W      0x2         /* data: writable */
#define X86_TYPE_R      0x2         /* code: readable */
#define X86_TYPE_E      0x4         /* data: expand-down */
#define X86_TYPE_C      0x4         /* code: conforming */
#define X86_TYPE_CODE   0x8

struct x86_dtr {
    uint64_t base;
    uint16_t limit;
};

/* RFLAGS (SDM Vol. 1, 3.4.3) */
#define X86_CF   0x0001ull
#define X86_PF   0x0004ull
#define X86_AF   0x0010ull
#define X86_ZF   0x0040ull
#define X86_SF   0x0080ull
#define X86_TF   0x0100ull
#define X86_IF   0x0200ull
#define X86_DF   0x0400ull
#define X86_OF   0x0800ull
#define X86_IOPL 0x3000ull
#define X86_NT   0x4000ull
#define X86_RF   0x10000ull
#define X86_VM   0x20000ull
#define X86_AC   0x40000ull
#define X86_VIF  0x80000ull
#define X86_VIP  0x100000ull
#define X86_ID   0x200000ull
#define X86_ARITH_FLAGS (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)

/* Control registers and EFER */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_EM (1ull << 2)
#define X86_CR0_TS (1ull << 3)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_AM (1ull << 18)
#define X86_CR0_NW (1ull << 29)
#define X86_CR0_CD (1ull << 30)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_PGE (1ull << 7)
#define X86_CR4_OSFXSR (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_CR4_FSGSBASE (1ull << 16)
#define X86_CR4_SMEP (1ull << 20)
#define X86_CR4_SMAP (1ull << 21)
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)

/* Exception vectors (SDM Vol. 3, 6.3.1) */
enum x86_vector {
    X86_DE = 0, X86_DB = 1, X86_NMI = 2, X86_BP = 3, X86_OF_VEC = 4, X86_BR = 5,
    X86_UD = 6, X86_NM = 7, X86_DF_VEC = 8, X86_TS = 10, X86_NP = 11, X86_SS_VEC = 12,
    X86_GP = 13, X86_PF_VEC = 14, X86_MF = 16, X86_AC_VEC = 17, X86_MC = 18, X86_XM = 19,
};

/* #PF error code bits (SDM Vol. 3, 4.7) */
#define X86_PFEC_P    0x01
#define X86_PFEC_W    0x02
#define X86_PFEC_U    0x04
#define X86_PFEC_RSVD 0x08
#define X86_PFEC_I    0x10

/* MSRs the interpreter keeps (SDM Vol. 4) */
#define X86_MSR_TSC            0x00000010
#define X86_MSR_APIC_BASE      0x0000001b
#define X86_MSR_MISC_ENABLE    0x000001a0
#define X86_MSR_SYSENTER_CS    0x00000174
#define X86_MSR_SYSENTER_ESP   0x00000175
#define X86_MSR_SYSENTER_EIP   0x00000176
#define X86_MSR_PAT            0x00000277
#define X86_MSR_EFER           0xc0000080
#define X86_MSR_STAR           0xc0000081
#define X86_MSR_LSTAR          0xc0000082
#define X86_MSR_CSTAR          0xc0000083
#define X86_MSR_FMASK          0xc0000084
#define X86_MSR_FS_BASE        0xc0000100
#define X86_MSR_GS_BASE        0xc0000101
#define X86_MSR_KERNEL_GS_BASE 0xc0000102
#define X86_MSR_TSC_AUX        0xc0000103

/* How an access is checked: the kind, and who makes it. */
enum x86_access {
    X86_READ  = 0,
    X86_WRITE = 1,
    X86_EXEC  = 2,
    X86_SYS   = 4,      /* or'ed in: a system-structure access (GDT, IDT,
                         * TSS, page tables) made as a supervisor whatever
                         * the CPL (SDM Vol. 3, 4.6) */
};

/* Physical accesses outside RAM, and port I/O: the machine's side. A
 * callback that needs x86_run to come back after the instruction (an
 * interrupt the device raised) calls x86_request_stop. */
struct x86_bus {
    void *opaque;
    uint64_t (*mem_read)(void *opaque, uint64_t pa, unsigned size);
    void (*mem_write)(void *opaque, uint64_t pa, uint64_t value, unsigned size);
    uint64_t (*io_in)(void *opaque, uint16_t port, unsigned size);
    void (*io_out)(void *opaque, uint16_t port, uint64_t value, unsigned size);
    /* The guest executed an instruction the interpreter does not know
     * (it gets #UD); bytes are those at RIP, up to 15. Optional. */
    void (*unknown)(void *opaque, uint64_t rip, const uint8_t *bytes, unsigned n);
};

/* Guest RAM: [0, low) at ram, [high_base, high_base + high) at ram + low
 * (the PC's split around the PCI hole). */
struct x86_ram {
    uint8_t *host;
    uint64_t low;
    uint64_t high_base, high;
};

/* Lazily evaluated arithmetic flags: the last flag-setting operation's
 * kind, width and operands; flags.c derives CF..OF on demand. */
struct x86_lazy {
    uint64_t res, src1, src2;
    uint8_t op;         /* enum in flags.h; 0: flags are in rflags */
    uint8_t size;       /* operand size in bytes */
};

/* The software TLB: direct-mapped, one set for each kind of access.
 * A hit gives the host address of the page (RAM only). */
#define X86_TLB_SIZE 256
struct x86_tlb_entry {
    uint64_t tag;       /* linear page number | 1 (valid), per access kind */
    uint8_t *host;      /* host address of the page, NULL: not RAM */
    uint64_t pa;        /* physical address of the page */
};

/* Why x86_run came back. */
enum x86_stop {
    X86_STOP_BUDGET,    /* ran the instructions it was given */
    X86_STOP_REQUEST,   /* x86_request_stop (a device, a kick) */
    X86_STOP_HLT,       /* HLT: c->halted is set */
    X86_STOP_SHUTDOWN,  /* triple fault */
    X86_STOP_DEBUG,     /* breakpoint, watchpoint or single step */
};

/* An XMM register, by element (little-endian host). */
union x86_xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
    int8_t sb[16];
    int16_t sw[8];
    int32_t sd[4];
    int64_t sq[2];
    float f[4];
    double f64[2];
};

/* The x87 FPU and SSE state (SDM Vol. 1, 8.1 and 10.2): what FXSAVE
 * saves (fpu.c). */
struct x86_fpu {
    uint8_t st[8][10];      /* physical registers R0-R7, 80-bit format */
    uint16_t fcw, fsw;      /* control, status (TOP in bits 13:11) */
    uint8_t ftw;            /* abridged tag: bit i set, Ri not empty */
    uint16_t fop;           /* last opcode's 11 bits */
    uint16_t fcs, fds;
    uint64_t fip, fdp;      /* last instruction and operand pointers */
    uint32_t mxcsr;
    union x86_xmm xmm[16];
};

/* MXCSR's writable bits (FXSAVE's MXCSR_MASK, SDM Vol. 1, 11.6.6): the
 * flags, masks, RC, FZ and DAZ (sse_fp.c runs the host's MXCSR) */
#define X86_MXCSR_MASK 0xffffu

#define X86_MAX_BREAKPOINTS 64
#define X86_CODE_PAGES 64
#define X86_MAX_WATCHPOINTS 64

struct x86_watch {
    uint64_t lin, len;  /* linear range */
    uint8_t kind;       /* 1 write, 2 read, 3 access */
};

struct x86_cpu {
    uint64_t r[16];
    uint64_t rip;
    uint64_t rflags;    /* non-arithmetic flags always; arithmetic ones
                         * when lazy.op is 0 (use x86_get_rflags) */
    struct x86_lazy lazy;
    struct x86_seg seg[6];
    struct x86_seg ldtr, tr;
    struct x86_dtr gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
    uint64_t dr[8];
    uint64_t star, lstar, cstar, fmask, kernel_gs_base, tsc_aux;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat, apic_base, misc_enable;
    struct x86_fpu fpu;
    uint64_t tsc_offset;    /* TSC = clock * tsc_per_insn + tsc_offset */
    uint32_t tsc_per_insn;

    unsigned cpl;           /* CS.DPL, kept for speed */
    bool long_mode;         /* EFER.LMA */
    bool code64;            /* long mode and CS.L */
    bool code32;            /* CS.D (outside 64-bit code) */

    uint64_t icount;        /* instructions retired since reset */
    uint64_t clock;         /* virtual time in instructions: icount plus
                             * what the backend skips while halted */
    bool halted;
    bool shutdown;          /* triple fault: the CPU stopped (except.c) */
    bool intr_shadow;       /* after sti or a load of SS: no interrupt yet */
    bool stop_request;      /* set by x86_request_stop, cleared by x86_run */
    bool code_hit;          /* the block running ends after this instruction:
                             * its code was written, or a device accessed
                             * (next to stop_request: run.c reads both) */
    int pending_irq;        /* from x86_interrupt, delivered by x86_run; -1 */
    bool irq_window;        /* set by the backend while an interrupt waits:
                             * x86_run comes back (X86_STOP_REQUEST) at the
                             * first boundary where x86_interrupts_enabled */

    /* the instruction being executed */
    uint64_t insn_rip;      /* its first byte: a fault restarts here */
    /* the block cache's (block.h): the host bytes of the block running,
     * and the host pages of blocks this CPU checked against memory since
     * x86_code_epoch last moved (a write to one of them moves it) */
    uintptr_t code_lo, code_hi;
    uintptr_t code_pages[X86_CODE_PAGES];
    /* fault delivery (except.c, run.c) */
    jmp_buf fault_jmp;
    bool in_run;
    int fault_vector;       /* pending from x86_fault, -1 none */
    uint32_t fault_error;
    bool fault_has_error;
    int delivering;         /* vector being delivered, -1 none (#DF rule) */

    struct x86_tlb_entry tlb_read[X86_TLB_SIZE], tlb_write[X86_TLB_SIZE],
                         tlb_exec[X86_TLB_SIZE];

    /* debugging */
    bool single_step;
    bool sw_bp_exit;        /* INT3 stops x86_run (X86_STOP_DEBUG, vector 3,
                             * RIP left at the INT3) instead of trapping */
    int debug_vector;       /* why X86_STOP_DEBUG: 1 (#DB) or 3 (#BP) */
    uint64_t break_resume;  /* RIP stopped at by a breakpoint: the next
                             * x86_run executes it before checking again */
    int nbreak;
    uint64_t breakpoints[X86_MAX_BREAKPOINTS];  /* linear addresses */
    int nwatch;
    struct x86_watch watch[X86_MAX_WATCHPOINTS];
    int watch_hit;          /* index of the watchpoint that stopped, -1 */
    uint64_t debug_pc;      /* where a breakpoint stopped */

    struct x86_ram ram;
    struct x86_bus bus;

    /* mmu.c's own: the PDPTE registers of PAE paging, loaded by MOV to
     * CR3/CR0/CR4 (SDM Vol. 3, 4.4.1), and whether the TLB holds parts
     * of pages larger than 4 KiB (INVLPG then flushes it all) */
    uint64_t pdpte[4];
    bool tlb_large;
};

/* ---- run.c ---- */
/* Power-on state (SDM Vol. 3, 9.1.1), RAM and bus attached. */
void x86_init(struct x86_cpu *c, const struct x86_ram *ram, const struct x86_bus *bus);
/* Executes at most budget instructions; stops early for the reasons in
 * enum x86_stop. Interrupts are not taken here: see x86_interrupt. */
enum x86_stop x86_run(struct x86_cpu *c, uint64_t budget);
/* From a bus callback or a signal handler: come back after this
 * instruction. */
void x86_request_stop(struct x86_cpu *c);
/* Whether an external interrupt can be taken now (IF set, no shadow). */
bool x86_interrupts_enabled(const struct x86_cpu *c);
/* The guest's TSC now. */
uint64_t x86_tsc(const struct x86_cpu *c);

/* ---- except.c ---- */
/* Raise an exception from inside an instruction: does not return. */
_Noreturn void x86_fault(struct x86_cpu *c, int vector, uint32_t error);
_Noreturn void x86_fault_noerr(struct x86_cpu *c, int vector);
/* Delivers an event through the IDT (SDM Vol. 3, 6.12 and 6.14): an
 * external interrupt (ends a HLT), an exception, or a software interrupt
 * (INT n, INT3, INTO: privilege checked against the gate's DPL, RIP
 * already past the instruction). Runs inside x86_run's fault frame or,
 * for external interrupts, from outside it. */
enum x86_event { X86_EV_EXTERNAL, X86_EV_EXCEPTION, X86_EV_SOFTWARE };
void x86_deliver(struct x86_cpu *c, int vector, enum x86_event kind, bool has_error,
                 uint32_t error);
/* An external interrupt from the PIC, taken when x86_interrupts_enabled:
 * recorded in pending_irq (clearing halted) and delivered by x86_run
 * before its first instruction. */
void x86_interrupt(struct x86_cpu *c, int vector);

/* ---- flags.c ---- */
uint64_t x86_get_rflags(struct x86_cpu *c);
/* Sets every bit as given (no privilege rules: callers apply them). */
void x86_set_rflags(struct x86_cpu *c, uint64_t v);

/* ---- mmu.c ---- */
/* Linear to physical with the checks of an access by the current CPL
 * (acc: enum x86_access), setting A and D bits; raises #PF. */
uint64_t x86_translate(struct x86_cpu *c, uint64_t lin, int acc);
/* The same without faulting or setting bits (the debugger's view). */
bool x86_translate_peek(struct x86_cpu *c, uint64_t lin, uint64_t *pa);
void x86_tlb_flush(struct x86_cpu *c);
void x86_tlb_flush_page(struct x86_cpu *c, uint64_t lin);
/* Host address of a physical address in RAM, NULL outside it. */
uint8_t *x86_ram_ptr(const struct x86_cpu *c, uint64_t pa, uint64_t len);

/* ---- access.c ---- */
/* Segmented accesses: segment checks (#GP, or #SS for SS), then paging.
 * size is 1, 2, 4 or 8 (16 for the few that need it: read/write n bytes
 * through x86_read_bytes). Accesses that cross a page are split. */
uint64_t x86_read(struct x86_cpu *c, int seg, uint64_t off, unsigned size);
void x86_write(struct x86_cpu *c, int seg, uint64_t off, uint64_t v, unsigned size);
/* Linear accesses (descriptor tables, the TSS, the IDT): acc may carry
 * X86_SYS. */
uint64_t x86_read_lin(struct x86_cpu *c, uint64_t lin, unsigned size, int acc);
void x86_write_lin(struct x86_cpu *c, uint64_t lin, uint64_t v, unsigned size, int acc);
void x86_read_bytes(struct x86_cpu *c, int seg, uint64_t off, void *buf, unsigned n);
void x86_write_bytes(struct x86_cpu *c, int seg, uint64_t off, const void *buf, unsigned n);
/* Instruction fetch at CS:off; faults as an instruction fetch does. */
uint8_t x86_fetch8(struct x86_cpu *c, uint64_t off);
/* The instruction bytes at CS:off that can be read in place: checked and
 * translated as a fetch of the first byte (faulting as x86_fetch8 does),
 * *n of them (to the end of the page or of CS's limit) at the address
 * returned; NULL and *n = 0 if they are not RAM (use x86_fetch8). For
 * the instruction being decoded: ask again for the next (paging and CS
 * may have changed). */
const uint8_t *x86_fetch_ptr(struct x86_cpu *c, uint64_t off, unsigned *n);
/* Stack: push and pop of size bytes at SS:RSP with the stack's address
 * size (64-bit in long mode, else SS.B picks ESP or SP). */
void x86_push(struct x86_cpu *c, uint64_t v, unsigned size);
uint64_t x86_pop(struct x86_cpu *c, unsigned size);

/* ---- seg.c ---- */
/* MOV/POP to a segment register, LDS and friends (SDM Vol. 3, 5.4-5.6):
 * loads the hidden part from the GDT or LDT with every check. */
void x86_load_seg(struct x86_cpu *c, int sreg, uint16_t sel);
/* Sets a segment register's cache directly (reset, state from outside),
 * and recomputes cpl, long_mode, code64 and code32 when it is CS. */
void x86_set_seg(struct x86_cpu *c, int sreg, const struct x86_seg *s);
/* Recompute the cached mode bits after CR0, EFER or CS change. */
void x86_update_mode(struct x86_cpu *c);
/* Far JMP and CALL through a selector (code segments; call gates too),
 * RETF with its immediate, IRET of opsize 2, 4 or 8. */
void x86_far_jmp(struct x86_cpu *c, uint16_t sel, uint64_t off);
void x86_far_call(struct x86_cpu *c, uint16_t sel, uint64_t off, unsigned opsize);
void x86_far_ret(struct x86_cpu *c, unsigned opsize, uint16_t imm);
void x86_iret(struct x86_cpu *c, unsigned opsize);
/* LGDT/LIDT take values the instruction read; LLDT, LTR load selectors. */
void x86_lldt(struct x86_cpu *c, uint16_t sel);
void x86_ltr(struct x86_cpu *c, uint16_t sel);
/* SYSCALL/SYSRET (AMD64, SDM Vol. 2 SYSCALL), SYSENTER/SYSEXIT. */
void x86_syscall(struct x86_cpu *c);
void x86_sysret(struct x86_cpu *c, unsigned opsize);
/* Port access by the current privilege: IOPL, then the TSS I/O
 * permission bitmap (SDM Vol. 1, 19.5); raises #GP(0) when refused. */
void x86_check_io(struct x86_cpu *c, uint16_t port, unsigned size);

/* ---- system registers (sys.c) ---- */
/* MOV to CR0/CR3/CR4/CR8 with their checks and TLB effects. */
void x86_write_cr(struct x86_cpu *c, int n, uint64_t v);
uint64_t x86_read_cr(struct x86_cpu *c, int n);
/* RDMSR/WRMSR: return false for an MSR the CPU does not have (#GP). */
bool x86_rdmsr(struct x86_cpu *c, uint32_t msr, uint64_t *v);
bool x86_wrmsr(struct x86_cpu *c, uint32_t msr, uint64_t v);
/* CPUID leaf/subleaf into eax..edx. */
void x86_cpuid(struct x86_cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* What CPUID's hypervisor leaves say (set by the backend). */
extern uint32_t x86_cpuid_tsc_khz;

#endif
