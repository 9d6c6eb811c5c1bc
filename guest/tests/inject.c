/*
 * Deliberate failures, chosen with selftest.inject=MODE, that prove the
 * harness notices: a failing test, an unexpected #UD or #PF inside a
 * test, a triple fault, a halt nothing can wake.
 */
#include "kernel.h"
#include "tap.h"
#include "x86.h"

void inject_ud(void);
void inject_pf(void);

__attribute__((noinline)) void inject_ud(void)
{
    __asm__ volatile("ud2");
}

__attribute__((noinline)) void inject_pf(void)
{
    volatile uint64_t *p = (volatile uint64_t *)0x8000000000ull;
    (void)*p;
}

static void fail(struct tap *t)
{
    tap_failf(t, "deliberate failure (selftest.inject=fail)", "%llu", 1, "%llu", 2);
}

static void ud(struct tap *t) { inject_ud(); }
static void pf(struct tap *t) { inject_pf(); }

static void triple(struct tap *t)
{
    /* no IDT: the #UD cannot be delivered, nor the #DF: shutdown */
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };
    __asm__ volatile("lidt %0\n\tud2" :: "m"(none));
}

static void halt(struct tap *t)
{
    cli();
    hlt();
}

static const struct selftest injected[] = {
    { "injected_failure", fail },
    { "injected_ud", ud },
    { "injected_pf", pf },
    { "injected_triple_fault", triple },
    { "injected_dead_halt", halt },
};
static const char *const modes[] = { "fail", "ud", "pf", "triple", "halt" };

const struct selftest *selftest_injected(void);

const struct selftest *selftest_injected(void)
{
    const char *mode = cmdline_get("selftest.inject");
    for (unsigned i = 0; mode && i < ARRAY_SIZE(modes); i++)
        if (strcmp(mode, modes[i]) == 0)
            return &injected[i];
    if (mode)
        printf("# selftest.inject=%s is not a mode (fail, ud, pf, triple, halt)\n", mode);
    return NULL;
}
