/*
 * The kernel at CPL 3 (see usermode.h): the way down, kcall for the way
 * back up, and the #GP handler's half that performs what CPL 3 may not
 * (cli, sti, hlt; port I/O is allowed by the TSS's I/O bitmap).
 */
#include "contract/platform.h"
#include "kernel.h"
#include "lib.h"
#include "usermode.h"
#include "x86.h"

#define RFLAGS_IF (1ull << 9)

void enter_user(void (*fn)(void))
{
    usermode_enabled = true;
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    /* below the iret frame pushed next; as after a call, so fn's frame
     * stays aligned, with a zero return address: backtraces end at fn */
    rsp = (rsp & ~15ull) - 128 - 8;
    *(volatile uint64_t *)rsp = 0;
    __asm__ volatile(
        "pushq %[ss]\n\t"
        "pushq %[rsp]\n\t"
        "pushfq\n\t"
        "andq $~0x200, (%%rsp)\n\t"     /* IF clear (PVM's pushfq shows it set) */
        "pushq %[cs]\n\t"
        "pushq %[rip]\n\t"
        "iretq"
        :: [ss] "i"(SEL_UDATA), [rsp] "r"(rsp), [cs] "i"(SEL_UCODE), [rip] "r"(fn)
        : "memory");
    __builtin_unreachable();
}

bool usermode_enabled;

/* PCEMU_CPUID_HOST's flags, or 0 where pcemu's leaves are absent. */
static uint32_t pcemu_host_flags(void)
{
    uint32_t r[4];
    cpuid(1, r);
    if (!(r[2] & (1u << 31)))          /* no hypervisor */
        return 0;
    cpuid(PCEMU_CPUID_INFO, r);
    if (r[1] != PCEMU_CPUID_SIG_EBX || r[2] != PCEMU_CPUID_SIG_ECX ||
        r[3] != PCEMU_CPUID_SIG_EDX || r[0] < PCEMU_CPUID_HOST)
        return 0;
    cpuid(PCEMU_CPUID_HOST, r);
    return r[0];
}

static const char *reason = "";

bool usermode_wanted(void)
{
    const char *um = cmdline_get("usermode");
    if (um && strcmp(um, "0") == 0)
        return false;
    if (um && strcmp(um, "1") == 0) {
        reason = "usermode=1";
        return true;
    }
    reason = "this host emulates CPL 0";
    return usermode_cpl0_emulated();
}

bool usermode_cpl0_emulated(void)
{
    return (pcemu_host_flags() & PCEMU_HOST_CPL0_EMULATED) != 0;
}

const char *usermode_reason(void)
{
    return reason;
}

void user_resume(void)
{
    if (!usermode_enabled || current_cpl() == 3)
        return;
    /* iretq to the next instruction, same stack, CPL 3 */
    __asm__ volatile(
        "mov %%rsp, %%rdx\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %[ss]\n\t"
        "pushq %%rdx\n\t"
        "pushfq\n\t"
        "pushq %[cs]\n\t"
        "pushq %%rax\n\t"
        "iretq\n"
        "1:"
        :: [ss] "i"(SEL_UDATA), [cs] "i"(SEL_UCODE) : "rax", "rdx", "memory");
}

/* ud2 followed by "kc": the #UD handler runs RDI(RSI) at CPL 0 and
 * returns its result in RAX. */
uint64_t kcall(uint64_t (*fn)(uint64_t), uint64_t arg)
{
    if (current_cpl() == 0)
        return fn(arg);
    uint64_t r;
    __asm__ volatile("ud2\n\t.byte 0x6b, 0x63" : "=a"(r) : "D"(fn), "S"(arg) : "memory");
    return r;
}

bool user_ud(struct trap_frame *f)
{
    const uint8_t *ip = (const uint8_t *)f->rip;
    if (ip[0] != 0x0f || ip[1] != 0x0b || ip[2] != 0x6b || ip[3] != 0x63)
        return false;
    f->rip += 4;
    if (f->rflags & RFLAGS_IF)
        sti();
    f->rax = ((uint64_t (*)(uint64_t))f->rdi)(f->rsi);
    cli();
    return true;
}

/* An int3 at CPL 3 that no handler expects is a debugger's breakpoint
 * that the hypervisor handed to the guest instead of to the debugger
 * (PVM does that; KVM proper exits to pcemu first). Go on at CPL 0 at
 * the int3 itself, where the hypervisor does report it. */
bool user_bp(struct trap_frame *f)
{
    f->rip -= 1;
    f->cs = SEL_KCODE;
    f->ss = SEL_KDATA;
    return true;            /* user_resume goes back to CPL 3 later */
}

/* ---- the instructions CPL 3 may not execute, performed here ---- */

struct insn {
    const uint8_t *ip;
    unsigned len;               /* bytes taken so far */
};

static void do_cli(struct insn *in, struct trap_frame *f, uint8_t op)
{
    f->rflags &= ~RFLAGS_IF;
}

/* hlt waits for an interrupt with the interrupted code's IF; with IF
 * clear nothing can wake it, as on the real CPU. */
static void do_hlt(struct insn *in, struct trap_frame *f, uint8_t op)
{
    if (f->rflags & RFLAGS_IF)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    else
        __asm__ volatile("hlt" ::: "memory");
}

/* sti; hlt stays one step, so no wake-up slips in between */
static void do_sti(struct insn *in, struct trap_frame *f, uint8_t op)
{
    f->rflags |= RFLAGS_IF;
    if (in->ip[in->len] == 0xf4) {
        in->len++;
        do_hlt(in, f, 0xf4);
    }
}

typedef void (*emulate_fn)(struct insn *in, struct trap_frame *f, uint8_t op);

static const emulate_fn emulate[256] = {
    [0xfa] = do_cli, [0xfb] = do_sti, [0xf4] = do_hlt,
};

bool user_gp(struct trap_frame *f)
{
    struct insn in = { (const uint8_t *)f->rip, 0 };
    uint8_t op = in.ip[in.len++];
    if (!emulate[op])
        return false;           /* a real #GP: reported as one */
    emulate[op](&in, f, op);
    f->rip += in.len;
    return true;
}
