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
#include "contract/pci.h"
#include "contract/platform.h"
#include "core/chardev.h"
#include "core/log.h"
#include "debug/diag.h"
#include "debug/dma_watch.h"
#include "debug/gdbstub.h"
#include "debug/monitor.h"
#include "hw/debug_exit.h"
#include "hw/e1000.h"
#include "net/dump.h"
#include "hw/pic.h"
#include "hw/piix3.h"
#include "hw/pit.h"
#include "hw/rtc.h"
#include "hw/serial.h"
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
        diag_console(m->diag, buf, len);
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
    region_init_container(&m->sysmem, "system", UINT64_MAX);
    region_init_ram(&m->ram_region, "pc.ram", m->ram_size, m->ram);
    region_init_alias(&m->ram_low, "ram-below-4g", &m->ram_region, 0, m->lowmem);
    region_add(&m->sysmem, &m->ram_low, 0, 0);
    if (m->highmem) {
        region_init_alias(&m->ram_high, "ram-above-4g", &m->ram_region, m->lowmem, m->highmem);
        region_add(&m->sysmem, &m->ram_high, PCEMU_HIGHMEM_BASE, 0);
    }
    address_space_init(&m->mem_as, "memory", &m->sysmem);
    region_init_container(&m->io, "io", 0x10000);
    address_space_init(&m->io_as, "I/O", &m->io);
    return 0;
}

/* The e1000's cable: to the user backend it names (or, as QEMU does by
 * default, a user backend of its own), or nowhere with -nic none. */
static int init_net(struct machine *m)
{
    if (m->cfg.nic_none) {
        e1000_set_link(m->e1000, false);    /* STATUS.LU clear: nothing at the other end */
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
    const char *why;
    m->user_net = user_net_create(&m->loop, uc, &why);
    if (!m->user_net) {
        log_error("-netdev user,id=%s: %s", uc->id, why);
        return -1;
    }
    net_connect(e1000_net_client(m->e1000), user_net_client(m->user_net));
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
        m->dump = net_dump_open(m->cfg.dumps[i].file, &why);
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

/* The PCI bus, and what SeaBIOS would have done before handing over:
 * BARs where QEMU's firmware puts them, decoding on, INTA routed to IRQ
 * 11 and that IRQ level-triggered. Bus mastering stays off, as firmware
 * leaves a NIC it did not boot from: the driver enables it. */
static int init_pci(struct machine *m)
{
    region_init_container(&m->pci_mem, "pci", UINT64_MAX);
    region_add(&m->sysmem, &m->pci_mem, 0, -1);
    pci_host_init(&m->pci, &m->pci_mem, &m->io, &m->mem_as);
    /* a debugger's watchpoints see what devices write, too */
    m->pci.bus.dma_written = dma_watch_written;
    m->pci.bus.dma_opaque = m;
    if (piix3_init(&m->isa_bridge, &m->pci.bus) < 0)
        return -1;
    m->e1000 = e1000_create(&m->pci.bus, PCI_DEVFN(PCI_SLOT_E1000, 0), m->cfg.mac);
    if (!m->e1000) {
        log_error("cannot create the e1000: out of memory");
        return -1;
    }
    e1000_attach_loop(m->e1000, &m->loop);
    m->diag = diag_create(m->cfg.kernel, access_pc, m);
    e1000_attach_diag(m->e1000, m->diag);
    struct pci_device *nic = e1000_pci(m->e1000);
    nic->irq = pic_irq(m->pic, PCI_E1000_IRQ);
    nic->config[PCI_INTERRUPT_LINE] = PCI_E1000_IRQ;
    as_write(&m->io_as, PIC_ELCR2, 1u << (PCI_E1000_IRQ - 8), 1);
    if (!m->cfg.unassigned_bars) {
        pci_firmware_set_bar(nic, 0, E1000_BAR0_ADDR);
        pci_firmware_set_bar(nic, 1, E1000_BAR1_ADDR);
        pci_firmware_set_command(nic, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    }
    return init_net(m);
}

static int init_devices(struct machine *m)
{
    const char *why;
    /* With the monitor on stdio, keys go to the monitor; the guest's
     * serial output still goes to stdout. */
    bool stdio_monitor = m->cfg.monitor && strcmp(m->cfg.monitor, "stdio") == 0;
    m->serial_chr = chardev_open(&m->loop, stdio_monitor && strcmp(m->cfg.serial, "stdio") == 0
                                               ? "stdout" : m->cfg.serial, &why);
    if (!m->serial_chr) {
        log_error("-serial %s: %s", m->cfg.serial, why);
        return -1;
    }
    m->pic = pic_create(NULL, NULL);
    m->pit = pit_create(&m->loop, pic_irq(m->pic, PIT_IRQ));
    m->serial = serial_create(pic_irq(m->pic, COM1_IRQ), serial_out, m);
    m->debug_exit = debug_exit_create(debug_exit_cb, m);
    m->rtc = rtc_create(&m->loop, pic_irq(m->pic, RTC_IRQ),
                        m->cfg.rtc_base_set ? m->cfg.rtc_base : RTC_DEFAULT_BASE);
    if (!m->pic || !m->pit || !m->serial || !m->debug_exit || !m->rtc) {
        log_error("cannot create the devices: out of memory");
        return -1;
    }
    chardev_attach(m->serial_chr, &(struct chardev_frontend){ serial_can, serial_in,
                                                              m->serial });
    region_add(&m->io, pic_region_master(m->pic), PIC1_CMD, 0);
    region_add(&m->io, pic_region_slave(m->pic), PIC2_CMD, 0);
    region_add(&m->io, pic_region_elcr(m->pic), PIC_ELCR1, 0);
    region_add(&m->io, pit_region(m->pit), PIT_CH0, 0);
    region_add(&m->io, serial_region(m->serial), COM1_BASE, 0);
    region_add(&m->io, debug_exit_region(m->debug_exit), DEBUG_EXIT_PORT, 0);
    region_add(&m->io, rtc_region(m->rtc), RTC_PORT_INDEX, 0);
    return init_pci(m);
}

static int set_zone(void *opaque, uint64_t addr, uint64_t len, bool on)
{
    struct machine *m = opaque;
    return m->cpu_ops->coalesce_mmio(m->cpu, addr, len, on);
}

static void mem_changed(void *opaque, struct address_space *as)
{
    struct machine *m = opaque;
    coalesce_update(as, &m->coalesced, set_zone, m);
}

/* -accel names the backend; without it, KVM where it works, else the
 * interpreter, saying why in one line. */
static int init_cpu(struct machine *m, const char **why)
{
    const char *accel = m->cfg.accel;
    m->cpu_ops = accel && strcmp(accel, "interp") == 0 ? &interp_cpu_ops : &kvm_cpu_ops;
    m->cpu = m->cpu_ops->create(m, why);
    if (m->cpu || accel)
        return m->cpu ? 0 : -1;
    log_info("%s: running on the interpreter instead (-accel interp)", *why);
    m->cpu_ops = &interp_cpu_ops;
    m->cpu = m->cpu_ops->create(m, why);
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
        const char *why = NULL;
        m->monitor = monitor_open(m, m->cfg.monitor, &why);
        if (!m->monitor) {
            log_error("-monitor %s: %s", m->cfg.monitor, why);
            return -1;
        }
    }

    const char *why = NULL;
    if (init_cpu(m, &why) < 0) {
        log_error("%s", why);
        return -1;
    }
    /* The e1000 starts what a doorbell asks a little after the write, as
     * hardware does. Under KVM the loop runs its timers at every exit,
     * before the guest runs on, so any delay there would only cost a
     * timer exit per doorbell: the work is done at that same pass. */
    if (!m->cpu_ops->clock)
        e1000_set_dma_delay(m->e1000, 0);
    /* The UART's transmit register only collects bytes, and PCI's
     * CONFIG_ADDRESS only latches a value for the CONFIG_DATA access that
     * follows (which exits, and finds the queue delivered first): queue
     * those writes rather than exit for each (a VM exit costs 8-18 us
     * here, a queued write about 4). */
    if (m->cpu_ops->coalesce_pio) {
        m->cpu_ops->coalesce_pio(m->cpu, COM1_BASE + UART_THR, 1);
        m->cpu_ops->coalesce_pio(m->cpu, PCI_CONFIG_ADDRESS, 4);
    }
    /* Registers whose writes the guest only sees through later reads
     * (the e1000's multicast table, EERD): queued too, wherever their
     * BAR is mapped now. */
    if (m->cpu_ops->coalesce_mmio) {
        m->mem_as.changed = mem_changed;
        m->mem_as.changed_opaque = m;
        mem_changed(m, &m->mem_as);
    }
    if (m->cfg.gdb) {
        m->gdb = gdbstub_open(m, m->cfg.gdb, &why);
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
    rtc_start(m->rtc);      /* the loop's clock is the vcpu's from here */
    if (m->cfg.start_paused)
        machine_pause(m);
    vcpu_run(m);
    diag_flush(m->diag);        /* before anything else is printed */
    if (m->signalled && !m->stop) {
        log_error("stopped by signal %d", m->signalled);
        return PCEMU_EXIT_INTERRUPTED;
    }
    return m->exit_status;
}

void machine_print_stats(struct machine *m, FILE *out)
{
    const struct machine_stats *s = &m->stats;
    uint64_t tx = 0, rx = 0;
    if (m->e1000)
        e1000_frames(m->e1000, &tx, &rx);
    fprintf(out, "pcemu: stats: %llu exits (I/O %llu, MMIO %llu, HLT %llu, interrupted %llu, "
            "other %llu); e1000 %llu frames sent, %llu received",
            (unsigned long long)s->exits, (unsigned long long)s->io,
            (unsigned long long)s->mmio, (unsigned long long)s->hlt,
            (unsigned long long)s->intr, (unsigned long long)s->other,
            (unsigned long long)tx, (unsigned long long)rx);
    if (tx + rx)
        fprintf(out, "; %.2f exits per frame", (double)s->exits / (double)(tx + rx));
    if (m->e1000)
        e1000_rx_stats_print(m->e1000, out);
    if (m->user_net && m->e1000)
        fprintf(out, "; net queues dropped %lu to e1000, %lu to user",
                e1000_net_client(m->e1000)->dropped, user_net_client(m->user_net)->dropped);
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
    if (m->debug_exit) debug_exit_destroy(m->debug_exit);
    rtc_destroy(m->rtc);
    if (m->serial) serial_destroy(m->serial);
    if (m->pit) pit_destroy(m->pit);
    if (m->pic) pic_destroy(m->pic);
    if (m->e1000) e1000_destroy(m->e1000);
    diag_destroy(m->diag);
    net_impair_destroy(m->impair);
    user_net_destroy(m->user_net);
    net_dump_close(m->dump);
    chardev_close(m->serial_chr);
    if (m->ram)
        munmap(m->ram, m->ram_size);
    loop_destroy(&m->loop);
}
