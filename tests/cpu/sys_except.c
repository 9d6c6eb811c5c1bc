/*
 * Exceptions and their delivery in IA-32e mode (SDM Vol. 3, chapter 6):
 * the vector, error code and CR2, the frame (SS, RSP, RFLAGS, CS, RIP,
 * error code, 6.14.2) on the RSP0 stack or an IST stack, 16-byte
 * alignment, #DF and shutdown, IRETQ back to CPL 3, SYSCALL/SYSRET.
 */
#include <string.h>
#include "layout.h"
#include "sys_util.h"

BLOB(sys_probe);
BLOB(sys_tf);
BLOB(sys_iret);
BLOB(sys_syscall);
BLOB(sys_sti);
extern const uint8_t sys_sti_shadow[], sys_sti_open[], sys_sti_after_hlt[], sys_sti_done[];
extern const uint8_t sys_probe_read[], sys_probe_write[], sys_probe_exec[], sys_probe_push[],
    sys_probe_div0[], sys_probe_div0_at[], sys_probe_ud2[], sys_probe_mov_cr0[],
    sys_probe_hlt[], sys_probe_wrmsr[], sys_probe_int3[], sys_probe_int3_after[],
    sys_probe_int21[], sys_probe_done[], sys_tf_first[], sys_tf_second[], sys_iret_user[],
    sys_iret_done[], sys_iret_handler[], sys_syscall_user[], sys_syscall_ret[],
    sys_syscall_done[], sys_syscall_entry[];

#define RF X86_RF
#define UNMAPPED_USER 0x10030000ull     /* in the user region, not mapped */
#define UNMAPPED_KERNEL 0x300000ull     /* past the kernel's 2 MiB */

/* a frame on the RSP0 stack after an exception from CPL 3 */
#define USER_FRAME_RSP(err) (KSTACK_TOP - 40 - ((err) ? 8 : 0))

static void probe(struct sys_test *t, const uint8_t *entry)
{
    sys_begin(t, sys_probe, sys_probe_end, entry);
}

/* what delivery from CPL 3 leaves in the CPU (SDM Vol. 3, 6.12.1, 6.14) */
static void expect_in_handler(struct sys_test *t)
{
    struct x86_cpu *c = t->c;
    expect_eq(t, "CPL in the handler", c->cpl, 0);
    expect_eq(t, "CS in the handler", c->seg[X86_CS].sel, SEL_KCODE);
    /* a change of CPL loads SS with a null selector (6.14.4) */
    expect_eq(t, "SS in the handler", c->seg[X86_SS].sel, 0);
    /* an interrupt gate clears IF; TF, RF, NT, VM are cleared (6.12.1.3) */
    expect_eq(t, "IF|TF|RF|NT in the handler", x86_get_rflags(c) & (X86_IF | X86_TF | RF | X86_NT),
              0);
}

/* Runs the probe at CPL 3 into exception vector: with an error code
 * (error >= 0) or none, and a frame on the RSP0 stack that returns to
 * at with the RSP the probe started with (6.14.2). */
static bool user_exception(struct sys_test *t, int vector, int error, const uint8_t *at)
{
    sys_run_user(t, sys_probe_done);
    if (!expect_vector(t, vector))
        return false;
    if (error >= 0)
        expect_eq(t, "error code", t->o.error, (uint64_t)error);
    expect_frame(t, sys_va(t, at), SEL_UCODE, SEL_UDATA, t->in.r[X86_RSP],
                 USER_FRAME_RSP(error >= 0));
    return true;
}

static void t_de(struct sys_test *t)
{
    probe(t, sys_probe_div0);
    if (!user_exception(t, X86_DE, -1, sys_probe_div0_at))
        return;
    /* faults push RF set (SDM Vol. 3, 17.3.1.1) */
    expect_eq(t, "frame RFLAGS", t->r->frame.rflags & (X86_IF | RF | 2), X86_IF | RF | 2);
    expect_in_handler(t);
}

static void t_ud(struct sys_test *t)
{
    probe(t, sys_probe_ud2);
    user_exception(t, X86_UD, -1, sys_probe_ud2);
}

/* privileged instructions at CPL 3: #GP(0) (SDM Vol. 3, 5.9) */
static void gp_priv(struct sys_test *t, const uint8_t *entry)
{
    probe(t, entry);
    t->in.r[X86_RCX] = X86_MSR_LSTAR;
    user_exception(t, X86_GP, 0, entry);
}

static void t_gp_mov_cr0(struct sys_test *t) { gp_priv(t, sys_probe_mov_cr0); }
static void t_gp_hlt(struct sys_test *t) { gp_priv(t, sys_probe_hlt); }
static void t_gp_wrmsr(struct sys_test *t) { gp_priv(t, sys_probe_wrmsr); }

/* a non-canonical address: #GP(0), or #SS(0) through RSP (SDM Vol. 3,
 * 6.15, Interrupts 12 and 13) */
static void t_gp_noncanonical(struct sys_test *t)
{
    probe(t, sys_probe_read);
    t->in.r[X86_RBX] = 0x8000000000000000ull;
    user_exception(t, X86_GP, 0, sys_probe_read);
}

static void t_ss_noncanonical(struct sys_test *t)
{
    probe(t, sys_probe_push);
    t->in.r[X86_RSP] = 0x8000000000000100ull;
    user_exception(t, X86_SS_VEC, 0, sys_probe_push);
}

/* #PF: error code bits P W U RSVD I, CR2 the linear address (SDM Vol. 3,
 * 4.7); the frame RIP is the faulting instruction */
static void pf(struct sys_test *t, const uint8_t *entry, bool user, uint64_t addr,
               uint32_t want_error, uint64_t want_rip)
{
    t->in.r[X86_RBX] = addr;
    if (user)
        sys_run_user(t, sys_probe_done);
    else
        sys_run_kernel(t, sys_probe_done);
    if (!expect_vector(t, X86_PF_VEC))
        return;
    expect_eq(t, "error code", t->o.error, want_error);
    expect_eq(t, "CR2", t->c->cr2, addr);
    expect_eq(t, "frame RIP", t->r->frame.rip, want_rip ? want_rip : sys_va(t, entry));
}

static void t_pf_np_read(struct sys_test *t)
{
    probe(t, sys_probe_read);
    pf(t, sys_probe_read, true, UNMAPPED_USER + 0x18, X86_PFEC_U, 0);
}

static void t_pf_np_write(struct sys_test *t)
{
    probe(t, sys_probe_write);
    pf(t, sys_probe_write, true, UNMAPPED_USER + 0x7f8, X86_PFEC_U | X86_PFEC_W, 0);
}

static void t_pf_user_write_ro(struct sys_test *t)
{
    probe(t, sys_probe_write);
    rig_map(t->r, UNMAPPED_USER, SPARE_PA, PTE_P | PTE_US);
    pf(t, sys_probe_write, true, UNMAPPED_USER + 8,
       X86_PFEC_P | X86_PFEC_W | X86_PFEC_U, 0);
}

static void t_pf_user_reads_supervisor(struct sys_test *t)
{
    probe(t, sys_probe_read);
    pf(t, sys_probe_read, true, KSTACK_TOP - 0x1000, X86_PFEC_P | X86_PFEC_U, 0);
}

static void t_pf_nx(struct sys_test *t)
{
    probe(t, sys_probe_exec);
    rig_map(t->r, UNMAPPED_USER, SPARE_PA, PTE_P | PTE_US | PTE_NX);
    memset(rig_phys(t->r, SPARE_PA), 0xc3, 0x1000);     /* ret */
    pf(t, sys_probe_exec, true, UNMAPPED_USER, X86_PFEC_P | X86_PFEC_U | X86_PFEC_I,
       UNMAPPED_USER);
    /* the CALL completed: its return address is on the user stack */
    expect_eq(t, "frame RSP", t->r->frame.rsp, STACK_TOP - 8);
}

/* a reserved bit: a PTE bit at MAXPHYADDR (4.5: reserved bits 51:M) */
static void t_pf_rsvd_pte(struct sys_test *t)
{
    probe(t, sys_probe_read);
    uint32_t id[4];
    x86_cpuid(t->c, 0x80000008, 0, id);
    unsigned maxphy = id[0] & 0xff;
    if (!expect(t, maxphy >= 36 && maxphy <= 52, "CPUID.80000008H:EAX[7:0] (MAXPHYADDR) %u", maxphy))
        return;
    rig_map(t->r, UNMAPPED_USER, SPARE_PA | (maxphy < 52 ? 1ull << maxphy : 0), PTE_P | PTE_US);
    if (maxphy < 52)
        pf(t, sys_probe_read, true, UNMAPPED_USER + 0x10,
           X86_PFEC_P | X86_PFEC_U | X86_PFEC_RSVD, 0);
}

/* PS is reserved in a PML4E (4.5, Table 4-15) */
static void t_pf_rsvd_pml4e(struct sys_test *t)
{
    probe(t, sys_probe_read);
    uint64_t lin = 0x0000400000000000ull;
    rig_map(t->r, lin, SPARE_PA, PTE_P | PTE_US);
    *rig_pte(t->r, lin, 4) |= PTE_PS;
    pf(t, sys_probe_read, true, lin + 0x20, X86_PFEC_P | X86_PFEC_U | X86_PFEC_RSVD, 0);
}

/* CR0.WP = 1: supervisor writes obey read-only pages (4.6.1) */
static void t_pf_kernel_wp(struct sys_test *t)
{
    probe(t, sys_probe_write);
    rig_map(t->r, UNMAPPED_USER, SPARE_PA, PTE_P | PTE_US);
    pf(t, sys_probe_write, false, UNMAPPED_USER + 0x40, X86_PFEC_P | X86_PFEC_W, 0);
}

/* CR0.WP = 0: they do not */
static void t_wp_off(struct sys_test *t)
{
    probe(t, sys_probe_write);
    rig_map(t->r, UNMAPPED_USER, SPARE_PA, PTE_P);
    t->c->cr0 &= ~X86_CR0_WP;
    x86_tlb_flush(t->c);
    t->in.r[X86_RBX] = UNMAPPED_USER + 0x40;
    t->in.r[X86_RAX] = 0x1122334455667788ull;
    sys_run_kernel(t, sys_probe_done);
    if (expect_vector(t, -1))
        expect_eq(t, "the value written", rig_read64(t->r, SPARE_PA + 0x40), 0x1122334455667788ull);
}

/* CR4.SMEP: no supervisor fetch from a user page (4.6.1): #PF with P|I */
static void t_pf_smep(struct sys_test *t)
{
    sys_begin_low(t, sys_probe, sys_probe_end, sys_probe_exec);
    t->c->cr4 |= X86_CR4_SMEP;
    x86_tlb_flush(t->c);
    memset(rig_phys(t->r, CODE_PA), 0xc3, 16);
    pf(t, sys_probe_exec, false, CODE_VA, X86_PFEC_P | X86_PFEC_I, CODE_VA);
}

/* INT3 traps: the frame has the next RIP and RF as it was (clear) */
static void t_bp(struct sys_test *t)
{
    probe(t, sys_probe_int3);
    if (!user_exception(t, X86_BP, -1, sys_probe_int3_after))
        return;
    expect_eq(t, "frame RFLAGS.RF", t->r->frame.rflags & RF, 0);
}

/* INT n through a gate of DPL < CPL: #GP(vector * 8 + 2) (SDM Vol. 2, INT n;
 * Vol. 3, 6.13: the IDT bit of the error code) */
static void t_int_dpl(struct sys_test *t)
{
    probe(t, sys_probe_int21);
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, X86_GP)) {
        expect_eq(t, "error code", t->o.error, 0x21 * 8 + 2);
        expect_eq(t, "frame RIP", t->r->frame.rip, sys_va(t, sys_probe_int21));
    }
}

/* TF: a trap after the first instruction that starts with TF set; DR6.BS
 * (SDM Vol. 3, 17.3.1.4) */
static void t_db_tf(struct sys_test *t)
{
    sys_begin(t, sys_tf, sys_tf_end, sys_tf);
    sys_run_user(t, NULL);
    if (!expect_vector(t, X86_DB))
        return;
    expect_frame(t, sys_va(t, sys_tf_second), SEL_UCODE, SEL_UDATA, STACK_TOP,
                 USER_FRAME_RSP(false));
    expect_eq(t, "frame RFLAGS.TF", t->r->frame.rflags & X86_TF, X86_TF);
    expect_eq(t, "DR6.BS", t->c->dr[6] & 0x4000, 0x4000);
    expect_eq(t, "rax (the first instruction ran, not the second)", t->c->r[X86_RAX] & 0xff, 1);
    expect_eq(t, "TF in the handler", x86_get_rflags(t->c) & X86_TF, 0);
}

/* a #PF while delivering a #PF is a #DF (Table 6-5); its gate's IST1
 * stack is used (6.14.5); the error code is 0 */
static void t_df_ist(struct sys_test *t)
{
    probe(t, sys_probe_read);
    uint64_t rsp0 = UNMAPPED_KERNEL;
    memcpy(rig_phys(t->r, TSS_PA + 4), &rsp0, 8);
    t->in.r[X86_RBX] = UNMAPPED_USER;
    sys_run_user(t, sys_probe_done);
    if (!expect_vector(t, X86_DF_VEC))
        return;
    expect_eq(t, "error code", t->o.error, 0);
    expect_eq(t, "handler RSP (IST1)", t->r->frame.rsp_after, ISTACK_TOP - 48);
    expect_eq(t, "CPL in the handler", t->c->cpl, 0);
}

/* and a fault delivering the #DF shuts the CPU down (6.15, Interrupt 8) */
static void t_triple(struct sys_test *t)
{
    probe(t, sys_probe_read);
    uint64_t bad = UNMAPPED_KERNEL;
    memcpy(rig_phys(t->r, TSS_PA + 4), &bad, 8);
    memcpy(rig_phys(t->r, TSS_PA + 36), &bad, 8);
    t->in.r[X86_RBX] = UNMAPPED_USER;
    sys_run_user(t, sys_probe_done);
    expect(t, t->o.other && t->c->shutdown, "want a triple fault (X86_STOP_SHUTDOWN), got %s",
           t->o.other ? t->o.other : t->o.vector >= 0 ? "an exception" : "no exception");
}

/* the IDT limit excludes the vector: #GP(vector * 8 + 2) (6.10, 6.13;
 * INT n sets no EXT bit). The gate is DPL 3, so only the limit refuses. */
static void t_idt_limit(struct sys_test *t)
{
    probe(t, sys_probe_int21);
    rig_set_gate(t->r, 0x21, STUBS_PA + STUB_SIZE * 0x21, 3, 0);
    t->c->idtr.limit = 16 * 0x21 - 1;   /* vectors 0-0x20 */
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, X86_GP))
        expect_eq(t, "error code", t->o.error, 0x21 * 8 + 2);
}

/* a DPL-3 gate for INT n works from CPL 3 */
static void t_int_dpl3(struct sys_test *t)
{
    probe(t, sys_probe_int21);
    rig_set_gate(t->r, 0x21, STUBS_PA + STUB_SIZE * 0x21, 3, 0);
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, 0x21))
        expect_eq(t, "frame RIP (after INT n)", t->r->frame.rip, sys_va(t, sys_probe_int21) + 2);
}

/* a handler that IRETQs back to CPL 3 (SDM Vol. 2, IRET) */
static void t_iretq(struct sys_test *t)
{
    sys_begin(t, sys_iret, sys_iret_end, sys_iret_user);
    rig_set_gate(t->r, X86_BP, sys_va(t, sys_iret_handler), 3, 0);
    sys_run_user(t, sys_iret_done);
    if (!expect_vector(t, -1))
        return;
    struct x86_cpu *c = t->c;
    expect_eq(t, "r8 (set by the handler, then incremented)", c->r[X86_R8], 0x1235);
    expect_eq(t, "handler RSP", c->r[X86_R9], USER_FRAME_RSP(false));
    expect_eq(t, "CS pushed", c->r[X86_R10], SEL_UCODE);
    expect_eq(t, "CPL after IRETQ", c->cpl, 3);
    expect_eq(t, "CS after IRETQ", c->seg[X86_CS].sel, SEL_UCODE);
    expect_eq(t, "SS after IRETQ", c->seg[X86_SS].sel, SEL_UDATA);
    expect_eq(t, "RSP after IRETQ", c->r[X86_RSP], STACK_TOP);
    expect_eq(t, "IF after IRETQ", x86_get_rflags(c) & X86_IF, X86_IF);
    expect(t, c->code64 && c->long_mode, "64-bit mode after IRETQ");
}

/* at CPL 0 there is no stack switch, but RSP is aligned to 16 and SS:RSP
 * are pushed all the same (6.14.2) */
static void t_kernel_frame(struct sys_test *t)
{
    probe(t, sys_probe_ud2);
    uint64_t rsp = KSTACK_TOP - 0x108;
    t->in.r[X86_RSP] = rsp;
    sys_run_kernel(t, sys_probe_done);
    if (expect_vector(t, X86_UD))
        expect_frame(t, sys_va(t, sys_probe_ud2), SEL_KCODE, SEL_KDATA, rsp,
                     (rsp & ~15ull) - 40);
}

/* RSP0 not 16-byte aligned: aligned down first */
static void t_rsp0_aligned(struct sys_test *t)
{
    probe(t, sys_probe_ud2);
    uint64_t rsp0 = KSTACK_TOP - 8;
    memcpy(rig_phys(t->r, TSS_PA + 4), &rsp0, 8);
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, X86_UD))
        expect_frame(t, sys_va(t, sys_probe_ud2), SEL_UCODE, SEL_UDATA, STACK_TOP,
                     KSTACK_TOP - 16 - 40);
}

/* SYSCALL and SYSRET (SDM Vol. 2): RCX and R11 get RIP and RFLAGS, FMASK
 * clears flags, CS/SS from STAR; back at CPL 3 with RFLAGS from R11 */
static void t_syscall(struct sys_test *t)
{
    sys_begin(t, sys_syscall, sys_syscall_end, sys_syscall_user);
    struct x86_cpu *c = t->c;
    c->star = (uint64_t)(SEL_UCODE32 & ~3) << 48 | (uint64_t)SEL_KCODE << 32;
    c->lstar = sys_va(t, sys_syscall_entry);
    c->fmask = X86_IF | X86_DF | X86_AC;
    t->in.rflags = X86_DF | X86_CF;
    sys_run_user(t, sys_syscall_done);
    if (!expect_vector(t, -1))
        return;
    uint64_t user_flags = 0x202 | X86_DF | X86_CF;
    expect_eq(t, "RCX at the entry (return RIP)", c->r[X86_R9], sys_va(t, sys_syscall_ret));
    expect_eq(t, "R11 at the entry (RFLAGS)", c->r[X86_R10], user_flags);
    expect_eq(t, "RFLAGS in the kernel (FMASK applied)", c->r[X86_R13], (user_flags & ~c->fmask));
    expect_eq(t, "the kernel ran", c->r[X86_R12], 0x77);
    expect_eq(t, "CPL after SYSRET", c->cpl, 3);
    expect_eq(t, "CS after SYSRET", c->seg[X86_CS].sel, SEL_UCODE);
    expect_eq(t, "SS after SYSRET", c->seg[X86_SS].sel, SEL_UDATA);
    expect_eq(t, "RFLAGS after SYSRET", x86_get_rflags(c), user_flags);
    expect_eq(t, "RSP unchanged", c->r[X86_R14], STACK_TOP);
}

/* STI: interrupts are recognized only after the next instruction (SDM
 * Vol. 2, STI); HLT stops x86_run; an external interrupt ends the HLT and
 * its frame has the RIP after the HLT (Vol. 3, 6.5, 6.12) */
static void t_sti_hlt_interrupt(struct sys_test *t)
{
    sys_begin(t, sys_sti, sys_sti_end, sys_sti);
    struct x86_cpu *c = t->c;
    rig_enter_kernel(t->r, &(struct cpu_state){ .rip = t->in.rip, .r[X86_RSP] = KSTACK_TOP - 0x100,
                                                .rflags = 2 });
    expect(t, !x86_interrupts_enabled(c), "interrupts disabled with IF clear");
    enum x86_stop why = x86_run(c, 1);                  /* STI */
    expect_eq(t, "stop after one instruction", why, X86_STOP_BUDGET);
    expect_eq(t, "RIP after STI", c->rip, sys_va(t, sys_sti_shadow));
    expect(t, !x86_interrupts_enabled(c), "no interrupt in STI's shadow");
    x86_run(c, 1);                                      /* the NOP under the shadow */
    expect(t, x86_interrupts_enabled(c), "interrupts enabled after the shadow");
    why = x86_run(c, 10);                               /* NOP, HLT */
    expect_eq(t, "x86_run stops at HLT", why, X86_STOP_HLT);
    expect(t, c->halted, "halted");
    expect_eq(t, "RIP after HLT", c->rip, sys_va(t, sys_sti_after_hlt));
    x86_interrupt(c, 0x30);
    struct outcome o;
    rig_run(t->r, sys_va(t, sys_sti_done), 10, &o);
    t->o = o;
    if (!expect_vector(t, 0x30))
        return;
    expect_frame(t, sys_va(t, sys_sti_after_hlt), SEL_KCODE, SEL_KDATA, KSTACK_TOP - 0x100,
                 KSTACK_TOP - 0x100 - 40);
    expect_eq(t, "frame RFLAGS.IF", t->r->frame.rflags & X86_IF, X86_IF);
    expect_eq(t, "IF in the handler (interrupt gate)", x86_get_rflags(c) & X86_IF, 0);
}

/* a trap gate leaves IF alone (6.12.1.3) */
static void t_trap_gate(struct sys_test *t)
{
    probe(t, sys_probe_ud2);
    uint64_t handler = STUBS_PA + STUB_SIZE * X86_UD;
    /* type 0xF: 64-bit trap gate */
    uint64_t lo = (handler & 0xffff) | ((uint64_t)SEL_KCODE << 16) | (0x8full << 40) |
                  ((handler >> 16 & 0xffff) << 48);
    memcpy(rig_phys(t->r, IDT_PA + 16 * X86_UD), &lo, 8);
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, X86_UD))
        expect_eq(t, "IF in the handler (trap gate)", x86_get_rflags(t->c) & X86_IF, X86_IF);
}

/* a gate that is not present: #NP(vector * 8 + 2 + EXT), EXT since it
 * happened delivering an exception (6.13) */
static void t_gate_not_present(struct sys_test *t)
{
    probe(t, sys_probe_ud2);
    *(uint8_t *)rig_phys(t->r, IDT_PA + 16 * X86_UD + 5) &= 0x7f;
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, X86_NP))
        expect_eq(t, "error code", t->o.error, X86_UD * 8 + 2 + 1);
}

const struct sys_entry sys_except_tests[] = {
    { "#DE from DIV at CPL 3", t_de },
    { "#UD from UD2", t_ud },
    { "#GP from MOV CR0 at CPL 3", t_gp_mov_cr0 },
    { "#GP from HLT at CPL 3", t_gp_hlt },
    { "#GP from WRMSR at CPL 3", t_gp_wrmsr },
    { "#GP from a non-canonical access", t_gp_noncanonical },
    { "#SS from a non-canonical stack", t_ss_noncanonical },
    { "#PF not present, read", t_pf_np_read },
    { "#PF not present, write", t_pf_np_write },
    { "#PF user write to a read-only page", t_pf_user_write_ro },
    { "#PF user read of a supervisor page", t_pf_user_reads_supervisor },
    { "#PF fetch from a no-execute page", t_pf_nx },
    { "#PF reserved bit in a PTE", t_pf_rsvd_pte },
    { "#PF reserved bit (PS) in a PML4E", t_pf_rsvd_pml4e },
    { "#PF supervisor write to a read-only page, CR0.WP=1", t_pf_kernel_wp },
    { "supervisor write to a read-only page, CR0.WP=0", t_wp_off },
    { "#PF supervisor fetch from a user page, CR4.SMEP", t_pf_smep },
    { "#BP from INT3", t_bp },
    { "INT n through a DPL-0 gate at CPL 3", t_int_dpl },
    { "#DB from TF", t_db_tf },
    { "#DF on an IST stack", t_df_ist },
    { "triple fault", t_triple },
    { "vector past the IDT limit", t_idt_limit },
    { "INT n through a DPL-3 gate", t_int_dpl3 },
    { "IRETQ back to CPL 3", t_iretq },
    { "frame at CPL 0, RSP aligned", t_kernel_frame },
    { "frame from CPL 3, RSP0 aligned", t_rsp0_aligned },
    { "SYSCALL and SYSRET", t_syscall },
    { "STI shadow, HLT, external interrupt", t_sti_hlt_interrupt },
    { "trap gate keeps IF", t_trap_gate },
    { "gate not present", t_gate_not_present },
    { NULL, NULL },
};
