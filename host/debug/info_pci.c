/* `info pci`: every function on the bus, as QEMU lists them. */
#include <inttypes.h>
#include "debug/info.h"
#include "hw/pci.h"
#include "machine.h"

static const struct { unsigned code; const char *name; } classes[] = {
    { 0x0100, "SCSI controller" },
    { 0x0101, "IDE controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0280, "Network controller" },
    { 0x0300, "VGA controller" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0680, "Bridge" },
    { 0x0700, "Serial port" },
    { 0x0c03, "USB controller" },
};

const char *pci_class_name(unsigned class_code)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (classes[i].code == class_code)
            return classes[i].name;
    return NULL;
}

static void print_function(const struct pci_device *d, FILE *out)
{
    const uint8_t *c = d->config;
    unsigned class_code = pci_get_word(c + PCI_CLASS_DEVICE);
    const char *cname = pci_class_name(class_code);
    fprintf(out, "  Bus %2d, device %3d, function %d:\n", 0, PCI_SLOT(d->devfn),
            PCI_FUNC(d->devfn));
    if (cname)
        fprintf(out, "    %s", cname);
    else
        fprintf(out, "    Class %04x", class_code);
    fprintf(out, ": PCI device %04x:%04x\n", pci_get_word(c + PCI_VENDOR_ID),
            pci_get_word(c + PCI_DEVICE_ID));
    fprintf(out, "      PCI subsystem %04x:%04x\n", pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID),
            pci_get_word(c + PCI_SUBSYSTEM_ID));
    if (c[PCI_INTERRUPT_PIN])
        fprintf(out, "      IRQ %d, pin %c\n", c[PCI_INTERRUPT_LINE],
                'A' + c[PCI_INTERRUPT_PIN] - 1);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        const struct pci_bar *bar = &d->bars[i];
        if (!bar->size)
            continue;
        /* An unmapped BAR shows at all ones, as QEMU shows it. */
        uint64_t addr = bar->mapped ? bar->addr : UINT64_MAX;
        if (bar->type & PCI_BASE_ADDRESS_SPACE_IO)
            fprintf(out, "      BAR%d: I/O at 0x%04" PRIx64 " [0x%04" PRIx64 "].\n", i, addr,
                    addr + bar->size - 1);
        else
            fprintf(out, "      BAR%d: %d bit%s memory at 0x%08" PRIx64 " [0x%08" PRIx64 "].\n",
                    i, bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64 ? 64 : 32,
                    bar->type & PCI_BASE_ADDRESS_MEM_PREFETCH ? " prefetchable" : "", addr,
                    addr + bar->size - 1);
    }
    fprintf(out, "      id \"\"\n");
}

void info_pci(struct machine *m, const char *args, FILE *out)
{
    for (unsigned devfn = 0; devfn < PCI_MAX_DEV * PCI_MAX_FN; devfn++) {
        const struct pci_device *d = m->pci.bus.devs[devfn];
        if (d)
            print_function(d, out);
    }
}
