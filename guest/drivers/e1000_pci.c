/*
 * The PCI side of the e1000 driver: the ID table, probe and remove, the
 * list of bound NICs and their interrupt line, the rings' memory. Given
 * to the lab's students (guest/lab/e1000.c), shared with the reference
 * driver (guest/drivers/e1000.c); both builds link it. Probe calls the
 * driver's steps, in the manual's order, through the functions
 * e1000_drv.h lists under "what each driver implements".
 */
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "clock.h"
#include "heap.h"
#include "irq.h"
#include "kernel.h"
#include "netdev.h"
#include "usermode.h"

/* The parts whose registers this driver's use fits: EERD with the
 * 82540's layout (DONE bit 4, address from bit 8; the 82541 and 82547
 * differ, the 82544 has none), a copper PHY answering MDIC at address 1
 * (the fiber and SerDes parts have none), and BAR0 for the registers. */
#define INTEL(dev) { PCI_VENDOR_INTEL, (dev), 0, 0 }

static const struct pci_device_id e1000_ids[] = {
    INTEL(0x100e), INTEL(0x1015),                     /* 82540EM, 82540EM LOM */
    INTEL(0x1016), INTEL(0x1017), INTEL(0x101e),      /* 82540EP LOM, 82540EP, 82540EP LP */
    INTEL(0x100f),                                    /* 82545EM copper */
    INTEL(0x1026),                                    /* 82545GM copper */
    INTEL(0x1010), INTEL(0x101d),                     /* 82546EB copper, quad copper */
    INTEL(0x1079), INTEL(0x108a),                     /* 82546GB copper, on PCIe */
    INTEL(0x1099), INTEL(0x10b5),                     /* 82546GB quad copper */
    { 0, 0, 0, 0 },
};

unsigned e1000_probe_calls, e1000_remove_calls;
const unsigned e1000_ring_size = E1000_NDESC;
static struct e1000_nic *first_nic;   /* lowest bus address; ->next to the others */

struct e1000_nic *e1000_first(void)
{
    return first_nic;
}

/* ---- the rings' memory ---- */

/* One 2 KiB buffer per descriptor. The descriptor arrays are 16-byte
 * aligned (the heap's alignment; the device ignores the low four bits
 * of a ring base) and 256 x 16 bytes long, a multiple of the 128 bytes
 * TDLEN and RDLEN must be. Every receive descriptor points at its
 * buffer (the kernel maps memory one to one: a buffer's address is its
 * bus address, 3.2.3); every transmit descriptor starts out done (DD),
 * that is free. */
static int e1000_alloc_rings(struct e1000_nic *nic)
{
    nic->txd = kzalloc(E1000_NDESC * sizeof *nic->txd);
    nic->rxd = kzalloc(E1000_NDESC * sizeof *nic->rxd);
    /* the buffers are not cleared: the driver copies each frame in
     * before it is sent and the device writes each before it is read,
     * and zeroing 1 MiB would fault in 256 fresh pages at probe, each
     * costly under shadow paging (docs/results.md) */
    nic->txbuf = kmalloc(E1000_NDESC * E1000_BUFSZ);
    nic->rxbuf = kmalloc(E1000_NDESC * E1000_BUFSZ);
    if (!nic->txd || !nic->rxd || !nic->txbuf || !nic->rxbuf)
        return -1;
    for (unsigned i = 0; i < E1000_NDESC; i++) {
        nic->rxd[i].buffer_addr = (uint64_t)(uintptr_t)(nic->rxbuf + i * E1000_BUFSZ);
        nic->txd[i].status = E1000_TXD_STAT_DD;      /* free */
    }
    nic->tx_next = nic->tx_clean = nic->rx_next = nic->rx_owed = 0;
    nic->ctx_tcp = -1;                      /* no context descriptor yet */
    return 0;
}

static void e1000_free_rings(struct e1000_nic *nic)
{
    kfree((void *)nic->txd);
    kfree((void *)nic->rxd);
    kfree(nic->txbuf);
    kfree(nic->rxbuf);
}

/* ---- the interrupt line ---- */

/* Every NIC on the line is asked: two on one line (or a NIC whose line
 * another shares) must each have their cause read, or a level-triggered
 * line stays asserted for ever. */
static void e1000_irq(int irq)
{
    for (struct e1000_nic *nic = first_nic; nic; nic = nic->next)
        if (nic->pci->irq_line == irq)
            e1000_nic_irq(nic);
}

/* ---- host-specific: the register conversation at CPL 0 ---- */

/* On a host whose KVM emulates CPL 0 (PVM, usermode.h), an MMIO access
 * from CPL 3 costs about twice what it costs from CPL 0: probe's long
 * runs of register accesses (the EEPROM's 64 reads, the ring registers)
 * are made in one kcall there (docs/results.md has the EEPROM's). Elsewhere
 * kcall is a plain call. Printing is left to the caller: formatting text
 * at CPL 0 is slow where every instruction there is emulated. Nothing
 * here is the manual's. */
struct at_cpl0 {
    int (*fn)(struct e1000_nic *nic, void *arg);
    struct e1000_nic *nic;
    void *arg;
};

static uint64_t at_cpl0_k(uint64_t a)
{
    struct at_cpl0 *c = (struct at_cpl0 *)a;
    return (uint64_t)(int64_t)c->fn(c->nic, c->arg);
}

static int registers_at_cpl0(int (*fn)(struct e1000_nic *, void *), struct e1000_nic *nic,
                             void *arg)
{
    struct at_cpl0 c = { fn, nic, arg };
    return (int)(int64_t)kcall(at_cpl0_k, (uint64_t)&c);
}

/* ---- probe and remove ---- */

enum { BRING_UP_OK, BRING_UP_EEPROM, BRING_UP_CHECKSUM, BRING_UP_PHY };

struct bring_up {
    uint16_t sum;           /* of the EEPROM's words */
    bool was_running;       /* receiver or transmitter found enabled */
};

/* Reset, the MAC address, the PHY and link: one register conversation */
static int bring_up(struct e1000_nic *nic, void *arg)
{
    struct bring_up *b = arg;
    b->was_running = e1000_reset(nic);
    int r = e1000_read_mac_address(nic, &b->sum);
    if (r != EEPROM_OK)
        return r == EEPROM_TIMEOUT ? BRING_UP_EEPROM : BRING_UP_CHECKSUM;
    if (e1000_link_setup(nic) < 0)
        return BRING_UP_PHY;
    return BRING_UP_OK;
}

/* The rings and interrupt moderation: the other one */
static int start_rings(struct e1000_nic *nic, void *arg)
{
    e1000_tx_init(nic);
    e1000_rx_init(nic);
    e1000_irq_init(nic);
    return 0;
}

static int fail(struct pci_dev *pci, const char *why)
{
    printf("# e1000 %02x:%02x.%x: probe failed: %s\n", pci->bus, pci->dev, pci->fn, why);
    return -1;
}

/* The registers are BAR0 on every 8254x, 64-bit (taking BAR1 too) on
 * the 82545 and 82546; the I/O window (IOADDR, IODATA) is the first I/O
 * BAR, after the optional flash: BAR1 on QEMU's 82540EM, BAR2 on
 * VirtualBox's, BAR4 on VMware's 82545EM. */
static const struct pci_bar *io_bar(const struct pci_dev *pci)
{
    for (int i = 1; i < PCI_NUM_BARS; i++)
        if (pci->bars[i].size && pci->bars[i].io && pci->bars[i].addr)
            return &pci->bars[i];
    return NULL;
}

static unsigned pci_addr_key(const struct pci_dev *d)
{
    return (unsigned)d->bus << 8 | (unsigned)d->dev << 3 | d->fn;
}

static const char *const decoding_names[4] = { "off", "I/O", "memory", "memory+I/O" };

static int e1000_probe(struct pci_dev *pci, const struct pci_device_id *id)
{
    e1000_probe_calls++;
    const struct pci_bar *mmio = &pci->bars[0], *io = io_bar(pci);
    if (!mmio->size || mmio->io || !mmio->addr)
        return fail(pci, "BAR0 is not a usable memory BAR");
    struct e1000_nic *nic = kzalloc(sizeof *nic);
    if (!nic)
        return fail(pci, "out of memory");
    /* decoding on, bus mastering off until the reset has the device
     * quiet: firmware may have left it running into memory now ours */
    uint16_t found = pci_enable_decoding(pci);
    nic->pci = pci;
    nic->regs = pci_map_bar(pci, 0);
    if (!nic->regs) {
        kfree(nic);
        return fail(pci, "BAR0 is beyond what the kernel can map");
    }
    nic->io_base = io ? (uint16_t)io->addr : 0;

    struct bring_up b = { 0 };
    int r = registers_at_cpl0(bring_up, nic, &b);
    if (r != BRING_UP_OK) {
        kfree(nic);
        if (r == BRING_UP_EEPROM)
            return fail(pci, "EEPROM read timed out (EERD.DONE never set)");
        if (r == BRING_UP_PHY)
            return fail(pci, "no PHY answers at MDIC address 1");
        printf("# e1000: EEPROM checksum 0x%04x, expected 0x%04x\n", b.sum, E1000_EEPROM_SUM);
        return fail(pci, "bad EEPROM checksum");
    }
    /* the link partner answers autonegotiation at once on pcemu, after
     * about 500 ms on QEMU; a link that stays down is a missing cable
     * (or CTRL.SLU not set) */
    uint64_t waited = 0;
    while (!(e1000_read(nic, E1000_STATUS) & E1000_STATUS_LU) && waited < E1000_LINK_WAIT_MS) {
        delay_us(1000);
        waited++;
    }
    if (!(e1000_read(nic, E1000_STATUS) & E1000_STATUS_LU)) {
        kfree(nic);
        char why[120];
        snprintf(why, sizeof why, "no link: STATUS.LU still clear %u ms after reset "
                 "(cable out? `set_link e1000 on` in pcemu's monitor)", E1000_LINK_WAIT_MS);
        return fail(pci, why);
    }

    if (e1000_alloc_rings(nic) < 0) {
        e1000_free_rings(nic);
        kfree(nic);
        return fail(pci, "out of memory for the rings");
    }
    e1000_bus_master_on(nic);
    registers_at_cpl0(start_rings, nic, NULL);
    pci->driver_data = nic;
    /* in bus order, so the first stays the first across unbind/bind */
    struct e1000_nic **pp = &first_nic;
    while (*pp && pci_addr_key((*pp)->pci) < pci_addr_key(pci))
        pp = &(*pp)->next;
    nic->next = *pp;
    *pp = nic;
    if (pci->irq_line && pci->irq_line < 16) {
        irq_register(pci->irq_line, e1000_irq);
        irq_unmask(pci->irq_line);
        e1000_irqs_on(nic);
    }
    nic->netdev.name = "e1000";
    memcpy(nic->netdev.mac, nic->mac, 6);
    e1000_netdev_init(nic);
    netdev_register(&nic->netdev);
    printf("# e1000 %02x:%02x.%x: MAC %02x:%02x:%02x:%02x:%02x:%02x, PHY %04x:%04x, "
           "irq %u; as found: decoding %s, bus master %s, %s\n", pci->bus, pci->dev, pci->fn,
           nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5],
           nic->phy_id1, nic->phy_id2, pci->irq_line,
           decoding_names[found & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)],
           found & PCI_COMMAND_MASTER ? "on" : "off",
           b.was_running ? "running (stopped and reset)" : "idle");
    return 0;
}

static void e1000_remove(struct pci_dev *pci)
{
    e1000_remove_calls++;
    struct e1000_nic *nic = pci->driver_data;
    netdev_unregister(&nic->netdev);
    e1000_write(nic, E1000_IMC, 0xffffffff);
    e1000_write(nic, E1000_RCTL, 0);
    e1000_write(nic, E1000_TCTL, 0);
    /* stop its DMA before the memory goes away */
    pci_write16(pci, PCI_COMMAND, pci_read16(pci, PCI_COMMAND) & ~PCI_COMMAND_MASTER);
    for (struct e1000_nic **pp = &first_nic; *pp; pp = &(*pp)->next)
        if (*pp == nic) {
            *pp = nic->next;
            break;
        }
    e1000_free_rings(nic);
    kfree(nic);
}

const struct pci_driver e1000_driver = {
    .name = "e1000",
    .id_table = e1000_ids,
    .probe = e1000_probe,
    .remove = e1000_remove,
};
PCI_DRIVER(e1000_driver);
