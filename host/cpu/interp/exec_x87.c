/*
 * x87 FPU instructions: D8-DF decoded by escape, ModR/M reg and r/m
 * (SDM Vol. 2, Appendix A.4), and FWAIT. The control instructions and
 * the environment (FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, FNSTENV,
 * FLDENV, FNSAVE, FRSTOR) are here; the arithmetic is x87_arith.c's.
 * Not here (x86_unknown, #UD with a host warning): FBLD, FBSTP, FPTAN,
 * FSINCOS, FXTRACT, FISTTP (SSE3), the 16-bit environment formats.
 */
#include "cpu/interp/x87_ops.h"

/* 9B: FWAIT checks for #NM (CR0.MP and TS) and pending unmasked
 * exceptions (SDM Vol. 2, WAIT/FWAIT) */
void x86_op_fwait(struct x86_cpu *c, struct x86_insn *d)
{
    if ((c->cr0 & (X86_CR0_MP | X86_CR0_TS)) == (X86_CR0_MP | X86_CR0_TS))
        x86_fault_noerr(c, X86_NM);
    if ((c->fpu.fsw & X86_FSW_ES) && (c->cr0 & X86_CR0_NE))
        x86_fault_noerr(c, X86_MF);
}

/* FSW with the busy bit mirroring ES (SDM Vol. 1, 8.1.3.1) */
static uint16_t fsw(const struct x86_cpu *c)
{
    uint16_t s = c->fpu.fsw & ~X86_FSW_B;
    return (s & X86_FSW_ES) ? s | X86_FSW_B : s;
}

/* The full tag word from the abridged one and the contents (SDM Vol. 1,
 * 8.1.7): 00 valid, 01 zero, 10 special, 11 empty. */
static uint16_t full_tag(const struct x86_cpu *c)
{
    uint16_t t = 0;
    for (unsigned p = 0; p < 8; p++) {
        const uint8_t *r = c->fpu.st[p];
        uint64_t m;
        uint16_t se;
        unsigned tag;
        memcpy(&m, r, 8);
        memcpy(&se, r + 8, 2);
        unsigned e = se & 0x7fff;
        if (!(c->fpu.ftw & (1u << p)))
            tag = 3;
        else if (e == 0x7fff || (e == 0 && m) || (e && !(m >> 63)))
            tag = 2;
        else if (e == 0)
            tag = 1;
        else
            tag = 0;
        t |= (uint16_t)(tag << (2 * p));
    }
    return t;
}

/* FNSTENV/FLDENV's 28-byte protected-mode image (SDM Vol. 1, Figure 8-9);
 * reserved halves written as FFFFH */
static void env_image(struct x86_cpu *c, uint32_t img[7])
{
    const struct x86_fpu *f = &c->fpu;
    img[0] = 0xffff0000u | f->fcw;
    img[1] = 0xffff0000u | fsw(c);
    img[2] = 0xffff0000u | full_tag(c);
    img[3] = (uint32_t)f->fip;
    img[4] = (uint32_t)f->fop << 16 | f->fcs;
    img[5] = (uint32_t)f->fdp;
    img[6] = 0xffff0000u | f->fds;
}

static void env_load(struct x86_cpu *c, const uint32_t img[7])
{
    struct x86_fpu *f = &c->fpu;
    f->fcw = x86_fcw((uint16_t)img[0]);
    f->fsw = (uint16_t)img[1];
    f->ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((img[2] >> (2 * p)) & 3) != 3)
            f->ftw |= (uint8_t)(1u << p);
    f->fip = img[3];
    f->fcs = (uint16_t)img[4];
    f->fop = (img[4] >> 16) & 0x7ff;
    f->fdp = img[5];
    f->fds = (uint16_t)img[6];
}

/* D9 /4-/7, DD /4, /6, /7 with a memory operand */
static bool env_ops(struct x86_cpu *c, struct x86_insn *d, unsigned esc, unsigned reg)
{
    uint8_t buf[108];
    uint32_t img[7];
    if (esc == 1 && reg == 5) {                     /* FLDCW */
        x86_fpu_check(c, true);
        c->fpu.fcw = x86_fcw((uint16_t)x86_read(c, d->seg, d->ea, 2));
        return true;
    }
    if ((esc == 1 && reg == 7) || (esc == 5 && reg == 7)) {     /* FNSTCW, FNSTSW */
        x86_fpu_check(c, false);
        x86_write(c, d->seg, d->ea, esc == 1 ? c->fpu.fcw : fsw(c), 2);
        return true;
    }
    if (d->opsize == 2 || !((esc == 1 && (reg == 4 || reg == 6)) || (esc == 5 && (reg == 4 || reg == 6))))
        return false;
    unsigned n = esc == 1 ? 28 : 108;
    x86_fpu_check(c, false);
    if (reg == 6) {                                 /* FNSTENV, FNSAVE */
        env_image(c, img);
        memcpy(buf, img, 28);
        for (unsigned i = 0; i < 8 && n == 108; i++)
            memcpy(buf + 28 + 10 * i, c->fpu.st[x87_phys(c, i)], 10);
        x86_write_bytes(c, d->seg, d->ea, buf, n);
        if (n == 108)
            x86_fpu_init(&c->fpu);
        else
            c->fpu.fcw |= 0x3f;                     /* FNSTENV masks all */
    } else {                                        /* FLDENV, FRSTOR */
        x86_read_bytes(c, d->seg, d->ea, buf, n);
        memcpy(img, buf, 28);
        env_load(c, img);
        for (unsigned i = 0; i < 8 && n == 108; i++)
            memcpy(c->fpu.st[x87_phys(c, i)], buf + 28 + 10 * i, 10);
    }
    return true;
}

/* ST(0) op y for D8 and the memory forms: FCOM and FCOMP at /2 and /3,
 * else the arithmetic /reg. y is *mem, or ST(i) when mem is NULL; pre
 * holds the flags of the memory operand's conversion. */
static void st0_op(struct x86_cpu *c, unsigned reg, unsigned i, const long double *mem,
                   uint16_t pre)
{
    if (x87_underflow(c, 0, i)) {
        if (x87_stack_fault(c, false) && reg != 2 && reg != 3)
            x87_put(c, 0, X87_INDEFINITE);
        if (reg == 3)
            x87_pop(c);
        return;
    }
    long double y = mem ? *mem : x87_get(c, i);
    if (reg == 2 || reg == 3) {
        x87_compare(c, x87_get(c, 0), y, false, false, pre);
        if (reg == 3)
            x87_pop(c);
        return;
    }
    x87_arith(c, reg, 0, y, false, pre);
}

/* The memory operand of D8/DA/DC/DE's arithmetic, as a long double */
static long double mem_operand(struct x86_cpu *c, struct x86_insn *d, unsigned esc, uint16_t *fl)
{
    *fl = 0;
    switch (esc) {
    case 0: return x87_from_float(c, x86_read(c, d->seg, d->ea, 4), 4, fl);
    case 4: return x87_from_float(c, x86_read(c, d->seg, d->ea, 8), 8, fl);
    case 2: return (int32_t)x86_read(c, d->seg, d->ea, 4);
    default: return (int16_t)x86_read(c, d->seg, d->ea, 2);
    }
}

/* Loads: FLD m32/m64/m80, FILD m16/m32/m64 */
static void load(struct x86_cpu *c, struct x86_insn *d, unsigned esc, unsigned reg)
{
    uint16_t fl = 0;
    long double v = 0;
    if (esc == 1)
        v = x87_from_float(c, x86_read(c, d->seg, d->ea, 4), 4, &fl);
    else if (esc == 5)
        v = x87_from_float(c, x86_read(c, d->seg, d->ea, 8), 8, &fl);
    else if (esc == 3 && reg == 5)
        x86_read_bytes(c, d->seg, d->ea, &v, 10);
    else if (esc == 3)
        v = (int32_t)x86_read(c, d->seg, d->ea, 4);
    else if (reg == 0)
        v = (int16_t)x86_read(c, d->seg, d->ea, 2);
    else
        v = (int64_t)x86_read(c, d->seg, d->ea, 8);
    if (x87_raise(c, fl & 0x3f))
        return;
    x87_push(c, v);
}

/* Stores: FST(P) m32/m64, FSTP m80, FIST(P) m16/m32, FISTP m64 */
static void store(struct x86_cpu *c, struct x86_insn *d, unsigned esc, unsigned reg)
{
    bool pop = (reg & 1) || reg == 7;
    bool integer = (esc == 3 && reg != 7) || esc == 7;
    unsigned size = esc == 3 && reg == 7 ? 10 : esc == 1 || esc == 3 ? 4 : esc == 5 || reg == 7 ? 8 : 2;
    uint16_t fl = 0;
    uint64_t bits;
    if (x87_empty(c, 0)) {
        if (!x87_stack_fault(c, false))
            return;
        if (size == 10) {
            long double v = X87_INDEFINITE;
            x86_write_bytes(c, d->seg, d->ea, &v, 10);
        } else {
            bits = integer ? 1ull << (size * 8 - 1) : size == 4 ? 0xffc00000u : 0xfff8000000000000ull;
            x86_write(c, d->seg, d->ea, bits, size);
        }
    } else if (size == 10) {
        x86_write_bytes(c, d->seg, d->ea, c->fpu.st[x87_phys(c, 0)], 10);
        c->fpu.fsw &= (uint16_t)~X86_FSW_C1;       /* exact: no rounding up */
    } else {
        long double v = x87_get(c, 0);
        bits = integer ? x87_to_int(c, v, size, &fl) : x87_to_float(c, v, size, &fl);
        if (fl & ~c->fpu.fcw & 0x3f & X86_FSW_IE) {
            x87_raise(c, fl);
            return;
        }
        x86_write(c, d->seg, d->ea, bits, size);
        c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~X86_FSW_C1) | (fl & X86_FSW_C1));
        x87_raise(c, fl);
    }
    if (pop)
        x87_pop(c);
}

static void memory_form(struct x86_cpu *c, struct x86_insn *d, unsigned esc, unsigned reg)
{
    if (env_ops(c, d, esc, reg))
        return;
    bool arith = !(esc & 1);
    if (!arith && ((esc == 1 && reg == 1) || (esc == 1 && reg >= 4) || reg == 1 ||
                   (esc == 3 && (reg == 4 || reg == 6)) || (esc == 5 && reg == 5) ||
                   (esc == 7 && (reg == 4 || reg == 6))))
        x86_unknown(c, d);
    x86_fpu_check(c, true);
    c->fpu.fop = (uint16_t)((esc << 8) | (d->mod << 6) | (reg << 3) | (d->rm & 7));
    c->fpu.fip = c->insn_rip;
    c->fpu.fdp = d->ea;
    if (!arith) {
        if (reg == 0 || reg == 5)
            load(c, d, esc, reg);
        else
            store(c, d, esc, reg);
        return;
    }
    uint16_t fl;
    long double y = mem_operand(c, d, esc, &fl);
    st0_op(c, reg, 0, &y, fl);
}

/* FCMOVcc conditions: DA /0-/3 B E BE U, DB the negations */
static const uint8_t fcmov_cc[4] = { 0x2, 0x4, 0x6, 0xa };

static void fxam(struct x86_cpu *c)
{
    uint16_t codes;
    if (x87_empty(c, 0)) {
        codes = X86_FSW_C3 | X86_FSW_C0;
    } else {
        const uint8_t *r = c->fpu.st[x87_phys(c, 0)];
        uint64_t m;
        uint16_t se;
        memcpy(&m, r, 8);
        memcpy(&se, r + 8, 2);
        unsigned e = se & 0x7fff;
        bool j = m >> 63;
        if (e == 0)
            codes = m ? X86_FSW_C3 | X86_FSW_C2 : X86_FSW_C3;
        else if (!j)
            codes = 0;                              /* unsupported */
        else if (e == 0x7fff)
            codes = (m << 1) ? X86_FSW_C0 : X86_FSW_C2 | X86_FSW_C0;
        else
            codes = X86_FSW_C2;
        if (se & 0x8000)
            codes |= X86_FSW_C1;
    }
    if (x87_empty(c, 0) && (c->fpu.st[x87_phys(c, 0)][9] & 0x80))
        codes |= X86_FSW_C1;
    c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~(X86_FSW_C0 | X86_FSW_C1 | X86_FSW_C2 | X86_FSW_C3)) | codes);
}

/* D9 E0-FF, D9 C8 (FXCH) and friends without a memory operand */
static void d9_ops(struct x86_cpu *c, struct x86_insn *d, unsigned modrm)
{
    unsigned i = modrm & 7;
    if (modrm < 0xc8) {                             /* FLD ST(i) */
        if (x87_empty(c, i)) {
            if (x87_stack_fault(c, false))
                x87_push(c, X87_INDEFINITE);
            return;
        }
        x87_push(c, x87_get(c, i));
        return;
    }
    if (modrm < 0xd0) {                             /* FXCH ST(i) */
        if (x87_underflow(c, 0, i)) {
            if (!x87_stack_fault(c, false))
                return;
            if (x87_empty(c, 0))
                x87_put(c, 0, X87_INDEFINITE);
            if (x87_empty(c, i))
                x87_put(c, i, X87_INDEFINITE);
        }
        long double a = x87_get(c, 0), b = x87_get(c, i);
        x87_put(c, 0, b);
        x87_put(c, i, a);
        c->fpu.fsw &= (uint16_t)~X86_FSW_C1;
        return;
    }
    if (modrm >= 0xe8 && modrm <= 0xee) {           /* FLD1 ... FLDZ */
        x87_push(c, x87_const(c, modrm - 0xe8));
        return;
    }
    switch (modrm) {
    case 0xd0:                                      /* FNOP */
        return;
    case 0xe5:
        fxam(c);
        return;
    case 0xf6: case 0xf7:                           /* FDECSTP, FINCSTP */
        x87_set_top(c, x87_top(c) + (modrm == 0xf7 ? 1 : -1u));
        c->fpu.fsw &= (uint16_t)~X86_FSW_C1;
        return;
    }
    bool two = modrm == 0xf1 || modrm == 0xf3 || modrm == 0xf5 || modrm == 0xf8 ||
               modrm == 0xf9 || modrm == 0xfd;
    if (x87_underflow(c, 0, two ? 1 : 0)) {
        if (x87_stack_fault(c, false)) {
            x87_put(c, two && modrm != 0xf5 && modrm != 0xf8 && modrm != 0xfd ? 1 : 0,
                    X87_INDEFINITE);
            if (modrm == 0xf1 || modrm == 0xf3 || modrm == 0xf9)
                x87_pop(c);
        }
        return;
    }
    long double a = x87_get(c, 0);
    switch (modrm) {
    case 0xe0:                                      /* FCHS */
    case 0xe1: {                                    /* FABS */
        uint8_t *r = c->fpu.st[x87_phys(c, 0)];
        r[9] = modrm == 0xe0 ? r[9] ^ 0x80 : r[9] & 0x7f;
        c->fpu.fsw &= (uint16_t)~X86_FSW_C1;
        return;
    }
    case 0xe4:                                      /* FTST */
        x87_compare(c, a, 0.0L, false, false, 0);
        return;
    case 0xf0: case 0xf1: case 0xf3: case 0xf5: case 0xf8: case 0xf9:
    case 0xfa: case 0xfc: case 0xfd: case 0xfe: case 0xff: {
        long double b = two ? x87_get(c, 1) : 0;
        uint16_t sw = x87_host_op(c, modrm, &a, &b);
        uint16_t codes = X86_FSW_C0 | X86_FSW_C1 | X86_FSW_C2 | X86_FSW_C3;
        if (x87_raise(c, sw & 0x3f))
            return;
        c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~codes) | (sw & codes));
        if (modrm == 0xf1 || modrm == 0xf3 || modrm == 0xf9) {
            x87_put(c, 1, b);
            x87_pop(c);
        } else {
            x87_put(c, 0, a);
        }
        return;
    }
    }
    x86_unknown(c, d);
}

/* FCOMPP, FUCOMPP: ST(0) with ST(1), popping both */
static void compare_pop2(struct x86_cpu *c, bool quiet)
{
    if (x87_underflow(c, 0, 1)) {
        if (!x87_stack_fault(c, false))
            return;
    } else {
        x87_compare(c, x87_get(c, 0), x87_get(c, 1), quiet, false, 0);
    }
    x87_pop(c);
    x87_pop(c);
}

static void register_form(struct x86_cpu *c, struct x86_insn *d, unsigned esc, unsigned reg)
{
    unsigned modrm = 0xc0 | reg << 3 | (d->rm & 7), i = d->rm & 7;
    uint16_t op = (uint16_t)(esc << 8 | modrm);

    /* the no-wait control instructions */
    if (op == 0x3e2 || op == 0x3e3 || op == 0x7e0) {
        x86_fpu_check(c, false);
        if (op == 0x3e2)                            /* FNCLEX */
            c->fpu.fsw &= 0x7f00;
        else if (op == 0x3e3)                       /* FNINIT */
            x86_fpu_init(&c->fpu);
        else                                        /* FNSTSW AX */
            x86_reg_set(c, d, X86_RAX, 2, fsw(c));
        return;
    }
    if ((esc == 1 && ((modrm >= 0xd1 && modrm <= 0xdf) || modrm == 0xe2 ||
                      modrm == 0xe3 || modrm == 0xe6 || modrm == 0xe7 || modrm == 0xef ||
                      modrm == 0xf2 || modrm == 0xf4 || modrm == 0xfb)) ||
        (esc == 2 && reg >= 4 && modrm != 0xe9) ||
        (esc == 3 && (reg == 4 || reg == 7)) ||
        (esc == 5 && (reg == 1 || reg >= 6)) ||
        (esc == 6 && (reg == 2 || (reg == 3 && modrm != 0xd9))) ||
        (esc == 7 && (reg < 5 || reg == 7)) || (esc == 4 && (reg == 2 || reg == 3)))
        x86_unknown(c, d);
    x86_fpu_check(c, true);
    c->fpu.fop = (uint16_t)((esc << 8) | modrm);
    c->fpu.fip = c->insn_rip;

    switch (esc) {
    case 0:                                         /* D8: ST(0) op ST(i) */
        st0_op(c, reg, i, NULL, 0);
        return;
    case 4: case 6:                                 /* DC, DE: ST(i) op ST(0) */
        if (esc == 6 && reg == 3) {                 /* FCOMPP */
            compare_pop2(c, false);
            return;
        }
        if (x87_underflow(c, 0, i)) {
            if (x87_stack_fault(c, false)) {
                x87_put(c, i, X87_INDEFINITE);
                if (esc == 6)
                    x87_pop(c);
            }
            return;
        }
        x87_arith(c, reg >= 4 ? reg ^ 1 : reg, i, x87_get(c, 0), esc == 6, 0);
        return;
    case 2: case 3:
        if (esc == 2 && modrm == 0xe9) {            /* FUCOMPP */
            compare_pop2(c, true);
            return;
        }
        if (reg < 4) {                              /* FCMOVcc */
            if (x87_underflow(c, 0, i)) {
                if (x87_stack_fault(c, false))
                    x87_put(c, 0, X87_INDEFINITE);
                return;
            }
            if (x86_cond(c, fcmov_cc[reg] | (esc == 3)))
                x87_put(c, 0, x87_get(c, i));
            c->fpu.fsw &= (uint16_t)~X86_FSW_C1;
            return;
        }
        /* DB E8+i FUCOMI, F0+i FCOMI */
        if (x87_underflow(c, 0, i)) {
            if (x87_stack_fault(c, false)) {
                c->lazy.op = X86_FL_NONE;
                c->rflags = (c->rflags & ~X86_ARITH_FLAGS) | X86_ZF | X86_PF | X86_CF;
            }
            return;
        }
        x87_compare(c, x87_get(c, 0), x87_get(c, i), reg == 5, true, 0);
        return;
    case 7:                                         /* DF E8+i FUCOMIP, F0+i FCOMIP */
        if (x87_underflow(c, 0, i)) {
            if (x87_stack_fault(c, false)) {
                c->lazy.op = X86_FL_NONE;
                c->rflags = (c->rflags & ~X86_ARITH_FLAGS) | X86_ZF | X86_PF | X86_CF;
                x87_pop(c);
            }
            return;
        }
        x87_compare(c, x87_get(c, 0), x87_get(c, i), reg == 5, true, 0);
        x87_pop(c);
        return;
    case 5:
        if (reg == 0) {                             /* FFREE */
            c->fpu.ftw &= (uint8_t)~(1u << x87_phys(c, i));
            return;
        }
        if (reg == 2 || reg == 3) {                 /* FST, FSTP ST(i) */
            if (x87_empty(c, 0)) {
                if (!x87_stack_fault(c, false))
                    return;
                x87_put(c, i, X87_INDEFINITE);
            } else {
                memcpy(c->fpu.st[x87_phys(c, i)], c->fpu.st[x87_phys(c, 0)], 10);
                c->fpu.ftw |= (uint8_t)(1u << x87_phys(c, i));
            }
            c->fpu.fsw &= (uint16_t)~X86_FSW_C1;
            if (reg == 3)
                x87_pop(c);
            return;
        }
        /* DD E0+i FUCOM, E8+i FUCOMP */
        if (x87_underflow(c, 0, i)) {
            if (x87_stack_fault(c, false) && reg == 5)
                x87_pop(c);
            return;
        }
        x87_compare(c, x87_get(c, 0), x87_get(c, i), true, false, 0);
        if (reg == 5)
            x87_pop(c);
        return;
    default:                                        /* D9 */
        d9_ops(c, d, modrm);
        return;
    }
}

void x86_op_x87(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned esc = d->op & 7, reg = d->reg & 7;

    if (d->mod != 3)
        memory_form(c, d, esc, reg);
    else
        register_form(c, d, esc, reg);
}
