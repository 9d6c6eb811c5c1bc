/*
 * System registers at CPL 0: MOV to CR0/CR3/CR4 and what they refuse,
 * RDMSR/WRMSR, SGDT SIDT STR SLDT SMSW, LGDT LIDT, CLTS (SDM Vol. 2 for
 * each; Vol. 3, 2.5 and 10.8.5).
 */
#include <string.h>
#include "layout.h"
#include "sys_util.h"

BLOB(sys_probe);
extern const uint8_t sys_probe_mov_cr0[], sys_probe_mov_cr3[], sys_probe_mov_cr4[],
    sys_probe_rdmsr[], sys_probe_wrmsr[], sys_probe_sgdt[], sys_probe_lgdt[], sys_probe_clts[],
    sys_probe_done[];

/* one instruction at CPL 0 with RAX/RCX/RDX given: #GP(0) or not */
static void kernel_op(struct sys_test *t, const uint8_t *entry, uint64_t rax, uint64_t rcx,
                      uint64_t rdx, int want_vector)
{
    sys_begin(t, sys_probe, sys_probe_end, entry);
    t->in.r[X86_RAX] = rax;
    t->in.r[X86_RCX] = rcx;
    t->in.r[X86_RDX] = rdx;
    sys_run_kernel(t, sys_probe_done);
    if (expect_vector(t, want_vector) && want_vector == X86_GP)
        expect_eq(t, "error code", t->o.error, 0);
}

/* CR0.PG cleared while in 64-bit mode: #GP(0) (SDM Vol. 2, MOV CR) */
static void t_cr0_pg_off(struct sys_test *t)
{
    kernel_op(t, sys_probe_mov_cr0, RIG_CR0 & ~X86_CR0_PG, 0, 0, X86_GP);
}

/* bits 63:32 of CR0 are reserved */
static void t_cr0_reserved(struct sys_test *t)
{
    kernel_op(t, sys_probe_mov_cr0, RIG_CR0 | (1ull << 40), 0, 0, X86_GP);
}

/* PG without PE: #GP(0) */
static void t_cr0_pg_no_pe(struct sys_test *t)
{
    kernel_op(t, sys_probe_mov_cr0, RIG_CR0 & ~X86_CR0_PE, 0, 0, X86_GP);
}

/* CR4.PAE cleared in IA-32e mode, or a reserved CR4 bit: #GP(0) */
static void t_cr4_pae_off(struct sys_test *t)
{
    kernel_op(t, sys_probe_mov_cr4, 0, 0, 0, X86_GP);
}

static void t_cr4_reserved(struct sys_test *t)
{
    kernel_op(t, sys_probe_mov_cr4, X86_CR4_PAE | (1ull << 63), 0, 0, X86_GP);
}

/* CR3 bits above MAXPHYADDR are reserved: #GP(0) */
static void t_cr3_reserved(struct sys_test *t)
{
    kernel_op(t, sys_probe_mov_cr3, PT_POOL | (1ull << 62), 0, 0, X86_GP);
}

/* MOV CR3 with the same tables works and keeps running */
static void t_cr3_reload(struct sys_test *t)
{
    kernel_op(t, sys_probe_mov_cr3, PT_POOL, 0, 0, -1);
}

/* RDMSR EFER: LME LMA NXE SCE as set; an MSR that does not exist: #GP(0);
 * a non-canonical LSTAR: #GP(0) (SDM Vol. 2, WRMSR) */
static void t_rdmsr_efer(struct sys_test *t)
{
    kernel_op(t, sys_probe_rdmsr, 0, X86_MSR_EFER, 0, -1);
    uint64_t v = (t->c->r[X86_RDX] << 32) | (uint32_t)t->c->r[X86_RAX];
    expect_eq(t, "EFER", v, X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE | X86_EFER_SCE);
}

static void t_rdmsr_unknown(struct sys_test *t)
{
    kernel_op(t, sys_probe_rdmsr, 0, 0x12345678, 0, X86_GP);
}

static void t_wrmsr_noncanonical(struct sys_test *t)
{
    kernel_op(t, sys_probe_wrmsr, 0, X86_MSR_LSTAR, 0x80000000, X86_GP);
}

static void t_wrmsr_lstar(struct sys_test *t)
{
    kernel_op(t, sys_probe_wrmsr, 0x89abcdef, X86_MSR_LSTAR, 0xffff8000, -1);
    expect_eq(t, "LSTAR", t->c->lstar, 0xffff800089abcdefull);
}

/* SGDT/SIDT store limit and 64-bit base (10 bytes); STR and SLDT the
 * selectors; SMSW CR0's low bits */
static void t_sgdt(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_sgdt);
    t->in.r[X86_RBX] = SCRATCH_VA + 0x100;
    sys_run_kernel(t, sys_probe_done);
    if (!expect_vector(t, -1))
        return;
    uint8_t *m = rig_phys(t->r, SCRATCH_PA + 0x100);
    uint16_t limit;
    uint64_t base;
    memcpy(&limit, m, 2);
    memcpy(&base, m + 2, 8);
    expect_eq(t, "SGDT limit", limit, 0x4f);
    expect_eq(t, "SGDT base", base, GDT_PA);
    memcpy(&limit, m + 16, 2);
    memcpy(&base, m + 18, 8);
    expect_eq(t, "SIDT limit", limit, 0xfff);
    expect_eq(t, "SIDT base", base, IDT_PA);
    expect_eq(t, "STR", t->c->r[X86_RAX] & 0xffff, SEL_TSS);
    expect_eq(t, "SLDT", t->c->r[X86_RDX] & 0xffff, 0);
    expect_eq(t, "SMSW", t->c->r[X86_RSI] & 0xffff, t->c->cr0 & 0xffff);
}

/* LGDT/LIDT take a 64-bit base in 64-bit mode; SGDT/SIDT give them back */
static void t_lgdt(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_lgdt);
    uint8_t *m = rig_phys(t->r, SCRATCH_PA + 0x100);
    uint16_t glimit = 0x4f, ilimit = 0xfff;
    uint64_t gbase = GDT_PA, ibase = IDT_PA;
    memcpy(m, &glimit, 2);
    memcpy(m + 2, &gbase, 8);
    memcpy(m + 16, &ilimit, 2);
    memcpy(m + 18, &ibase, 8);
    t->in.r[X86_RBX] = SCRATCH_VA + 0x100;
    sys_run_kernel(t, sys_probe_done);
    if (!expect_vector(t, -1))
        return;
    expect(t, !memcmp(m, m + 32, 10) && !memcmp(m + 16, m + 48, 10),
           "SGDT/SIDT give back what LGDT/LIDT loaded");
    expect_eq(t, "GDTR base", t->c->gdtr.base, GDT_PA);
    expect_eq(t, "IDTR limit", t->c->idtr.limit, 0xfff);
}

/* CLTS clears CR0.TS */
static void t_clts(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_clts);
    t->c->cr0 |= X86_CR0_TS;
    sys_run_kernel(t, sys_probe_done);
    if (expect_vector(t, -1))
        expect_eq(t, "CR0.TS after CLTS", t->c->r[X86_RAX] & X86_CR0_TS, 0);
}

const struct sys_entry sys_sysreg_tests[] = {
    { "MOV CR0 clearing PG in 64-bit mode", t_cr0_pg_off },
    { "MOV CR0 with a reserved bit", t_cr0_reserved },
    { "MOV CR0 with PG but not PE", t_cr0_pg_no_pe },
    { "MOV CR4 clearing PAE in IA-32e mode", t_cr4_pae_off },
    { "MOV CR4 with a reserved bit", t_cr4_reserved },
    { "MOV CR3 with a reserved bit", t_cr3_reserved },
    { "MOV CR3 reload", t_cr3_reload },
    { "RDMSR EFER", t_rdmsr_efer },
    { "RDMSR of an MSR that does not exist", t_rdmsr_unknown },
    { "WRMSR LSTAR non-canonical", t_wrmsr_noncanonical },
    { "WRMSR LSTAR", t_wrmsr_lstar },
    { "SGDT SIDT STR SLDT SMSW", t_sgdt },
    { "LGDT LIDT", t_lgdt },
    { "CLTS", t_clts },
    { NULL, NULL },
};
