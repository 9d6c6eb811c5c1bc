/*
 * The lab's e1000 driver, to be written (docs/lab/README.md): the same
 * file as guest/drivers/e1000.c with the bodies of the exercises taken
 * out. `make LAB=1` builds the kernel with this file instead of that one
 * (into build-lab/), and `make grade LAB=1` grades it.
 *
 * Written in the order of Intel's PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual (8254x), whose section numbers
 * the comments cite:
 *
 *   exercise 1   probe and reset: reset (13.4.1 CTRL.RST), the PHY and
 *                link (13.4.7 MDIC, 14.3), bus mastering (4.1)
 *   exercise 2   the MAC address from the EEPROM (chapter 5, 13.4.4 EERD)
 *   exercise 3   the transmit ring: initialization (14.5), legacy
 *                descriptors (3.3.3), the ring (3.4)
 *   exercise 4   the receive ring: initialization (14.4), legacy
 *                descriptors (3.2.3), the ring (3.2.6)
 *   exercise 5   interrupts (13.4.17-21): ICR read once, every cause
 *                in it handled
 *   optional     checksum offload (3.3.5, 3.3.6)
 *
 * Each function to write says LAB_TODO(n) and returns what makes probe
 * (or the stack) give up at once: the kernel boots, tells you which one
 * is missing, and the tests fail quickly instead of hanging. Delete the
 * LAB_TODO line when you write the body. What is not marked is given:
 * register access, the Microwire EEPROM, the PHY's MDIC protocol, the
 * rings' memory, the netdev glue, probe's PCI set-up.
 *
 * Keep the names: the self-tests, the contract tests and tools/e1000.gdb
 * call these functions and read struct e1000_nic (e1000_drv.h), whose
 * fields you keep and may add to.
 */
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "clock.h"
#include "heap.h"
#include "irq.h"
#include "kernel.h"
#include "mmio.h"
#include "netdev.h"
#include "usermode.h"
#include "x86.h"

/* Says once, as a TAP comment, that the function it is in is still to be
 * written. */
#define LAB_TODO(exercise) do {                                                  \
        static bool said_;                                                      \
        if (!said_) {                                                           \
            said_ = true;                                                       \
            printf("# e1000 lab: %s is not written yet (exercise %d, "           \
                   "docs/lab/README.md)\n", __func__, (exercise));              \
        }                                                                       \
    } while (0)

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

static struct e1000_nic *nic_of(struct netdev *dev)
{
    return (struct e1000_nic *)((char *)dev - offsetof(struct e1000_nic, netdev));
}

/* The kernel maps memory one to one, so a buffer's address is the bus
 * address the device's DMA needs (3.2.3, 3.3.3: buffer addresses are
 * physical). */
static uint64_t dma_addr(const volatile void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* The device reads and writes descriptors and buffers by DMA. x86 keeps
 * stores in order and loads in order, so only the compiler must be kept
 * from moving the buffer copies across a descriptor access or a tail
 * write: call this before writing TDT or RDT, and after seeing DD and
 * before reading the buffer. */
static inline void dma_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

/* ---- register access: BAR0, and the I/O window (IOADDR, IODATA) ---- */

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

/* ---- reset: 13.4.1 CTRL.RST ---- */

/* TODO (exercise 1): reset the device, and return whether its receiver
 * or transmitter was found running.
 *
 * Mask every interrupt first (IMC, 13.4.21). Firmware (a UEFI driver,
 * iPXE) may have left RCTL.EN or TCTL.EN set: clear them and give what
 * was under way 10 ms (delay_us) to drain. Then set CTRL.RST, keeping
 * CTRL's other bits (read, or, write); the bit clears itself, and the
 * manual wants about a microsecond before the next register access. A
 * reset reloads every register from its power-up value and the EEPROM,
 * but not PCI configuration. Mask interrupts again afterwards and read
 * ICR once, so no cause from before is left pending. */
static bool e1000_reset(struct e1000_nic *nic)
{
    LAB_TODO(1);
    return false;
}

/* ---- the EEPROM: chapter 5; 13.4.4 EERD, 13.4.3 EECD ---- */

/* TODO (exercise 2): read one 16-bit word of the EEPROM through EERD
 * (13.4.4): write the word's address (E1000_EERD_ADDR_SHIFT) with
 * EERD.START, then read EERD until DONE is set; the word is in the high
 * half (E1000_EERD_DATA_SHIFT). Give up (-1) after a bounded number of
 * reads: a device that never says DONE must not hang the kernel. */
int e1000_eeprom_read(const struct e1000_nic *nic, unsigned word, uint16_t *out)
{
    LAB_TODO(2);
    return -1;
}

static void ee_write(const struct e1000_nic *nic, uint32_t v)
{
    e1000_write(nic, E1000_EECD, v);
}

/* The Microwire way, for a 64-word EEPROM: request and be granted the
 * pins (EECD.REQ, GNT), clock out the start bit, the READ opcode and the
 * address on DI, then clock in sixteen bits from DO. (Given: the other
 * way to the same words, which the e1000_eeprom test compares.) */
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

enum { EEPROM_OK, EEPROM_TIMEOUT, EEPROM_CHECKSUM };

/* TODO (exercise 2): read words 00h-3Fh, adding them up into *sum; they
 * must add up to E1000_EEPROM_SUM (BABAh: the checksum word 3Fh is
 * chosen to make them), or the contents are not to be trusted
 * (EEPROM_CHECKSUM). The Ethernet address is words 00h-02h, low byte
 * first: word 0 holds nic->mac[0] in its low byte and mac[1] in its
 * high byte. EEPROM_TIMEOUT when a read gives up. */
static int e1000_read_mac_address(struct e1000_nic *nic, uint16_t *sum)
{
    LAB_TODO(2);
    *sum = 0;
    return EEPROM_TIMEOUT;
}

/* ---- the PHY: 13.4.7 MDIC ---- */

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

/* ---- 14.3 General configuration: the PHY and the link ---- */

/* TODO (exercise 1): the PHY and the link (14.3); -1 when no PHY
 * answers.
 *
 * Read the PHY's identifier (PHY_ID1, PHY_ID2 through e1000_phy_read)
 * into nic->phy_id1 and phy_id2, and restart autonegotiation as after
 * any reset (PHY_CTRL: MII_CR_AUTONEG_EN | MII_CR_RESTART_AUTONEG). In
 * CTRL, set SLU (set link up) and ASDE (speed from the PHY) and clear
 * LRST, ILOS, FRCSPD, FRCDPLX, VME and PHY_RST. Without flow control,
 * FCAL, FCAH, FCT and FCTTV are zero. Probe then waits for STATUS.LU. */
static int e1000_link_setup(struct e1000_nic *nic)
{
    LAB_TODO(1);
    return 0;
}

/* ---- the rings' memory ---- */

/* One 2 KiB buffer per descriptor. The descriptor arrays are 16-byte
 * aligned (the heap's alignment; the device ignores the low four bits
 * of a ring base) and 256 x 16 bytes long, a multiple of the 128 bytes
 * TDLEN and RDLEN must be. Every receive descriptor points at its
 * buffer; every transmit descriptor starts out done (DD), that is free. */
static int e1000_alloc_rings(struct e1000_nic *nic)
{
    nic->txd = kzalloc(E1000_NDESC * sizeof *nic->txd);
    nic->rxd = kzalloc(E1000_NDESC * sizeof *nic->rxd);
    nic->txbuf = kmalloc(E1000_NDESC * E1000_BUFSZ);
    nic->rxbuf = kmalloc(E1000_NDESC * E1000_BUFSZ);
    if (!nic->txd || !nic->rxd || !nic->txbuf || !nic->rxbuf)
        return -1;
    for (unsigned i = 0; i < E1000_NDESC; i++) {
        nic->rxd[i].buffer_addr = dma_addr(nic->rxbuf + i * E1000_BUFSZ);
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

/* ---- 14.5 Transmit initialization ---- */

/* TODO (exercise 3): program the transmit ring (14.5).
 *
 * TDBAL and TDBAH: the ring's bus address (dma_addr(nic->txd)), low
 * and high halves. TDLEN: its length in bytes, a multiple of 128. TDH
 * and TDT: 0 (an empty ring: the device sends from TDH up to TDT). TIPG:
 * E1000_TIPG_IPGT_COPPER | 8 << 10 | 6 << 20 (13.4.34). Last, TCTL
 * (13.4.33): EN, PSP (pad short frames), CT 10h (E1000_TCTL_CT_SHIFT),
 * COLD 40h for full duplex (E1000_TCTL_COLD_SHIFT). */
static void e1000_tx_init(struct e1000_nic *nic)
{
    LAB_TODO(3);
}

/* ---- 14.4 Receive initialization ---- */

/* TODO (exercise 4): program the receive ring (14.4).
 *
 * RAL(0) and RAH(0): our address (nic->mac; RAL holds bytes 0-3, RAH
 * bytes 4-5 and E1000_RAH_AV). The multicast table (E1000_MTA_SIZE
 * dwords from E1000_MTA): zero. RDBAL, RDBAH, RDLEN as for transmit.
 * RDH 0, and RDT at the last descriptor, E1000_NDESC - 1: the device
 * owns the descriptors from RDH up to, not including, RDT, so RDH ==
 * RDT would give it none (3.2.6). RXCSUM: IPOFLD and TUOFLD, if you
 * want the device's checksum verdicts (optional). Last, RCTL (13.4.22):
 * EN, BAM (broadcasts: DHCP and ARP need them), a buffer size matching
 * the buffers (BSIZE and BSEX: 2048 bytes is BSIZE 00b, BSEX 0), and
 * SECRC, or every frame keeps its 4-byte FCS, counted in its length. */
static void e1000_rx_init(struct e1000_nic *nic)
{
    LAB_TODO(4);
}

/* ---- transmit: 3.3.3 legacy descriptors, 3.4 the ring ---- */

/* TODO (exercise 3): queue one frame; -1 when it is too long for a
 * buffer (E1000_BUFSZ) or the ring has no free descriptor.
 *
 * The next descriptor to fill is nic->tx_next. It is free only when the
 * device has written DD back into its status (3.3.3), which it does for
 * descriptors whose command has RS: a descriptor between TDH and TDT is
 * the device's (3.4), and one it has not finished may still be read.
 * Keep the oldest not yet seen done in nic->tx_clean and move it on past
 * every descriptor with DD; leave one descriptor unused, or a full ring
 * (TDT == TDH) would look empty to the device. The TXDW interrupt
 * (exercise 5) frees descriptors too: hold interrupts off (cli, and sti
 * if irqs_enabled() said they were on) while you move tx_clean here.
 *
 * Copy the frame into that descriptor's buffer (nic->txbuf + i *
 * E1000_BUFSZ), then fill the descriptor: buffer_addr, length, cso and
 * css 0, status 0, cmd EOP (the frame ends here) | IFCS (append the FCS)
 * | RS (write DD back), and IDE if you like one TXDW for a burst. Move
 * tx_next on. Nothing is sent until e1000_flush. */
int e1000_queue(struct e1000_nic *nic, const void *frame, size_t len)
{
    LAB_TODO(3);
    return -1;
}

/* Optional (checksum offload, 3.3.5 and 3.3.6): a context descriptor
 * saying where the IPv4 header and the TCP/UDP checksum are, then the
 * frame in a data descriptor with POPTS IXSM and TXSM. The caller has put
 * the pseudo-header sum in the TCP/UDP checksum field. Once it works,
 * set NETDEV_F_TX_CSUM in probe; until then the stack sums in software
 * and never calls this. */
int e1000_queue_csum(struct e1000_nic *nic, const void *frame, size_t len, bool tcp)
{
    return -1;
}

/* TODO (exercise 3): hand the queued frames to the device: TDT one past
 * the last descriptor filled (nic->tx_next), after a dma_barrier().
 * (Out of line, so that gdb's `break e1000_flush` stops at every
 * doorbell, the stack's too.) */
__attribute__((noinline)) void e1000_flush(struct e1000_nic *nic)
{
    LAB_TODO(3);
}

int e1000_send(struct e1000_nic *nic, const void *frame, size_t len)
{
    if (e1000_queue(nic, frame, len) < 0)
        return -1;
    e1000_flush(nic);
    return 0;
}

/* ---- receive: 3.2.3 legacy descriptors, 3.2.6 the ring ---- */

/* TODO (exercise 4): whether the descriptor at nic->rx_next holds a
 * frame: the device sets DD in its status when it has written it
 * (3.2.3). Memory only: no register, this is asked with interrupts off
 * before the stack sleeps. */
static bool e1000_rx_pending(const struct e1000_nic *nic)
{
    LAB_TODO(4);
    return false;
}

/* TODO (exercise 4): take the frame at nic->rx_next into buf (at most
 * size bytes) and return its length; 0 when there is none (no DD).
 *
 * After seeing DD, a dma_barrier(), then copy from that descriptor's
 * buffer (nic->rxbuf + i * E1000_BUFSZ): length says how much the device
 * wrote. Keep its status and errors in nic->rx_status and rx_errors (the
 * stack's checksum verdict comes from them). A frame longer than one
 * buffer spans descriptors up to the one with EOP (3.2.2); with 2 KiB
 * buffers and RCTL.LPE clear none does.
 *
 * Then, and only then, give the descriptor back: clear its status (a DD
 * left set would be taken for a new frame when the ring comes round)
 * and move RDT to it, the last descriptor you have finished with (3.2.6:
 * RDT is the first the device may not use). Move rx_next on. Writing
 * RDT costs a VM exit: once every few frames (E1000_RX_BATCH, counting
 * in nic->rx_owed, and whenever a call finds no frame) is enough. */
size_t e1000_receive(struct e1000_nic *nic, void *buf, size_t size)
{
    LAB_TODO(4);
    return 0;
}

/* ---- interrupts: 13.4.17 ICR, 13.4.18 ITR, 13.4.20 IMS, 13.4.21 IMC ---- */

/* TODO (exercise 5): the driver's causes on, the rest off: IMC with
 * ~E1000_DRV_IMS, then IMS with E1000_DRV_IMS. (Writing 0 to IMS masks
 * nothing: a 1 bit sets a mask bit, a 0 leaves it; IMC clears.) */
void e1000_irqs_on(struct e1000_nic *nic)
{
    LAB_TODO(5);
}

/* TODO (exercise 5): one interrupt from this NIC.
 *
 * Read ICR once (13.4.17): the read acknowledges every cause in it, so
 * handle each of them, not only the first (no else-if chain). All ones
 * means the registers are not there (decoding off): count it in
 * nic->irq_unreachable and believe nothing. Zero means it was another
 * device's on a shared line. Otherwise add the causes to nic->irq_causes,
 * count nic->irq_count, and on TXDW move tx_clean past the descriptors
 * the device has finished (as in e1000_queue). RXT0 needs nothing here:
 * the stack, woken from hlt, takes the frames. */
static void nic_irq(struct e1000_nic *nic)
{
    LAB_TODO(5);
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

/* TODO (exercise 5): interrupt moderation: TIDV (E1000_DRV_TIDV: TXDW a
 * while after the last IDE descriptor of a burst) and ITR
 * (E1000_DRV_ITR: at most one interrupt per 1 ms or so, 13.4.18). The
 * causes themselves are unmasked by e1000_irqs_on, once probe has
 * registered the handler. */
static void e1000_irq_init(struct e1000_nic *nic)
{
    LAB_TODO(5);
}

/* ---- the netdev the stack uses ---- */

static int nd_transmit(struct netdev *dev, const void *frame, size_t len, unsigned flags)
{
    struct e1000_nic *nic = nic_of(dev);
    if (flags & (NETDEV_TX_CSUM_TCP | NETDEV_TX_CSUM_UDP))
        return e1000_queue_csum(nic, frame, len, flags & NETDEV_TX_CSUM_TCP);
    return e1000_queue(nic, frame, len);
}

static void nd_flush(struct netdev *dev)
{
    e1000_flush(nic_of(dev));
}

/* The receive descriptor's checksum bits (3.2.3: status IXSM, IPCS,
 * TCPCS; errors IPE, TCPE) as the stack's verdict. */
static unsigned rx_verdict(uint8_t status, uint8_t errors)
{
    if (status & E1000_RXD_STAT_IXSM)
        return NETDEV_RX_UNCHECKED;
    unsigned v = 0;
    if (status & E1000_RXD_STAT_IPCS)
        v |= NETDEV_RX_IP_CHECKED | (errors & E1000_RXD_ERR_IPE ? NETDEV_RX_IP_BAD : 0);
    if (status & E1000_RXD_STAT_TCPCS)
        v |= NETDEV_RX_L4_CHECKED | (errors & E1000_RXD_ERR_TCPE ? NETDEV_RX_L4_BAD : 0);
    return v;
}

static size_t nd_receive(struct netdev *dev, void *buf, size_t size, unsigned *verdict)
{
    struct e1000_nic *nic = nic_of(dev);
    size_t len = e1000_receive(nic, buf, size);
    *verdict = len ? rx_verdict(nic->rx_status, nic->rx_errors) : 0;
    return len;
}

static bool nd_rx_pending(struct netdev *dev)
{
    return e1000_rx_pending(nic_of(dev));
}

static const struct netdev_ops e1000_netdev_ops = {
    .transmit = nd_transmit,
    .flush = nd_flush,
    .receive = nd_receive,
    .rx_pending = nd_rx_pending,
};

/* ---- host-specific: the register conversation at CPL 0 ---- */

/* On a host whose KVM emulates CPL 0 (PVM, usermode.h), an MMIO access
 * from CPL 3 costs about twice what it costs from CPL 0: probe's long
 * runs of register accesses are made in one kcall there. Elsewhere kcall
 * is a plain call. Nothing here is the manual's: you need not change it. */
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
    /* TODO (exercise 1): the device is reset and ours: let it reach
     * memory (4.1: the command register's bus master enable), before the
     * rings start. Until then, its DMA goes nowhere: pci.h has what you
     * need. */
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
    /* NETDEV_F_TX_CSUM once e1000_queue_csum works, NETDEV_F_RX_CSUM once
     * RXCSUM is on (optional) */
    nic->netdev.features = 0;
    nic->netdev.ops = &e1000_netdev_ops;
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
