/*
 * The host CPU as the oracle: a case runs at CODE_VA in this process,
 * entered through trampoline.S with the registers given. A fault the case
 * takes (the kernel turns it into a signal) is recorded from the signal's
 * context, with the vector and error code the CPU reported (Linux passes
 * them in the context's trapno and err), and the handler resumes the
 * harness at native_fault_exit.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "layout.h"
#include "native.h"

int native_enter(struct cpu_state *s, uint64_t entry);
void native_exit(void);
void native_fault_exit(void);

static volatile bool active;
static struct outcome fault;
static volatile bool faulted;

static const int greg_of[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    uint64_t rip = (uint64_t)g[REG_RIP];
    /* a fault outside a case is the harness's own, and so is a second
     * one in a run (the way back faulted): die of it */
    if (!active || faulted) {
        signal(sig, SIG_DFL);
        return;
    }
    for (int i = 0; i < 16; i++)
        fault.s.r[i] = (uint64_t)g[greg_of[i]];
    fault.s.rip = rip;
    fault.s.rflags = (uint64_t)g[REG_EFL];
    fault.vector = (int)g[REG_TRAPNO];
    fault.error = (uint32_t)g[REG_ERR];
    fault.cr2 = (uint64_t)g[REG_CR2];
    fault.other = NULL;
    faulted = true;
    g[REG_RIP] = (greg_t)(uintptr_t)native_fault_exit;
    g[REG_EFL] &= ~(greg_t)(0x100 | 0x40000);   /* no TF or AC on the way back */
}

void native_exit_stub(uint8_t out[EXIT_STUB_LEN])
{
    /* jmp qword [rip + 0]; dq native_exit */
    static const uint8_t jmp[6] = { 0xff, 0x25, 0, 0, 0, 0 };
    uint64_t target = (uint64_t)(uintptr_t)native_exit;
    memcpy(out, jmp, 6);
    memcpy(out + 6, &target, 8);
}

const char *native_setup(void)
{
    void *p = mmap((void *)CODE_VA, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)CODE_VA)
        return "cannot map the code page at CODE_VA";
    p = mmap((void *)SCRATCH_VA, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)SCRATCH_VA)
        return "cannot map the scratch pages at SCRATCH_VA";
    p = mmap((void *)GUARD_VA, 0x1000, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)GUARD_VA)
        return "cannot reserve the guard page";

    /* the case's RSP points into scratch: signals go to their own stack */
    static stack_t alt;
    alt.ss_size = 1 << 16;
    alt.ss_sp = malloc(alt.ss_size);
    if (!alt.ss_sp || sigaltstack(&alt, NULL) < 0)
        return "cannot set up a signal stack";
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL) < 0)
            return "cannot install the fault handlers";
    return NULL;
}

void native_load(const uint8_t *code, size_t len)
{
    uint8_t *page = (uint8_t *)CODE_VA;
    /* int3 everywhere else: a case running away traps on both sides */
    memset(page, 0xcc, CODE_SIZE);
    memcpy(page, code, len);
    native_exit_stub(page + len);
    __builtin___clear_cache((char *)page, (char *)page + len + EXIT_STUB_LEN);
}

void native_run(const struct cpu_state *in, const uint8_t *scratch_in, struct outcome *out,
                uint8_t *scratch_out)
{
    struct cpu_state s = *in;
    memcpy((void *)SCRATCH_VA, scratch_in, SCRATCH_SIZE);
    faulted = false;
    active = true;
    int r = native_enter(&s, in->rip);
    active = false;
    if (r == 0 && !faulted) {
        out->s = s;
        out->vector = -1;
        out->error = 0;
        out->cr2 = 0;
        out->other = NULL;
    } else {
        *out = fault;
    }
    memcpy(scratch_out, (void *)SCRATCH_VA, SCRATCH_SIZE);
}
