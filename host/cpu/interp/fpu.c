/*
 * x87 and SSE state: reset, the availability checks, FXSAVE/FXRSTOR
 * (SDM Vol. 1, 10.5.1; Vol. 2, FXSAVE) and LDMXCSR/STMXCSR.
 */
#include <string.h>
#include "core/le.h"
#include "cpu/interp/fpu.h"

void x86_fpu_reset(struct x86_fpu *f)
{
    /* SDM Vol. 3, 9.1.1 Table 9-1: FCW 0040H, FSW 0, FTW 5555H (every
     * register tagged zero, so not empty), MXCSR 1F80H */
    memset(f, 0, sizeof *f);
    f->fcw = 0x0040;
    f->ftw = 0xff;
    f->mxcsr = X86_MXCSR_RESET;
}

void x86_fpu_init(struct x86_fpu *f)
{
    /* FNINIT (SDM Vol. 2, FINIT): FCW 037FH, FSW 0, all empty, pointers
     * and opcode cleared; the registers keep their contents */
    f->fcw = 0x037f;
    f->fsw = 0;
    f->ftw = 0;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

void x86_fpu_check(struct x86_cpu *c, bool wait)
{
    if (c->cr0 & (X86_CR0_EM | X86_CR0_TS))
        x86_fault_noerr(c, X86_NM);
    /* a pending unmasked exception: #MF when CR0.NE; otherwise the PC's
     * FERR# (IRQ 13) is not wired, and the instruction goes on */
    if (wait && (c->fpu.fsw & X86_FSW_ES) && (c->cr0 & X86_CR0_NE))
        x86_fault_noerr(c, X86_MF);
}

void x86_sse_check(struct x86_cpu *c)
{
    if ((c->cr0 & X86_CR0_EM) || !(c->cr4 & X86_CR4_OSFXSR))
        x86_fault_noerr(c, X86_UD);
    if (c->cr0 & X86_CR0_TS)
        x86_fault_noerr(c, X86_NM);
}

void x86_sse_align(struct x86_cpu *c, const struct x86_insn *d, unsigned align)
{
    if (d->mod != 3 && (x86_linear(c, d->seg, d->ea) & (align - 1)))
        x86_fault(c, X86_GP, 0);
}

_Noreturn void x86_simd_fault(struct x86_cpu *c)
{
    x86_fault_noerr(c, (c->cr4 & X86_CR4_OSXMMEXCPT) ? X86_XM : X86_UD);
}

/* The XMM registers the mode has: 16 in 64-bit mode, else 8. */
static unsigned nxmm(const struct x86_cpu *c)
{
    return c->code64 ? 16 : 8;
}

/* SDM Vol. 1, Table 10-2 (REX.W: 64-bit FIP/FDP) and 10-3. Reserved
 * bytes inside the image are written as zero; 416-511 (reserved and
 * "available") are not written, nor XMM8-15's outside 64-bit mode. */
static void fxsave(struct x86_cpu *c, struct x86_insn *d)
{
    struct x86_fpu *f = &c->fpu;
    uint8_t img[416];
    unsigned top = X86_FSW_TOP(f->fsw);

    memset(img, 0, sizeof img);
    put_le16(img + 0, f->fcw);
    put_le16(img + 2, f->fsw);
    img[4] = f->ftw;
    put_le16(img + 6, f->fop);
    if (d->rex & 8) {
        put_le64(img + 8, f->fip);
        put_le64(img + 16, f->fdp);
    } else {
        put_le32(img + 8, (uint32_t)f->fip);
        put_le16(img + 12, f->fcs);
        put_le32(img + 16, (uint32_t)f->fdp);
        put_le16(img + 20, f->fds);
    }
    put_le32(img + 24, f->mxcsr);
    put_le32(img + 28, X86_MXCSR_MASK);
    for (unsigned i = 0; i < 8; i++)            /* ST(i), not Ri */
        memcpy(img + 32 + 16 * i, f->st[(top + i) & 7], 10);
    for (unsigned i = 0; i < nxmm(c); i++)
        memcpy(img + 160 + 16 * i, &f->xmm[i], 16);
    x86_write_bytes(c, d->seg, d->ea, img, 160 + 16 * nxmm(c));
}

static void fxrstor(struct x86_cpu *c, struct x86_insn *d)
{
    struct x86_fpu *f = &c->fpu;
    uint8_t img[416];
    unsigned n = 160 + 16 * nxmm(c);

    x86_read_bytes(c, d->seg, d->ea, img, n);
    uint32_t mxcsr = get_le32(img + 24);
    if (mxcsr & ~X86_MXCSR_MASK)
        x86_fault(c, X86_GP, 0);
    f->fcw = x86_fcw(get_le16(img + 0));
    f->fsw = get_le16(img + 2);
    f->ftw = img[4];
    f->fop = get_le16(img + 6) & 0x7ff;
    if (d->rex & 8) {
        f->fip = get_le64(img + 8);
        f->fdp = get_le64(img + 16);
    } else {
        f->fip = get_le32(img + 8);
        f->fcs = get_le16(img + 12);
        f->fdp = get_le32(img + 16);
        f->fds = get_le16(img + 20);
    }
    f->mxcsr = mxcsr;
    unsigned top = X86_FSW_TOP(f->fsw);
    for (unsigned i = 0; i < 8; i++)
        memcpy(f->st[(top + i) & 7], img + 32 + 16 * i, 10);
    for (unsigned i = 0; i < nxmm(c); i++)
        memcpy(&f->xmm[i], img + 160 + 16 * i, 16);
}

void x86_fxsave_grp(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned reg = d->reg & 7;

    if (reg < 2) {
        /* #NM for CR0.EM or TS; #GP(0) unless 16-byte aligned */
        if (c->cr0 & (X86_CR0_EM | X86_CR0_TS))
            x86_fault_noerr(c, X86_NM);
        x86_sse_align(c, d, 16);
        if (reg == 0)
            fxsave(c, d);
        else
            fxrstor(c, d);
        return;
    }
    x86_sse_check(c);
    if (reg == 2) {                     /* LDMXCSR: reserved bits #GP(0) */
        uint32_t v = (uint32_t)x86_read(c, d->seg, d->ea, 4);
        if (v & ~X86_MXCSR_MASK)
            x86_fault(c, X86_GP, 0);
        c->fpu.mxcsr = v;
    } else {                            /* STMXCSR */
        x86_write(c, d->seg, d->ea, c->fpu.mxcsr, 4);
    }
}
