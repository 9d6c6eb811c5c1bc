/*
 * CPUID's hypervisor leaves (what pcemu's guest reads to find the TSC
 * rate: include/contract/platform.h) and the TSC on the instruction
 * clock (x86.h: TSC = clock * tsc_per_insn + tsc_offset).
 */
#include "layout.h"
#include "sys_util.h"

BLOB(sys_cpuid);
BLOB(sys_tsc);
BLOB(sys_probe);
extern const uint8_t sys_cpuid_done[], sys_tsc_done[], sys_probe_rdtsc[], sys_probe_done[];

static void t_cpuid_hv(struct sys_test *t)
{
    sys_begin(t, sys_cpuid, sys_cpuid_end, sys_cpuid);
    uint32_t saved = x86_cpuid_tsc_khz;
    x86_cpuid_tsc_khz = 2345678;
    sys_run_user(t, sys_cpuid_done);
    x86_cpuid_tsc_khz = saved;
    if (!expect_vector(t, -1))
        return;
    struct x86_cpu *c = t->c;
    /* CPUID.1:ECX bit 31: running under a hypervisor */
    expect_eq(t, "CPUID.1:ECX.hypervisor", c->r[X86_R8] >> 31 & 1, 1);
    /* 0x40000000: EAX the highest hypervisor leaf, which must reach the
     * timing leaf 0x40000010 and stay in the range */
    expect(t, c->r[X86_R9] >= 0x40000010 && c->r[X86_R9] <= 0x400000ff,
           "CPUID.40000000H:EAX %#llx, want 0x40000010..0x400000ff",
           (unsigned long long)c->r[X86_R9]);
    expect_eq(t, "CPUID.40000010H:EAX (TSC kHz)", c->r[X86_R10], 2345678);
    expect_eq(t, "CPUID.40000010H:EBX (no APIC timer rate)", c->r[X86_R11], 0);
    expect_eq(t, "CPUID.80000001H:EDX.LM", c->r[X86_R12] >> 29 & 1, 1);
}

/* RDTSC twice with 8 instructions between: the TSC moves by 9 steps of
 * tsc_per_insn (the first RDTSC and the 8); RDMSR IA32_TSC and RDTSCP
 * read the same clock; RDTSCP's ECX is IA32_TSC_AUX */
static void t_tsc(struct sys_test *t)
{
    sys_begin(t, sys_tsc, sys_tsc_end, sys_tsc);
    struct x86_cpu *c = t->c;
    c->tsc_per_insn = 7;
    c->tsc_offset = 1000;
    c->tsc_aux = 0x42;
    uint64_t clock0 = c->clock;
    sys_run_kernel(t, sys_tsc_done);
    if (!expect_vector(t, -1))
        return;
    uint64_t first = c->r[X86_R8];
    expect(t, first == 1000 + 7 * clock0 || first == 1000 + 7 * (clock0 + 1),
           "first RDTSC %llu, want %llu (the clock at that instruction)",
           (unsigned long long)first, (unsigned long long)(1000 + 7 * clock0));
    expect_eq(t, "RDTSC difference over 9 instructions", c->r[X86_R9] - first, 9 * 7);
    expect_eq(t, "RDMSR IA32_TSC, 5 instructions later", c->r[X86_R10] - c->r[X86_R9], 5 * 7);
    expect_eq(t, "RDTSCP's ECX", c->r[X86_R11], 0x42);
    expect_eq(t, "x86_tsc after the run", x86_tsc(c), 1000 + 7 * c->clock);
}

/* CR4.TSD: RDTSC at CPL 3 is #GP(0) (SDM Vol. 2, RDTSC) */
static void t_tsd(struct sys_test *t)
{
    sys_begin(t, sys_probe, sys_probe_end, sys_probe_rdtsc);
    t->c->cr4 |= 1u << 2;
    sys_run_user(t, sys_probe_done);
    if (expect_vector(t, X86_GP))
        expect_eq(t, "error code", t->o.error, 0);
}

const struct sys_entry sys_misc_tests[] = {
    { "CPUID hypervisor leaves", t_cpuid_hv },
    { "RDTSC on the instruction clock", t_tsc },
    { "RDTSC at CPL 3 with CR4.TSD", t_tsd },
    { NULL, NULL },
};
