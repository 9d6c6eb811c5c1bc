/*
 * The e1000 driver: the ID table of the 8254x family (the IDs Linux's
 * e1000 driver lists); probe (a device firmware left running stopped,
 * reset through the I/O BAR as Linux resets an 82540, EEPROM read and
 * checksum, MAC, PHY identifier, link, bus mastering, rings,
 * interrupts); a send path that queues descriptors and writes TDT once
 * per batch; a receive path that hands buffers back through RDT.
 *
 * Register accesses go through mmio.h and x86.h only, so the contract
 * tests (tests/contract/) build this file for the host against the
 * device model.
 */
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "clock.h"
#include "heap.h"
#include "irq.h"
#include "kernel.h"
#include "mmio.h"
#include "usermode.h"
#include "x86.h"

#define INTEL(dev) { PCI_VENDOR_INTEL, (dev), 0, 0 }

static const struct pci_device_id e1000_ids[] = {
    INTEL(0x1000), /* 82542 */
    INTEL(0x1001), INTEL(0x1004),                     /* 82543GC */
    INTEL(0x1008), INTEL(0x1009),                     /* 82544EI */
    INTEL(0x100c), INTEL(0x100d),                     /* 82544GC */
    INTEL(0x100e), INTEL(0x1015),                     /* 82540EM */
    INTEL(0x1016), INTEL(0x1017), INTEL(0x101e),      /* 82540EP */
    INTEL(0x100f), INTEL(0x1011),                     /* 82545EM */
    INTEL(0x1026), INTEL(0x1027), INTEL(0x1028),      /* 82545GM */
    INTEL(0x1010), INTEL(0x1012), INTEL(0x101d),      /* 82546EB */
    INTEL(0x1079), INTEL(0x107a), INTEL(0x107b),      /* 82546GB */
    INTEL(0x108a), INTEL(0x1099), INTEL(0x10b5),
    INTEL(0x1013), INTEL(0x1018),                     /* 82541EI */
    INTEL(0x1014), INTEL(0x1078),                     /* 82541ER */
    INTEL(0x1076), INTEL(0x1077), INTEL(0x107c),      /* 82541GI */
    INTEL(0x1019), INTEL(0x101a),                     /* 82547EI */
    INTEL(0x1075),                                    /* 82547GI */
    { 0, 0, 0, 0 },
};

unsigned e1000_probe_calls, e1000_remove_calls;
/* for debuggers (tools/e1000.gdb): macros do not reach gdb */
const unsigned e1000_ring_size = E1000_NDESC;
static struct e1000_nic *first_nic;   /* lowest bus address; ->next to the others */

static unsigned pci_addr_key(const struct pci_dev *d)
{
    return (unsigned)d->bus << 8 | (unsigned)d->dev << 3 | d->fn;
}

struct e1000_nic *e1000_first(void)
{
    return first_nic;
}

uint32_t e1000_read(const struct e1000_nic *nic, uint32_t reg)
{
    return mmio_read32(nic->regs + reg);
}

void e1000_write(const struct e1000_nic *nic, uint32_t reg, uint32_t v)
{
    mmio_write32(nic->regs + reg, v);
}

uint32_t e1000_io_read(const struct e1000_nic *nic, uint32_t reg)
{
    outl(nic->io_base + E1000_IOADDR, reg);
    return inl(nic->io_base + E1000_IODATA);
}

void e1000_io_write(const struct e1000_nic *nic, uint32_t reg, uint32_t v)
{
    outl(nic->io_base + E1000_IOADDR, reg);
    outl(nic->io_base + E1000_IODATA, v);
}

int e1000_eeprom_read(const struct e1000_nic *nic, unsigned word, uint16_t *out)
{
    e1000_write(nic, E1000_EERD, E1000_EERD_START | word << E1000_EERD_ADDR_SHIFT);
    for (int i = 0; i < 1000; i++) {
        uint32_t v = e1000_read(nic, E1000_EERD);
        if (v & E1000_EERD_DONE) {
            *out = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
            return 0;
        }
    }
    return -1;
}

static void ee_write(const struct e1000_nic *nic, uint32_t v)
{
    e1000_write(nic, E1000_EECD, v);
}

/* The Microwire way: clock out start bit, READ opcode and address on DI,
 * then clock in sixteen bits from DO. */
int e1000_eeprom_read_microwire(const struct e1000_nic *nic, unsigned word, uint16_t *out)
{
    uint32_t eecd = e1000_read(nic, E1000_EECD) | E1000_EECD_REQ;
    ee_write(nic, eecd);
    int spins = 0;
    while (!(e1000_read(nic, E1000_EECD) & E1000_EECD_GNT))
        if (++spins > 1000)
            return -1;
    eecd &= ~(E1000_EECD_SK | E1000_EECD_DI | E1000_EECD_DO);
    ee_write(nic, eecd | E1000_EECD_CS);
    uint32_t cmd = (uint32_t)E1000_EEPROM_READ_OPCODE << E1000_EEPROM_ADDR_BITS | (word & 0x3f);
    for (int b = 2 + E1000_EEPROM_ADDR_BITS; b >= 0; b--) {
        uint32_t di = (cmd >> b) & 1 ? E1000_EECD_DI : 0;
        ee_write(nic, eecd | E1000_EECD_CS | di);
        ee_write(nic, eecd | E1000_EECD_CS | di | E1000_EECD_SK);
        ee_write(nic, eecd | E1000_EECD_CS | di);
    }
    uint16_t v = 0;
    for (int b = 0; b < 16; b++) {
        ee_write(nic, eecd | E1000_EECD_CS | E1000_EECD_SK);
        v = (uint16_t)(v << 1 | !!(e1000_read(nic, E1000_EECD) & E1000_EECD_DO));
        ee_write(nic, eecd | E1000_EECD_CS);
    }
    ee_write(nic, eecd & ~E1000_EECD_REQ);
    *out = v;
    return 0;
}

int e1000_phy_read(const struct e1000_nic *nic, unsigned reg, uint16_t *out)
{
    e1000_write(nic, E1000_MDIC, E1000_MDIC_OP_READ | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
                reg << E1000_MDIC_REG_SHIFT);
    for (int i = 0; i < 1000; i++) {
        uint32_t v = e1000_read(nic, E1000_MDIC);
        if (v & E1000_MDIC_READY) {
            *out = (uint16_t)v;
            return v & E1000_MDIC_ERROR ? -1 : 0;
        }
    }
    return -1;
}

int e1000_phy_write(const struct e1000_nic *nic, unsigned reg, uint16_t v)
{
    e1000_write(nic, E1000_MDIC, E1000_MDIC_OP_WRITE | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
                reg << E1000_MDIC_REG_SHIFT | v);
    for (int i = 0; i < 1000; i++) {
        uint32_t m = e1000_read(nic, E1000_MDIC);
        if (m & E1000_MDIC_READY)
            return m & E1000_MDIC_ERROR ? -1 : 0;
    }
    return -1;
}

/* The rings: descriptors 16-byte aligned as the manual asks, one 2 KiB
 * buffer per descriptor, RCTL/TCTL set for plain Ethernet. Their
 * registers are programmed by program_rings, at CPL 0. */
static int alloc_rings(struct e1000_nic *nic)
{
    nic->txd = kzalloc(E1000_NDESC * sizeof *nic->txd);
    nic->rxd = kzalloc(E1000_NDESC * sizeof *nic->rxd);
    /* the buffers are not cleared: the driver copies each frame in
     * before it is sent and the device writes each before it is read,
     * and zeroing 1 MiB would fault in 256 fresh pages at probe (about
     * 15 us each under shadow paging here) */
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

static uint64_t program_rings(uint64_t arg)
{
    const struct e1000_nic *nic = (const struct e1000_nic *)arg;
    e1000_write(nic, E1000_TDBAL, (uint32_t)(uintptr_t)nic->txd);
    e1000_write(nic, E1000_TDBAH, (uint32_t)((uint64_t)(uintptr_t)nic->txd >> 32));
    e1000_write(nic, E1000_TDLEN, E1000_NDESC * sizeof *nic->txd);
    e1000_write(nic, E1000_TDH, 0);
    e1000_write(nic, E1000_TDT, 0);
    e1000_write(nic, E1000_TIPG, E1000_TIPG_IPGT_COPPER | 8u << 10 | 6u << 20);
    e1000_write(nic, E1000_TIDV, E1000_DRV_TIDV);
    e1000_write(nic, E1000_ITR, E1000_DRV_ITR);
    e1000_write(nic, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | 0x10u << E1000_TCTL_CT_SHIFT |
                0x40u << E1000_TCTL_COLD_SHIFT);
    e1000_write(nic, E1000_RDBAL, (uint32_t)(uintptr_t)nic->rxd);
    e1000_write(nic, E1000_RDBAH, (uint32_t)((uint64_t)(uintptr_t)nic->rxd >> 32));
    e1000_write(nic, E1000_RDLEN, E1000_NDESC * sizeof *nic->rxd);
    e1000_write(nic, E1000_RDH, 0);
    e1000_write(nic, E1000_RDT, E1000_NDESC - 1);   /* all but one to the device */
    for (unsigned i = 0; i < E1000_MTA_SIZE; i++)
        e1000_write(nic, E1000_MTA + 4 * i, 0);
    /* the device checks IPv4 header and TCP/UDP checksums of what it
     * receives; the stack trusts its verdict only when csum_offload is on */
    e1000_write(nic, E1000_RXCSUM, E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD);
    e1000_write(nic, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC |
                E1000_RCTL_BSIZE_2048);
    return 0;
}

/* Descriptors the device has finished with (DD written back) are free
 * again. */
static void tx_reclaim(struct e1000_nic *nic)
{
    while (nic->tx_clean != nic->tx_next && (nic->txd[nic->tx_clean].status & E1000_TXD_STAT_DD))
        nic->tx_clean = (nic->tx_clean + 1) % E1000_NDESC;
}

/* At most E1000_NDESC - 1 descriptors are handed over: TDT == TDH means
 * an empty ring to the device, so a full one must stop a slot short.
 * Done descriptors are reclaimed by the TXDW interrupt, or here when the
 * ring looks full (polled mode, interrupts off). */
int e1000_queue(struct e1000_nic *nic, const void *frame, size_t len)
{
    unsigned i = nic->tx_next, next = (i + 1) % E1000_NDESC;
    if (len > E1000_BUFSZ)
        return -1;
    if (next == nic->tx_clean) {
        int on = irqs_enabled();
        cli();
        tx_reclaim(nic);
        if (on)
            sti();
    }
    if (next == nic->tx_clean)
        return -1;                    /* the ring is full */
    volatile struct e1000_tx_desc *d = &nic->txd[i];
    memcpy(nic->txbuf + i * E1000_BUFSZ, frame, len);
    d->buffer_addr = (uint64_t)(uintptr_t)(nic->txbuf + i * E1000_BUFSZ);
    d->length = (uint16_t)len;
    d->cso = d->css = 0;
    d->status = 0;
    /* RS for the DD write-back, IDE so a burst ends in one TXDW */
    d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS | E1000_TXD_CMD_IDE;
    nic->tx_next = next;
    return 0;
}

/* Checksum offload: a context descriptor says where the IPv4 header and
 * the TCP/UDP checksum are (written again only when that changes), then
 * the frame goes in a data descriptor asking for both checksums. The
 * caller has put the pseudo-header sum in the TCP/UDP checksum field, as
 * the manual asks (8254x 3.3.6). Two descriptors per frame at most. */
int e1000_queue_csum(struct e1000_nic *nic, const void *frame, size_t len, bool tcp)
{
    unsigned need = nic->ctx_tcp == (int)tcp ? 1 : 2;
    unsigned free_slots = (nic->tx_clean + E1000_NDESC - nic->tx_next - 1) % E1000_NDESC;
    if (len > E1000_BUFSZ || len < 14 + 20 + 8)
        return -1;
    if (free_slots < need) {
        int on = irqs_enabled();
        cli();
        tx_reclaim(nic);
        if (on)
            sti();
        free_slots = (nic->tx_clean + E1000_NDESC - nic->tx_next - 1) % E1000_NDESC;
        if (free_slots < need)
            return -1;
    }
    if (need == 2) {
        unsigned i = nic->tx_next;
        volatile struct e1000_context_desc *c = (volatile struct e1000_context_desc *)&nic->txd[i];
        c->ipcss = 14;
        c->ipcso = 14 + 10;
        c->ipcse = 14 + 20 - 1;
        c->tucss = 14 + 20;
        c->tucso = (uint8_t)(14 + 20 + (tcp ? 16 : 6));
        c->tucse = 0;                       /* to the end of the frame */
        c->cmd_and_length = E1000_TXD_DTYP_C | E1000_TXD_DCMD_DEXT | E1000_TXD_CMD_IP |
                            (tcp ? E1000_TXD_CMD_TCP : 0) | E1000_TXD_DCMD_RS;
        c->status = 0;
        c->hdr_len = 0;
        c->mss = 0;
        nic->tx_next = (i + 1) % E1000_NDESC;
        nic->ctx_tcp = tcp;
    }
    unsigned i = nic->tx_next;
    memcpy(nic->txbuf + i * E1000_BUFSZ, frame, len);
    volatile struct e1000_data_desc *d = (volatile struct e1000_data_desc *)&nic->txd[i];
    d->buffer_addr = (uint64_t)(uintptr_t)(nic->txbuf + i * E1000_BUFSZ);
    d->lower = (uint32_t)len | E1000_TXD_DTYP_D | E1000_TXD_DCMD_DEXT | E1000_TXD_DCMD_EOP |
               E1000_TXD_DCMD_IFCS | E1000_TXD_DCMD_RS | E1000_TXD_DCMD_IDE;
    d->status = 0;
    d->popts = E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM;
    nic->tx_next = (i + 1) % E1000_NDESC;
    nic->tx_offloaded++;
    return 0;
}

void e1000_flush(struct e1000_nic *nic)
{
    e1000_write(nic, E1000_TDT, nic->tx_next);
}

int e1000_send(struct e1000_nic *nic, const void *frame, size_t len)
{
    if (e1000_queue(nic, frame, len) < 0)
        return -1;
    e1000_flush(nic);
    return 0;
}

/* Buffers go back to the device in batches: one RDT write (an exit)
 * for up to E1000_RX_BATCH frames, and at the latest when the ring has
 * nothing more, so a device holding frames back gets room promptly. */
static void rx_give_back(struct e1000_nic *nic)
{
    if (nic->rx_owed) {
        e1000_write(nic, E1000_RDT, (nic->rx_next + E1000_NDESC - 1) % E1000_NDESC);
        nic->rx_owed = 0;
    }
}

size_t e1000_receive(struct e1000_nic *nic, void *buf, size_t size)
{
    unsigned i = nic->rx_next;
    volatile struct e1000_rx_desc *d = &nic->rxd[i];
    if (!(d->status & E1000_RXD_STAT_DD)) {
        rx_give_back(nic);
        return 0;
    }
    size_t len = d->length < size ? d->length : size;
    memcpy(buf, nic->rxbuf + i * E1000_BUFSZ, len);
    nic->rx_status = d->status;
    nic->rx_errors = d->errors;
    d->status = 0;
    nic->rx_next = (i + 1) % E1000_NDESC;
    if (++nic->rx_owed >= E1000_RX_BATCH)
        rx_give_back(nic);
    return len;
}

void e1000_irqs_on(struct e1000_nic *nic)
{
    e1000_write(nic, E1000_IMC, ~E1000_DRV_IMS);
    e1000_write(nic, E1000_IMS, E1000_DRV_IMS);
}

static void nic_irq(struct e1000_nic *nic)
{
    uint32_t icr = e1000_read(nic, E1000_ICR);     /* reading acknowledges */
    if (icr == 0xffffffff) {
        /* all ones: the registers are not there (decoding off, the device
         * gone); nothing was acknowledged, and nothing is believed */
        nic->irq_unreachable++;
        return;
    }
    if (icr) {
        nic->irq_causes |= icr;
        nic->irq_count++;
    }
    if (icr & E1000_ICR_TXDW)
        tx_reclaim(nic);
}

/* Every NIC on the line is asked: two on one line (or a NIC whose line
 * another shares) must each have their cause read, or a level-triggered
 * line stays asserted for ever. */
static void e1000_irq(int irq)
{
    for (struct e1000_nic *nic = first_nic; nic; nic = nic->next)
        if (nic->pci->irq_line == irq)
            nic_irq(nic);
}

/* The register conversation of probe, at CPL 0 in one kcall: this
 * host's KVM takes an MMIO access from CPL 3 through a shadow page fault,
 * at about twice the cost (the EEPROM's 64 reads: 4.5 -> 2.4 ms). The
 * words are checked, and anything printed, back at the caller's level. */
enum { BRING_UP_OK, BRING_UP_EEPROM, BRING_UP_CHECKSUM, BRING_UP_PHY };

struct bring_up {
    struct e1000_nic *nic;
    uint16_t eeprom[E1000_EEPROM_WORDS];
    uint16_t sum;
    bool was_running;       /* receiver or transmitter found enabled */
};

/* A receiver or transmitter left enabled (by a UEFI driver, iPXE) is
 * stopped before the reset (8254x manual 13.4.22 RCTL.EN, 13.4.33
 * TCTL.EN), and what it had under way given time to drain. Bus
 * mastering is already off, so it cannot write into memory meanwhile. */
#define E1000_QUIESCE_US 10000

static uint64_t bring_up_k(uint64_t arg)
{
    struct bring_up *b = (struct bring_up *)arg;
    struct e1000_nic *nic = b->nic;
    e1000_write(nic, E1000_IMC, 0xffffffff);
    b->was_running = (e1000_read(nic, E1000_RCTL) & E1000_RCTL_EN) ||
                     (e1000_read(nic, E1000_TCTL) & E1000_TCTL_EN);
    if (b->was_running) {
        e1000_write(nic, E1000_RCTL, 0);
        e1000_write(nic, E1000_TCTL, E1000_TCTL_PSP);
        (void)e1000_read(nic, E1000_STATUS);        /* the writes have landed */
        delay_us(E1000_QUIESCE_US);
    }
    /* the global reset (13.4.1 CTRL.RST): every register but PCI
     * configuration back to its power-up value, the EEPROM read again;
     * through the I/O BAR where there is one, as Linux does for the
     * 82540; interrupts masked before and after */
    if (nic->io_base)
        e1000_io_write(nic, E1000_CTRL, e1000_read(nic, E1000_CTRL) | E1000_CTRL_RST);
    else
        e1000_write(nic, E1000_CTRL, e1000_read(nic, E1000_CTRL) | E1000_CTRL_RST);
    delay_us(10);        /* 13.4.1: about 1 us before the next access */
    e1000_write(nic, E1000_IMC, 0xffffffff);
    (void)e1000_read(nic, E1000_ICR);
    b->sum = 0;
    for (unsigned i = 0; i < E1000_EEPROM_WORDS; i++) {
        if (e1000_eeprom_read(nic, i, &b->eeprom[i]) < 0)
            return BRING_UP_EEPROM;
        b->sum = (uint16_t)(b->sum + b->eeprom[i]);
    }
    if (b->sum != E1000_EEPROM_SUM)
        return BRING_UP_CHECKSUM;
    if (e1000_phy_read(nic, PHY_ID1, &nic->phy_id1) < 0 ||
        e1000_phy_read(nic, PHY_ID2, &nic->phy_id2) < 0)
        return BRING_UP_PHY;
    /* (re)start autonegotiation, as a driver does after reset; the link
     * partner's answer may take a while (the tests wait for it) */
    uint16_t ctrl = 0;
    if (e1000_phy_read(nic, PHY_CTRL, &ctrl) == 0)
        e1000_phy_write(nic, PHY_CTRL, ctrl | MII_CR_AUTONEG_EN | MII_CR_RESTART_AUTONEG);
    e1000_write(nic, E1000_CTRL, e1000_read(nic, E1000_CTRL) | E1000_CTRL_SLU);
    return BRING_UP_OK;
}

static int fail(struct pci_dev *pci, const char *why)
{
    printf("# e1000 %02x:%02x.%x: probe failed: %s\n", pci->bus, pci->dev, pci->fn, why);
    return -1;
}

/* The registers are BAR0 on every 8254x, 64-bit (taking BAR1 too) on
 * the 82544, 82545 and 82546; the I/O window (IOADDR, IODATA) is the
 * first I/O BAR, after the optional flash: BAR1 on QEMU's 82540EM, BAR2
 * on VirtualBox's, BAR4 on VMware's 82545EM. */
static const struct pci_bar *io_bar(const struct pci_dev *pci)
{
    for (int i = 1; i < PCI_NUM_BARS; i++)
        if (pci->bars[i].size && pci->bars[i].io && pci->bars[i].addr)
            return &pci->bars[i];
    return NULL;
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

    struct bring_up b = { .nic = nic };
    int r = (int)kcall(bring_up_k, (uint64_t)&b);
    if (r == BRING_UP_EEPROM) {
        kfree(nic);
        return fail(pci, "EEPROM read timed out (EERD.DONE never set)");
    }
    if (r == BRING_UP_CHECKSUM) {
        kfree(nic);
        printf("# e1000: EEPROM checksum 0x%04x, expected 0x%04x\n", b.sum, E1000_EEPROM_SUM);
        return fail(pci, "bad EEPROM checksum");
    }
    if (r == BRING_UP_PHY) {
        kfree(nic);
        return fail(pci, "no PHY answers at MDIC address 1");
    }
    for (unsigned i = 0; i < 3; i++) {
        nic->mac[2 * i] = (uint8_t)b.eeprom[i];
        nic->mac[2 * i + 1] = (uint8_t)(b.eeprom[i] >> 8);
    }
    /* the link partner answers autonegotiation at once on pcemu, after
     * about 500 ms on QEMU; a link that stays down is a missing cable */
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

    if (alloc_rings(nic) < 0) {
        kfree(nic);
        return fail(pci, "out of memory for the rings");
    }
    /* reset and ours: it may reach memory now, before the rings start
     * (14.4 and 14.5: receive and transmit initialization) */
    pci_set_master(pci);
    kcall(program_rings, (uint64_t)nic);
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
    kfree((void *)nic->txd);
    kfree((void *)nic->rxd);
    kfree(nic->txbuf);
    kfree(nic->rxbuf);
    kfree(nic);
}

const struct pci_driver e1000_driver = {
    .name = "e1000",
    .id_table = e1000_ids,
    .probe = e1000_probe,
    .remove = e1000_remove,
};
PCI_DRIVER(e1000_driver);
