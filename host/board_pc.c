/*
 * The PC pcemu models, one entry a device: an i440FX host bridge (the
 * board itself, board.c) with a PIIX3 ISA bridge and an 82540EM at the
 * slots QEMU's pc machine gives them, and on the ISA bus the 8259A pair,
 * the MC146818A clock, the 8254, a 16550A at COM1 and QEMU's debug-exit
 * port. Adding a device is adding an entry here.
 */
#include <stdlib.h>
#include "board.h"
#include "contract/e1000.h"
#include "contract/pci.h"
#include "contract/platform.h"
#include "hw/debug_exit.h"
#include "hw/e1000.h"
#include "hw/pic.h"
#include "hw/piix3.h"
#include "hw/pit.h"
#include "hw/rtc.h"
#include "hw/serial.h"
#include "net/slirp.h"

/* ---- the 8259A pair: the master at 0x20, the slave at 0xa0, the
 * PIIX's edge/level registers at 0x4d0 ---- */

static void *pic_new(struct board *b, const struct board_device *d)
{
    struct pic *p = pic_create(NULL, NULL);
    if (!p)
        return NULL;
    for (int i = 0; i < BOARD_IRQS; i++)
        b->irq[i] = pic_irq(p, i);
    b->pic = p;
    return p;
}

static struct region *pic_regions(void *dev, unsigned i)
{
    struct region *(*const r[])(struct pic *) = {
        pic_region_master, pic_region_slave, pic_region_elcr };
    return r[i](dev);
}

static void pic_free(void *dev) { pic_destroy(dev); }

/* ---- the MC146818A clock ---- */

static void *rtc_new(struct board *b, const struct board_device *d)
{
    return rtc_create(b->loop, b->irq[d->irq], b->cfg.rtc_base);
}

static struct region *rtc_regions(void *dev, unsigned i) { return rtc_region(dev); }
static void rtc_free(void *dev) { rtc_destroy(dev); }
static void rtc_go(void *dev) { rtc_start(dev); }

/* ---- the 8254 ---- */

static void *pit_new(struct board *b, const struct board_device *d)
{
    return pit_create(b->loop, b->irq[d->irq]);
}

static struct region *pit_regions(void *dev, unsigned i) { return pit_region(dev); }
static void pit_free(void *dev) { pit_destroy(dev); }

/* ---- the 16550A at COM1 ---- */

static void no_output(void *opaque, const uint8_t *buf, size_t len) { }

static void *serial_new(struct board *b, const struct board_device *d)
{
    return serial_create(b->irq[d->irq], b->cfg.console ? b->cfg.console : no_output,
                         b->cfg.opaque);
}

static struct region *serial_regions(void *dev, unsigned i) { return serial_region(dev); }
static void serial_free(void *dev) { serial_destroy(dev); }

/* ---- QEMU's isa-debug-exit ---- */

static void no_exit(void *opaque, int status) { }

static void *debug_exit_new(struct board *b, const struct board_device *d)
{
    return debug_exit_create(b->cfg.exit ? b->cfg.exit : no_exit, b->cfg.opaque);
}

static struct region *debug_exit_regions(void *dev, unsigned i)
{
    return debug_exit_region(dev);
}

static void debug_exit_free(void *dev) { debug_exit_destroy(dev); }

/* ---- the PIIX3's ISA bridge function ---- */

static void *piix3_new(struct board *b, const struct board_device *d)
{
    struct pci_device *pd = calloc(1, sizeof *pd);
    if (pd && piix3_init(pd, &b->pci.bus, d->devfn) < 0) {
        free(pd);
        return NULL;
    }
    return pd;
}

static struct pci_device *piix3_pci(void *dev) { return dev; }
static void piix3_free(void *dev) { free(dev); }

/* ---- the 82540EM ---- */

static void *e1000_new(struct board *b, const struct board_device *d)
{
    struct e1000 *e = e1000dev_create(&b->pci.bus, d->devfn, b->cfg.mac);
    if (!e)
        return NULL;
    if (b->loop)
        e1000dev_attach_loop(e, b->loop);
    e1000dev_attach_diag(e, b->diag);
    return e;
}

static struct pci_device *e1000_pci_fn(void *dev) { return e1000dev_pci(dev); }
static void e1000_free(void *dev) { e1000dev_destroy(dev); }

static void e1000_qtree(const struct board_slot *s, FILE *out, int ind)
{
    uint8_t mac[6];
    e1000dev_mac(s->dev, mac);
    fprintf(out, "%*smac = \"", ind, "");
    board_print_mac(out, mac);
    fprintf(out, "\"\n%*snetdev = \"%s\"\n", ind, "",
            s->backend ? user_net_client(s->backend)->name : "");
}

static void e1000_set_link_fn(void *dev, bool up) { e1000dev_set_link(dev, up); }
static bool e1000_link_fn(const void *dev) { return e1000dev_link(dev); }
static void e1000_mac_fn(const void *dev, uint8_t mac[6]) { e1000dev_mac(dev, mac); }
static void e1000_frames_fn(const void *dev, uint64_t *tx, uint64_t *rx)
{
    e1000dev_frames(dev, tx, rx);
}
static struct net_client *e1000_client(void *dev) { return e1000dev_net_client(dev); }
static void e1000_stats(const void *dev, FILE *out) { e1000dev_rx_stats_print(dev, out); }
static void e1000_info_fn(void *dev, FILE *out) { e1000dev_info(dev, out); }
static void e1000_delay(void *dev, uint64_t ns) { e1000dev_set_dma_delay(dev, ns); }

static const struct board_nic e1000_nic = {
    .model = "e1000", .set_link = e1000_set_link_fn, .link = e1000_link_fn,
    .mac = e1000_mac_fn, .frames = e1000_frames_fn, .client = e1000_client,
    .print_stats = e1000_stats,
};

#define U(n, v) { PROP_UINT, n, v }

/* In creation order: the PIC first, whose inputs the others drive.
 * `info qtree` lists the ISA bus newest first, as QEMU does. */
const struct board_device board_pc[] = {
    { .name = "pic", .create = pic_new, .destroy = pic_free, .region = pic_regions,
      .ports = { PIC1_CMD, PIC2_CMD, PIC_ELCR1 }, .irq = -1,
      .qtree = { { "isa-i8259", { U("iobase", PIC2_CMD), U("elcr_addr", PIC_ELCR2),
                                  { PROP_BOOL, "master", 0 } } },
                 { "isa-i8259", { U("iobase", PIC1_CMD), U("elcr_addr", PIC_ELCR1),
                                  { PROP_BOOL, "master", 1 } } } } },
    { .name = "rtc", .create = rtc_new, .destroy = rtc_free, .region = rtc_regions,
      .ports = { RTC_PORT_INDEX }, .irq = RTC_IRQ, .start = rtc_go,
      .qtree = { { "mc146818rtc", { U("iobase", RTC_PORT_INDEX), U("irq", RTC_IRQ),
                                    { PROP_ISA_IRQ, NULL, RTC_IRQ } } } } },
    { .name = "pit", .create = pit_new, .destroy = pit_free, .region = pit_regions,
      .ports = { PIT_CH0 }, .irq = PIT_IRQ,
      .qtree = { { "isa-pit", { U("iobase", PIT_CH0) } } } },
    { .name = "serial", .create = serial_new, .destroy = serial_free, .region = serial_regions,
      .ports = { COM1_BASE }, .irq = COM1_IRQ,
      .qtree = { { "isa-serial", { U("index", 0), U("iobase", COM1_BASE), U("irq", COM1_IRQ),
                                   { PROP_ISA_IRQ, NULL, COM1_IRQ } } } } },
    { .name = "debug-exit", .create = debug_exit_new, .destroy = debug_exit_free,
      .region = debug_exit_regions, .ports = { DEBUG_EXIT_PORT }, .irq = -1,
      .qtree = { { "isa-debug-exit", { U("iobase", DEBUG_EXIT_PORT), U("iosize", 1) } } } },
    /* Its COMMAND as QEMU's firmware leaves it is already set at reset. */
    { .name = "piix3", .create = piix3_new, .destroy = piix3_free, .pci = piix3_pci,
      .devfn = PCI_DEVFN(PCI_SLOT_ISA, 0), .irq = -1, .isa_bus = true },
    /* SeaBIOS's BARs, decoding on; bus mastering stays off, as firmware
     * leaves a NIC it did not boot from: the driver enables it. */
    { .name = "e1000", .create = e1000_new, .destroy = e1000_free, .pci = e1000_pci_fn,
      .devfn = PCI_DEVFN(PCI_SLOT_E1000, 0), .irq = PCI_E1000_IRQ,
      .bars = { E1000_BAR0_ADDR, E1000_BAR1_ADDR },
      .command = PCI_COMMAND_IO | PCI_COMMAND_MEMORY, .qtree_props = e1000_qtree,
      .nic = &e1000_nic, .info = e1000_info_fn, .dma_delay = e1000_delay,
      .info_help = "the e1000's registers and rings as the device sees them" },
};

const unsigned board_pc_count = sizeof board_pc / sizeof board_pc[0];
