/*
 * PCI configuration space and configuration mechanism #1, as the PCI
 * Local Bus Specification 3.0 names them, plus the machine's fixed
 * addresses: where firmware (pcemu) places the BARs and which IRQ INTA of
 * each slot is routed to.
 */
#ifndef CONTRACT_PCI_H
#define CONTRACT_PCI_H

/* Configuration mechanism #1 */
#define PCI_CONFIG_ADDRESS      0xcf8
#define PCI_CONFIG_DATA         0xcfc
#define PCI_CONFIG_ENABLE       0x80000000u
#define PCI_CONFIG_ADDR(bus, dev, fn, reg) \
    (PCI_CONFIG_ENABLE | ((unsigned)(bus) << 16) | ((unsigned)(dev) << 11) | \
     ((unsigned)(fn) << 8) | ((unsigned)(reg) & 0xfc))

#define PCI_MAX_BUS             256
#define PCI_MAX_DEV             32
#define PCI_MAX_FN              8
#define PCI_CONFIG_SIZE         256

/* Type 0 and common header */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define PCI_STATUS              0x06
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a    /* class << 8 | subclass */
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define PCI_BIST                0x0f
#define PCI_BASE_ADDRESS_0      0x10
#define PCI_NUM_BARS            6
#define PCI_CARDBUS_CIS         0x28
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_MIN_GNT             0x3e
#define PCI_MAX_LAT             0x3f

/* Type 1 (PCI-to-PCI bridge) header */
#define PCI_PRIMARY_BUS         0x18
#define PCI_SECONDARY_BUS       0x19
#define PCI_SUBORDINATE_BUS     0x1a

#define PCI_HEADER_TYPE_NORMAL  0x00
#define PCI_HEADER_TYPE_BRIDGE  0x01
#define PCI_HEADER_TYPE_MASK    0x7f
#define PCI_HEADER_MULTIFUNCTION 0x80

#define PCI_COMMAND_IO          0x0001
#define PCI_COMMAND_MEMORY      0x0002
#define PCI_COMMAND_MASTER      0x0004
#define PCI_COMMAND_SPECIAL     0x0008
#define PCI_COMMAND_INVALIDATE  0x0010
#define PCI_COMMAND_PARITY      0x0040
#define PCI_COMMAND_SERR        0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400

#define PCI_STATUS_INTERRUPT    0x0008
#define PCI_STATUS_CAP_LIST     0x0010
#define PCI_STATUS_66MHZ        0x0020
#define PCI_STATUS_FAST_BACK    0x0080
#define PCI_STATUS_PARITY       0x0100
#define PCI_STATUS_DEVSEL_MEDIUM 0x0200
#define PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define PCI_STATUS_REC_TARGET_ABORT 0x1000
#define PCI_STATUS_REC_MASTER_ABORT 0x2000
#define PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define PCI_STATUS_DETECTED_PARITY 0x8000
/* the error bits software clears by writing 1 */
#define PCI_STATUS_W1C          0xf900

#define PCI_BASE_ADDRESS_SPACE_IO   0x01
#define PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x06
#define PCI_BASE_ADDRESS_MEM_TYPE_32   0x00
#define PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define PCI_BASE_ADDRESS_MEM_MASK   (~0x0fu)
#define PCI_BASE_ADDRESS_IO_MASK    (~0x03u)

#define PCI_INTERRUPT_PIN_NONE  0
#define PCI_INTERRUPT_PIN_A     1

/* Class codes (base class << 8 | subclass) */
#define PCI_CLASS_NETWORK_ETHERNET 0x0200
#define PCI_CLASS_BRIDGE_HOST   0x0600
#define PCI_CLASS_BRIDGE_ISA    0x0601
#define PCI_CLASS_BRIDGE_PCI    0x0604

/* The machine's devices */
#define PCI_VENDOR_INTEL        0x8086
#define PCI_DEVICE_I440FX       0x1237
#define PCI_DEVICE_PIIX3_ISA    0x7000
#define PCI_DEVICE_82540EM      0x100e
#define PCI_SUBVENDOR_QEMU      0x1af4
#define PCI_SUBDEVICE_QEMU      0x1100

#define PCI_SLOT_HOST           0       /* 00:00.0 */
#define PCI_SLOT_ISA            1       /* 00:01.0 */
#define PCI_SLOT_E1000          3       /* 00:03.0 */

/* Where pcemu, like SeaBIOS on QEMU, places the e1000's BARs, and the
 * IRQ INTA is routed to. */
#define E1000_BAR0_ADDR         0xfebc0000u
#define E1000_BAR0_SIZE         0x20000u
#define E1000_BAR1_ADDR         0xc000u
#define E1000_BAR1_SIZE         0x40u
#define PCI_E1000_IRQ           11

/* Windows a guest assigns BARs from when firmware left them zero. */
#define PCI_MMIO_WINDOW_BASE    0xe0000000u
#define PCI_MMIO_WINDOW_END     0xfec00000u    /* exclusive */
#define PCI_IO_WINDOW_BASE      0xc000u
#define PCI_IO_WINDOW_END       0x10000u       /* exclusive */

/* Base class and subclass (PCI 3.0, appendix D) by the names lspci and
 * QEMU's `info pci` give them; NULL for a class not listed. */
static inline const char *pci_class_name(unsigned class_code)
{
    static const struct { unsigned short code; const char *name; } classes[] = {
        { 0x0100, "SCSI controller" }, { 0x0101, "IDE controller" },
        { 0x0200, "Ethernet controller" }, { 0x0280, "Network controller" },
        { 0x0300, "VGA controller" }, { 0x0600, "Host bridge" }, { 0x0601, "ISA bridge" },
        { 0x0604, "PCI bridge" }, { 0x0680, "Bridge" }, { 0x0700, "Serial port" },
        { 0x0c03, "USB controller" },
    };
    for (unsigned i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (classes[i].code == class_code)
            return classes[i].name;
    return 0;
}

#endif
