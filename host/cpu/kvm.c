/*
 * The KVM vcpu backend. No in-kernel irqchip: the PIC and PIT live in
 * user space like every other device, so HLT exits to us and interrupts
 * go in through KVM_INTERRUPT, waiting for the interrupt window when the
 * guest has them masked. A POSIX timer signal sets immediate_exit so a
 * guest that computes still lets timers and sockets be served. The loop
 * around KVM_RUN is cpu/vcpu.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "contract/platform.h"
#include "core/log.h"
#include "cpu/cpu.h"
#include "cpu/watch.h"
#include "hw/pic.h"
#include "machine.h"

#define KICK_SIGNAL SIGUSR1

struct cpu {
    struct machine *m;
    int kvm_fd, vm_fd, vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    struct kvm_coalesced_mmio_ring *ring;   /* queued port writes, or NULL */
    unsigned ring_max;
    timer_t kick_timer;
    bool have_timer;
    uint64_t armed_deadline;
    bool stepping;          /* a debugger single-steps: no interrupts now */
    bool draining;          /* delivering queued writes: no instruction to name */
    struct watch watch[CPU_HW_BPS];   /* by trapped pages (cpu/watch.h) */
    int nslots;             /* memory slots in use, 0..nslots-1 */
};

/* One thread, one vcpu: the signal handler needs to find the run page. */
static struct kvm_run *volatile kick_run;

static void kick_handler(int sig)
{
    (void)sig;
    struct kvm_run *run = kick_run;
    if (run)
        run->immediate_exit = 1;
}

static int set_memory(struct cpu *c, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
                      uint32_t flags)
{
    struct kvm_userspace_memory_region r = {
        .slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
        .userspace_addr = (uintptr_t)host,
    };
    return ioctl(c->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

#define MAX_SLOTS 32

/* Guest RAM into memory slots, around the pages watchpoints trap. Slots
 * go first, then the new layout: only while the vcpu is not running. */
static int map_ram(struct cpu *c)
{
    struct machine *m = c->m;
    struct ram_range ram[2] = {
        { 0, m->lowmem, 0 },
        { PCEMU_HIGHMEM_BASE, m->highmem, m->lowmem },
    };
    struct memslot slots[MAX_SLOTS];
    int n = watch_layout(ram, m->highmem ? 2 : 1, c->watch, CPU_HW_BPS, slots, MAX_SLOTS);
    if (n < 0)
        return -1;
    for (int i = 0; i < c->nslots; i++)
        set_memory(c, (uint32_t)i, 0, 0, NULL, 0);
    c->nslots = 0;
    for (int i = 0; i < n; i++) {
        if (set_memory(c, (uint32_t)i, slots[i].gpa, slots[i].size, m->ram + slots[i].host_off,
                       slots[i].readonly ? KVM_MEM_READONLY : 0) < 0)
            return -1;
        c->nslots = i + 1;
    }
    return 0;
}

/* The hypervisor timing leaf 0x40000010 (as VMware and QEMU's
 * vmware-cpuid-freq define it): EAX the TSC frequency in kHz. A guest
 * that finds it need not spend milliseconds calibrating the TSC against
 * the PIT; the hypervisor range's top leaf is raised to include it. */
static void add_timing_leaf(struct cpu *c, struct kvm_cpuid2 *cpuid, int cap)
{
    int khz = ioctl(c->vcpu_fd, KVM_GET_TSC_KHZ, 0);
    struct kvm_cpuid_entry2 *top = NULL;
    for (unsigned i = 0; i < cpuid->nent; i++)
        if (cpuid->entries[i].function == PCEMU_CPUID_HV_BASE)
            top = &cpuid->entries[i];
    if (khz <= 0 || !top || top->eax > PCEMU_CPUID_TIMING || (int)cpuid->nent >= cap)
        return;
    top->eax = PCEMU_CPUID_TIMING;
    cpuid->entries[cpuid->nent++] = (struct kvm_cpuid_entry2){
        .function = PCEMU_CPUID_TIMING,
        .eax = (uint32_t)khz,
    };
}

/* This development host's KVM is PVM (the kvm_pvm module): guest CPL 3
 * runs natively, every CPL 0 instruction is emulated. The guest hears it
 * through pcemu's leaves and moves its work to CPL 3; nothing else in
 * pcemu or the guest's drivers depends on it. */
static bool host_is_pvm(void)
{
    return access("/sys/module/kvm_pvm", F_OK) == 0;
}

/* pcemu's own leaves (contract/platform.h), after KVM's range. */
static void add_pcemu_leaves(struct kvm_cpuid2 *cpuid, int cap)
{
    if ((int)cpuid->nent + 2 > cap)
        return;
    cpuid->entries[cpuid->nent++] = (struct kvm_cpuid_entry2){
        .function = PCEMU_CPUID_INFO, .eax = PCEMU_CPUID_HOST,
        .ebx = PCEMU_CPUID_SIG_EBX, .ecx = PCEMU_CPUID_SIG_ECX, .edx = PCEMU_CPUID_SIG_EDX,
    };
    cpuid->entries[cpuid->nent++] = (struct kvm_cpuid_entry2){
        .function = PCEMU_CPUID_HOST, .eax = host_is_pvm() ? PCEMU_HOST_CPL0_EMULATED : 0,
    };
}

static int setup_cpuid(struct cpu *c)
{
    int n = 128;
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + n * sizeof cpuid->entries[0]);
    if (!cpuid)
        return -1;
    cpuid->nent = n;
    int r = ioctl(c->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
    if (r == 0) {
        add_timing_leaf(c, cpuid, n);
        add_pcemu_leaves(cpuid, n);
    }
    if (r == 0)
        r = ioctl(c->vcpu_fd, KVM_SET_CPUID2, cpuid);
    free(cpuid);
    return r;
}

static void destroy(struct cpu *c)
{
    if (!c)
        return;
    kick_run = NULL;
    if (c->have_timer)
        timer_delete(c->kick_timer);
    if (c->run)
        munmap(c->run, c->run_size);
    if (c->vcpu_fd >= 0) close(c->vcpu_fd);
    if (c->vm_fd >= 0) close(c->vm_fd);
    if (c->kvm_fd >= 0) close(c->kvm_fd);
    free(c);
}

static struct cpu *create(struct machine *m, char *why, size_t whylen)
{
    struct cpu *c = zalloc_or_why(sizeof *c, why, whylen);
    if (!c)
        return NULL;
    c->m = m;
    c->vm_fd = c->vcpu_fd = -1;
    /* PCEMU_KVM_DEVICE lets the tests play a host without KVM. */
    const char *dev = getenv("PCEMU_KVM_DEVICE") ? getenv("PCEMU_KVM_DEVICE") : "/dev/kvm";
    c->kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
    if (c->kvm_fd < 0) {
        snprintf(why, whylen, "%s: %s", dev, strerror(errno));
        goto fail;
    }
    int api = ioctl(c->kvm_fd, KVM_GET_API_VERSION, 0);
    if (api < 0) {
        snprintf(why, whylen, "%s: not a KVM device (%s)", dev, strerror(errno));
        goto fail;
    }
    if (api != KVM_API_VERSION) {
        snprintf(why, whylen, "%s: KVM API version %d, need %d", dev, api, KVM_API_VERSION);
        goto fail;
    }
    c->vm_fd = ioctl(c->kvm_fd, KVM_CREATE_VM, 0);
    if (c->vm_fd < 0) {
        snprintf(why, whylen, "%s: cannot create a VM: %s", dev, strerror(errno));
        goto fail;
    }
    /* Intel needs three pages for the real-mode TSS; harmless on AMD. */
    ioctl(c->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
    if (map_ram(c) < 0) {
        snprintf(why, whylen, "%s: cannot map guest RAM: %s", dev, strerror(errno));
        goto fail;
    }
    c->vcpu_fd = ioctl(c->vm_fd, KVM_CREATE_VCPU, 0);
    if (c->vcpu_fd < 0) {
        snprintf(why, whylen, "/dev/kvm: cannot create a vcpu: %s", strerror(errno));
        goto fail;
    }
    int sz = ioctl(c->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz <= 0) {
        snprintf(why, whylen, "/dev/kvm: bad vcpu mmap size");
        goto fail;
    }
    c->run_size = (size_t)sz;
    c->run = mmap(NULL, c->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->vcpu_fd, 0);
    if (c->run == MAP_FAILED) {
        c->run = NULL;
        snprintf(why, whylen, "/dev/kvm: cannot map the vcpu: %s", strerror(errno));
        goto fail;
    }
    /* The coalesced ring lives in the vcpu mapping, some pages in. */
    int ring_page = ioctl(c->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) > 0
                        ? ioctl(c->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO) : 0;
    long page = sysconf(_SC_PAGESIZE);
    if (ring_page > 0 && (size_t)(ring_page + 1) * (size_t)page <= c->run_size) {
        c->ring = (struct kvm_coalesced_mmio_ring *)((uint8_t *)c->run + ring_page * page);
        c->ring_max = (unsigned)((page - sizeof *c->ring) / sizeof c->ring->coalesced_mmio[0]);
    }
    if (setup_cpuid(c) < 0) {
        snprintf(why, whylen, "/dev/kvm: cannot set CPUID: %s", strerror(errno));
        goto fail;
    }

    struct sigaction sa = { .sa_handler = kick_handler };
    sigemptyset(&sa.sa_mask);
    sigaction(KICK_SIGNAL, &sa, NULL);
    struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = KICK_SIGNAL };
    sev._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &sev, &c->kick_timer) < 0) {
        snprintf(why, whylen, "cannot create the vcpu kick timer: %s", strerror(errno));
        goto fail;
    }
    c->have_timer = true;
    kick_run = c->run;
    return c;
fail:
    destroy(c);
    return NULL;
}

static void seg_to_kvm(const struct cpu_seg *s, struct kvm_segment *k)
{
    *k = (struct kvm_segment){
        .base = s->base, .limit = s->limit, .selector = s->selector, .type = s->type,
        .present = s->present, .dpl = s->dpl, .db = s->db, .s = s->s, .l = s->l,
        .g = s->g, .avl = s->avl, .unusable = !s->present,
    };
}

static void seg_from_kvm(const struct kvm_segment *k, struct cpu_seg *s)
{
    *s = (struct cpu_seg){
        .base = k->base, .limit = k->limit, .selector = k->selector, .type = k->type,
        .present = k->present, .dpl = k->dpl, .db = k->db, .s = k->s, .l = k->l,
        .g = k->g, .avl = k->avl,
    };
}

static int set_state(struct cpu *c, const struct cpu_state *s)
{
    struct kvm_sregs sr;
    if (ioctl(c->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
        return -1;
    seg_to_kvm(&s->cs, &sr.cs);
    seg_to_kvm(&s->ds, &sr.ds);
    seg_to_kvm(&s->es, &sr.es);
    seg_to_kvm(&s->fs, &sr.fs);
    seg_to_kvm(&s->gs, &sr.gs);
    seg_to_kvm(&s->ss, &sr.ss);
    seg_to_kvm(&s->tr, &sr.tr);
    seg_to_kvm(&s->ldt, &sr.ldt);
    sr.gdt.base = s->gdt_base; sr.gdt.limit = s->gdt_limit;
    sr.idt.base = s->idt_base; sr.idt.limit = s->idt_limit;
    sr.cr0 = s->cr0; sr.cr2 = s->cr2; sr.cr3 = s->cr3; sr.cr4 = s->cr4;
    sr.efer = s->efer;
    if (ioctl(c->vcpu_fd, KVM_SET_SREGS, &sr) < 0)
        return -1;
    struct kvm_regs r = {
        .rax = s->rax, .rbx = s->rbx, .rcx = s->rcx, .rdx = s->rdx,
        .rsi = s->rsi, .rdi = s->rdi, .rsp = s->rsp, .rbp = s->rbp,
        .r8 = s->r8, .r9 = s->r9, .r10 = s->r10, .r11 = s->r11,
        .r12 = s->r12, .r13 = s->r13, .r14 = s->r14, .r15 = s->r15,
        .rip = s->rip, .rflags = s->rflags,
    };
    return ioctl(c->vcpu_fd, KVM_SET_REGS, &r);
}

static int get_state(struct cpu *c, struct cpu_state *s)
{
    struct kvm_regs r;
    struct kvm_sregs sr;
    if (ioctl(c->vcpu_fd, KVM_GET_REGS, &r) < 0 || ioctl(c->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
        return -1;
    *s = (struct cpu_state){
        .rax = r.rax, .rbx = r.rbx, .rcx = r.rcx, .rdx = r.rdx,
        .rsi = r.rsi, .rdi = r.rdi, .rsp = r.rsp, .rbp = r.rbp,
        .r8 = r.r8, .r9 = r.r9, .r10 = r.r10, .r11 = r.r11,
        .r12 = r.r12, .r13 = r.r13, .r14 = r.r14, .r15 = r.r15,
        .rip = r.rip, .rflags = r.rflags,
        .gdt_base = sr.gdt.base, .gdt_limit = sr.gdt.limit,
        .idt_base = sr.idt.base, .idt_limit = sr.idt.limit,
        .cr0 = sr.cr0, .cr2 = sr.cr2, .cr3 = sr.cr3, .cr4 = sr.cr4, .efer = sr.efer,
    };
    seg_from_kvm(&sr.cs, &s->cs);
    seg_from_kvm(&sr.ds, &s->ds);
    seg_from_kvm(&sr.es, &s->es);
    seg_from_kvm(&sr.fs, &s->fs);
    seg_from_kvm(&sr.gs, &s->gs);
    seg_from_kvm(&sr.ss, &s->ss);
    seg_from_kvm(&sr.tr, &s->tr);
    seg_from_kvm(&sr.ldt, &s->ldt);
    return 0;
}

/* Deliver the queued port writes, oldest first, before anything else the
 * guest did after them is handled. */
static void drain_ring(struct cpu *c)
{
    struct kvm_coalesced_mmio_ring *r = c->ring;
    if (!r)
        return;
    c->draining = true;
    while (r->first != r->last) {
        struct kvm_coalesced_mmio *e = &r->coalesced_mmio[r->first];
        uint64_t v = 0;
        unsigned len = e->len <= 8 ? e->len : 8;
        memcpy(&v, e->data, len);
        as_write(e->pio ? &c->m->io_as : &c->m->mem_as, e->phys_addr, v, len);
        __atomic_store_n(&r->first, (r->first + 1) % c->ring_max, __ATOMIC_RELEASE);
    }
    c->draining = false;
}

static int coalesce(struct cpu *c, bool pio, uint64_t addr, uint64_t len, bool on)
{
    if (!c->ring || len > UINT32_MAX)
        return -1;
    struct kvm_coalesced_mmio_zone z = { .addr = addr, .size = (uint32_t)len, .pio = pio };
    return ioctl(c->vm_fd, on ? KVM_REGISTER_COALESCED_MMIO : KVM_UNREGISTER_COALESCED_MMIO, &z);
}

/* ---- exit handlers: each performs what it can and says what it was ---- */

static void exit_io(struct cpu *c, struct cpu_exit *e)
{
    struct kvm_run *run = c->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    unsigned size = run->io.size;
    for (uint32_t i = 0; i < run->io.count; i++, data += size) {
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            uint64_t v = 0;
            memcpy(&v, data, size);
            as_write(&c->m->io_as, run->io.port, v, size);
        } else {
            uint64_t v = as_read(&c->m->io_as, run->io.port, size);
            memcpy(data, &v, size);
        }
    }
    e->kind = CPU_EXIT_IO;
}

static void sync_vcpu(struct cpu *c);

/* Performs the access at its address and width (core/memory.h splits
 * the odd lengths a split or SSE access arrives in); returns the
 * watchpoint it sets off, or -1. */
static int do_mmio(struct cpu *c)
{
    struct kvm_run *run = c->run;
    unsigned len = run->mmio.len <= sizeof run->mmio.data ? run->mmio.len : 0;
    if (run->mmio.is_write)
        as_write_bytes(&c->m->mem_as, run->mmio.phys_addr, run->mmio.data, len);
    else
        as_read_bytes(&c->m->mem_as, run->mmio.phys_addr, run->mmio.data, len);
    return watch_hit(c->watch, CPU_HW_BPS, run->mmio.phys_addr, len, run->mmio.is_write);
}

static void exit_mmio(struct cpu *c, struct cpu_exit *e)
{
    int w = do_mmio(c);
    e->kind = CPU_EXIT_MMIO;
    if (w >= 0) {
        /* a watched access on a trapped page: let the instruction finish,
         * then stop after it, as a debug-register watchpoint would */
        sync_vcpu(c);
        e->kind = CPU_EXIT_DEBUG;
        e->debug = (struct cpu_debug_exit){ .vector = 1, .dr6 = 1u << w };
    }
}

static void exit_hlt(struct cpu *c, struct cpu_exit *e)
{
    e->kind = CPU_EXIT_HLT;
    e->if_flag = c->run->if_flag;
}

static void exit_shutdown(struct cpu *c, struct cpu_exit *e)
{
    e->kind = CPU_EXIT_SHUTDOWN;
}

static void exit_nothing(struct cpu *c, struct cpu_exit *e)
{
    e->kind = CPU_EXIT_NONE;
}

static void exit_fail_entry(struct cpu *c, struct cpu_exit *e)
{
    vcpu_fatal(c->m, PCEMU_EXIT_UNHANDLED,
               "KVM could not enter the guest (hardware reason 0x%llx)",
               (unsigned long long)c->run->fail_entry.hardware_entry_failure_reason);
    e->kind = CPU_EXIT_FAILED;
}

/* This host's KVM may be one (PVM) whose instruction emulator cannot do
 * INT3 for a guest at CPL 0. pcemu finishes it: the debugger's own
 * breakpoints stop the guest; the guest's int3 becomes the #BP trap it
 * would have raised, with RIP after the instruction. */
static bool finish_int3(struct cpu *c, struct cpu_exit *e)
{
    struct cpu_state s;
    uint64_t pa;
    uint8_t op = 0;
    if (get_state(c, &s) < 0 || !cpu_translate(c->m, &s, s.rip, &pa) ||
        !as_ram_read(&c->m->mem_as, pa, &op, 1) || op != 0xcc)
        return false;
    if (c->m->gdb && machine_debug_is_breakpoint(c->m, s.rip)) {
        e->kind = CPU_EXIT_DEBUG;
        e->debug = (struct cpu_debug_exit){ .vector = 3, .pc = s.rip };
        return true;
    }
    s.rip++;
    if (set_state(c, &s) < 0)
        return false;
    struct kvm_vcpu_events ev;
    if (ioctl(c->vcpu_fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
        return false;
    ev.exception.injected = 1;
    ev.exception.nr = 3;
    ev.exception.has_error_code = 0;
    ev.flags = 0;
    e->kind = CPU_EXIT_NONE;
    return ioctl(c->vcpu_fd, KVM_SET_VCPU_EVENTS, &ev) == 0;
}

static void exit_internal(struct cpu *c, struct cpu_exit *e)
{
    if (c->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION && finish_int3(c, e))
        return;
    static const char *const sub[] = {
        [KVM_INTERNAL_ERROR_EMULATION] = "instruction emulation failed",
        [KVM_INTERNAL_ERROR_SIMUL_EX] = "exception while delivering an exception",
        [KVM_INTERNAL_ERROR_DELIVERY_EV] = "event delivery failed",
    };
    uint32_t s = c->run->internal.suberror;
    const char *what = s < sizeof sub / sizeof sub[0] && sub[s] ? sub[s] : "unknown suberror";
    vcpu_fatal(c->m, PCEMU_EXIT_UNHANDLED, "KVM internal error: %s (suberror %u)", what, s);
    e->kind = CPU_EXIT_FAILED;
}

static void exit_debug(struct cpu *c, struct cpu_exit *e)
{
    struct kvm_debug_exit_arch *a = &c->run->debug.arch;
    e->kind = CPU_EXIT_DEBUG;
    e->debug = (struct cpu_debug_exit){ .vector = (int)a->exception, .pc = a->pc, .dr6 = a->dr6 };
}

typedef void (*exit_fn)(struct cpu *c, struct cpu_exit *e);

static const exit_fn exit_handlers[] = {
    [KVM_EXIT_IO] = exit_io,
    [KVM_EXIT_MMIO] = exit_mmio,
    [KVM_EXIT_HLT] = exit_hlt,
    [KVM_EXIT_SHUTDOWN] = exit_shutdown,
    [KVM_EXIT_IRQ_WINDOW_OPEN] = exit_nothing,
    [KVM_EXIT_INTR] = exit_nothing,
    [KVM_EXIT_FAIL_ENTRY] = exit_fail_entry,
    [KVM_EXIT_INTERNAL_ERROR] = exit_internal,
    [KVM_EXIT_DEBUG] = exit_debug,
};

/* Interrupts go in through KVM_INTERRUPT when the guest can take one;
 * otherwise KVM exits as soon as it can. A step must not wander into an
 * interrupt handler (and carry the trap flag into the frame it pushes):
 * interrupts wait for it. */
static bool can_inject(struct cpu *c)
{
    return !c->stepping && c->run->ready_for_interrupt_injection && c->run->if_flag;
}

static void inject(struct cpu *c, int vector)
{
    struct kvm_interrupt irq = { .irq = (uint32_t)vector };
    if (ioctl(c->vcpu_fd, KVM_INTERRUPT, &irq) < 0)
        log_warn("KVM_INTERRUPT vector %u: %s", irq.irq, strerror(errno));
}

static void want_window(struct cpu *c, bool on)
{
    c->run->request_interrupt_window = on && !c->stepping;
}

/* Keep the kick timer at the next deadline, so a busy guest still lets
 * timers run on time, and at poll_at while anyone could be talking to
 * us. Deadlines are on the guest's clock; the kick timer runs on
 * CLOCK_MONOTONIC. */
static void arm_kick(struct cpu *c, uint64_t next, uint64_t poll_at)
{
    if (next != UINT64_MAX)
        next += c->m->paused_total;     /* guest clock -> CLOCK_MONOTONIC */
    if (poll_at < next)
        next = poll_at;
    if (next == c->armed_deadline)
        return;
    c->armed_deadline = next;
    struct itimerspec its = { 0 };
    if (next != UINT64_MAX) {
        its.it_value.tv_sec = (time_t)(next / 1000000000ull);
        its.it_value.tv_nsec = (long)(next % 1000000000ull);
    }
    timer_settime(c->kick_timer, TIMER_ABSTIME, &its, NULL);
}

static void run(struct cpu *c, uint64_t deadline, uint64_t poll_at, struct cpu_exit *e)
{
    arm_kick(c, deadline, poll_at);
    int r = ioctl(c->vcpu_fd, KVM_RUN, 0);
    int err = errno;            /* drain_ring's writes may change errno */
    c->run->immediate_exit = 0;
    drain_ring(c);
    if (r < 0) {
        e->kind = CPU_EXIT_NONE;
        if (err != EINTR && err != EAGAIN) {
            vcpu_fatal(c->m, PCEMU_EXIT_INTERNAL, "KVM_RUN failed: %s", strerror(err));
            e->kind = CPU_EXIT_FAILED;
        }
        return;
    }
    uint32_t reason = c->run->exit_reason;
    if (reason < sizeof exit_handlers / sizeof exit_handlers[0] && exit_handlers[reason]) {
        exit_handlers[reason](c, e);
    } else {
        vcpu_fatal(c->m, PCEMU_EXIT_UNHANDLED, "unhandled KVM exit reason %u", reason);
        e->kind = CPU_EXIT_FAILED;
    }
}

/* Finish the instruction the last exit interrupted: KVM completes the
 * access, then returns EINTR before entering the guest again. Finishing
 * may need more accesses first (the write half of a read-modify-write on
 * MMIO, the rest of a string instruction): those are done on the way. */
static void sync_vcpu(struct cpu *c)
{
    for (int i = 0; i < (1 << 20); i++) {
        c->run->immediate_exit = 1;
        int r = ioctl(c->vcpu_fd, KVM_RUN, 0);
        c->run->immediate_exit = 0;
        drain_ring(c);
        if (r < 0)
            return;
        if (c->run->exit_reason == KVM_EXIT_MMIO)
            do_mmio(c);
        else if (c->run->exit_reason == KVM_EXIT_IO)
            exit_io(c, &(struct cpu_exit){ 0 });
        else
            return;
    }
}

/* During an MMIO exit KVM has not moved RIP past the instruction yet;
 * during a port exit it may have (the exit says nothing either way), so
 * only MMIO accesses are placed. */
static bool access_pc(struct cpu *c, uint64_t *pc)
{
    struct kvm_regs r;
    if (c->draining || c->run->exit_reason != KVM_EXIT_MMIO ||
        ioctl(c->vcpu_fd, KVM_GET_REGS, &r) < 0)
        return false;
    struct kvm_sregs sr;
    if (ioctl(c->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
        return false;
    *pc = sr.cs.base + r.rip;
    return true;
}

static void kick(struct cpu *c)
{
    c->run->immediate_exit = 1;
}

/* DR7: enable bit L<n>, then R/W and LEN fields at 16 + 4n. */
static uint64_t dr7_for(const struct cpu_hw_bp *bp, int n)
{
    static const uint8_t rw[] = { [CPU_BP_EXEC] = 0, [CPU_BP_WRITE] = 1, [CPU_BP_ACCESS] = 3 };
    static const uint8_t len[] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
    uint64_t v = 1ull << (2 * n);
    unsigned l = bp->kind == CPU_BP_EXEC ? 0 : len[bp->len & 15];
    v |= (uint64_t)(rw[bp->kind] | l << 2) << (16 + 4 * n);
    return v;
}

/* The watchpoints' guest-physical ranges, and RAM remapped around them
 * when they changed. */
static int set_watches(struct cpu *c, const struct cpu_debug *d)
{
    struct watch w[CPU_HW_BPS] = { 0 };
    struct cpu_state s;
    bool have_state = false;
    for (int i = 0; i < CPU_HW_BPS; i++) {
        const struct cpu_hw_bp *h = &d->hw[i];
        if (!d->attached || !h->on || h->kind == CPU_BP_EXEC)
            continue;
        if (!have_state && get_state(c, &s) < 0)
            return -1;
        have_state = true;
        uint64_t pa;
        if (!cpu_translate(c->m, &s, h->addr, &pa))
            return -1;      /* not mapped: gdb reports it cannot insert it */
        w[i] = (struct watch){ true, h->kind, h->len, pa };
    }
    bool same = true;
    for (int i = 0; i < CPU_HW_BPS; i++)
        same &= w[i].on == c->watch[i].on && (!w[i].on || (w[i].kind == c->watch[i].kind &&
                w[i].len == c->watch[i].len && w[i].pa == c->watch[i].pa));
    if (same)
        return 0;
    memcpy(c->watch, w, sizeof w);
    return map_ram(c);
}

static int set_debug(struct cpu *c, const struct cpu_debug *d)
{
    struct kvm_guest_debug dbg = { 0 };
    c->stepping = d->attached && d->single_step;
    if (d->attached) {
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
        if (d->single_step)
            dbg.control |= KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_BLOCKIRQ;
        /* execution breakpoints in the debug registers; watchpoints by
         * trapping their pages, which works where the hypervisor
         * emulates the guest and ignores DR7 (cpu/watch.h) */
        uint64_t dr7 = 0;
        for (int i = 0; i < CPU_HW_BPS; i++) {
            if (!d->hw[i].on || d->hw[i].kind != CPU_BP_EXEC)
                continue;
            dbg.arch.debugreg[i] = d->hw[i].addr;
            dr7 |= dr7_for(&d->hw[i], i);
        }
        if (dr7) {
            dbg.control |= KVM_GUESTDBG_USE_HW_BP;
            dbg.arch.debugreg[7] = dr7 | 0x400;    /* bit 10 reads as one */
        }
    }
    if (set_watches(c, d) < 0)
        return -1;
    return ioctl(c->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg);
}

static int get_fpu(struct cpu *c, struct cpu_fpu *f)
{
    struct kvm_fpu k;
    if (ioctl(c->vcpu_fd, KVM_GET_FPU, &k) < 0)
        return -1;
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 8; i++)
        memcpy(f->st[i], k.fpr[i], 10);
    f->fctrl = k.fcw;
    f->fstat = k.fsw;
    f->ftag = k.ftwx;
    f->fop = k.last_opcode;
    f->fioff = (uint32_t)k.last_ip;
    f->fiseg = (uint32_t)(k.last_ip >> 32) & 0xffff;
    f->fooff = (uint32_t)k.last_dp;
    f->foseg = (uint32_t)(k.last_dp >> 32) & 0xffff;
    memcpy(f->xmm, k.xmm, sizeof f->xmm);
    f->mxcsr = k.mxcsr;
    return 0;
}

static int set_fpu(struct cpu *c, const struct cpu_fpu *f)
{
    struct kvm_fpu k;
    if (ioctl(c->vcpu_fd, KVM_GET_FPU, &k) < 0)
        return -1;
    for (int i = 0; i < 8; i++)
        memcpy(k.fpr[i], f->st[i], 10);
    k.fcw = (uint16_t)f->fctrl;
    k.fsw = (uint16_t)f->fstat;
    k.ftwx = (uint8_t)f->ftag;
    k.last_opcode = (uint16_t)f->fop;
    memcpy(k.xmm, f->xmm, sizeof k.xmm);
    k.mxcsr = f->mxcsr;
    return ioctl(c->vcpu_fd, KVM_SET_FPU, &k);
}

/* KVM remembers the int3's length from the exit, so injecting #BP as an
 * exception resumes the guest after the int3, as the CPU itself would. */
static int reinject_bp(struct cpu *c)
{
    struct kvm_vcpu_events ev;
    if (ioctl(c->vcpu_fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
        return -1;
    ev.exception.injected = 1;
    ev.exception.nr = 3;
    ev.exception.has_error_code = 0;
    ev.flags = 0;
    return ioctl(c->vcpu_fd, KVM_SET_VCPU_EVENTS, &ev);
}

#define MSR_IA32_TSC 0x10

static int get_tsc(struct cpu *c, uint64_t *tsc)
{
    struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
        .h.nmsrs = 1, .e.index = MSR_IA32_TSC };
    if (ioctl(c->vcpu_fd, KVM_GET_MSRS, &m) != 1)
        return -1;
    *tsc = m.e.data;
    return 0;
}

static int set_tsc(struct cpu *c, uint64_t tsc)
{
    struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
        .h.nmsrs = 1, .e.index = MSR_IA32_TSC, .e.data = tsc };
    return ioctl(c->vcpu_fd, KVM_SET_MSRS, &m) == 1 ? 0 : -1;
}

const struct cpu_ops kvm_cpu_ops = {
    .name = "kvm",
    .hw_bps = CPU_HW_BPS,
    .create = create,
    .set_state = set_state,
    .get_state = get_state,
    .run = run,
    .kick = kick,
    .can_inject = can_inject,
    .inject = inject,
    .want_window = want_window,
    .access_pc = access_pc,
    .sync = sync_vcpu,
    .coalesce = coalesce,
    .destroy = destroy,
    .set_debug = set_debug,
    .get_fpu = get_fpu,
    .set_fpu = set_fpu,
    .reinject_bp = reinject_bp,
    .get_tsc = get_tsc,
    .set_tsc = set_tsc,
};
