/*
 * `info qtree`: the device tree, in QEMU's layout: the PCI functions on
 * the bus, each with what its board entry (board_pc.c) adds, and the
 * ISA devices below the bridge that carries them.
 */
#include <inttypes.h>
#include "debug/info.h"
#include "hw/pci.h"
#include "machine.h"

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
        const struct pci_bar_state *bar = &d->bars[i];
        if (!bar->size)
            continue;
        uint64_t addr = bar->mapped ? bar->addr : UINT64_MAX;
        fprintf(out, "%*sbar %d: %s at 0x%" PRIx64 " [0x%" PRIx64 "]\n", ind, "", i,
                bar->type & PCI_BASE_ADDRESS_SPACE_IO ? "i/o" : "mem", addr,
                addr + bar->size - 1);
    }
}

void info_qtree(struct machine *m, const char *args, FILE *out)
{
    const struct board *b = &m->board;
    fprintf(out, "bus: main-system-bus\n  type System\n");
    fprintf(out, "  dev: i440FX-pcihost, id \"\"\n");
    fprintf(out, "    bus: %s\n      type PCI\n", b->pci.bus.name);
    /* Newest first, as QEMU lists children. */
    for (int devfn = PCI_MAX_DEV * PCI_MAX_FN - 1; devfn >= 0; devfn--) {
        const struct pci_device *d = b->pci.bus.devs[devfn];
        if (!d)
            continue;
        fprintf(out, "      dev: %s, id \"\"\n", d->name);
        const struct board_slot *s = board_slot_of(b, d);
        if (s && s->desc->qtree_props)
            s->desc->qtree_props(s, out, 8);
        pci_dev(out, d, 8);
        if (s && s->desc->isa_bus) {
            fprintf(out, "        bus: isa.0\n          type ISA\n");
            board_qtree_isa(b, out, 10);
        }
    }
}
