/*
 * Segments: descriptor tables, segment register loads, far transfers and
 * their returns, LLDT/LTR, SYSCALL/SYSRET and the I/O permission check
 * (SDM Vol. 3, chapters 3, 5 and 8; instruction pages in Vol. 2).
 *
 * Every check and every memory access of an instruction comes before the
 * first register it changes, so a fault leaves the old state for x86_run
 * to restart from. A null selector leaves an unusable cache: attr without
 * X86_ATTR_P (the P bit of a real-mode cache is set, so real-mode values
 * stay usable after CR0.PE is set, as on the CPU).
 *
 * Not implemented: task switches (JMP/CALL to a TSS or a task gate:
 * #GP(selector); IRET with NT: #GP(0)).
 */
#include "cpu/interp/sys_internal.h"

static inline uint32_t selerr(uint16_t sel)
{
    return sel & 0xfffc;
}

static inline bool real_mode(const struct x86_cpu *c)
{
    return !(c->cr0 & X86_CR0_PE);
}

static inline bool vm86(const struct x86_cpu *c)
{
    return c->rflags & X86_VM;
}

/* ---- descriptors ---- */

bool x86_desc_read(struct x86_cpu *c, uint16_t sel, struct x86_desc *d)
{
    uint64_t base;
    uint32_t limit;
    if (sel & 4) {
        if (!(c->ldtr.attr & X86_ATTR_P))
            return false;
        base = c->ldtr.base;
        limit = c->ldtr.limit;
    } else {
        base = c->gdtr.base;
        limit = c->gdtr.limit;
    }
    uint32_t idx = sel & ~7u;
    if (idx + 7 > limit)
        return false;
    d->addr = base + idx;
    d->lo = x86_read_lin(c, d->addr, 8, X86_READ | X86_SYS);
    return true;
}

/* The upper half of a 16-byte system descriptor (long mode), which must
 * lie within the table too. */
static bool desc_read_hi(struct x86_cpu *c, uint16_t sel, const struct x86_desc *d, uint64_t *hi)
{
    uint32_t limit = (sel & 4) ? c->ldtr.limit : c->gdtr.limit;
    if ((sel & ~7u) + 15 > limit)
        return false;
    *hi = x86_read_lin(c, d->addr + 8, 8, X86_READ | X86_SYS);
    return true;
}

void x86_desc_to_seg(struct x86_seg *s, uint16_t sel, uint64_t lo)
{
    uint32_t limit = (uint32_t)(lo & 0xffff) | (uint32_t)((lo >> 32) & 0xf0000);
    if (lo & (1ull << 55))
        limit = (limit << 12) | 0xfff;
    s->sel = sel;
    s->base = ((lo >> 16) & 0xffffff) | ((lo >> 32) & 0xff000000);
    s->limit = limit;
    s->attr = (uint16_t)((lo >> 40) & 0xf0ff);
}

void x86_desc_set_accessed(struct x86_cpu *c, struct x86_desc *d)
{
    const uint64_t a = 1ull << 40;
    if (d->lo & a)
        return;
    d->lo |= a;
    x86_write_lin(c, d->addr + 5, (d->lo >> 40) & 0xff, 1, X86_WRITE | X86_SYS);
}

/* ---- mode and segment caches ---- */

void x86_update_mode(struct x86_cpu *c)
{
    const struct x86_seg *cs = &c->seg[X86_CS];
    c->long_mode = c->efer & X86_EFER_LMA;
    if (real_mode(c))
        c->cpl = 0;
    else if (vm86(c))
        c->cpl = 3;
    else if ((cs->attr & (X86_TYPE_CODE | X86_TYPE_C)) == (X86_TYPE_CODE | X86_TYPE_C))
        c->cpl = cs->sel & 3;   /* conforming: CS.RPL is the CPL, not its DPL */
    else
        c->cpl = X86_ATTR_DPL(cs->attr);
    c->code64 = c->long_mode && (cs->attr & X86_ATTR_L);
    c->code32 = !c->code64 && (cs->attr & X86_ATTR_DB);
}

void x86_set_seg(struct x86_cpu *c, int sreg, const struct x86_seg *s)
{
    c->seg[sreg] = *s;
    if (sreg == X86_CS)
        x86_update_mode(c);
}

/* Real mode: base = selector * 16, the rest of the cache kept (SDM Vol. 3,
 * 20.1.1); virtual-8086 mode: a 64 KiB DPL 3 data segment. */
static void load_real(struct x86_cpu *c, int sreg, uint16_t sel)
{
    struct x86_seg *s = &c->seg[sreg];
    s->sel = sel;
    s->base = (uint64_t)sel << 4;
    if (vm86(c)) {
        s->limit = 0xffff;
        s->attr = 0xf3;
    }
    if (sreg == X86_CS)
        x86_update_mode(c);
}

void x86_load_cs(struct x86_cpu *c, uint16_t sel, const struct x86_desc *d, unsigned cpl)
{
    x86_desc_to_seg(&c->seg[X86_CS], (uint16_t)((sel & ~3u) | cpl), d->lo);
    x86_update_mode(c);
}

void x86_null_ss(struct x86_cpu *c, unsigned cpl)
{
    struct x86_seg *ss = &c->seg[X86_SS];
    ss->sel = (uint16_t)cpl;
    ss->base = 0;
    ss->limit = 0;
    ss->attr = (uint16_t)(cpl << 5);
}

static bool is_code(uint64_t lo)
{
    return X86_DESC_S(lo) && (X86_DESC_TYPE(lo) & X86_TYPE_CODE);
}

static bool is_conforming(uint64_t lo)
{
    return (X86_DESC_TYPE(lo) & (X86_TYPE_CODE | X86_TYPE_C)) == (X86_TYPE_CODE | X86_TYPE_C);
}

static bool is_writable_data(uint64_t lo)
{
    return X86_DESC_S(lo) && (X86_DESC_TYPE(lo) & (X86_TYPE_CODE | X86_TYPE_W)) == X86_TYPE_W;
}

/* ---- MOV/POP to a segment register (SDM Vol. 2, MOV; Vol. 3, 5.5) ---- */

void x86_load_seg(struct x86_cpu *c, int sreg, uint16_t sel)
{
    if (real_mode(c) || vm86(c)) {
        load_real(c, sreg, sel);
        return;
    }
    struct x86_seg *s = &c->seg[sreg];
    struct x86_desc d;
    unsigned rpl = sel & 3;

    if (!selerr(sel)) {
        /* A null SS only in 64-bit mode below CPL 3, with RPL = CPL. */
        if (sreg == X86_SS) {
            if (!c->code64 || c->cpl == 3 || rpl != c->cpl)
                x86_fault(c, X86_GP, 0);
            x86_null_ss(c, c->cpl);
            return;
        }
        /* unusable; Intel clears the base too (FS/GS in 64-bit mode) */
        s->sel = sel;
        s->base = 0;
        s->limit = 0;
        s->attr = 0;
        return;
    }
    if (!x86_desc_read(c, sel, &d))
        x86_fault(c, X86_GP, selerr(sel));
    unsigned dpl = X86_DESC_DPL(d.lo);
    if (sreg == X86_SS) {
        if (rpl != c->cpl || !is_writable_data(d.lo) || dpl != c->cpl)
            x86_fault(c, X86_GP, selerr(sel));
        if (!X86_DESC_P(d.lo))
            x86_fault(c, X86_SS_VEC, selerr(sel));
    } else {
        if (!X86_DESC_S(d.lo) ||
            (X86_DESC_TYPE(d.lo) & (X86_TYPE_CODE | X86_TYPE_R)) == X86_TYPE_CODE)
            x86_fault(c, X86_GP, selerr(sel));
        if (!is_conforming(d.lo) && (rpl > dpl || c->cpl > dpl))
            x86_fault(c, X86_GP, selerr(sel));
        if (!X86_DESC_P(d.lo))
            x86_fault(c, X86_NP, selerr(sel));
    }
    x86_desc_set_accessed(c, &d);
    x86_desc_to_seg(s, sel, d.lo);
}

/* ---- the stack of a far transfer ----
 * Values are written below RSP first and RSP moves only when the whole
 * instruction has succeeded. */

static inline uint64_t stack_mask(const struct x86_cpu *c)
{
    if (c->code64)
        return ~0ull;
    return (c->seg[X86_SS].attr & X86_ATTR_DB) ? 0xffffffffull : 0xffffull;
}

/* The value k slots of size bytes above RSP (+ skip). */
static uint64_t stack_at(struct x86_cpu *c, unsigned k, unsigned size, uint64_t skip)
{
    uint64_t m = stack_mask(c);
    return x86_read(c, X86_SS, (c->r[X86_RSP] + skip + (uint64_t)k * size) & m, size);
}

/* Writes v as the k-th push (1 is the first) below RSP. */
static void stack_put(struct x86_cpu *c, unsigned k, uint64_t v, unsigned size)
{
    uint64_t m = stack_mask(c);
    x86_write(c, X86_SS, (c->r[X86_RSP] - (uint64_t)k * size) & m, v, size);
}

static void stack_move(struct x86_cpu *c, int64_t delta)
{
    uint64_t m = stack_mask(c);
    c->r[X86_RSP] = (c->r[X86_RSP] & ~m) | ((c->r[X86_RSP] + (uint64_t)delta) & m);
}

/* RSP after loading a new SS: ESP or SP by its B flag outside 64-bit. */
static void set_sp(struct x86_cpu *c, uint64_t sp, bool full)
{
    if (full)
        c->r[X86_RSP] = sp;
    else if (c->seg[X86_SS].attr & X86_ATTR_DB)
        c->r[X86_RSP] = (uint32_t)sp;
    else
        c->r[X86_RSP] = (c->r[X86_RSP] & ~0xffffull) | (sp & 0xffff);
}

/* ---- far JMP and CALL (SDM Vol. 2, JMP and CALL) ---- */

/* A target code segment reached directly (not through a gate). */
static void check_direct_code(struct x86_cpu *c, uint16_t sel, const struct x86_desc *d)
{
    unsigned dpl = X86_DESC_DPL(d->lo);
    if (!is_code(d->lo))
        x86_fault(c, X86_GP, selerr(sel));
    if (is_conforming(d->lo) ? dpl > c->cpl : ((sel & 3) > c->cpl || dpl != c->cpl))
        x86_fault(c, X86_GP, selerr(sel));
    if (!X86_DESC_P(d->lo))
        x86_fault(c, X86_NP, selerr(sel));
    if (c->long_mode && X86_DESC_L(d->lo) && X86_DESC_DB(d->lo))
        x86_fault(c, X86_GP, selerr(sel));
}

/* The new RIP against the target segment: canonical for 64-bit code,
 * within the limit otherwise. */
static void check_target_ip(struct x86_cpu *c, const struct x86_desc *d, uint64_t ip)
{
    if (c->long_mode && X86_DESC_L(d->lo)) {
        if (!x86_is_canonical(ip))
            x86_fault(c, X86_GP, 0);
        return;
    }
    struct x86_seg s;
    x86_desc_to_seg(&s, 0, d->lo);
    if (ip > s.limit)
        x86_fault(c, X86_GP, 0);
}

unsigned x86_gate_target(struct x86_cpu *c, uint16_t sel, struct x86_desc *d, uint32_t ext)
{
    if (!selerr(sel))
        x86_fault(c, X86_GP, ext);
    if (!x86_desc_read(c, sel, d))
        x86_fault(c, X86_GP, selerr(sel) | ext);
    unsigned dpl = X86_DESC_DPL(d->lo);
    if (!is_code(d->lo) || dpl > c->cpl)
        x86_fault(c, X86_GP, selerr(sel) | ext);
    if (!X86_DESC_P(d->lo))
        x86_fault(c, X86_NP, selerr(sel) | ext);
    /* IA-32e mode enters only 64-bit code through gates */
    if (c->long_mode && (!X86_DESC_L(d->lo) || X86_DESC_DB(d->lo)))
        x86_fault(c, X86_GP, selerr(sel) | ext);
    return is_conforming(d->lo) ? c->cpl : dpl;
}

/* The legacy stack for privilege level cpl from the TSS, its SS checked. */
void x86_tss_stack(struct x86_cpu *c, unsigned cpl, uint32_t ext, struct x86_seg *ss,
                   uint64_t *sp)
{
    unsigned type = c->tr.attr & X86_ATTR_TYPE;
    uint16_t sel;
    if (type == X86_SYS_TSS_AVAIL || type == X86_SYS_TSS_BUSY) {
        unsigned off = cpl * 8 + 4;
        if (off + 5 > c->tr.limit)
            x86_fault(c, X86_TS, selerr(c->tr.sel) | ext);
        *sp = x86_read_lin(c, c->tr.base + off, 4, X86_READ | X86_SYS);
        sel = (uint16_t)x86_read_lin(c, c->tr.base + off + 4, 2, X86_READ | X86_SYS);
    } else {
        unsigned off = cpl * 4 + 2;
        if (off + 3 > c->tr.limit)
            x86_fault(c, X86_TS, selerr(c->tr.sel) | ext);
        *sp = x86_read_lin(c, c->tr.base + off, 2, X86_READ | X86_SYS);
        sel = (uint16_t)x86_read_lin(c, c->tr.base + off + 2, 2, X86_READ | X86_SYS);
    }
    struct x86_desc d;
    if (!selerr(sel))
        x86_fault(c, X86_TS, ext);
    if (!x86_desc_read(c, sel, &d))
        x86_fault(c, X86_TS, selerr(sel) | ext);
    if ((sel & 3) != cpl || !is_writable_data(d.lo) || X86_DESC_DPL(d.lo) != cpl)
        x86_fault(c, X86_TS, selerr(sel) | ext);
    if (!X86_DESC_P(d.lo))
        x86_fault(c, X86_SS_VEC, selerr(sel) | ext);
    x86_desc_set_accessed(c, &d);
    x86_desc_to_seg(ss, sel, d.lo);
}

uint64_t x86_tss_read64(struct x86_cpu *c, unsigned off, uint32_t ext)
{
    if (off + 7 > c->tr.limit)
        x86_fault(c, X86_TS, selerr(c->tr.sel) | ext);
    return x86_read_lin(c, c->tr.base + off, 8, X86_READ | X86_SYS);
}

/* CALL through a call gate to a more privileged level: the stack from
 * the TSS, the caller's SS:ESP and the gate's parameters copied onto it
 * (SDM Vol. 3, 5.8.5). */
static void call_gate_inner(struct x86_cpu *c, const struct x86_desc *g, uint16_t tsel,
                            struct x86_desc *t, uint64_t ip, unsigned gsize, unsigned cpl)
{
    uint16_t old_cs = c->seg[X86_CS].sel, old_ss = c->seg[X86_SS].sel;
    uint64_t old_sp = c->r[X86_RSP];
    struct x86_seg ss;
    uint64_t sp;

    if (c->long_mode) {
        sp = x86_tss_read64(c, 4 + cpl * 8, 0);
        if (!x86_is_canonical(sp))
            x86_fault(c, X86_SS_VEC, 0);
        uint64_t frame[4] = { c->rip, old_cs, old_sp, old_ss };
        for (int i = 3; i >= 0; i--) {
            uint64_t a = sp - 8 * (uint64_t)(4 - i);
            if (!x86_is_canonical(a))
                x86_fault(c, X86_SS_VEC, 0);
            x86_write_lin(c, a, frame[i], 8, X86_WRITE | (cpl < 3 ? X86_SYS : 0));
        }
        x86_desc_set_accessed(c, t);
        x86_null_ss(c, cpl);
        c->r[X86_RSP] = sp - 32;
        x86_load_cs(c, tsel, t, cpl);
        c->rip = ip;
        return;
    }

    x86_tss_stack(c, cpl, 0, &ss, &sp);
    uint32_t sserr = selerr(ss.sel);
    uint64_t m = (ss.attr & X86_ATTR_DB) ? 0xffffffffull : 0xffffull;
    unsigned n = (unsigned)(g->lo >> 32) & 0x1f, k = 0;
    int acc = X86_WRITE | (cpl < 3 ? X86_SYS : 0);
    x86_write_lin_seg(c, &ss, (sp - gsize * ++k) & m, old_ss, gsize, acc, X86_SS_VEC, sserr);
    x86_write_lin_seg(c, &ss, (sp - gsize * ++k) & m, old_sp, gsize, acc, X86_SS_VEC, sserr);
    for (unsigned i = n; i-- > 0;) {
        uint64_t v = stack_at(c, i, gsize, 0);
        x86_write_lin_seg(c, &ss, (sp - gsize * ++k) & m, v, gsize, acc, X86_SS_VEC, sserr);
    }
    x86_write_lin_seg(c, &ss, (sp - gsize * ++k) & m, old_cs, gsize, acc, X86_SS_VEC, sserr);
    x86_write_lin_seg(c, &ss, (sp - gsize * ++k) & m, c->rip, gsize, acc, X86_SS_VEC, sserr);
    x86_desc_set_accessed(c, t);
    c->seg[X86_SS] = ss;
    set_sp(c, (sp - gsize * k) & m, false);
    x86_load_cs(c, tsel, t, cpl);
    c->rip = ip;
}

static void through_call_gate(struct x86_cpu *c, uint16_t sel, const struct x86_desc *g,
                              bool call)
{
    unsigned type = X86_DESC_TYPE(g->lo), gdpl = X86_DESC_DPL(g->lo);
    uint64_t ip = g->lo & 0xffff;
    unsigned gsize;

    if (gdpl < c->cpl || gdpl < (sel & 3u))
        x86_fault(c, X86_GP, selerr(sel));
    if (!X86_DESC_P(g->lo))
        x86_fault(c, X86_NP, selerr(sel));
    if (c->long_mode) {
        uint64_t hi;
        if (type != X86_SYS_CALL || !desc_read_hi(c, sel, g, &hi) || ((hi >> 40) & 0x1f))
            x86_fault(c, X86_GP, selerr(sel));
        ip |= ((g->lo >> 32) & 0xffff0000) | (hi << 32);
        gsize = 8;
    } else if (type == X86_SYS_CALL) {
        ip |= (g->lo >> 32) & 0xffff0000;
        gsize = 4;
    } else {
        gsize = 2;
    }

    uint16_t tsel = (uint16_t)(g->lo >> 16);
    struct x86_desc t;
    unsigned cpl = x86_gate_target(c, tsel, &t, 0);
    if (!call && !is_conforming(t.lo) && X86_DESC_DPL(t.lo) != c->cpl)
        x86_fault(c, X86_GP, selerr(tsel));
    check_target_ip(c, &t, ip);

    if (!call) {
        x86_desc_set_accessed(c, &t);
        x86_load_cs(c, tsel, &t, c->cpl);
        c->rip = ip;
        return;
    }
    if (cpl < c->cpl) {
        call_gate_inner(c, g, tsel, &t, ip, gsize, cpl);
        return;
    }
    stack_put(c, 1, c->seg[X86_CS].sel, gsize);
    stack_put(c, 2, c->rip, gsize);
    x86_desc_set_accessed(c, &t);
    stack_move(c, -2 * (int64_t)gsize);
    x86_load_cs(c, tsel, &t, c->cpl);
    c->rip = ip;
}

static void far_transfer(struct x86_cpu *c, uint16_t sel, uint64_t off, unsigned opsize, bool call)
{
    if (real_mode(c) || vm86(c)) {
        if (off > c->seg[X86_CS].limit)
            x86_fault(c, X86_GP, 0);
        if (call) {
            stack_put(c, 1, c->seg[X86_CS].sel, opsize);
            stack_put(c, 2, c->rip, opsize);
            stack_move(c, -2 * (int64_t)opsize);
        }
        load_real(c, X86_CS, sel);
        c->rip = off;
        return;
    }
    if (!selerr(sel))
        x86_fault(c, X86_GP, 0);
    struct x86_desc d;
    if (!x86_desc_read(c, sel, &d))
        x86_fault(c, X86_GP, selerr(sel));
    if (!X86_DESC_S(d.lo)) {
        if (X86_DESC_TYPE(d.lo) == X86_SYS_CALL ||
            (!c->long_mode && X86_DESC_TYPE(d.lo) == X86_SYS_CALL16)) {
            through_call_gate(c, sel, &d, call);
            return;
        }
        /* task gates and TSSs: task switches are not implemented (and
         * are #GP(selector) in IA-32e mode anyway) */
        x86_fault(c, X86_GP, selerr(sel));
    }
    check_direct_code(c, sel, &d);
    check_target_ip(c, &d, off);
    if (call) {
        stack_put(c, 1, c->seg[X86_CS].sel, opsize);
        stack_put(c, 2, c->rip, opsize);
    }
    x86_desc_set_accessed(c, &d);
    if (call)
        stack_move(c, -2 * (int64_t)opsize);
    x86_load_cs(c, sel, &d, c->cpl);
    c->rip = off;
}

void x86_far_jmp(struct x86_cpu *c, uint16_t sel, uint64_t off)
{
    far_transfer(c, sel, off, 0, false);
}

void x86_far_call(struct x86_cpu *c, uint16_t sel, uint64_t off, unsigned opsize)
{
    far_transfer(c, sel, off, opsize, true);
}

/* ---- returns: RETF and IRET ---- */

/* The code segment returned to (SDM Vol. 2, RET and IRET). */
static void check_return_cs(struct x86_cpu *c, uint16_t sel, struct x86_desc *d)
{
    if (!selerr(sel))
        x86_fault(c, X86_GP, 0);
    if (!x86_desc_read(c, sel, d))
        x86_fault(c, X86_GP, selerr(sel));
    unsigned rpl = sel & 3, dpl = X86_DESC_DPL(d->lo);
    if (!is_code(d->lo) || rpl < c->cpl)
        x86_fault(c, X86_GP, selerr(sel));
    if (is_conforming(d->lo) ? dpl > rpl : dpl != rpl)
        x86_fault(c, X86_GP, selerr(sel));
    if (!X86_DESC_P(d->lo))
        x86_fault(c, X86_NP, selerr(sel));
    if (c->long_mode && X86_DESC_L(d->lo) && X86_DESC_DB(d->lo))
        x86_fault(c, X86_GP, selerr(sel));
}

/* The stack returned to: false for a null SS, allowed only when going to
 * 64-bit code below CPL 3. */
static bool check_return_ss(struct x86_cpu *c, uint16_t sel, unsigned rpl, bool to64,
                            struct x86_desc *d)
{
    if (!selerr(sel)) {
        if (!to64 || rpl == 3)
            x86_fault(c, X86_GP, 0);
        return false;
    }
    if (!x86_desc_read(c, sel, d))
        x86_fault(c, X86_GP, selerr(sel));
    if ((sel & 3) != rpl || !is_writable_data(d->lo) || X86_DESC_DPL(d->lo) != rpl)
        x86_fault(c, X86_GP, selerr(sel));
    if (!X86_DESC_P(d->lo))
        x86_fault(c, X86_SS_VEC, selerr(sel));
    return true;
}

/* Data segments the outer level may not use become null (SDM Vol. 2,
 * RET: "FOR each SegReg in (ES, FS, GS, and DS)"). */
static void null_inaccessible(struct x86_cpu *c)
{
    static const int regs[] = { X86_ES, X86_DS, X86_FS, X86_GS };
    for (int i = 0; i < 4; i++) {
        struct x86_seg *s = &c->seg[regs[i]];
        bool data_or_nc = !(s->attr & X86_TYPE_CODE) || !(s->attr & X86_TYPE_C);
        if (data_or_nc && X86_ATTR_DPL(s->attr) < c->cpl) {
            s->sel = 0;
            s->attr &= ~X86_ATTR_P;
        }
    }
}

/* Loads SS:RSP of an outer level (or a 64-bit IRET's), after CS. */
static void load_return_stack(struct x86_cpu *c, uint16_t sel, bool usable, struct x86_desc *d,
                              uint64_t sp, bool full)
{
    if (usable)
        x86_desc_to_seg(&c->seg[X86_SS], sel, d->lo);
    else
        x86_null_ss(c, sel & 3);
    c->seg[X86_SS].sel = sel;
    set_sp(c, sp, full);
}

/* To the same level: CS:RIP, then the frame (frame bytes) dropped. */
static void return_same_level(struct x86_cpu *c, uint16_t sel, struct x86_desc *d, uint64_t ip,
                              int64_t frame)
{
    check_target_ip(c, d, ip);
    x86_desc_set_accessed(c, d);
    stack_move(c, frame);
    x86_load_cs(c, sel, d, sel & 3);
    c->rip = ip;
}

/* To an outer level (or any level, for a 64-bit IRET): SS:RSP from stack
 * slots slot and slot + 1, past imm bytes of parameters; both
 * descriptors are checked before anything is loaded. */
static void return_outer_level(struct x86_cpu *c, uint16_t sel, struct x86_desc *d, uint64_t ip,
                               unsigned opsize, unsigned slot, uint16_t imm)
{
    struct x86_desc sd;
    unsigned rpl = sel & 3;
    bool to64 = c->long_mode && X86_DESC_L(d->lo);
    uint64_t sp = stack_at(c, slot, opsize, imm);
    uint16_t ssel = (uint16_t)stack_at(c, slot + 1, opsize, imm);
    bool usable = check_return_ss(c, ssel, rpl, to64, &sd);
    check_target_ip(c, d, ip);
    x86_desc_set_accessed(c, d);
    if (usable)
        x86_desc_set_accessed(c, &sd);
    x86_load_cs(c, sel, d, rpl);
    c->rip = ip;
    load_return_stack(c, ssel, usable, &sd, sp + imm, opsize == 8 || to64);
}

void x86_far_ret(struct x86_cpu *c, unsigned opsize, uint16_t imm)
{
    uint64_t ip = stack_at(c, 0, opsize, 0);
    uint16_t sel = (uint16_t)stack_at(c, 1, opsize, 0);

    if (real_mode(c) || vm86(c)) {
        if (ip > c->seg[X86_CS].limit)
            x86_fault(c, X86_GP, 0);
        stack_move(c, 2 * (int64_t)opsize + imm);
        load_real(c, X86_CS, sel);
        c->rip = ip;
        return;
    }
    struct x86_desc d;
    check_return_cs(c, sel, &d);
    if ((sel & 3) == c->cpl) {
        return_same_level(c, sel, &d, ip, 2 * (int64_t)opsize + imm);
        return;
    }
    /* to an outer level: its SS:RSP above the parameters */
    return_outer_level(c, sel, &d, ip, opsize, 2, imm);
    null_inaccessible(c);
}

/* IRET's new RFLAGS (SDM Vol. 2, IRET): IF only if CPL <= IOPL, IOPL,
 * VIF and VIP only at CPL 0, judged at the old CPL; VM kept. */
static void iret_flags(struct x86_cpu *c, uint64_t v, unsigned opsize, unsigned cpl)
{
    uint64_t cur = x86_get_rflags(c);
    uint64_t m = X86_ARITH_FLAGS | X86_TF | X86_DF | X86_NT;
    if (opsize >= 4)
        m |= X86_RF | X86_AC | X86_ID;
    if (cpl <= ((cur & X86_IOPL) >> 12))
        m |= X86_IF;
    if (cpl == 0) {
        m |= X86_IOPL;
        if (opsize >= 4)
            m |= X86_VIF | X86_VIP;
    }
    x86_set_rflags(c, (cur & ~m) | (v & m));
}

/* IRET in real mode, or in virtual-8086 mode at IOPL 3 (with IOPL kept
 * as well): VM, VIF and VIP are kept, and the upper half of RFLAGS for a
 * 16-bit IRET. */
static void iret_real(struct x86_cpu *c, unsigned opsize, uint64_t keep)
{
    uint64_t ip = stack_at(c, 0, opsize, 0);
    uint16_t sel = (uint16_t)stack_at(c, 1, opsize, 0);
    uint64_t fl = stack_at(c, 2, opsize, 0);
    if (ip > c->seg[X86_CS].limit)
        x86_fault(c, X86_GP, 0);
    uint64_t cur = x86_get_rflags(c);
    keep |= X86_VM | X86_VIF | X86_VIP | (opsize == 2 ? ~0xffffull : 0);
    stack_move(c, 3 * (int64_t)opsize);
    load_real(c, X86_CS, sel);
    c->rip = ip;
    x86_set_rflags(c, (cur & keep) | (fl & ~keep));
}

/* From CPL 0 to virtual-8086 mode: the rest of the frame is ESP, SS, ES,
 * DS, FS, GS, and every flag is taken as popped (SDM Vol. 2, IRET,
 * RETURN-TO-VIRTUAL-8086-MODE). */
static void iret_to_vm86(struct x86_cpu *c, uint64_t ip, uint16_t cs, uint64_t fl)
{
    static const int regs[] = { X86_SS, X86_ES, X86_DS, X86_FS, X86_GS };
    uint16_t sel[5];
    uint64_t sp = stack_at(c, 3, 4, 0);
    for (int i = 0; i < 5; i++)
        sel[i] = (uint16_t)stack_at(c, 4 + (unsigned)i, 4, 0);
    x86_set_rflags(c, fl);
    for (int i = 0; i < 5; i++)
        load_real(c, regs[i], sel[i]);
    load_real(c, X86_CS, cs);
    c->r[X86_RSP] = (uint32_t)sp;
    c->rip = ip & 0xffff;
}

void x86_iret(struct x86_cpu *c, unsigned opsize)
{
    if (real_mode(c)) {
        iret_real(c, opsize, 0);
        return;
    }
    if (vm86(c)) {
        /* IOPL 3: as in real mode; else #GP(0) (no VME) */
        if ((c->rflags & X86_IOPL) != X86_IOPL)
            x86_fault(c, X86_GP, 0);
        iret_real(c, opsize, X86_IOPL);
        return;
    }
    /* NT: a return from a nested task, not implemented (and #GP(0) in
     * IA-32e mode) */
    if (c->rflags & X86_NT)
        x86_fault(c, X86_GP, 0);

    uint64_t ip = stack_at(c, 0, opsize, 0);
    uint16_t sel = (uint16_t)stack_at(c, 1, opsize, 0);
    uint64_t fl = stack_at(c, 2, opsize, 0);
    unsigned cpl = c->cpl;

    if (!c->long_mode && (fl & X86_VM) && cpl == 0 && opsize == 4) {
        iret_to_vm86(c, ip, sel, fl);
        return;
    }

    struct x86_desc d;
    check_return_cs(c, sel, &d);
    unsigned rpl = sel & 3;

    /* IRET in 64-bit mode always pops SS:RSP; elsewhere only to an
     * outer level. RFLAGS is judged at the old CPL and touches neither
     * SS nor RSP, so it may follow them. */
    if (!c->code64 && rpl == cpl)
        return_same_level(c, sel, &d, ip, 3 * (int64_t)opsize);
    else
        return_outer_level(c, sel, &d, ip, opsize, 3, 0);
    iret_flags(c, fl, opsize, cpl);
    if (rpl > cpl)
        null_inaccessible(c);
}

/* ---- LLDT, LTR (SDM Vol. 2; 16-byte descriptors in IA-32e mode) ---- */

/* A GDT system descriptor of one of the types wanted, present; its base
 * with the upper half in IA-32e mode. */
static void load_system(struct x86_cpu *c, uint16_t sel, unsigned t1, unsigned t2,
                        struct x86_desc *d, struct x86_seg *s)
{
    if ((sel & 4) || !x86_desc_read(c, sel, d))
        x86_fault(c, X86_GP, selerr(sel));
    unsigned type = X86_DESC_TYPE(d->lo);
    if (X86_DESC_S(d->lo) || (type != t1 && type != t2))
        x86_fault(c, X86_GP, selerr(sel));
    if (!X86_DESC_P(d->lo))
        x86_fault(c, X86_NP, selerr(sel));
    x86_desc_to_seg(s, sel, d->lo);
    if (c->long_mode) {
        uint64_t hi;
        if (!desc_read_hi(c, sel, d, &hi) || ((hi >> 40) & 0x1f))
            x86_fault(c, X86_GP, selerr(sel));
        s->base |= hi << 32;
        if (!x86_is_canonical(s->base))
            x86_fault(c, X86_GP, selerr(sel));
    }
}

void x86_lldt(struct x86_cpu *c, uint16_t sel)
{
    if (c->cpl)
        x86_fault(c, X86_GP, 0);
    if (!selerr(sel)) {
        c->ldtr.sel = sel;
        c->ldtr.attr = 0;       /* unusable: any LDT reference faults */
        return;
    }
    struct x86_desc d;
    struct x86_seg s;
    load_system(c, sel, X86_SYS_LDT, X86_SYS_LDT, &d, &s);
    c->ldtr = s;
}

void x86_ltr(struct x86_cpu *c, uint16_t sel)
{
    if (c->cpl)
        x86_fault(c, X86_GP, 0);
    if (!selerr(sel))
        x86_fault(c, X86_GP, 0);
    struct x86_desc d;
    struct x86_seg s;
    /* a 16-bit TSS only outside IA-32e mode */
    load_system(c, sel, X86_SYS_TSS_AVAIL, c->long_mode ? X86_SYS_TSS_AVAIL : X86_SYS_TSS16_AVAIL,
                &d, &s);
    /* marked busy in the descriptor and in TR */
    d.lo |= 2ull << 40;
    x86_write_lin(c, d.addr + 5, (d.lo >> 40) & 0xff, 1, X86_WRITE | X86_SYS);
    s.attr |= 2;
    c->tr = s;
}

/* ---- SYSCALL, SYSRET (SDM Vol. 2): fixed caches, not the GDT's ---- */

#define FLAT_LIMIT 0xffffffffu
#define CODE_ATTR (X86_ATTR_G | X86_ATTR_P | X86_ATTR_S | X86_TYPE_CODE | X86_TYPE_R | X86_TYPE_A)
#define DATA_ATTR (X86_ATTR_G | X86_ATTR_DB | X86_ATTR_P | X86_ATTR_S | X86_TYPE_W | X86_TYPE_A)

void x86_syscall(struct x86_cpu *c)
{
    /* Intel: only in 64-bit mode */
    if (!(c->efer & X86_EFER_SCE) || !c->code64)
        x86_fault(c, X86_UD, 0);
    uint64_t fl = x86_get_rflags(c);
    uint16_t sel = (uint16_t)(c->star >> 32);
    c->r[X86_RCX] = c->rip;
    c->r[X86_R11] = fl;
    x86_set_rflags(c, fl & ~c->fmask);
    c->seg[X86_CS] = (struct x86_seg){ 0, FLAT_LIMIT, sel & 0xfffc, CODE_ATTR | X86_ATTR_L };
    c->seg[X86_SS] = (struct x86_seg){ 0, FLAT_LIMIT, (uint16_t)(sel + 8), DATA_ATTR };
    c->rip = c->lstar;
    x86_update_mode(c);
}

void x86_sysret(struct x86_cpu *c, unsigned opsize)
{
    if (!(c->efer & X86_EFER_SCE) || !c->code64)
        x86_fault(c, X86_UD, 0);
    if (c->cpl)
        x86_fault(c, X86_GP, 0);
    uint64_t ip = c->r[X86_RCX];
    if (opsize == 8) {
        if (!x86_is_canonical(ip))
            x86_fault(c, X86_GP, 0);
    } else {
        ip = (uint32_t)ip;
    }
    uint16_t sel = (uint16_t)(c->star >> 48);
    const uint16_t dpl3 = 3 << 5;
    x86_set_rflags(c, (c->r[X86_R11] & 0x3c7fd7) | 2);
    if (opsize == 8)
        c->seg[X86_CS] = (struct x86_seg){ 0, FLAT_LIMIT, (uint16_t)((sel + 16) | 3),
                                           CODE_ATTR | dpl3 | X86_ATTR_L };
    else
        c->seg[X86_CS] = (struct x86_seg){ 0, FLAT_LIMIT, (uint16_t)(sel | 3),
                                           CODE_ATTR | dpl3 | X86_ATTR_DB };
    c->seg[X86_SS] = (struct x86_seg){ 0, FLAT_LIMIT, (uint16_t)((sel + 8) | 3), DATA_ATTR | dpl3 };
    c->rip = ip;
    x86_update_mode(c);
}

/* ---- I/O permission (SDM Vol. 1, 19.5) ---- */

void x86_check_io(struct x86_cpu *c, uint16_t port, unsigned size)
{
    if (real_mode(c))
        return;
    if (!vm86(c) && c->cpl <= (unsigned)((c->rflags & X86_IOPL) >> 12))
        return;
    /* The bitmap of a 32/64-bit TSS: two bytes are always read, both
     * within the TSS limit. */
    unsigned type = c->tr.attr & (X86_ATTR_S | X86_ATTR_TYPE);
    if (!(c->tr.attr & X86_ATTR_P) || (type != X86_SYS_TSS_AVAIL && type != X86_SYS_TSS_BUSY) ||
        c->tr.limit < 0x67)
        x86_fault(c, X86_GP, 0);
    uint32_t base = (uint32_t)x86_read_lin(c, c->tr.base + 0x66, 2, X86_READ | X86_SYS);
    uint32_t off = base + port / 8;
    if (off + 1 > c->tr.limit)
        x86_fault(c, X86_GP, 0);
    uint32_t bits = (uint32_t)x86_read_lin(c, c->tr.base + off, 2, X86_READ | X86_SYS);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        x86_fault(c, X86_GP, 0);
}
