/*
 * The multiboot way in: 32-bit protected mode, paging off, as a loader
 * leaves the CPU (Multiboot spec 3.2: EAX the magic, EBX the info, CS a
 * flat 32-bit code segment, CR0.PE set, PG clear). The blob does what
 * guest/arch/x86/boot.asm's _start does: page tables, PAE, EFER.LME,
 * CR0.PG, LGDT and a far JMP into 64-bit code (SDM Vol. 3, 10.8.5).
 */
#include "layout.h"
#include "sys_util.h"

BLOB(sys_pm32);
extern const uint8_t sys_pm32_long[], sys_pm32_no_lm[], sys_pm32_done[];

static void t_pm32(struct sys_test *t)
{
    sys_begin_low(t, sys_pm32, sys_pm32_end, sys_pm32);
    struct x86_cpu *c = t->c;
    /* back to no paging and no long mode, with flat 32-bit segments */
    c->cr0 = X86_CR0_PE | X86_CR0_ET;
    c->cr4 = 0;
    c->efer = 0;
    c->cr3 = 0;
    struct x86_seg code = { .base = 0, .limit = 0xffffffff, .sel = 0x08, .attr = 0xc09b };
    struct x86_seg data = { .base = 0, .limit = 0xffffffff, .sel = 0x10, .attr = 0xc093 };
    x86_set_seg(c, X86_CS, &code);
    for (int s = 0; s < 6; s++)
        if (s != X86_CS)
            x86_set_seg(c, s, &data);
    x86_update_mode(c);
    x86_tlb_flush(c);
    t->in.r[X86_RAX] = 0x2badb002;
    t->in.r[X86_RBX] = 0x9500;
    t->in.r[X86_RSP] = 0x7000;
    rig_enter_kernel(t->r, &t->in);
    rig_run(t->r, ~0ull, 20000, &t->o);

    uint64_t done = sys_va(t, sys_pm32_done) + 1;       /* after its HLT */
    if (!expect(t, t->o.other && c->halted && c->rip == done,
                "want HLT at %#llx (64-bit code reached), got %s at %#llx%s",
                (unsigned long long)done, t->o.other ? t->o.other : "an exception",
                (unsigned long long)c->rip,
                c->rip == sys_va(t, sys_pm32_no_lm) + 1 ? " (the no-long-mode path)" : ""))
        return;
    expect(t, c->long_mode && c->code64, "IA-32e mode, 64-bit code (long_mode %d, code64 %d)",
           c->long_mode, c->code64);
    expect_eq(t, "EFER.LMA|LME", c->efer & (X86_EFER_LMA | X86_EFER_LME),
              X86_EFER_LMA | X86_EFER_LME);
    expect_eq(t, "CR0.PG|WP|PE", c->cr0 & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE),
              X86_CR0_PG | X86_CR0_WP | X86_CR0_PE);
    expect_eq(t, "CS", c->seg[X86_CS].sel, 0x08);
    expect_eq(t, "SS", c->seg[X86_SS].sel, 0x10);
    expect_eq(t, "magic kept in EDI", c->r[X86_RDI], 0x2badb002);
    expect_eq(t, "info kept in ESI", c->r[X86_RSI], 0x9500);
    expect_eq(t, "a 64-bit value through the stack", c->r[X86_R8], 0x123456789abcdef0ull);
    expect_eq(t, "RIP-relative LEA", c->r[X86_R9], sys_va(t, sys_pm32_long));
}

const struct sys_entry sys_pm32_tests[] = {
    { "32-bit multiboot entry to long mode", t_pm32 },
    { NULL, NULL },
};
