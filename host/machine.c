/*
 * Puts the PC together: RAM with the i440FX split around the PCI hole,
 * the memory and I/O address spaces, the legacy devices on their ports,
 * the vcpu, and the kernel loaded into it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "boot/loader.h"
#include "contract/platform.h"
#include "core/chardev.h"
#include "core/log.h"
#include "debug/diag.h"
#include "debug/dma_watch.h"
#include "debug/gdbstub.h"
#include "debug/monitor.h"
#include "hw/rtc.h"
#include "hw/serial.h"
#include "net/dump.h"
#include "machine.h"

void machine_request_exit(struct machine *m, int status)
{
    if (m->stop)
        return;          /* the first reason to stop is the one reported */
    m->stop = true;
    m->exit_status = status;
    if (m->cpu)
        m->cpu_ops->kick(m->cpu);
}

void machine_signal(struct machine *m, int signo)
{
    m->signalled = signo;
    if (m->cpu)
        m->cpu_ops->kick(m->cpu);
}

/* The guest's clock: the backend's own (the interpreter counts
 * instructions), or real time less the time it spent paused, so a stop
 * at a breakpoint does not look like minutes of lost ticks to it. */
static uint64_t guest_clock(void *opaque)
{
    struct machine *m = opaque;
    if (m->cpu && m->cpu_ops->clock)
        return m->cpu_ops->clock(m->cpu);
    uint64_t now = m->paused ? m->paused_at : monotonic_ns();
    return now - m->paused_total;
}

void machine_pause(struct machine *m)
{
    if (m->paused)
        return;
    if (m->cpu) {
        m->cpu_ops->sync(m->cpu);
        if (!m->cpu_ops->get_tsc || m->cpu_ops->get_tsc(m->cpu, &m->tsc_at_pause) < 0)
            m->tsc_at_pause = 0;
        m->cpu_ops->kick(m->cpu);
    }
    m->paused_at = monotonic_ns();
    m->paused = true;
    m->loop.frozen = true;
}

void machine_resume(struct machine *m)
{
    if (!m->paused)
        return;
    m->paused_total += monotonic_ns() - m->paused_at;
    m->paused = false;
    m->loop.frozen = false;
    if (m->cpu && m->tsc_at_pause && m->cpu_ops->set_tsc)
        m->cpu_ops->set_tsc(m->cpu, m->tsc_at_pause);
}

bool machine_access_pc(struct machine *m, uint64_t *pc)
{
    return m->cpu && m->in_vcpu && m->cpu_ops->access_pc && m->cpu_ops->access_pc(m->cpu, pc);
}

bool machine_debug_is_breakpoint(struct machine *m, uint64_t va)
{
    return m->gdb && gdbstub_has_breakpoint(m->gdb, va);
}

void machine_debug_exit(struct machine *m, const struct cpu_debug_exit *e)
{
    if (m->gdb) {
        gdbstub_debug_exit(m->gdb, e);
        return;
    }
    /* No debugger wants it: the guest's own int3 goes to the guest. */
    if (e->vector == 3 && m->cpu_ops->reinject_bp)
        m->cpu_ops->reinject_bp(m->cpu);
}

bool machine_wait_halted(struct machine *m)
{
    if (loop_next_deadline(&m->loop) == UINT64_MAX && !loop_has_sources(&m->loop))
        return false;
    loop_wait(&m->loop, -1);
    return true;
}

static void debug_exit_cb(void *opaque, int status)
{
    machine_request_exit(opaque, status);
}

static void serial_out(void *opaque, const uint8_t *buf, size_t len)
{
    struct machine *m = opaque;
    chardev_write(m->serial_chr, buf, len);
    /* the console on stdout may share a terminal with the warnings */
    if (strcmp(m->cfg.serial, "stdio") == 0)
        log_console(buf, len);
}

static bool access_pc(void *opaque, uint64_t *pc)
{
    return machine_access_pc(opaque, pc);
}

static size_t serial_can(void *opaque)
{
    return serial_can_receive(opaque);
}

static void serial_in(void *opaque, const uint8_t *buf, size_t len)
{
    serial_receive(opaque, buf, len);
}

static int init_ram(struct machine *m)
{
    m->ram_size = m->cfg.ram_size;
    m->lowmem = m->ram_size < PCEMU_LOWMEM_MAX ? m->ram_size : PCEMU_LOWMEM_MAX;
    m->highmem = m->ram_size - m->lowmem;
    m->ram = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m->ram == MAP_FAILED) {
        m->ram = NULL;
        log_error("-m %llu MiB: cannot allocate guest RAM",
                  (unsigned long long)(m->ram_size >> 20));
        return -1;
    }
    board_spaces_init(&m->sysmem, &m->io, &m->mem_as, &m->io_as);
    region_init_ram(&m->ram_region, "pc.ram", m->ram_size, m->ram);
    region_init_alias(&m->ram_low, "ram-below-4g", &m->ram_region, 0, m->lowmem);
    region_add(&m->sysmem, &m->ram_low, 0, 0);
    if (m->highmem) {
        region_init_alias(&m->ram_high, "ram-above-4g", &m->ram_region, m->lowmem, m->highmem);
        region_add(&m->sysmem, &m->ram_high, PCEMU_HIGHMEM_BASE, 0);
    }
    return 0;
}

/* The NIC's cable: to the user backend it names (or, as QEMU does by
 * default, a user backend of its own), or nowhere with -nic none. */
static int init_net(struct machine *m)
{
    struct board_slot *nic = board_nic(&m->board);
    if (!nic)
        return 0;           /* a board without a NIC has no cable to plug */
    if (m->cfg.nic_none) {
        nic->desc->nic->set_link(nic->dev, false);   /* STATUS.LU clear: nothing at the other end */
        return 0;
    }
    const struct user_net_config *uc = NULL;
    static const struct user_net_config dflt = { .id = "user.0" };
    if (m->cfg.nic_netdev) {
        for (int i = 0; i < m->cfg.nnetdevs; i++)
            if (strcmp(m->cfg.netdevs[i].id, m->cfg.nic_netdev) == 0)
                uc = &m->cfg.netdevs[i];
        if (!uc) {
            log_error("-device e1000,netdev=%s: no -netdev with id=%s", m->cfg.nic_netdev,
                      m->cfg.nic_netdev);
            return -1;
        }
    } else {
        uc = m->cfg.nnetdevs ? &m->cfg.netdevs[0] : &dflt;
    }
    char why[256];
    m->user_net = user_net_create(&m->loop, uc, why, sizeof why);
    if (!m->user_net) {
        log_error("-netdev user,id=%s: %s", uc->id, why);
        return -1;
    }
    nic->backend = m->user_net;
    net_connect(nic->desc->nic->client(nic->dev), user_net_client(m->user_net));
    for (int i = 0; i < m->cfg.ndumps; i++) {
        if (strcmp(m->cfg.dumps[i].netdev, uc->id) != 0) {
            log_error("-object filter-dump,netdev=%s: no such netdev (the e1000's is %s)",
                      m->cfg.dumps[i].netdev, uc->id);
            return -1;
        }
        if (m->dump) {
            log_error("-object filter-dump: one dump per netdev");
            return -1;
        }
        m->dump = net_dump_open(m->cfg.dumps[i].file, why, sizeof why);
        if (!m->dump) {
            log_error("-object filter-dump,file=%s: %s", m->cfg.dumps[i].file, why);
            return -1;
        }
        user_net_client(m->user_net)->dump = m->dump;
    }
    if (m->cfg.impair.netdev) {
        if (strcmp(m->cfg.impair.netdev, uc->id) != 0) {
            log_error("-object filter-impair,netdev=%s: no such netdev (the e1000's is %s)",
                      m->cfg.impair.netdev, uc->id);
            return -1;
        }
        m->impair = net_impair_create(&m->loop, &m->cfg.impair);
        if (!m->impair) {
            log_error("-object filter-impair: out of memory");
            return -1;
        }
        net_impair_attach(m->impair, user_net_client(m->user_net));
    }
    return 0;
}

/* The board (board_pc.c), and its devices' host ends: COM1 on -serial,
 * the NIC on its netdev. */
static int init_devices(struct machine *m)
{
    char why[256];
    /* With the monitor on stdio, keys go to the monitor; the guest's
     * serial output still goes to stdout. */
    bool stdio_monitor = m->cfg.monitor && strcmp(m->cfg.monitor, "stdio") == 0;
    m->serial_chr = chardev_open(&m->loop, stdio_monitor && strcmp(m->cfg.serial, "stdio") == 0
                                               ? "stdout" : m->cfg.serial, why, sizeof why);
    if (!m->serial_chr) {
        log_error("-serial %s: %s", m->cfg.serial, why);
        return -1;
    }
    struct board_config bc = {
        .rtc_base = m->cfg.rtc_base_set ? m->cfg.rtc_base : RTC_DEFAULT_BASE,
        .unassigned_bars = m->cfg.unassigned_bars,
        .exit = debug_exit_cb, .console = serial_out, .opaque = m,
    };
    memcpy(bc.mac, m->cfg.mac, sizeof bc.mac);
    board_init(&m->board, &bc, &m->sysmem, &m->io, &m->mem_as, &m->io_as);
    m->board.loop = &m->loop;
    m->diag = diag_create(m->cfg.kernel, access_pc, m);
    m->board.diag = m->diag;
    /* a debugger's watchpoints see what devices write, too */
    m->board.pci.bus.dma_written = dma_watch_written;
    m->board.pci.bus.dma_opaque = m;
    if (board_add_all(&m->board) < 0)
        return -1;
    struct serial *com1 = board_dev(&m->board, "serial");
    chardev_attach(m->serial_chr, &(struct chardev_frontend){ serial_can, serial_in, com1 });
    return init_net(m);
}

static int set_mem_zone(void *opaque, uint64_t addr, uint64_t len, bool on)
{
    struct machine *m = opaque;
    return m->cpu_ops->coalesce(m->cpu, false, addr, len, on);
}

static int set_io_zone(void *opaque, uint64_t addr, uint64_t len, bool on)
{
    struct machine *m = opaque;
    return m->cpu_ops->coalesce(m->cpu, true, addr, len, on);
}

/* The queued-write ranges the devices declare on their regions follow
 * them wherever they are mapped now. */
static void space_changed(void *opaque, struct address_space *as)
{
    struct machine *m = opaque;
    if (as == &m->io_as)
        coalesce_update(as, &m->coalesced_io, set_io_zone, m);
    else
        coalesce_update(as, &m->coalesced, set_mem_zone, m);
}

/* -accel names the backend; without it, KVM where it works, else the
 * interpreter, saying why in one line. */
static int init_cpu(struct machine *m, char *why, size_t whylen)
{
    const char *accel = m->cfg.accel;
    m->cpu_ops = accel && strcmp(accel, "interp") == 0 ? &interp_cpu_ops : &kvm_cpu_ops;
    m->cpu = m->cpu_ops->create(m, why, whylen);
    if (m->cpu || accel)
        return m->cpu ? 0 : -1;
    log_info("%s: running on the interpreter instead (-accel interp)", why);
    m->cpu_ops = &interp_cpu_ops;
    m->cpu = m->cpu_ops->create(m, why, whylen);
    return m->cpu ? 0 : -1;
}

int machine_init(struct machine *m, const struct machine_config *cfg)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    loop_init(&m->loop);
    m->loop.now = guest_clock;
    m->loop.now_opaque = m;
    /* The kernel is loaded before the vcpu exists so that a bad guest
     * file is reported as such even on a host without KVM. */
    if (init_ram(m) < 0 || init_devices(m) < 0 || boot_load(m, &m->boot_state) < 0)
        return -1;

    if (m->cfg.monitor) {
        char why[256];
        m->monitor = monitor_open(m, m->cfg.monitor, why, sizeof why);
        if (!m->monitor) {
            log_error("-monitor %s: %s", m->cfg.monitor, why);
            return -1;
        }
    }

    char why[256];
    if (init_cpu(m, why, sizeof why) < 0) {
        log_error("%s", why);
        return -1;
    }
    /* The e1000 starts what a doorbell asks a little after the write, as
     * hardware does. Under KVM the loop runs its timers at every exit,
     * before the guest runs on, so any delay there would only cost a
     * timer exit per doorbell: the work is done at that same pass. */
    if (!m->cpu_ops->clock)
        board_set_dma_delay(&m->board, 0);
    /* Writes the guest sees only through later reads are queued rather
     * than exit each (the ranges are the devices', on their regions:
     * COM1's THR, CONFIG_ADDRESS, the e1000's MTA and EERD); a queued
     * write costs a fraction of an exit (docs/results.md). */
    if (m->cpu_ops->coalesce) {
        m->mem_as.changed = m->io_as.changed = space_changed;
        m->mem_as.changed_opaque = m->io_as.changed_opaque = m;
        space_changed(m, &m->mem_as);
        space_changed(m, &m->io_as);
    }
    if (m->cfg.gdb) {
        m->gdb = gdbstub_open(m, m->cfg.gdb, why, sizeof why);
        if (!m->gdb) {
            log_error("-gdb %s: %s", m->cfg.gdb, why);
            return -1;
        }
    }
    return 0;
}

int machine_run(struct machine *m)
{
    if (m->cpu_ops->set_state(m->cpu, &m->boot_state) < 0) {
        log_error("cannot set the vcpu's start state");
        return PCEMU_EXIT_INTERNAL;
    }
    board_start(&m->board);     /* the loop's clock is the vcpu's from here */
    if (m->cfg.start_paused)
        machine_pause(m);
    vcpu_run(m);
    log_flush();                /* held warnings, before anything else is printed */
    if (m->signalled && !m->stop) {
        log_error("stopped by signal %d", m->signalled);
        return PCEMU_EXIT_INTERRUPTED;
    }
    return m->exit_status;
}

void machine_print_stats(struct machine *m, FILE *out)
{
    const struct machine_stats *s = &m->stats;
    fprintf(out, "pcemu: stats: %llu exits (I/O %llu, MMIO %llu, HLT %llu, interrupted %llu, "
            "other %llu)", (unsigned long long)s->exits, (unsigned long long)s->io,
            (unsigned long long)s->mmio, (unsigned long long)s->hlt,
            (unsigned long long)s->intr, (unsigned long long)s->other);
    uint64_t tx = 0, rx = 0;
    for (unsigned i = 0; i < m->board.n; i++) {
        const struct board_slot *sl = &m->board.slot[i];
        if (!sl->desc->nic)
            continue;
        uint64_t t, r;
        sl->desc->nic->frames(sl->dev, &t, &r);
        fprintf(out, "; %s %llu frames sent, %llu received", sl->desc->name,
                (unsigned long long)t, (unsigned long long)r);
        tx += t;
        rx += r;
    }
    if (tx + rx)
        fprintf(out, "; %.2f exits per frame", (double)s->exits / (double)(tx + rx));
    for (unsigned i = 0; i < m->board.n; i++) {
        struct board_slot *sl = &m->board.slot[i];
        if (!sl->desc->nic)
            continue;
        sl->desc->nic->print_stats(sl->dev, out);
        if (sl->backend)
            fprintf(out, "; net queues dropped %lu to %s, %lu to user",
                    sl->desc->nic->client(sl->dev)->dropped, sl->desc->name,
                    user_net_client(sl->backend)->dropped);
    }
    if (m->impair) {
        const struct net_impair_stats *i = net_impair_stats(m->impair);
        fprintf(out, "; filter-impair: %llu frames, %llu lost, %llu corrupted, %llu duplicated, "
                "%llu reordered, %llu delayed", (unsigned long long)i->frames,
                (unsigned long long)i->lost, (unsigned long long)i->corrupted,
                (unsigned long long)i->duplicated, (unsigned long long)i->reordered,
                (unsigned long long)i->delayed);
    }
    if (m->cpu && m->cpu_ops->instructions)
        fprintf(out, "; %llu instructions",
                (unsigned long long)m->cpu_ops->instructions(m->cpu));
    fputc('\n', out);
}

void machine_destroy(struct machine *m)
{
    if (m->cpu)
        m->cpu_ops->destroy(m->cpu);
    monitor_close(m->monitor);
    gdbstub_close(m->gdb);
    board_destroy(&m->board);
    log_flush();
    diag_destroy(m->diag);
    net_impair_destroy(m->impair);
    user_net_destroy(m->user_net);
    net_dump_close(m->dump);
    chardev_close(m->serial_chr);
    if (m->ram)
        munmap(m->ram, m->ram_size);
    loop_destroy(&m->loop);
}
