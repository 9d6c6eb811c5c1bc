/*
 * Driver mistakes the device can see, reported as a driver author needs
 * them: the rule broken, the register or descriptor, the 8254x manual's
 * section, and the guest instruction that did it, as function and
 * file:line (debug/diag.c symbolizes it). Each rule is reported once: the
 * first time is the one that explains; a driver repeating it in a loop
 * would bury everything else.
 */
#include <stdarg.h>
#include <stdio.h>
#include "hw/e1000_internal.h"

void e1000dev_attach_diag(struct e1000 *e, struct diag *d)
{
    e->diag = d;
}

static void report(struct e1000 *e, enum e1000_rule rule, const char *reg, bool known,
                   uint64_t pc, const char *fmt, va_list ap)
{
    if (e->warned & (1u << rule))
        return;
    e->warned |= 1u << rule;
    char msg[320], where[200];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (!known) {
        log_warn("e1000: %s", msg);
        return;
    }
    diag_where(e->diag, pc, where, sizeof where);
    if (reg)
        log_warn("e1000: %s; %s last written by guest instruction %s", msg, reg, where);
    else
        log_warn("e1000: %s; guest instruction %s", msg, where);
}

void e1000dev_warn(struct e1000 *e, enum e1000_rule rule, const char *fmt, ...)
{
    if (e->warned & (1u << rule))
        return;
    uint64_t pc = 0;
    bool known = diag_access_pc(e->diag, &pc);
    va_list ap;
    va_start(ap, fmt);
    report(e, rule, NULL, known, pc, fmt, ap);
    va_end(ap);
}

void e1000dev_warn_site(struct e1000 *e, enum e1000_rule rule, const char *reg,
                     const struct e1000_site *site, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(e, rule, reg, site->known, site->pc, fmt, ap);
    va_end(ap);
}

void e1000dev_site_record(struct e1000 *e, struct e1000_site *site)
{
    site->known = diag_access_pc(e->diag, &site->pc);
}
