#include <string.h>
#include "contract/pci.h"
#include "contract/platform.h"
#include "core/log.h"
#include "hw/debug_exit.h"
#include "hw/e1000.h"
#include "hw/pic.h"
#include "hw/piix3.h"
#include "hw/pit.h"
#include "hw/serial.h"
#include "machine_rig.h"

struct machine M;
struct fake_cpu FAKE;
uint8_t mrig_ram[MRIG_RAM_SIZE];

static int f_get_state(struct cpu *c, struct cpu_state *s) { *s = FAKE.s; return 0; }
static int f_set_state(struct cpu *c, const struct cpu_state *s) { FAKE.s = *s; return 0; }
static int f_get_fpu(struct cpu *c, struct cpu_fpu *f) { *f = FAKE.f; return 0; }
static int f_set_fpu(struct cpu *c, const struct cpu_fpu *f) { FAKE.f = *f; return 0; }
static int f_set_debug(struct cpu *c, const struct cpu_debug *d) { FAKE.dbg = *d; return 0; }
static int f_reinject(struct cpu *c) { return 0; }
static void f_kick(struct cpu *c) { FAKE.kicks++; }
static void f_sync(struct cpu *c) { }

static const struct cpu_ops fake_ops = {
    .name = "fake", .hw_bps = CPU_HW_BPS, .get_state = f_get_state, .set_state = f_set_state,
    .get_fpu = f_get_fpu, .set_fpu = f_set_fpu, .set_debug = f_set_debug,
    .reinject_bp = f_reinject, .kick = f_kick, .sync = f_sync,
};

static void quiet(void *opaque, const char *line) { }
static void no_exit(void *opaque, int status) { }
static void no_output(void *opaque, const uint8_t *buf, size_t len) { }

void mrig_init(void)
{
    struct machine *m = &M;
    memset(m, 0, sizeof *m);
    memset(&FAKE, 0, sizeof FAKE);
    memset(mrig_ram, 0, sizeof mrig_ram);
    log_capture(quiet, NULL);
    loop_init(&m->loop);
    m->ram = mrig_ram;
    m->ram_size = m->lowmem = MRIG_RAM_SIZE;
    region_init_container(&m->sysmem, "system", UINT64_MAX);
    region_init_ram(&m->ram_region, "pc.ram", MRIG_RAM_SIZE, mrig_ram);
    region_init_alias(&m->ram_low, "ram-below-4g", &m->ram_region, 0, MRIG_RAM_SIZE);
    region_add(&m->sysmem, &m->ram_low, 0, 0);
    address_space_init(&m->mem_as, "memory", &m->sysmem);
    region_init_container(&m->io, "io", 0x10000);
    address_space_init(&m->io_as, "I/O", &m->io);
    m->pic = pic_create(NULL, NULL);
    m->pit = pit_create(&m->loop, pic_irq(m->pic, PIT_IRQ));
    m->serial = serial_create(pic_irq(m->pic, COM1_IRQ), no_output, NULL);
    m->debug_exit = debug_exit_create(no_exit, m);
    region_add(&m->io, pic_region_master(m->pic), PIC1_CMD, 0);
    region_add(&m->io, pic_region_slave(m->pic), PIC2_CMD, 0);
    region_add(&m->io, pic_region_elcr(m->pic), PIC_ELCR1, 0);
    region_add(&m->io, pit_region(m->pit), PIT_CH0, 0);
    region_add(&m->io, serial_region(m->serial), COM1_BASE, 0);
    region_add(&m->io, debug_exit_region(m->debug_exit), DEBUG_EXIT_PORT, 0);
    region_init_container(&m->pci_mem, "pci", UINT64_MAX);
    region_add(&m->sysmem, &m->pci_mem, 0, -1);
    pci_host_init(&m->pci, &m->pci_mem, &m->io, &m->mem_as);
    piix3_init(&m->isa_bridge, &m->pci.bus);
    static const uint8_t mac[6] = E1000_DEFAULT_MAC;
    m->e1000 = e1000_create(&m->pci.bus, PCI_DEVFN(PCI_SLOT_E1000, 0), mac);
    e1000_attach_loop(m->e1000, &m->loop);
    struct pci_device *nic = e1000_pci(m->e1000);
    nic->irq = pic_irq(m->pic, PCI_E1000_IRQ);
    nic->config[PCI_INTERRUPT_LINE] = PCI_E1000_IRQ;
    pci_firmware_set_bar(nic, 0, E1000_BAR0_ADDR);
    pci_firmware_set_bar(nic, 1, E1000_BAR1_ADDR);
    pci_firmware_set_command(nic, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    m->cpu_ops = &fake_ops;
    m->cpu = (struct cpu *)&FAKE;          /* never looked into: the ops use FAKE */
    FAKE.s.rip = 0x1000;
    FAKE.s.rflags = 0x2;
    FAKE.s.cs.selector = 0x08;
    FAKE.s.cr0 = 0x11;                    /* protected mode, paging off */
}

void mrig_fini(void)
{
    e1000_destroy(M.e1000);
    debug_exit_destroy(M.debug_exit);
    serial_destroy(M.serial);
    pit_destroy(M.pit);
    pic_destroy(M.pic);
}
