/*
 * Deliberate failures, chosen with selftest.inject=MODE, that prove the
 * harness notices: a failing test, an unexpected #UD or #PF inside a
 * test, an instruction the interpreter does not know, a stack overflow (a #DF on the IST stack), a triple fault, a halt
 * nothing can wake.
 */
#include "kernel.h"
#include "tap.h"
#include "usermode.h"
#include "x86.h"

/* Out of line, so the system tests can check the reported RIP lies in
 * these functions (by their symbols). */
static __attribute__((noinline)) void inject_ud(void)
{
    __asm__ volatile("ud2");
}

static __attribute__((noinline)) void inject_pf(void)
{
    volatile uint64_t *p = (volatile uint64_t *)0x8000000000ull;   /* above 4 GiB: unmapped */
    (void)*p;
}

/* An SSE3 instruction, which pcemu's interpreter does not execute (its
 * CPUID stops at SSE2): there it is #UD and a host warning naming the
 * bytes. (A CPU with SSE3 runs it: the kernel sets CR4.OSFXSR for
 * sha256_ni.asm.) */
static __attribute__((noinline)) void inject_sse3(void)
{
    __asm__ volatile("haddps %%xmm0, %%xmm0" ::: "memory");
}

/* Recurses until the stack runs into its guard page. */
static __attribute__((noinline)) uint64_t inject_overflow(uint64_t n)
{
    volatile uint8_t frame[256];
    frame[0] = (uint8_t)n;
    if (n == ~0ull)
        return 0;
    return inject_overflow(n + 1) + frame[0];
}

static void fail(struct tap *t)
{
    tap_failf(t, "deliberate failure (selftest.inject=fail)", "%llu", 1, "%llu", 2);
}

static void ud(struct tap *t) { inject_ud(); }
static void pf(struct tap *t) { inject_pf(); }
static void sse3(struct tap *t) { inject_sse3(); }

/* at CPL 0: there the #PF on the guard page cannot be pushed and becomes
 * the #DF this mode is about */
static uint64_t overflow_k(uint64_t arg) { return inject_overflow(arg); }
static void overflow(struct tap *t) { kcall(overflow_k, 0); }

/* no IDT: the #UD cannot be delivered, nor the #DF: shutdown (lidt needs
 * CPL 0) */
static uint64_t triple_k(uint64_t arg)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };
    __asm__ volatile("lidt %0\n\tud2" :: "m"(none));
    return 0;
}
static void triple(struct tap *t) { kcall(triple_k, 0); }

static void halt(struct tap *t)
{
    cli();
    hlt();
}

static const struct {
    const char *mode;
    struct selftest test;
} injected[] = {
    { "fail", { "injected_failure", fail, 0 } },
    { "ud", { "injected_ud", ud, 0 } },
    { "pf", { "injected_pf", pf, 0 } },
    { "sse3", { "injected_sse3", sse3, 0 } },
    { "overflow", { "injected_stack_overflow", overflow, 0 } },
    { "triple", { "injected_triple_fault", triple, 0 } },
    { "halt", { "injected_dead_halt", halt, 0 } },
};

const struct selftest *selftest_injected(void)
{
    const char *mode = cmdline_get("selftest.inject");
    if (!mode)
        return NULL;
    for (unsigned i = 0; i < ARRAY_SIZE(injected); i++)
        if (strcmp(mode, injected[i].mode) == 0)
            return &injected[i].test;
    /* a typo must not turn a run meant to fail into a pass */
    printf("Bail out! selftest.inject=%s is not a mode (fail, ud, pf, sse3, overflow, triple, "
           "halt)\n",
           mode);
    verdict(1);
}
