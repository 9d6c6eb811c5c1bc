/* `info pci`: every function on the bus, as QEMU lists them, with the
 * command and status registers decoded besides. */
#include <inttypes.h>
#include "debug/info.h"
#include "hw/pci.h"
#include "machine.h"

/* COMMAND and STATUS by the PCI specification's names (6.2.2, 6.2.3):
 * a driver that forgot bus mastering or decoding sees it here. */
static const struct { uint16_t bit; const char *name; } command_bits[] = {
    { PCI_COMMAND_IO, "I/O" }, { PCI_COMMAND_MEMORY, "memory" },
    { PCI_COMMAND_MASTER, "bus-master" }, { PCI_COMMAND_SPECIAL, "special" },
    { PCI_COMMAND_INVALIDATE, "mem-write-invalidate" }, { PCI_COMMAND_PARITY, "parity" },
    { PCI_COMMAND_SERR, "SERR" }, { PCI_COMMAND_INTX_DISABLE, "INTx-disable" },
}, status_bits[] = {
    { PCI_STATUS_INTERRUPT, "interrupt" }, { PCI_STATUS_CAP_LIST, "capabilities" },
    { PCI_STATUS_66MHZ, "66MHz" }, { PCI_STATUS_FAST_BACK, "fast-back-to-back" },
    { PCI_STATUS_PARITY, "master-parity-error" },
    { PCI_STATUS_SIG_TARGET_ABORT, "signaled-target-abort" },
    { PCI_STATUS_REC_TARGET_ABORT, "received-target-abort" },
    { PCI_STATUS_REC_MASTER_ABORT, "received-master-abort" },
    { PCI_STATUS_SIG_SYSTEM_ERROR, "signaled-system-error" },
    { PCI_STATUS_DETECTED_PARITY, "detected-parity-error" },
};

#define NBITS(t) (sizeof t / sizeof t[0])

static void print_bits(FILE *out, uint16_t v, const __typeof__(command_bits[0]) *bits, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v & bits[i].bit)
            fprintf(out, " %s", bits[i].name);
}

static void print_command_status(const uint8_t *c, FILE *out)
{
    static const char *const devsel[4] = { "fast", "medium", "slow", "reserved" };
    uint16_t cmd = pci_get_word(c + PCI_COMMAND), st = pci_get_word(c + PCI_STATUS);
    fprintf(out, "      COMMAND 0x%04x:", cmd);
    print_bits(out, cmd, command_bits, NBITS(command_bits));
    if (!(cmd & PCI_COMMAND_MASTER))
        fprintf(out, " (no bus mastering: no DMA)");
    fprintf(out, "\n      STATUS 0x%04x:", st);
    print_bits(out, st, status_bits, NBITS(status_bits));
    fprintf(out, " DEVSEL=%s\n", devsel[(st >> 9) & 3]);
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
    print_command_status(c, out);
    if (c[PCI_INTERRUPT_PIN])
        fprintf(out, "      IRQ %d, pin %c\n", c[PCI_INTERRUPT_LINE],
                'A' + c[PCI_INTERRUPT_PIN] - 1);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        const struct pci_bar_state *bar = &d->bars[i];
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
        const struct pci_device *d = m->board.pci.bus.devs[devfn];
        if (d)
            print_function(d, out);
    }
}
