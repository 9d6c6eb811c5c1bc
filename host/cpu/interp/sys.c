/*
 * System registers: MOV to and from control registers, RDMSR/WRMSR, and
 * CPUID's description of the CPU (SDM Vol. 3, 2.5; Vol. 4; Vol. 2, CPUID).
 *
 * What CPUID reports and what the control registers accept come from the
 * same feature bits below, so a feature is either both or neither (a CR4
 * bit for an absent feature is reserved: #GP, as on the CPU).
 */
#include "cpu/interp/sys_internal.h"

uint32_t x86_cpuid_tsc_khz = 1000000;

#define BIT(n) (1u << (n))

/* CPUID.01H:EDX: FPU, PSE, TSC, MSR, PAE, CX8, PGE, CMOV, PAT, CLFSH,
 * MMX, FXSR, SSE, SSE2 (fpu.c, exec_x87.c, exec_mmx.c, exec_sse.c; glibc
 * wants all of FPU CX8 CMOV FXSR MMX SSE SSE2 for x86-64's baseline).
 * No APIC, SEP, MTRR, PSE-36; nothing of SSE3 or later, no XSAVE. */
#define F1_EDX (BIT(0) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(13) | BIT(15) | \
                BIT(16) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26))
/* CPUID.01H:ECX: CMPXCHG16B, POPCNT, and "running under a hypervisor" */
#define F1_ECX (BIT(13) | BIT(23) | BIT(31))
/* CPUID.(EAX=07H,ECX=0):EBX: SMEP */
#define F7_EBX BIT(7)
/* CPUID.80000001H:ECX: LAHF/SAHF in 64-bit mode, LZCNT */
#define FX_ECX (BIT(0) | BIT(5))
/* CPUID.80000001H:EDX: SYSCALL, XD, 1 GiB pages, RDTSCP, Intel 64 */
#define FX_EDX (BIT(11) | BIT(20) | BIT(26) | BIT(27) | BIT(29))

#define MAX_BASIC 7u
#define MAX_EXT   0x80000008u
#define MAX_HV    0x40000010u

/* Family 6, model 58 (3AH), stepping 9: an Intel 64 core of the time
 * the feature set above roughly matches. */
#define SIGNATURE 0x000306a9u

/* ---- control registers ---- */

#define CR0_VALID (X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | X86_CR0_NE | \
                   X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define X86_CR4_TSD (1ull << 2)
#define X86_CR4_PCE (1ull << 8)
/* TSD (there is a TSC), PSE, PAE, PGE, PCE, SMEP (CPUID.07H). OSFXSR and
 * OSXMMEXCPT join with FXSR and SSE. */
#define CR4_VALID (X86_CR4_TSD | X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PCE | \
                   X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_SMEP)
/* the CR0 and CR4 bits that change how linear addresses translate */
#define CR0_PAGING (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE)
#define CR4_PAGING (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_SMEP)

static void write_cr0(struct x86_cpu *c, uint64_t v)
{
    /* 63:32 reserved (#GP); reserved bits of 31:0 are ignored, ET is 1 */
    if (v >> 32)
        x86_fault(c, X86_GP, 0);
    v = (v & CR0_VALID) | X86_CR0_ET;
    if (((v & X86_CR0_PG) && !(v & X86_CR0_PE)) || ((v & X86_CR0_NW) && !(v & X86_CR0_CD)))
        x86_fault(c, X86_GP, 0);

    uint64_t old = c->cr0, efer = c->efer;
    if ((v & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & X86_EFER_LME)) {
        /* activating IA-32e mode (SDM Vol. 3, 10.8.5). The SDM's #GP for
         * a 16-bit TSS in TR is left out: TR's reset value is one here,
         * and loaders enter long mode without LTR on real CPUs. */
        if (!(c->cr4 & X86_CR4_PAE) || (c->seg[X86_CS].attr & X86_ATTR_L))
            x86_fault(c, X86_GP, 0);
        efer |= X86_EFER_LMA;
    }
    if (!(v & X86_CR0_PG) && (old & X86_CR0_PG) && (efer & X86_EFER_LMA)) {
        if (c->code64)
            x86_fault(c, X86_GP, 0);
        efer &= ~X86_EFER_LMA;
    }
    /* PAE paging after the write, and PG, CD or NW changed: the PDPTE
     * registers load (SDM Vol. 3, 4.4.1) */
    if ((v & X86_CR0_PG) && (c->cr4 & X86_CR4_PAE) && !(efer & X86_EFER_LMA) &&
        ((old ^ v) & (X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)) && !x86_pdptes_load(c, c->cr3))
        x86_fault(c, X86_GP, 0);

    c->cr0 = v;
    c->efer = efer;
    if ((old ^ v) & CR0_PAGING)
        x86_tlb_flush(c);
    x86_update_mode(c);
}

static void write_cr3(struct x86_cpu *c, uint64_t v)
{
    if (c->long_mode) {
        /* bits 63:MAXPHYADDR reserved (no PCIDs: bit 63 too) */
        if (v >> X86_PHYS_BITS)
            x86_fault(c, X86_GP, 0);
    } else {
        v = (uint32_t)v;
    }
    if (x86_pae_paging(c) && !x86_pdptes_load(c, v))
        x86_fault(c, X86_GP, 0);
    c->cr3 = v;
    x86_tlb_flush(c);
}

static void write_cr4(struct x86_cpu *c, uint64_t v)
{
    if ((v & ~CR4_VALID) || (c->long_mode && !(v & X86_CR4_PAE)))
        x86_fault(c, X86_GP, 0);
    uint64_t old = c->cr4;
    if ((c->cr0 & X86_CR0_PG) && (v & X86_CR4_PAE) && !c->long_mode && ((old ^ v) & CR4_PAGING) &&
        !x86_pdptes_load(c, c->cr3))
        x86_fault(c, X86_GP, 0);
    c->cr4 = v;
    if ((old ^ v) & CR4_PAGING)
        x86_tlb_flush(c);
}

void x86_write_cr(struct x86_cpu *c, int n, uint64_t v)
{
    switch (n) {
    case 0:
        write_cr0(c, v);
        break;
    case 2:
        c->cr2 = c->long_mode ? v : (uint32_t)v;
        break;
    case 3:
        write_cr3(c, v);
        break;
    case 4:
        write_cr4(c, v);
        break;
    case 8:
        /* the task-priority register: bits 63:4 reserved */
        if (v >> 4)
            x86_fault(c, X86_GP, 0);
        c->cr8 = v;
        break;
    default:
        x86_fault(c, X86_UD, 0);
    }
}

uint64_t x86_read_cr(struct x86_cpu *c, int n)
{
    switch (n) {
    case 0:
        return c->cr0;
    case 2:
        return c->cr2;
    case 3:
        return c->cr3;
    case 4:
        return c->cr4;
    case 8:
        return c->cr8;
    default:
        x86_fault(c, X86_UD, 0);
    }
}

/* ---- MSRs ---- */

/* IA32_APIC_BASE as reset leaves it: base 0xfee00000, BSP, EN clear (the
 * machine has no local APIC; CPUID.01H:EDX.APIC is clear). 0 in
 * c->apic_base stands for it. */
#define APIC_BASE_RESET    0xfee00100ull

#define MSR_BIOS_SIGN_ID   0x0000008b
#define MSR_MTRRCAP        0x000000fe
#define MSR_MTRR_DEF_TYPE  0x000002ff

/* Each PAT entry is a memory type: 0, 1, 4, 5, 6 or 7 (SDM Vol. 3,
 * 13.12.2); anything else is #GP. */
static bool pat_valid(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        unsigned t = (v >> (8 * i)) & 0xff;
        if (t > 7 || t == 2 || t == 3)
            return false;
    }
    return true;
}

bool x86_rdmsr(struct x86_cpu *c, uint32_t msr, uint64_t *v)
{
    switch (msr) {
    case X86_MSR_TSC:            *v = x86_tsc(c); break;
    case X86_MSR_APIC_BASE:      *v = c->apic_base ? c->apic_base : APIC_BASE_RESET; break;
    case X86_MSR_MISC_ENABLE:    *v = c->misc_enable; break;
    case X86_MSR_SYSENTER_CS:    *v = c->sysenter_cs; break;
    case X86_MSR_SYSENTER_ESP:   *v = c->sysenter_esp; break;
    case X86_MSR_SYSENTER_EIP:   *v = c->sysenter_eip; break;
    case X86_MSR_PAT:            *v = c->pat; break;
    case X86_MSR_EFER:           *v = c->efer; break;
    case X86_MSR_STAR:           *v = c->star; break;
    case X86_MSR_LSTAR:          *v = c->lstar; break;
    case X86_MSR_CSTAR:          *v = c->cstar; break;
    case X86_MSR_FMASK:          *v = c->fmask; break;
    case X86_MSR_FS_BASE:        *v = c->seg[X86_FS].base; break;
    case X86_MSR_GS_BASE:        *v = c->seg[X86_GS].base; break;
    case X86_MSR_KERNEL_GS_BASE: *v = c->kernel_gs_base; break;
    case X86_MSR_TSC_AUX:        *v = c->tsc_aux; break;
    case MSR_BIOS_SIGN_ID:       /* microcode revision 0 */
    case MSR_MTRRCAP:            /* no MTRRs: no ranges, no fixed ones */
    case MSR_MTRR_DEF_TYPE:      *v = 0; break;
    default:
        return false;
    }
    return true;
}

bool x86_wrmsr(struct x86_cpu *c, uint32_t msr, uint64_t v)
{
    switch (msr) {
    case X86_MSR_TSC:
        c->tsc_offset = v - (x86_tsc(c) - c->tsc_offset);
        return true;
    case X86_MSR_APIC_BASE:
        /* base, EN, BSP (read-only: the one CPU is the BSP); no x2APIC.
         * There is no local APIC to move or enable: the value is kept. */
        if (v & (0xffull | 0x600ull | ~((1ull << X86_PHYS_BITS) - 1)))
            return false;
        c->apic_base = v | 0x100;
        return true;
    case X86_MSR_MISC_ENABLE:
        c->misc_enable = v;
        return true;
    case X86_MSR_SYSENTER_CS:
        c->sysenter_cs = v;
        return true;
    case X86_MSR_SYSENTER_ESP:
    case X86_MSR_SYSENTER_EIP:
    case X86_MSR_LSTAR:
    case X86_MSR_CSTAR:
    case X86_MSR_KERNEL_GS_BASE:
    case X86_MSR_FS_BASE:
    case X86_MSR_GS_BASE:
        /* addresses: canonical or #GP */
        if (!x86_is_canonical(v))
            return false;
        switch (msr) {
        case X86_MSR_SYSENTER_ESP:   c->sysenter_esp = v; break;
        case X86_MSR_SYSENTER_EIP:   c->sysenter_eip = v; break;
        case X86_MSR_LSTAR:          c->lstar = v; break;
        case X86_MSR_CSTAR:          c->cstar = v; break;
        case X86_MSR_KERNEL_GS_BASE: c->kernel_gs_base = v; break;
        case X86_MSR_FS_BASE:        c->seg[X86_FS].base = v; break;
        default:                     c->seg[X86_GS].base = v; break;
        }
        return true;
    case X86_MSR_PAT:
        if (!pat_valid(v))
            return false;
        c->pat = v;
        return true;
    case X86_MSR_EFER: {
        /* SCE, LME, NXE writable; LMA follows CR0.PG (writes ignored);
         * LME cannot change while paging is on */
        const uint64_t valid = X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
        if ((v & ~valid) || (((v ^ c->efer) & X86_EFER_LME) && (c->cr0 & X86_CR0_PG)))
            return false;
        uint64_t nv = (v & ~X86_EFER_LMA) | (c->efer & X86_EFER_LMA);
        if ((nv ^ c->efer) & X86_EFER_NXE)
            x86_tlb_flush(c);
        c->efer = nv;
        return true;
    }
    case X86_MSR_STAR:
        c->star = v;
        return true;
    case X86_MSR_FMASK:
        if (v >> 32)
            return false;
        c->fmask = v;
        return true;
    case X86_MSR_TSC_AUX:
        if (v >> 32)
            return false;
        c->tsc_aux = v;
        return true;
    case MSR_BIOS_SIGN_ID:
        return true;            /* "load the revision": always 0 */
    case MSR_MTRR_DEF_TYPE:
        return v == 0;          /* MTRRs disabled, and nothing to enable */
    default:
        return false;
    }
}

/* ---- CPUID ---- */

static void set4(uint32_t out[4], uint32_t a, uint32_t b, uint32_t cx, uint32_t d)
{
    out[0] = a;
    out[1] = b;
    out[2] = cx;
    out[3] = d;
}

/* Four characters as a register holds them (little-endian). */
static uint32_t chars4(const char *s)
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
           (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

static void basic(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    set4(out, 0, 0, 0, 0);
    switch (leaf) {
    case 0:
        set4(out, MAX_BASIC, chars4("Genu"), chars4("ntel"), chars4("ineI"));
        break;
    case 1:
        /* EBX: CLFLUSH line 8 qwords, 1 logical processor, APIC ID 0 */
        set4(out, SIGNATURE, 0x00010800, F1_ECX, F1_EDX);
        break;
    case 7:
        if (sub == 0)
            set4(out, 0, F7_EBX, 0, 0);
        break;
    }
}

void x86_cpuid(struct x86_cpu *c, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    static const char brand[48] = "pcemu x86-64 interpreter";

    if (leaf <= MAX_BASIC) {
        basic(leaf, sub, out);
    } else if (leaf >= 0x40000000 && leaf <= MAX_HV) {
        /* the hypervisor's leaves: who, and the TSC's rate */
        set4(out, 0, 0, 0, 0);
        if (leaf == 0x40000000)
            set4(out, MAX_HV, chars4("pcem"), chars4("u-in"), chars4("terp"));
        else if (leaf == 0x40000010)
            out[0] = x86_cpuid_tsc_khz;
    } else if (leaf >= 0x80000000 && leaf <= MAX_EXT) {
        set4(out, 0, 0, 0, 0);
        switch (leaf) {
        case 0x80000000:
            out[0] = MAX_EXT;
            break;
        case 0x80000001:
            set4(out, 0, 0, FX_ECX, FX_EDX);
            break;
        case 0x80000002:
        case 0x80000003:
        case 0x80000004: {
            const char *p = brand + 16 * (leaf - 0x80000002);
            set4(out, chars4(p), chars4(p + 4), chars4(p + 8), chars4(p + 12));
            break;
        }
        case 0x80000007:
            out[3] = BIT(8);    /* invariant TSC: it counts instructions */
            break;
        case 0x80000008:
            out[0] = 48u << 8 | X86_PHYS_BITS;
            break;
        }
    } else {
        /* Intel: a leaf above the maximum reads as the highest basic one */
        basic(MAX_BASIC, sub, out);
    }
}
