/*
 * Where things are, for the host and for the interpreter's guest alike.
 * The user-mode code and scratch memory sit at the same linear addresses
 * in the test program (fixed mmaps) and in the guest (its page tables),
 * so a case's absolute and RIP-relative addresses mean the same on both.
 * layout.inc says the same for nasm; cases.inc records its values in the
 * case table and main.c checks they agree.
 */
#ifndef TESTS_CPU_LAYOUT_H
#define TESTS_CPU_LAYOUT_H

/* linear, both sides (below 2 GiB: a disp32 reaches them) */
#define CODE_VA        0x10000000ull    /* user code, RWX */
#define CODE_SIZE      0x4000ull
#define SCRATCH_VA     0x10010000ull    /* user data and stack, RW, NX */
#define SCRATCH_SIZE   0x2000ull
#define GUARD_VA       (SCRATCH_VA + SCRATCH_SIZE)  /* never mapped */
#define STACK_TOP      (SCRATCH_VA + 0x1800ull)     /* initial user RSP */

/* guest physical (RAM from 0; the guest's kernel side is identity-mapped,
 * supervisor-only, in 4 KiB pages; page 0 is not mapped) */
#define RAM_SIZE       0x400000ull      /* 4 MiB */
#define PT_POOL        0x1000ull        /* page tables, PT_POOL_PAGES pages */
#define PT_POOL_PAGES  15
#define GDT_PA         0x10000ull
#define IDT_PA         0x11000ull
#define TSS_PA         0x12000ull       /* 0x68 bytes, then the I/O bitmap */
#define TSS_IOMAP_OFF  0x68u
#define STUBS_PA       0x16000ull       /* 256 exception stubs, 16 bytes each */
#define STUB_SIZE      16
#define KSTACK_TOP     0x28000ull       /* TSS.RSP0 */
#define ISTACK_TOP     0x34000ull       /* TSS.IST1, for #DF */
#define LOW_CODE_PA    0x40000ull       /* code run with paging off */
#define SPARE_PA       0x80000ull       /* free pages for system tests */
#define CODE_PA        0x100000ull      /* backs CODE_VA */
#define SCRATCH_PA     0x110000ull      /* backs SCRATCH_VA */
#define MMIO_PA        0xe0000000ull    /* outside RAM: reaches the bus */

/* selectors: the same layout as Linux's GDT, so that a case reading CS
 * or SS sees what it sees on the host */
#define SEL_KCODE32    0x08
#define SEL_KCODE      0x10
#define SEL_KDATA      0x18
#define SEL_UCODE32    0x23
#define SEL_UDATA      0x2b
#define SEL_UCODE      0x33
#define SEL_TSS        0x40

#endif
