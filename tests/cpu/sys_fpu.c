/*
 * x87 and SSE availability (SDM Vol. 3, 2.5 Table 2-2 and 13.1.4 Table
 * 13-1): CR0.EM, CR0.TS, CR0.MP and CR4.OSFXSR decide between running,
 * #NM and #UD; an unmasked SIMD exception is #XM with CR4.OSXMMEXCPT,
 * #UD without (Vol. 1, 11.5.2).
 */
#include <string.h>
#include "layout.h"
#include "sys_util.h"

extern const uint8_t sys_probe[], sys_probe_end[], sys_probe_done[], sys_probe_pxor[],
    sys_probe_fninit[], sys_probe_fwait[], sys_probe_fxsave[], sys_probe_divsd[];

static void run(struct sys_test *t, const uint8_t *probe, uint64_t cr0_set, uint64_t cr4_clear,
                int vector)
{
    sys_begin(t, sys_probe, sys_probe_end, probe);
    t->c->cr0 |= cr0_set;
    t->c->cr4 &= ~cr4_clear;
    sys_run_user(t, sys_probe_done);
    expect_vector(t, vector);
}

static void t_sse_ts(struct sys_test *t) { run(t, sys_probe_pxor, X86_CR0_TS, 0, X86_NM); }
static void t_sse_em(struct sys_test *t) { run(t, sys_probe_pxor, X86_CR0_EM, 0, X86_UD); }
static void t_sse_osfxsr(struct sys_test *t)
{
    run(t, sys_probe_pxor, 0, X86_CR4_OSFXSR, X86_UD);
}
static void t_x87_ts(struct sys_test *t) { run(t, sys_probe_fninit, X86_CR0_TS, 0, X86_NM); }
static void t_x87_em(struct sys_test *t) { run(t, sys_probe_fninit, X86_CR0_EM, 0, X86_NM); }
/* WAIT: #NM only when both MP and TS are set */
static void t_fwait_ts(struct sys_test *t) { run(t, sys_probe_fwait, X86_CR0_TS, 0, X86_NM); }
static void t_fwait_ts_nomp(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_fwait);
    t->c->cr0 = (t->c->cr0 & ~X86_CR0_MP) | X86_CR0_TS;
    sys_run_user(t, sys_probe_done);
    expect_vector(t, -1);
}
static void t_fxsave_ts(struct sys_test *t) { run(t, sys_probe_fxsave, X86_CR0_TS, 0, X86_NM); }

/* DIVSD by zero with ZE unmasked: the destination is kept, ZE set */
static void divsd(struct sys_test *t, bool osxmmexcpt)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_divsd);
    if (!osxmmexcpt)
        t->c->cr4 &= ~X86_CR4_OSXMMEXCPT;
    t->c->fpu.mxcsr = 0x1f80 & ~0x200;     /* ZM clear */
    t->c->fpu.xmm[0].f64[0] = 1.0;
    t->c->fpu.xmm[1].f64[0] = 0.0;
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, osxmmexcpt ? X86_XM : X86_UD)) {
        expect_eq(t, "MXCSR", t->c->fpu.mxcsr, 0x1d80 | 0x4);
        expect(t, t->c->fpu.xmm[0].f64[0] == 1.0, "XMM0 kept");
    }
}
static void t_xm(struct sys_test *t) { divsd(t, true); }
static void t_xm_ud(struct sys_test *t) { divsd(t, false); }

const struct sys_entry sys_fpu_tests[] = {
    { "SSE with CR0.TS: #NM", t_sse_ts },
    { "SSE with CR0.EM: #UD", t_sse_em },
    { "SSE without CR4.OSFXSR: #UD", t_sse_osfxsr },
    { "x87 with CR0.TS: #NM", t_x87_ts },
    { "x87 with CR0.EM: #NM", t_x87_em },
    { "FWAIT with CR0.TS and MP: #NM", t_fwait_ts },
    { "FWAIT with CR0.TS without MP: runs", t_fwait_ts_nomp },
    { "FXSAVE with CR0.TS: #NM", t_fxsave_ts },
    { "unmasked SIMD exception with CR4.OSXMMEXCPT: #XM", t_xm },
    { "unmasked SIMD exception without CR4.OSXMMEXCPT: #UD", t_xm_ud },
    { NULL, NULL },
};
