/* System instructions: HLT, CLI/STI, CPUID, RDTSC(P), RDMSR/WRMSR, MOV to
 * and from control and debug registers, the descriptor-table group
 * (0F 00, 0F 01), LAR/LSL/VERR/VERW, CLTS, INVD/WBINVD, SWAPGS,
 * SYSCALL/SYSRET, RD/WR FS/GS BASE, fences and UD2 (SDM Vol. 2 and 3). */
#include "cpu/interp/exec.h"
#include "cpu/interp/fpu.h"

#define X86_CR4_TSD (1ull << 2)
#define X86_CR4_DE  (1ull << 3)

/* #GP(0) unless CPL 0: the privileged instructions (SDM Vol. 3, 5.9) */
static void need_cpl0(struct x86_cpu *c)
{
    if (c->cpl)
        x86_fault(c, X86_GP, 0);
}

/* F4: HLT at CPL 0; RIP is already past it, where the interrupt returns */
void x86_op_hlt(struct x86_cpu *c, struct x86_insn *d)
{
    need_cpl0(c);
    c->halted = true;
    x86_request_stop(c);
}

/* CLI and STI need CPL <= IOPL in protected mode (no VME/PVI here) */
static void need_iopl(struct x86_cpu *c)
{
    if ((c->cr0 & X86_CR0_PE) && c->cpl > ((c->rflags >> 12) & 3))
        x86_fault(c, X86_GP, 0);
}

/* FA */
void x86_op_cli(struct x86_cpu *c, struct x86_insn *d)
{
    need_iopl(c);
    c->rflags &= ~X86_IF;
}

/* FB: enabling interrupts takes effect after the next instruction */
void x86_op_sti(struct x86_cpu *c, struct x86_insn *d)
{
    need_iopl(c);
    if (!(c->rflags & X86_IF)) {
        c->rflags |= X86_IF;
        c->intr_shadow = true;
    }
}

/* 0F A2 */
void x86_op_cpuid(struct x86_cpu *c, struct x86_insn *d)
{
    uint32_t out[4];
    x86_cpuid(c, (uint32_t)c->r[X86_RAX], (uint32_t)c->r[X86_RCX], out);
    c->r[X86_RAX] = out[0];
    c->r[X86_RBX] = out[1];
    c->r[X86_RCX] = out[2];
    c->r[X86_RDX] = out[3];
}

/* CR4.TSD restricts the TSC to CPL 0 */
static void read_tsc(struct x86_cpu *c)
{
    if ((c->cr4 & X86_CR4_TSD) && (c->cr0 & X86_CR0_PE) && c->cpl)
        x86_fault(c, X86_GP, 0);
    uint64_t t = x86_tsc(c);
    c->r[X86_RAX] = (uint32_t)t;
    c->r[X86_RDX] = t >> 32;
}

/* 0F 31 */
void x86_op_rdtsc(struct x86_cpu *c, struct x86_insn *d)
{
    read_tsc(c);
}

/* 0F 33: RDPMC. CPL > 0 needs CR4.PCE; and there are no performance
 * counters (CPUID leaf 0xA says none), so every counter is invalid. */
void x86_op_rdpmc(struct x86_cpu *c, struct x86_insn *d)
{
    x86_fault(c, X86_GP, 0);
}

/* 0F 32 */
void x86_op_rdmsr(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t v;
    need_cpl0(c);
    if (!x86_rdmsr(c, (uint32_t)c->r[X86_RCX], &v))
        x86_fault(c, X86_GP, 0);
    c->r[X86_RAX] = (uint32_t)v;
    c->r[X86_RDX] = v >> 32;
}

/* 0F 30 */
void x86_op_wrmsr(struct x86_cpu *c, struct x86_insn *d)
{
    need_cpl0(c);
    uint64_t v = (c->r[X86_RDX] << 32) | (uint32_t)c->r[X86_RAX];
    if (!x86_wrmsr(c, (uint32_t)c->r[X86_RCX], v))
        x86_fault(c, X86_GP, 0);
}

/* 0F 20: MOV r, CRn; 0F 22: MOV CRn, r. The operand is 64-bit in 64-bit
 * mode, 32-bit otherwise, whatever the prefixes; mod is ignored. */
void x86_op_mov_cr(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned n = d->reg;
    if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8)
        x86_fault_noerr(c, X86_UD);
    need_cpl0(c);
    if (d->op == 0x120) {
        uint64_t v = x86_read_cr(c, (int)n);
        c->r[d->rm] = c->code64 ? v : (uint32_t)v;
    } else {
        uint64_t v = c->r[d->rm];
        x86_write_cr(c, (int)n, c->code64 ? v : (uint32_t)v);
    }
}

/* 0F 21: MOV r, DRn; 0F 23: MOV DRn, r. DR4/DR5 alias DR6/DR7 unless
 * CR4.DE (SDM Vol. 3, 18.2.2). */
void x86_op_mov_dr(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned n = d->reg;
    if (n > 7 || ((n == 4 || n == 5) && (c->cr4 & X86_CR4_DE)))
        x86_fault_noerr(c, X86_UD);
    need_cpl0(c);
    if (n == 4 || n == 5)
        n += 2;
    if (d->op == 0x121) {
        uint64_t v = c->dr[n];
        c->r[d->rm] = c->code64 ? v : (uint32_t)v;
        return;
    }
    uint64_t v = c->code64 ? c->r[d->rm] : (uint32_t)c->r[d->rm];
    if (n >= 6 && (v >> 32))
        x86_fault(c, X86_GP, 0);
    if (n == 6)
        v = (v & 0xe00f) | 0xffff0ff0;      /* the bits that read as 1 */
    else if (n == 7)
        v = (v & 0xffff27ff) | 0x400;
    c->dr[n] = v;
}

/* A descriptor of the GDT or LDT by selector, for LAR, LSL, VERR, VERW;
 * false if the selector is null or beyond the table's limit. */
static bool read_desc(struct x86_cpu *c, uint16_t sel, uint64_t *desc)
{
    uint64_t base, limit;
    if (sel & 4) {
        if (!(c->ldtr.attr & X86_ATTR_P) || !(c->ldtr.sel & ~3))
            return false;
        base = c->ldtr.base;
        limit = c->ldtr.limit;
    } else {
        if (!(sel & ~3))
            return false;
        base = c->gdtr.base;
        limit = c->gdtr.limit;
    }
    if ((sel | 7u) > limit)
        return false;
    *desc = x86_read_lin(c, base + (sel & ~7u), 8, X86_READ | X86_SYS);
    return true;
}

/* Whether the current privilege can see the segment (LAR, LSL, VERR,
 * VERW): conforming code always, the rest with DPL >= CPL and RPL. */
static bool desc_visible(const struct x86_cpu *c, uint16_t sel, uint64_t desc)
{
    unsigned type = (desc >> 40) & 15, dpl = (desc >> 45) & 3;
    bool s = (desc >> 44) & 1;
    if (s && (type & 0xc) == 0xc)
        return true;
    return dpl >= c->cpl && dpl >= (sel & 3u);
}

static void set_zf(struct x86_cpu *c, bool on)
{
    x86_flags_commit(c);
    c->rflags = (c->rflags & ~X86_ZF) | (on ? X86_ZF : 0);
}

/* 0F 00 /4 VERR, /5 VERW */
static void verify(struct x86_cpu *c, struct x86_insn *d, bool write)
{
    uint16_t sel = (uint16_t)x86_rm_get(c, d, 2);
    uint64_t desc;
    bool ok = read_desc(c, sel, &desc) && ((desc >> 44) & 1) && desc_visible(c, sel, desc);
    if (ok) {
        unsigned type = (desc >> 40) & 15;
        if (write)
            ok = !(type & X86_TYPE_CODE) && (type & X86_TYPE_W);
        else
            ok = !(type & X86_TYPE_CODE) || (type & X86_TYPE_R);
    }
    set_zf(c, ok);
}

/* LAR and LSL accept these system types (SDM Vol. 2, "LAR", "LSL"); in
 * long mode only the 64-bit ones. */
static bool sys_type_ok(const struct x86_cpu *c, unsigned type, bool lar)
{
    if (c->long_mode)
        return type == 2 || type == 9 || type == 11 || (lar && type == 12);
    switch (type) {
    case 1: case 2: case 3: case 9: case 11:
        return true;
    case 4: case 5: case 12:
        return lar;
    default:
        return false;
    }
}

static void lar_lsl(struct x86_cpu *c, struct x86_insn *d, bool lar)
{
    if (!(c->cr0 & X86_CR0_PE))
        x86_fault_noerr(c, X86_UD);
    uint16_t sel = (uint16_t)x86_rm_get(c, d, 2);
    uint64_t desc;
    bool ok = read_desc(c, sel, &desc);
    if (ok) {
        unsigned type = (desc >> 40) & 15;
        ok = ((desc >> 44) & 1) ? true : sys_type_ok(c, type, lar);
        ok = ok && desc_visible(c, sel, desc);
    }
    if (ok) {
        uint64_t v;
        if (lar) {
            v = (desc >> 32) & 0x00f0ff00;
        } else {
            v = (desc & 0xffff) | ((desc >> 32) & 0xf0000);
            if (desc & (1ull << 55))
                v = (v << 12) | 0xfff;
        }
        x86_reg_set(c, d, d->reg, d->opsize == 2 ? 2 : 4, v);
    }
    set_zf(c, ok);
}

/* 0F 02 */
void x86_op_lar(struct x86_cpu *c, struct x86_insn *d)
{
    lar_lsl(c, d, true);
}

/* 0F 03 */
void x86_op_lsl(struct x86_cpu *c, struct x86_insn *d)
{
    lar_lsl(c, d, false);
}

/* A selector stored by SLDT, STR, or a machine status word by SMSW: a
 * register takes the operand size, memory 16 bits. */
static void store_word(struct x86_cpu *c, struct x86_insn *d, uint64_t v)
{
    if (d->mod == 3)
        x86_reg_set(c, d, d->rm, d->opsize, v);
    else
        x86_write(c, d->seg, d->ea, v, 2);
}

/* 0F 00: SLDT, STR, LLDT, LTR, VERR, VERW (protected mode only) */
void x86_op_grp6(struct x86_cpu *c, struct x86_insn *d)
{
    if (!(c->cr0 & X86_CR0_PE))
        x86_fault_noerr(c, X86_UD);
    switch (d->reg & 7) {
    case 0:
        store_word(c, d, c->ldtr.sel);
        break;
    case 1:
        store_word(c, d, c->tr.sel);
        break;
    case 2:
        need_cpl0(c);
        x86_lldt(c, (uint16_t)x86_rm_get(c, d, 2));
        break;
    case 3:
        need_cpl0(c);
        x86_ltr(c, (uint16_t)x86_rm_get(c, d, 2));
        break;
    case 4: case 5:
        verify(c, d, d->reg & 1);
        break;
    default:
        x86_unknown(c, d);
    }
}

/* SGDT, SIDT: limit, then a 64-bit base in 64-bit mode, else 32-bit */
static void store_dtr(struct x86_cpu *c, struct x86_insn *d, const struct x86_dtr *t)
{
    x86_write(c, d->seg, d->ea, t->limit, 2);
    x86_write(c, d->seg, x86_ea_add(d, 2), t->base, c->code64 ? 8 : 4);
}

/* LGDT, LIDT: a 16-bit operand size keeps 24 bits of the base */
static void load_dtr(struct x86_cpu *c, struct x86_insn *d, struct x86_dtr *t)
{
    need_cpl0(c);
    uint16_t limit = (uint16_t)x86_read(c, d->seg, d->ea, 2);
    uint64_t base = x86_read(c, d->seg, x86_ea_add(d, 2), c->code64 ? 8 : 4);
    if (c->code64 && !x86_canonical(base))
        x86_fault(c, X86_GP, 0);
    if (!c->code64 && d->opsize == 2)
        base &= 0xffffff;
    t->base = base;
    t->limit = limit;
}


/* LMSW: the low four bits of CR0; PE can be set, never cleared */
static void lmsw(struct x86_cpu *c, uint16_t v)
{
    need_cpl0(c);
    uint64_t cr0 = (c->cr0 & ~0xeull) | (v & 0xf) | (c->cr0 & X86_CR0_PE);
    x86_write_cr(c, 0, cr0);
}

/* 0F 01 with a register operand: by the whole ModR/M byte */
static void grp7_reg(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned rm = d->rm & 7;
    switch (d->reg & 7) {
    case 1:
        if (rm == 2 || rm == 3) {       /* CLAC, STAC */
            need_cpl0(c);
            c->rflags = rm == 2 ? c->rflags & ~X86_AC : c->rflags | X86_AC;
            return;
        }
        break;
    case 4:
        x86_reg_set(c, d, d->rm, d->opsize, x86_read_cr(c, 0));
        return;
    case 6:
        lmsw(c, (uint16_t)c->r[d->rm]);
        return;
    case 7:
        if (rm == 0) {                  /* SWAPGS */
            if (!c->code64)
                x86_fault_noerr(c, X86_UD);
            need_cpl0(c);
            uint64_t t = c->seg[X86_GS].base;
            c->seg[X86_GS].base = c->kernel_gs_base;
            c->kernel_gs_base = t;
            return;
        }
        if (rm == 1) {                  /* RDTSCP */
            read_tsc(c);
            c->r[X86_RCX] = (uint32_t)c->tsc_aux;
            return;
        }
        break;
    }
    x86_unknown(c, d);
}

/* 0F 01: SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG and the register
 * forms */
void x86_op_grp7(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->mod == 3) {
        grp7_reg(c, d);
        return;
    }
    switch (d->reg & 7) {
    case 0: store_dtr(c, d, &c->gdtr); break;
    case 1: store_dtr(c, d, &c->idtr); break;
    case 2: load_dtr(c, d, &c->gdtr); break;
    case 3: load_dtr(c, d, &c->idtr); break;
    case 4: x86_write(c, d->seg, d->ea, x86_read_cr(c, 0) & 0xffff, 2); break;
    case 6: lmsw(c, (uint16_t)x86_read(c, d->seg, d->ea, 2)); break;
    case 7:
        need_cpl0(c);
        x86_tlb_flush_page(c, x86_linear(c, d->seg, d->ea));
        break;
    default:
        x86_unknown(c, d);
    }
}

/* 0F 06 */
void x86_op_clts(struct x86_cpu *c, struct x86_insn *d)
{
    need_cpl0(c);
    x86_write_cr(c, 0, c->cr0 & ~X86_CR0_TS);
}

/* 0F 08 INVD, 0F 09 WBINVD: no caches to speak of */
void x86_op_invd(struct x86_cpu *c, struct x86_insn *d)
{
    need_cpl0(c);
}

/* 0F 05 */
void x86_op_syscall(struct x86_cpu *c, struct x86_insn *d)
{
    x86_syscall(c);
}

/* 0F 07: SYSRET to 32-bit code, with REX.W to 64-bit code */
void x86_op_sysret(struct x86_cpu *c, struct x86_insn *d)
{
    x86_sysret(c, d->opsize == 8 ? 8 : 4);
}

/* 0F AE: fences, CLFLUSH, RD/WR FS/GS BASE; the x87/SSE state forms
 * (FXSAVE, LDMXCSR...) are not here yet */
void x86_op_grp15(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned reg = d->reg & 7;

    if (d->mod != 3) {
        if (reg == 7 && d->rep == 0)    /* CLFLUSH, CLFLUSHOPT */
            return;
        if (reg == 6 && d->p66 && d->rep == 0)     /* CLWB */
            return;
        if (reg < 4 && !d->p66 && d->rep == 0) {
            x86_fxsave_grp(c, d);       /* fpu.c */
            return;
        }
        x86_unknown(c, d);
    }
    if (d->rep == 0xf3 && reg < 4) {    /* RDFSBASE RDGSBASE WRFSBASE WRGSBASE */
        if (!c->code64 || !(c->cr4 & X86_CR4_FSGSBASE))
            x86_fault_noerr(c, X86_UD);
        struct x86_seg *s = &c->seg[reg & 1 ? X86_GS : X86_FS];
        unsigned size = d->opsize == 8 ? 8 : 4;
        if (reg < 2) {
            x86_reg_set(c, d, d->rm, size, s->base);
        } else {
            uint64_t v = x86_reg_get(c, d, d->rm, size);
            if (!x86_canonical(v))
                x86_fault(c, X86_GP, 0);
            s->base = v;
        }
        return;
    }
    if (reg >= 5 && d->rep == 0 && !d->p66)        /* LFENCE MFENCE SFENCE */
        return;
    x86_unknown(c, d);
}

/* 0F 0B UD2, 0F B9 UD1, 0F FF UD0: #UD on purpose */
void x86_op_ud(struct x86_cpu *c, struct x86_insn *d)
{
    x86_fault_noerr(c, X86_UD);
}
