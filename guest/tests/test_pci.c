/* PCI as the guest sees it on pcemu and on QEMU: the functions at their
 * addresses, the e1000's BARs by the sizing protocol, the bindings. */
#include "e1000_drv.h"
#include "kernel.h"
#include "pci.h"
#include "tap.h"

/* A function the board has, as its configuration header names it (PCI
 * 3.0 6.2.1), with what each check is called. */
struct pci_want {
    unsigned slot;
    uint16_t device;
    uint32_t class_code;
    const char *found, *vendor, *device_is, *class_is;
};

static const struct pci_want want_host_bridge = {
    PCI_SLOT_HOST, PCI_DEVICE_I440FX, PCI_CLASS_BRIDGE_HOST,
    "a function at 00:00.0", "00:00.0 vendor", "00:00.0 device (i440FX)", "00:00.0 class",
};

static const struct pci_want want_e1000 = {
    PCI_SLOT_E1000, PCI_DEVICE_82540EM, PCI_CLASS_NETWORK_ETHERNET,
    "a function at 00:03.0", "00:03.0 vendor", "00:03.0 device (82540EM)", "00:03.0 class",
};

/* The function at 00:slot.0, an Intel one of that device and class; NULL
 * when there is none. */
static struct pci_dev *expect_function(struct tap *t, const struct pci_want *w)
{
    struct pci_dev *d = pci_find(0, w->slot, 0);
    EXPECT_TRUE(t, d != NULL, w->found);
    if (!d)
        return NULL;
    EXPECT_EQ(t, PCI_VENDOR_INTEL, d->vendor, w->vendor);
    EXPECT_EQ(t, w->device, d->device, w->device_is);
    EXPECT_EQ(t, w->class_code, d->class_code, w->class_is);
    return d;
}

SELFTEST(50, pci_host_bridge)
{
    expect_function(t, &want_host_bridge);
}

SELFTEST(51, pci_e1000_found)
{
    struct pci_dev *d = expect_function(t, &want_e1000);
    if (!d)
        return;
    EXPECT_EQ(t, PCI_INTERRUPT_PIN_A, d->irq_pin, "interrupt pin");
    EXPECT_TRUE(t, d->irq_line != 0 && d->irq_line < 16, "interrupt line routed to an ISA IRQ");
}

SELFTEST(52, pci_e1000_bars)
{
    struct pci_dev *d = pci_find(0, PCI_SLOT_E1000, 0);
    if (!d) {
        tap_fail(t, "e1000 present", "00:03.0", "nothing");
        return;
    }
    uint32_t before0 = pci_read32(d, PCI_BASE_ADDRESS_0);
    struct pci_bar b0 = pci_size_bar(d, 0), b1 = pci_size_bar(d, 1);
    EXPECT_EQ(t, E1000_BAR0_SIZE, b0.size, "BAR0 size by sizing");
    EXPECT_TRUE(t, !b0.io && !b0.mem64, "BAR0 is 32-bit memory");
    EXPECT_EQ(t, E1000_BAR1_SIZE, b1.size, "BAR1 size by sizing");
    EXPECT_TRUE(t, b1.io, "BAR1 is I/O");
    EXPECT_EQ(t, before0, pci_read32(d, PCI_BASE_ADDRESS_0), "BAR0 value restored after sizing");
    EXPECT_TRUE(t, b0.addr != 0 && b1.addr != 0, "both BARs have addresses");
}

SELFTEST(53, pci_bindings)
{
    struct pci_dev *nic = pci_find(0, PCI_SLOT_E1000, 0);
    EXPECT_TRUE(t, nic && nic->driver == &e1000_driver, "00:03.0 bound to e1000");
    struct pci_dev *host = pci_find(0, PCI_SLOT_HOST, 0), *isa = pci_find(0, 1, 0);
    EXPECT_TRUE(t, host && !host->driver, "the host bridge 00:00.0 found and unbound");
    EXPECT_TRUE(t, isa && isa->vendor == PCI_VENDOR_INTEL && isa->device == 0x7000 &&
                   !isa->driver, "the ISA bridge 00:01.0 (8086:7000) found and unbound");
    for (struct pci_dev *d = pci_devices(); d; d = d->next)
        if ((d->class_code >> 8) == 0x06 && d->driver)
            tap_fail(t, "bridges are bound to no driver", "none", d->driver->name);
    EXPECT_TRUE(t, nic && nic->driver_data != NULL, "probe kept its state");
}

SELFTEST(54, pci_unbind_rebind)
{
    struct pci_dev *nic = pci_find(0, PCI_SLOT_E1000, 0);
    if (!nic) {
        tap_fail(t, "e1000 present", "00:03.0", "nothing");
        return;
    }
    unsigned probes = e1000_probe_calls, removes = e1000_remove_calls;
    pci_unbind(nic);
    EXPECT_EQ(t, removes + 1, e1000_remove_calls, "remove calls after unbind");
    EXPECT_TRUE(t, nic->driver == NULL, "unbound");
    EXPECT_EQ(t, 0, (uint64_t)pci_bind(nic), "rebind succeeds");
    EXPECT_EQ(t, probes + 1, e1000_probe_calls, "probe calls after rebind");
    EXPECT_EQ(t, removes + 1, e1000_remove_calls, "no further remove");
    EXPECT_TRUE(t, nic->driver == &e1000_driver, "bound to e1000 again");
}

/* The driver's ID table holds only the parts it can drive (the copper
 * 82540, 82545 and 82546, whose EERD and PHY it uses): a function is
 * matched by vendor and device alone. */
SELFTEST(55, pci_e1000_id_table)
{
    static const struct { uint16_t vendor, device; bool match; } cases[] = {
        { PCI_VENDOR_INTEL, 0x100e, true },     /* 82540EM, the one pcemu and QEMU have */
        { PCI_VENDOR_INTEL, 0x100f, true },     /* 82545EM copper (VMware's) */
        { PCI_VENDOR_INTEL, 0x1079, true },     /* 82546GB copper */
        { PCI_VENDOR_INTEL, 0x1000, false },    /* 82542: no EERD, no MDIC PHY */
        { PCI_VENDOR_INTEL, 0x1011, false },    /* 82545EM fiber: no copper PHY */
        { PCI_VENDOR_INTEL, 0x1075, false },    /* 82547GI: another EERD layout */
        { PCI_VENDOR_INTEL, 0x10d3, false },    /* 82574L: e1000e's */
        { PCI_VENDOR_INTEL, 0x7000, false },    /* the PIIX3 */
        { 0x8087, 0x100e, false },              /* the right device, another vendor */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        struct pci_dev d = { .vendor = cases[i].vendor, .device = cases[i].device,
                             .class_code = PCI_CLASS_NETWORK_ETHERNET };
        bool got = pci_match_id(e1000_driver.id_table, &d) != NULL;
        if (got != cases[i].match)
            tap_failf(t, "e1000 ID table match for the device (vendor << 16 | device)",
                      cases[i].match ? "0x%llx matched" : "0x%llx not matched",
                      (unsigned long long)cases[i].vendor << 16 | cases[i].device,
                      got ? "0x%llx matched" : "0x%llx not matched",
                      (unsigned long long)cases[i].vendor << 16 | cases[i].device);
    }
}
