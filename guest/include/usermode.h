/*
 * Running the kernel's own code at CPL 3, for hosts whose KVM (PVM)
 * emulates a guest's supervisor mode one instruction at a time but runs
 * its user mode natively: pcemu says so in its CPUID leaf
 * PCEMU_CPUID_HOST, and only there do the self-tests run at CPL 3, on the
 * kernel's identity map, whose pages all carry the user bit. Port I/O
 * is allowed there by the TSS's I/O permission bitmap (gdt.c); cli, sti
 * and hlt fault (#GP: IOPL reads 0 under PVM) and the #GP handler
 * performs them at CPL 0 and steps over them, so the same code runs at
 * either level. usermode=1 on the command line asks for CPL 3 anywhere,
 * usermode=0 keeps everything at CPL 0.
 */
#ifndef GUEST_USERMODE_H
#define GUEST_USERMODE_H

#include <stdbool.h>
#include <stdint.h>
#include "trap.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x2b      /* GDT index 5, RPL 3 */
#define SEL_UCODE 0x33      /* GDT index 6, RPL 3 */

/* Whether to run at CPL 3: usermode= on the command line, else what
 * pcemu's CPUID leaf says of the host. */
bool usermode_wanted(void);
/* Whether pcemu's CPUID leaf says the host emulates CPL 0. */
bool usermode_cpl0_emulated(void);
/* Why the self-tests run at CPL 3, for the banner. */
const char *usermode_reason(void);

/* Continues in fn at CPL 3 on the current stack with interrupts off; fn
 * must not return. */
void enter_user(void (*fn)(void)) __attribute__((noreturn));

/* The privilege level the caller runs at. */
static inline unsigned current_cpl(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

/* Set by enter_user. A debugger's breakpoint moves the code it stops to
 * CPL 0 (user_bp); user_resume, called between self-tests, goes back to
 * CPL 3 when usermode is on. */
extern bool usermode_enabled;
void user_resume(void);

/* Runs fn(arg) at CPL 0 and returns its result, from either level. */
uint64_t kcall(uint64_t (*fn)(uint64_t), uint64_t arg);

/* From the #GP, #UD and #BP paths of trap_dispatch, for traps taken at
 * CPL 3: true when handled (the frame says where to go on). */
bool user_gp(struct trap_frame *f);
bool user_ud(struct trap_frame *f);
bool user_bp(struct trap_frame *f);

#endif
