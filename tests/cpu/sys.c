/*
 * System tests: what user-mode differential tests cannot reach (the
 * kernel side of exceptions, paging structures, port I/O, MMIO, the
 * clock, 32-bit entry). Expected values come from the SDM, cited at each
 * test. Each blob runs in a fresh rig (rig.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "layout.h"
#include "report.h"
#include "sys.h"
#include "sys_util.h"

/* Runs one test (if CPU_TEST_ONLY selects "sys/<name>"). */
static void sys_case(struct rig *r, const char *name, void (*fn)(struct sys_test *))
{
    struct sys_test t;
    memset(&t, 0, sizeof t);
    t.r = r;
    t.c = r->c;
    snprintf(t.name, sizeof t.name, "sys/%s", name);
    if (!selected(t.name))
        return;
    rig_reset(r);
    fn(&t);
}

static void begin_at(struct sys_test *t, const uint8_t *start, const uint8_t *end,
                     const uint8_t *entry, uint64_t pa, uint64_t base)
{
    struct rig *r = t->r;
    rig_reset(r);
    t->blob = start;
    t->base = base;
    memset(rig_phys(r, CODE_PA), 0xcc, CODE_SIZE);
    memcpy(rig_phys(r, pa), start, (size_t)(end - start));
    memset(rig_phys(r, SCRATCH_PA), 0, SCRATCH_SIZE);
    t->in.rip = sys_va(t, entry);
}

void sys_begin(struct sys_test *t, const uint8_t *start, const uint8_t *end,
               const uint8_t *entry)
{
    begin_at(t, start, end, entry, CODE_PA, CODE_VA);
}

void sys_begin_low(struct sys_test *t, const uint8_t *start, const uint8_t *end,
                   const uint8_t *entry)
{
    begin_at(t, start, end, entry, LOW_CODE_PA, LOW_CODE_PA);
}

uint64_t sys_va(const struct sys_test *t, const uint8_t *label)
{
    return t->base + (uint64_t)(label - t->blob);
}

void sys_run_user(struct sys_test *t, const uint8_t *stop)
{
    if (!t->in.r[X86_RSP])
        t->in.r[X86_RSP] = STACK_TOP;
    rig_enter_user(t->r, &t->in);
    rig_run(t->r, stop ? sys_va(t, stop) : ~0ull, 10000, &t->o);
}

void sys_run_kernel(struct sys_test *t, const uint8_t *stop)
{
    if (!t->in.r[X86_RSP])
        t->in.r[X86_RSP] = KSTACK_TOP - 0x100;
    rig_enter_kernel(t->r, &t->in);
    rig_run(t->r, stop ? sys_va(t, stop) : ~0ull, 10000, &t->o);
}

bool expect(struct sys_test *t, bool ok, const char *fmt, ...)
{
    if (ok) {
        pass();
        return true;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail(t->name, "%s", msg);
    return false;
}

bool expect_eq(struct sys_test *t, const char *what, uint64_t got, uint64_t want)
{
    return expect(t, got == want, "%s: got %#llx, want %#llx", what, (unsigned long long)got,
                  (unsigned long long)want);
}

bool expect_vector(struct sys_test *t, int vector)
{
    const struct outcome *o = &t->o;
    char how[160];
    if (o->other)
        snprintf(how, sizeof how, "%s (rip %#llx)", o->other, (unsigned long long)t->c->rip);
    else if (o->vector < 0)
        snprintf(how, sizeof how, "no exception (stopped at %#llx)",
                 (unsigned long long)o->s.rip);
    else
        snprintf(how, sizeof how, "vector %d error %#x at rip %#llx", o->vector, o->error,
                 (unsigned long long)o->s.rip);
    if (t->r->unknown) {
        size_t k = strlen(how);
        snprintf(how + k, sizeof how - k, "; interp does not know the instruction at %#llx",
                 (unsigned long long)t->r->unknown_rip);
    }
    return expect(t, !o->other && o->vector == vector, "want %s%d, got %s",
                  vector < 0 ? "no exception " : "vector ", vector, how);
}

void expect_frame(struct sys_test *t, uint64_t rip, uint64_t cs, uint64_t ss, uint64_t rsp,
                  uint64_t handler_rsp)
{
    const struct frame *f = &t->r->frame;
    expect_eq(t, "frame RIP", f->rip, rip);
    expect_eq(t, "frame CS", f->cs, cs);
    expect_eq(t, "frame SS", f->ss, ss);
    expect_eq(t, "frame RSP", f->rsp, rsp);
    expect_eq(t, "handler RSP", f->rsp_after, handler_rsp);
}

void sys_run_all(struct rig *r)
{
    static const struct sys_entry *const topics[] = {
        sys_except_tests, sys_paging_tests, sys_io_tests, sys_misc_tests,
        sys_fpu_tests, sys_sysreg_tests, sys_pm32_tests,
    };
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
        for (const struct sys_entry *e = topics[i]; e->name; e++)
            sys_case(r, e->name, e->fn);
}
