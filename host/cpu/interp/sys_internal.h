/*
 * What the system side of the interpreter (mmu.c, access.c, seg.c,
 * except.c, sys.c) shares and the rest need not see: the software TLB's
 * tags, descriptor decoding, accesses through an explicit segment cache.
 */
#ifndef HOST_CPU_INTERP_SYS_INTERNAL_H
#define HOST_CPU_INTERP_SYS_INTERNAL_H

#include "cpu/interp/x86.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "guest memory is accessed with memcpy: the host must be little-endian"
#endif

#define X86_LIKELY(x)   __builtin_expect(!!(x), 1)
#define X86_RARE(x)     __builtin_expect(!!(x), 0)

/* MAXPHYADDR, what CPUID 80000008H reports: bits above it in a paging
 * entry or CR3 are reserved (SDM Vol. 3, 4.1.4). 40 bits cover the RAM
 * model (4 GiB below the hole plus what lies above it) with room. */
#define X86_PHYS_BITS   40
#define X86_PHYS_RSVD   (((1ull << 52) - 1) & ~((1ull << X86_PHYS_BITS) - 1))

/* 64-bit linear addresses: bits 63:47 all equal (SDM Vol. 1, 3.3.7.1). */
static inline bool x86_is_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* The block cache's epoch (block.h): per thread, like the cache, and
 * never the same twice (0 is no block's). */
extern _Thread_local uint64_t x86_code_epoch;

/* Every write to guest RAM through the CPU (access.c, mmu.c, fastmem.h):
 * n bytes at host address h, in a page of checked code or not (block.h). */
static inline void x86_code_written(struct x86_cpu *c, const uint8_t *h, uint64_t n)
{
    uintptr_t a = (uintptr_t)h, pg = a >> 12, last = (a + n - 1) >> 12;
    if (X86_RARE(c->code_pages[pg % X86_CODE_PAGES] == pg ||
                 c->code_pages[last % X86_CODE_PAGES] == last)) {
        x86_code_epoch++;
        if (a < c->code_hi && a + n > c->code_lo)
            c->code_hit = true;
    }
}

/* After every call to the bus: the device may have written RAM (DMA),
 * code included, so nothing checked before holds and the block running
 * ends after this instruction. */
static inline void x86_device_accessed(struct x86_cpu *c)
{
    x86_code_epoch++;
    c->code_hit = true;
}

/* ---- the software TLB (mmu.c fills, access.c looks up) ----
 * A tag is the linear page's address | X86_TLB_VALID, | X86_TLB_USER for
 * a translation checked as a user-mode access (CPL 3 and not X86_SYS).
 * Access rights depend on that and nothing else that changes without a
 * flush (CR0.WP, CR4.SMEP, EFER.NXE and the paging mode flush the TLB),
 * so a CPL change needs no flush: the other kind simply misses. */
#define X86_TLB_VALID   1ull
#define X86_TLB_USER    2ull

static inline bool x86_user_access(const struct x86_cpu *c, int acc)
{
    return c->cpl == 3 && !(acc & X86_SYS);
}

static inline uint64_t x86_tlb_tag(const struct x86_cpu *c, uint64_t lin, int acc)
{
    return (lin & ~0xfffull) | X86_TLB_VALID | (x86_user_access(c, acc) ? X86_TLB_USER : 0);
}

static inline struct x86_tlb_entry *x86_tlb_slot(struct x86_cpu *c, uint64_t lin, int acc)
{
    struct x86_tlb_entry *set = (acc & X86_EXEC) ? c->tlb_exec
                              : (acc & X86_WRITE) ? c->tlb_write : c->tlb_read;
    return &set[(lin >> 12) & (X86_TLB_SIZE - 1)];
}

/* Walks the page tables for lin (faulting as the access would) and fills
 * the TLB; returns the entry for acc. mmu.c. */
struct x86_tlb_entry *x86_tlb_fill(struct x86_cpu *c, uint64_t lin, int acc);

static inline struct x86_tlb_entry *x86_tlb_get(struct x86_cpu *c, uint64_t lin, int acc)
{
    struct x86_tlb_entry *e = x86_tlb_slot(c, lin, acc);
    if (X86_LIKELY(e->tag == x86_tlb_tag(c, lin, acc)))
        return e;
    return x86_tlb_fill(c, lin, acc);
}

/* PAE paging's PDPTE registers from the table at cr3: false (and nothing
 * loaded) if a present one sets a reserved bit, which is #GP(0) for the
 * MOV to a control register that loads them (SDM Vol. 3, 4.4.1). */
bool x86_pdptes_load(struct x86_cpu *c, uint64_t cr3);
/* Whether PAE paging (not 4-level) is in use. */
static inline bool x86_pae_paging(const struct x86_cpu *c)
{
    return (c->cr0 & X86_CR0_PG) && (c->cr4 & X86_CR4_PAE) && !(c->efer & X86_EFER_LMA);
}

/* ---- accesses through a segment cache that is not (yet) loaded ----
 * (access.c) The new stack of an interrupt or a far call, the checks of
 * protected mode on s (limit, expand-down, type; none in 64-bit mode is
 * the caller's business); a failing check raises vec(err). */
uint64_t x86_seg_linear(struct x86_cpu *c, const struct x86_seg *s, uint64_t off, unsigned size,
                        int acc, int vec, uint32_t err);
void x86_write_lin_seg(struct x86_cpu *c, const struct x86_seg *s, uint64_t off, uint64_t v,
                       unsigned size, int acc, int vec, uint32_t err);

/* ---- descriptors (seg.c) ---- */
#define X86_DESC_TYPE(d)    ((unsigned)((d) >> 40) & 0xf)
#define X86_DESC_S(d)       (((d) >> 44) & 1)
#define X86_DESC_DPL(d)     ((unsigned)((d) >> 45) & 3)
#define X86_DESC_P(d)       (((d) >> 47) & 1)
#define X86_DESC_L(d)       (((d) >> 53) & 1)
#define X86_DESC_DB(d)      (((d) >> 54) & 1)

/* system descriptor types (SDM Vol. 3, 3.5) */
enum {
    X86_SYS_TSS16_AVAIL = 1, X86_SYS_LDT = 2, X86_SYS_TSS16_BUSY = 3, X86_SYS_CALL16 = 4,
    X86_SYS_TASK = 5, X86_SYS_INT16 = 6, X86_SYS_TRAP16 = 7, X86_SYS_TSS_AVAIL = 9,
    X86_SYS_TSS_BUSY = 11, X86_SYS_CALL = 12, X86_SYS_INT = 14, X86_SYS_TRAP = 15,
};

/* A descriptor read for a selector: its 8 bytes and where they are. */
struct x86_desc {
    uint64_t lo;
    uint64_t addr;  /* linear address in the GDT or LDT */
};

/* Reads the descriptor sel names; false if it lies outside its table
 * (or the LDT is unusable): the caller's fault. */
bool x86_desc_read(struct x86_cpu *c, uint16_t sel, struct x86_desc *d);
/* The upper 8 bytes of a 16-byte system descriptor (long mode). */
uint64_t x86_desc_read_hi(struct x86_cpu *c, const struct x86_desc *d);
/* The hidden part a descriptor gives (SDM Vol. 3, 3.4.5). */
void x86_desc_to_seg(struct x86_seg *s, uint16_t sel, uint64_t lo);
/* Sets the descriptor's accessed bit in memory when clear (SDM Vol. 3,
 * 3.4.5.1: a segment load does so). */
void x86_desc_set_accessed(struct x86_cpu *c, struct x86_desc *d);

/* Checks of a target code segment for an interrupt or a call through a
 * gate: returns the new CPL. err is the error code's EXT bit. */
unsigned x86_gate_target(struct x86_cpu *c, uint16_t sel, struct x86_desc *d, uint32_t ext);
/* Loads CS from a checked descriptor with RPL = cpl, and the mode. */
void x86_load_cs(struct x86_cpu *c, uint16_t sel, const struct x86_desc *d, unsigned cpl);
/* The stack of privilege level cpl from a legacy TSS (SDM Vol. 3, 7.2.1):
 * SS checked as a stack for cpl (#TS/#SS(sel | ext)); s gets its cache. */
void x86_tss_stack(struct x86_cpu *c, unsigned cpl, uint32_t ext, struct x86_seg *ss,
                   uint64_t *sp);
/* RSPn or ISTn from the 64-bit TSS at offset off (SDM Vol. 3, 8.7). */
uint64_t x86_tss_read64(struct x86_cpu *c, unsigned off, uint32_t ext);
/* The null SS of 64-bit mode at privilege cpl (SDM Vol. 3, 6.14.4). */
void x86_null_ss(struct x86_cpu *c, unsigned cpl);

/* ---- except.c ----
 * c->delivering holds the vector of an exception being delivered, or
 * X86_DELIVERING_BENIGN | vector for an external or software interrupt,
 * which combine with a fault in their delivery as a benign event would
 * (SDM Vol. 3, Table 6-5). */
#define X86_DELIVERING_BENIGN 0x100

#endif
