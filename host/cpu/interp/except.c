/*
 * Exceptions and interrupts: raising a fault from inside an instruction,
 * the double-fault rule, and delivery through the IDT in real, protected
 * and IA-32e mode (SDM Vol. 3, chapter 6; Vol. 2, INT n).
 *
 * A fault while an event is being delivered comes back through x86_fault
 * like any other: c->delivering says what was being delivered, Table 6-5
 * says whether the two make a #DF (or, during a #DF, a triple fault), and
 * x86_run delivers the result from the instruction's start. Delivery
 * changes registers only after every check and push succeeded, so the
 * state it restarts from is the interrupted one.
 *
 * Not implemented: task gates in the IDT (#GP as if the gate were
 * invalid), the virtual-8086 extensions (VME).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpu/interp/sys_internal.h"

#define BIT(n) (1u << (n))
/* vectors whose exceptions push an error code (SDM Vol. 3, 6.3.1) */
#define ERROR_VECTORS (BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(17) | BIT(21))
/* fault-class exceptions: the RFLAGS image pushed has RF set (SDM Vol. 3,
 * 17.3.1.1), so IRET does not re-trigger an instruction breakpoint */
#define FAULT_VECTORS (BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(10) | BIT(11) | BIT(12) | \
                       BIT(13) | BIT(14) | BIT(16) | BIT(17) | BIT(19) | BIT(20) | BIT(21))
/* contributory exceptions (SDM Vol. 3, Table 6-4) */
#define CONTRIBUTORY  (BIT(0) | BIT(10) | BIT(11) | BIT(12) | BIT(13))

static bool in_set(uint32_t set, int vector)
{
    return vector >= 0 && vector < 32 && ((set >> vector) & 1);
}

/* ---- raising ---- */

enum fault_class { BENIGN, CONTRIB, PAGE, DOUBLE };

static enum fault_class class_of(int delivering)
{
    if (delivering & X86_DELIVERING_BENIGN)
        return BENIGN;      /* an interrupt, external or software */
    if (delivering == X86_DF_VEC)
        return DOUBLE;
    if (delivering == X86_PF_VEC)
        return PAGE;
    return in_set(CONTRIBUTORY, delivering) ? CONTRIB : BENIGN;
}

_Noreturn void x86_fault(struct x86_cpu *c, int vector, uint32_t error)
{
    bool has_error = in_set(ERROR_VECTORS, vector);

    if (c->delivering >= 0) {
        /* a fault while delivering an event (SDM Vol. 3, Table 6-5) */
        enum fault_class first = class_of(c->delivering), second = class_of(vector);
        c->delivering = -1;
        if (first == DOUBLE && second != BENIGN) {
            /* triple fault: the CPU shuts down (Interrupt 8, 6.15) */
            c->shutdown = true;
            x86_request_stop(c);
            vector = -1;
            has_error = false;
        } else if ((first == CONTRIB && second == CONTRIB) || (first == PAGE && second != BENIGN)) {
            vector = X86_DF_VEC;
            has_error = true;
            error = 0;
        }
    }
    c->fault_vector = vector;
    c->fault_error = has_error ? error : 0;
    c->fault_has_error = has_error;
    if (!c->in_run) {
        fprintf(stderr, "x86: exception %d (error %#x) outside x86_run\n", vector, error);
        abort();
    }
    longjmp(c->fault_jmp, 1);
}

_Noreturn void x86_fault_noerr(struct x86_cpu *c, int vector)
{
    x86_fault(c, vector, 0);
}

/* ---- delivery ---- */

static uint64_t sp_mask_of(const struct x86_seg *ss)
{
    return (ss->attr & X86_ATTR_DB) ? 0xffffffffull : 0xffffull;
}

static void set_sp(struct x86_cpu *c, uint64_t sp)
{
    uint64_t m = sp_mask_of(&c->seg[X86_SS]);
    c->r[X86_RSP] = (c->r[X86_RSP] & ~m) | (sp & m);
}

/* New RFLAGS after the frame is pushed (SDM Vol. 3, 6.12.1.3). */
static void handler_flags(struct x86_cpu *c, uint64_t fl, bool interrupt_gate)
{
    fl &= ~(X86_TF | X86_NT | X86_RF | X86_VM);
    if (interrupt_gate)
        fl &= ~X86_IF;
    x86_set_rflags(c, fl);
}

/* Real mode: the IVT's far pointer, FLAGS/CS/IP pushed (SDM Vol. 3,
 * 20.1.4). */
static void deliver_real(struct x86_cpu *c, int vector, uint64_t fl)
{
    if ((uint32_t)vector * 4 + 3 > c->idtr.limit)
        x86_fault(c, X86_GP, 0);
    uint32_t ent = (uint32_t)x86_read_lin(c, c->idtr.base + (uint32_t)vector * 4, 4,
                                          X86_READ | X86_SYS);
    uint64_t m = sp_mask_of(&c->seg[X86_SS]), sp = c->r[X86_RSP];
    x86_write(c, X86_SS, (sp - 2) & m, fl, 2);
    x86_write(c, X86_SS, (sp - 4) & m, c->seg[X86_CS].sel, 2);
    x86_write(c, X86_SS, (sp - 6) & m, c->rip, 2);
    set_sp(c, sp - 6);
    x86_set_rflags(c, x86_get_rflags(c) & ~(X86_IF | X86_TF | X86_AC));
    struct x86_seg *cs = &c->seg[X86_CS];
    cs->sel = (uint16_t)(ent >> 16);
    cs->base = (uint64_t)cs->sel << 4;
    c->rip = ent & 0xffff;
    x86_update_mode(c);
}

/* Protected mode: 8-byte interrupt and trap gates, the TSS's stack on a
 * privilege change (SDM Vol. 3, 6.12.1). */
static void deliver_legacy(struct x86_cpu *c, int vector, enum x86_event kind, bool has_error,
                           uint32_t error, uint64_t fl)
{
    uint32_t ext = kind != X86_EV_SOFTWARE;
    uint32_t idterr = (uint32_t)vector * 8 + 2 + ext;
    bool vm = c->rflags & X86_VM;

    if (kind == X86_EV_SOFTWARE && vm && (c->rflags & X86_IOPL) != X86_IOPL)
        x86_fault(c, X86_GP, 0);
    if ((uint32_t)vector * 8 + 7 > c->idtr.limit)
        x86_fault(c, X86_GP, idterr);
    uint64_t lo = x86_read_lin(c, c->idtr.base + (uint32_t)vector * 8, 8, X86_READ | X86_SYS);
    unsigned type = (unsigned)(lo >> 40) & 0x1f, gsize;
    if (type == X86_SYS_INT || type == X86_SYS_TRAP)
        gsize = 4;
    else if (type == X86_SYS_INT16 || type == X86_SYS_TRAP16)
        gsize = 2;
    else
        x86_fault(c, X86_GP, idterr);   /* task gates too: no task switches */
    if (kind == X86_EV_SOFTWARE && c->cpl > X86_DESC_DPL(lo))
        x86_fault(c, X86_GP, (uint32_t)vector * 8 + 2);
    if (!X86_DESC_P(lo))
        x86_fault(c, X86_NP, idterr);

    uint16_t sel = (uint16_t)(lo >> 16);
    uint64_t ip = (lo & 0xffff) | (gsize == 4 ? (lo >> 32) & 0xffff0000 : 0);
    struct x86_desc d;
    unsigned cpl = x86_gate_target(c, sel, &d, ext);
    if (vm && cpl != 0)
        x86_fault(c, X86_GP, (sel & 0xfffc) | ext);
    struct x86_seg cs;
    x86_desc_to_seg(&cs, sel, d.lo);
    if (ip > cs.limit)
        x86_fault(c, X86_GP, ext);

    struct x86_seg ss = c->seg[X86_SS];
    uint64_t sp = c->r[X86_RSP];
    uint32_t sserr = ext;
    bool outer = cpl < c->cpl;
    uint64_t frame[11];
    unsigned n = 0;
    if (outer) {
        x86_tss_stack(c, cpl, ext, &ss, &sp);
        sserr = (ss.sel & 0xfffc) | ext;
        if (vm) {
            frame[n++] = c->seg[X86_GS].sel;
            frame[n++] = c->seg[X86_FS].sel;
            frame[n++] = c->seg[X86_DS].sel;
            frame[n++] = c->seg[X86_ES].sel;
        }
        frame[n++] = c->seg[X86_SS].sel;
        frame[n++] = c->r[X86_RSP] & (gsize == 4 ? 0xffffffffull : 0xffffull);
    }
    frame[n++] = fl;
    frame[n++] = c->seg[X86_CS].sel;
    frame[n++] = c->rip;
    if (has_error)
        frame[n++] = error;
    uint64_t m = sp_mask_of(&ss);
    int acc = cpl < 3 ? X86_SYS : 0;
    for (unsigned i = 0; i < n; i++)
        x86_write_lin_seg(c, &ss, (sp - gsize * (i + 1)) & m, frame[i], gsize, acc, X86_SS_VEC,
                          sserr);
    x86_desc_set_accessed(c, &d);

    if (outer) {
        c->seg[X86_SS] = ss;
        c->r[X86_RSP] = sp;
        if (vm) {
            static const int regs[] = { X86_ES, X86_DS, X86_FS, X86_GS };
            for (int i = 0; i < 4; i++)
                c->seg[regs[i]] = (struct x86_seg){ 0, 0, 0, 0 };
        }
    }
    set_sp(c, sp - gsize * n);
    x86_load_cs(c, sel, &d, cpl);
    c->rip = ip;
    handler_flags(c, fl, type == X86_SYS_INT || type == X86_SYS_INT16);
    x86_update_mode(c);     /* VM is clear now */
}

/* IA-32e mode: 16-byte gates to 64-bit code, RSPn or ISTn from the TSS,
 * the stack aligned to 16, SS:RSP always pushed (SDM Vol. 3, 6.14). */
static void deliver_long(struct x86_cpu *c, int vector, enum x86_event kind, bool has_error,
                         uint32_t error, uint64_t fl)
{
    uint32_t ext = kind != X86_EV_SOFTWARE;
    uint32_t idterr = (uint32_t)vector * 8 + 2 + ext;

    if ((uint32_t)vector * 16 + 15 > c->idtr.limit)
        x86_fault(c, X86_GP, idterr);
    uint64_t base = c->idtr.base + (uint32_t)vector * 16;
    uint64_t lo = x86_read_lin(c, base, 8, X86_READ | X86_SYS);
    uint64_t hi = x86_read_lin(c, base + 8, 8, X86_READ | X86_SYS);
    unsigned type = (unsigned)(lo >> 40) & 0x1f;
    if (type != X86_SYS_INT && type != X86_SYS_TRAP)
        x86_fault(c, X86_GP, idterr);
    if (kind == X86_EV_SOFTWARE && c->cpl > X86_DESC_DPL(lo))
        x86_fault(c, X86_GP, (uint32_t)vector * 8 + 2);
    if (!X86_DESC_P(lo))
        x86_fault(c, X86_NP, idterr);

    uint16_t sel = (uint16_t)(lo >> 16);
    uint64_t ip = (lo & 0xffff) | ((lo >> 32) & 0xffff0000) | (hi << 32);
    unsigned ist = (unsigned)(lo >> 32) & 7;
    struct x86_desc d;
    unsigned cpl = x86_gate_target(c, sel, &d, ext);
    if (!x86_is_canonical(ip))
        x86_fault(c, X86_GP, ext);

    bool outer = cpl < c->cpl;
    uint64_t sp = c->r[X86_RSP];
    if (ist)
        sp = x86_tss_read64(c, 0x24 + 8 * (ist - 1), ext);
    else if (outer)
        sp = x86_tss_read64(c, 4 + 8 * cpl, ext);
    uint32_t sserr = ist || outer ? ext : 0;
    if (!x86_is_canonical(sp))
        x86_fault(c, X86_SS_VEC, sserr);
    sp &= ~15ull;

    uint64_t frame[6] = { c->seg[X86_SS].sel, c->r[X86_RSP], fl, c->seg[X86_CS].sel, c->rip,
                          error };
    unsigned n = has_error ? 6 : 5;
    int acc = X86_WRITE | (cpl < 3 ? X86_SYS : 0);
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = sp - 8 * (i + 1);
        if (!x86_is_canonical(a))
            x86_fault(c, X86_SS_VEC, sserr);
        x86_write_lin(c, a, frame[i], 8, acc);
    }
    x86_desc_set_accessed(c, &d);

    if (outer)
        x86_null_ss(c, cpl);
    c->r[X86_RSP] = sp - 8 * n;
    x86_load_cs(c, sel, &d, cpl);
    c->rip = ip;
    handler_flags(c, fl, type == X86_SYS_INT);
}

static void deliver(struct x86_cpu *c, int vector, enum x86_event kind, bool has_error,
                    uint32_t error)
{
    c->delivering = kind == X86_EV_EXCEPTION ? vector : X86_DELIVERING_BENIGN | vector;
    if (kind == X86_EV_EXTERNAL)
        c->halted = false;
    if (kind != X86_EV_EXCEPTION)
        has_error = false;
    uint64_t fl = x86_get_rflags(c);
    if (kind == X86_EV_EXCEPTION && in_set(FAULT_VECTORS, vector))
        fl |= X86_RF;
    if (!(c->cr0 & X86_CR0_PE))
        deliver_real(c, vector, fl);
    else if (c->long_mode)
        deliver_long(c, vector, kind, has_error, error, fl);
    else
        deliver_legacy(c, vector, kind, has_error, error, fl);
    c->delivering = -1;
    c->intr_shadow = false;
}

/* Outside x86_run there is no frame to come back to: make one for the
 * delivery, and deliver whatever its faults turn into. */
static void deliver_outside(struct x86_cpu *c, int vector, enum x86_event kind, bool has_error,
                            uint32_t error)
{
    volatile enum x86_event k = kind;
    c->insn_rip = c->rip;
    c->fault_vector = vector;
    c->fault_has_error = has_error;
    c->fault_error = error;
    c->in_run = true;
    if (setjmp(c->fault_jmp)) {
        k = X86_EV_EXCEPTION;
        c->rip = c->insn_rip;
    }
    if (!c->shutdown && c->fault_vector >= 0)
        deliver(c, c->fault_vector, k, c->fault_has_error, c->fault_error);
    c->fault_vector = -1;
    c->in_run = false;
}

void x86_deliver(struct x86_cpu *c, int vector, enum x86_event kind, bool has_error,
                 uint32_t error)
{
    if (c->shutdown || vector < 0)
        return;
    if (!c->in_run) {
        deliver_outside(c, vector, kind, has_error, error);
        return;
    }
    deliver(c, vector, kind, has_error, error);
}
