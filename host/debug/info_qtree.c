/*
 * `info qtree`: the device tree, in QEMU's layout. pcemu has no generic
 * property system, so each device's properties are listed here from the
 * machine's own fields.
 */
#include <inttypes.h>
#include "contract/platform.h"
#include "debug/info.h"
#include "hw/e1000.h"
#include "hw/pci.h"
#include "hw/rtc.h"
#include "machine.h"

static void prop_u(FILE *out, int ind, const char *name, uint64_t v)
{
    fprintf(out, "%*s%s = %" PRIu64 " (0x%" PRIx64 ")\n", ind, "", name, v, v);
}

static void pci_dev(FILE *out, const struct pci_device *d, int ind)
{
    const uint8_t *c = d->config;
    unsigned class_code = pci_get_word(c + PCI_CLASS_DEVICE);
    const char *cname = pci_class_name(class_code);
    fprintf(out, "%*saddr = %02x.%x\n", ind, "", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
    fprintf(out, "%*smultifunction = %s\n", ind, "",
            c[PCI_HEADER_TYPE] & PCI_HEADER_MULTIFUNCTION ? "true" : "false");
    fprintf(out, "%*sclass %s, addr 00:%02x.%x, pci id %04x:%04x (sub %04x:%04x)\n", ind, "",
            cname ? cname : "Class", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
            pci_get_word(c + PCI_VENDOR_ID), pci_get_word(c + PCI_DEVICE_ID),
            pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID), pci_get_word(c + PCI_SUBSYSTEM_ID));
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        const struct pci_bar *bar = &d->bars[i];
        if (!bar->size)
            continue;
        uint64_t addr = bar->mapped ? bar->addr : UINT64_MAX;
        fprintf(out, "%*sbar %d: %s at 0x%" PRIx64 " [0x%" PRIx64 "]\n", ind, "", i,
                bar->type & PCI_BASE_ADDRESS_SPACE_IO ? "i/o" : "mem", addr,
                addr + bar->size - 1);
    }
}

static void isa_devices(FILE *out, int ind)
{
    fprintf(out, "%*sdev: isa-debug-exit, id \"\"\n", ind, "");
    prop_u(out, ind + 2, "iobase", DEBUG_EXIT_PORT);
    prop_u(out, ind + 2, "iosize", 1);
    fprintf(out, "%*sdev: isa-serial, id \"\"\n", ind, "");
    prop_u(out, ind + 2, "index", 0);
    prop_u(out, ind + 2, "iobase", COM1_BASE);
    prop_u(out, ind + 2, "irq", COM1_IRQ);
    fprintf(out, "%*sisa irq %d\n", ind + 2, "", COM1_IRQ);
    fprintf(out, "%*sdev: isa-pit, id \"\"\n", ind, "");
    prop_u(out, ind + 2, "iobase", PIT_CH0);
    fprintf(out, "%*sdev: mc146818rtc, id \"\"\n", ind, "");
    prop_u(out, ind + 2, "iobase", RTC_PORT_INDEX);
    prop_u(out, ind + 2, "irq", RTC_IRQ);
    fprintf(out, "%*sisa irq %d\n", ind + 2, "", RTC_IRQ);
    fprintf(out, "%*sdev: isa-i8259, id \"\"\n", ind, "");
    prop_u(out, ind + 2, "iobase", PIC2_CMD);
    prop_u(out, ind + 2, "elcr_addr", PIC_ELCR2);
    fprintf(out, "%*smaster = false\n", ind + 2, "");
    fprintf(out, "%*sdev: isa-i8259, id \"\"\n", ind, "");
    prop_u(out, ind + 2, "iobase", PIC1_CMD);
    prop_u(out, ind + 2, "elcr_addr", PIC_ELCR1);
    fprintf(out, "%*smaster = true\n", ind + 2, "");
}

void info_qtree(struct machine *m, const char *args, FILE *out)
{
    fprintf(out, "bus: main-system-bus\n  type System\n");
    fprintf(out, "  dev: i440FX-pcihost, id \"\"\n");
    fprintf(out, "    bus: %s\n      type PCI\n", m->pci.bus.name);
    /* Newest first, as QEMU lists children. */
    for (int devfn = PCI_MAX_DEV * PCI_MAX_FN - 1; devfn >= 0; devfn--) {
        const struct pci_device *d = m->pci.bus.devs[devfn];
        if (!d)
            continue;
        fprintf(out, "      dev: %s, id \"\"\n", d->name);
        if (d == e1000_pci(m->e1000)) {
            uint8_t mac[6];
            e1000_mac(m->e1000, mac);
            fprintf(out, "        mac = \"%02x:%02x:%02x:%02x:%02x:%02x\"\n", mac[0], mac[1],
                    mac[2], mac[3], mac[4], mac[5]);
            fprintf(out, "        netdev = \"%s\"\n",
                    m->user_net ? user_net_client(m->user_net)->name : "");
        }
        pci_dev(out, d, 8);
        if (d == &m->isa_bridge) {
            fprintf(out, "        bus: isa.0\n          type ISA\n");
            isa_devices(out, 10);
        }
    }
}
