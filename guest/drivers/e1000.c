/*
 * The e1000 driver for the 82540EM and its close relatives, written in
 * the order of Intel's PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual (8254x), whose section numbers the
 * comments cite:
 *
 *   probe        PCI set-up (4.1, in e1000_pci.c, which the lab's driver
 *                shares), then the manual's initialization (chapter
 *                14) here: reset (13.4.1 CTRL.RST), the MAC address
 *                from the EEPROM (chapter 5, 13.4.4 EERD), the PHY
 *                (13.4.7 MDIC, whose protocol is in e1000_regs.c) and
 *                link (14.3), the transmit ring (14.5), the receive ring
 *                (14.4), interrupts (13.4.17-21)
 *   transmit     legacy descriptors (3.3.3) and, for checksum offload
 *                and TCP segmentation (3.5), context and data
 *                descriptors (3.3.6, 3.3.7) in the ring (3.4)
 *   receive      legacy descriptors (3.2.3) in the ring (3.2.6)
 *   interrupts   ICR read once, every cause in it handled
 *
 * The stack reaches it through struct netdev (netdev.h); the tests also
 * call it directly (e1000_drv.h). Register accesses go through mmio.h
 * and x86.h only, so the contract tests (tests/contract/) build these
 * files for the host against the device model.
 *
 * What is there for this host's costs rather than for the device is
 * named as such: probe's register conversation runs at CPL 0 in one call
 * where that is cheaper (registers_at_cpl0 in e1000_pci.c), and
 * each doorbell, a VM exit, is rung once per batch: TDT once per flush of
 * the stack's, RDT once per E1000_RX_BATCH frames (rx_give_back).
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
 * write. */
static inline void dma_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

/* ---- reset: 13.4.1 CTRL.RST ---- */

/* A receiver or transmitter left enabled (by a UEFI driver, iPXE) is
 * stopped before the reset (13.4.22 RCTL.EN, 13.4.33 TCTL.EN), and what
 * it had under way given time to drain. Bus mastering is still off, so
 * it cannot write into memory meanwhile. */
#define E1000_QUIESCE_US 10000

/* Every register but PCI configuration back to its power-up value and
 * the EEPROM read again; through the I/O BAR where there is one, as
 * Linux resets the 82540. Interrupts masked before and after. Returns
 * whether the device was found running. */
bool e1000_reset(struct e1000_nic *nic)
{
    e1000_write(nic, E1000_IMC, 0xffffffff);
    bool running = (e1000_read(nic, E1000_RCTL) & E1000_RCTL_EN) ||
                   (e1000_read(nic, E1000_TCTL) & E1000_TCTL_EN);
    if (running) {
        e1000_write(nic, E1000_RCTL, 0);
        e1000_write(nic, E1000_TCTL, E1000_TCTL_PSP);
        (void)e1000_read(nic, E1000_STATUS);        /* the writes have landed */
        delay_us(E1000_QUIESCE_US);
    }
    uint32_t ctrl = e1000_read(nic, E1000_CTRL) | E1000_CTRL_RST;
    if (nic->io_base)
        e1000_io_write(nic, E1000_CTRL, ctrl);
    else
        e1000_write(nic, E1000_CTRL, ctrl);
    delay_us(10);                       /* about 1 us before the next access */
    e1000_write(nic, E1000_IMC, 0xffffffff);
    (void)e1000_read(nic, E1000_ICR);
    return running;
}

/* ---- the EEPROM: chapter 5; 13.4.4 EERD, 13.4.3 EECD ---- */

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

/* Words 00h-3Fh add up to BABAh when the contents are valid (the
 * checksum word 3Fh makes them); the Ethernet address is words 00h-02h,
 * low byte first. */
int e1000_read_mac_address(struct e1000_nic *nic, uint16_t *sum)
{
    uint16_t w[3];
    *sum = 0;
    for (unsigned i = 0; i < E1000_EEPROM_WORDS; i++) {
        uint16_t v;
        if (e1000_eeprom_read(nic, i, &v) < 0)
            return EEPROM_TIMEOUT;
        *sum = (uint16_t)(*sum + v);
        if (i < 3)
            w[i] = v;
    }
    if (*sum != E1000_EEPROM_SUM)
        return EEPROM_CHECKSUM;
    for (unsigned i = 0; i < 3; i++) {
        nic->mac[2 * i] = (uint8_t)w[i];
        nic->mac[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
    return EEPROM_OK;
}

/* ---- 14.3 General configuration: the PHY and the link ---- */

/* The PHY's identifier, then autonegotiation (re)started as after any
 * reset; the MAC takes speed and duplex from the PHY (CTRL.ASDE) and the
 * link is set up (CTRL.SLU), nothing forced. The partner's answer may
 * take a while: probe waits for STATUS.LU. */
int e1000_link_setup(struct e1000_nic *nic)
{
    if (e1000_phy_read(nic, PHY_ID1, &nic->phy_id1) < 0 ||
        e1000_phy_read(nic, PHY_ID2, &nic->phy_id2) < 0)
        return -1;
    uint16_t ctrl = 0;
    if (e1000_phy_read(nic, PHY_CTRL, &ctrl) == 0)
        e1000_phy_write(nic, PHY_CTRL, ctrl | MII_CR_AUTONEG_EN | MII_CR_RESTART_AUTONEG);
    uint32_t c = e1000_read(nic, E1000_CTRL);
    c &= ~(E1000_CTRL_LRST | E1000_CTRL_ILOS | E1000_CTRL_FRCSPD | E1000_CTRL_FRCDPLX |
           E1000_CTRL_VME | E1000_CTRL_PHY_RST);
    e1000_write(nic, E1000_CTRL, c | E1000_CTRL_ASDE | E1000_CTRL_SLU);
    /* no flow control: its address, type and timer registers zero */
    e1000_write(nic, E1000_FCAL, 0);
    e1000_write(nic, E1000_FCAH, 0);
    e1000_write(nic, E1000_FCT, 0);
    e1000_write(nic, E1000_FCTTV, 0);
    return 0;
}

/* ---- 14.5 Transmit initialization ---- */

void e1000_tx_init(struct e1000_nic *nic)
{
    e1000_write(nic, E1000_TDBAL, (uint32_t)dma_addr(nic->txd));
    e1000_write(nic, E1000_TDBAH, (uint32_t)(dma_addr(nic->txd) >> 32));
    e1000_write(nic, E1000_TDLEN, E1000_NDESC * sizeof *nic->txd);
    e1000_write(nic, E1000_TDH, 0);
    e1000_write(nic, E1000_TDT, 0);
    /* the IEEE 802.3 inter-packet gap for copper (13.4.34) */
    e1000_write(nic, E1000_TIPG, E1000_TIPG_IPGT_COPPER | 8u << 10 | 6u << 20);
    /* pad short frames to 64 bytes; 16 collisions before giving up, the
     * collision distance for full duplex */
    e1000_write(nic, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | 0x10u << E1000_TCTL_CT_SHIFT |
                0x40u << E1000_TCTL_COLD_SHIFT);
}

/* ---- 14.4 Receive initialization ---- */

void e1000_rx_init(struct e1000_nic *nic)
{
    /* our address in RAL0/RAH0 (the EEPROM put it there at reset; this
     * makes it so whatever loaded them), no multicast */
    e1000_write(nic, E1000_RAL(0), (uint32_t)nic->mac[0] | (uint32_t)nic->mac[1] << 8 |
                (uint32_t)nic->mac[2] << 16 | (uint32_t)nic->mac[3] << 24);
    e1000_write(nic, E1000_RAH(0), (uint32_t)nic->mac[4] | (uint32_t)nic->mac[5] << 8 |
                E1000_RAH_AV);
    for (unsigned i = 0; i < E1000_MTA_SIZE; i++)
        e1000_write(nic, E1000_MTA + 4 * i, 0);
    e1000_write(nic, E1000_RDBAL, (uint32_t)dma_addr(nic->rxd));
    e1000_write(nic, E1000_RDBAH, (uint32_t)(dma_addr(nic->rxd) >> 32));
    e1000_write(nic, E1000_RDLEN, E1000_NDESC * sizeof *nic->rxd);
    /* every descriptor but one to the device: RDH == RDT would mean it
     * has none (3.2.6) */
    e1000_write(nic, E1000_RDH, 0);
    e1000_write(nic, E1000_RDT, E1000_NDESC - 1);
    /* the device checks IPv4 header and TCP/UDP checksums of what it
     * receives (RXCSUM); the stack trusts its verdict when offload is on */
    e1000_write(nic, E1000_RXCSUM, E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD);
    /* broadcasts accepted; 2048-byte buffers (BSIZE 00b, BSEX 0) as
     * allocated, long packets off so a frame fits one; the FCS stripped
     * (SECRC), so lengths are the frame's own */
    e1000_write(nic, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC |
                E1000_RCTL_BSIZE_2048 | E1000_RCTL_RDMTS_HALF);
}

/* ---- transmit: 3.3.3 legacy descriptors, 3.4 the ring ---- */

static bool tx_done(const struct e1000_nic *nic, unsigned k)
{
    return nic->txd[(nic->tx_clean + k) % E1000_NDESC].status & E1000_TXD_STAT_DD;
}

/* Descriptors the device has finished with (DD written back, which RS
 * asks for) are free again; none before that (3.4: software must not
 * touch a descriptor between TDH and TDT). The device takes them in
 * ring order, so the done ones are a prefix of those in use: the last
 * one tells whether all are, else a binary search finds where the
 * prefix ends. Host-specific: the TXDW handler runs this at CPL 0,
 * where this host emulates every instruction, and a walk over a TCP
 * window's 45 descriptors cost a fifth of the CPU of a bulk send. */
static void tx_reclaim(struct e1000_nic *nic)
{
    unsigned used = (nic->tx_next + E1000_NDESC - nic->tx_clean) % E1000_NDESC, lo = 0, hi = used;
    if (used && tx_done(nic, used - 1))
        lo = used;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (tx_done(nic, mid))
            lo = mid + 1;
        else
            hi = mid;
    }
    nic->tx_clean = (nic->tx_clean + lo) % E1000_NDESC;
}

/* Free descriptors, reclaiming done ones first when fewer than need
 * are. TDT == TDH means an empty ring to the device, so one slot always
 * stays unused. The interrupt handler reclaims too: interrupts are held
 * off meanwhile. */
static unsigned tx_room(struct e1000_nic *nic, unsigned need)
{
    unsigned room = (nic->tx_clean + E1000_NDESC - nic->tx_next - 1) % E1000_NDESC;
    if (room >= need)
        return room;
    int on = irqs_enabled();
    cli();
    tx_reclaim(nic);
    if (on)
        sti();
    return (nic->tx_clean + E1000_NDESC - nic->tx_next - 1) % E1000_NDESC;
}

int e1000_queue(struct e1000_nic *nic, const void *frame, size_t len)
{
    if (len > E1000_BUFSZ || tx_room(nic, 1) < 1)
        return -1;
    unsigned i = nic->tx_next;
    volatile struct e1000_tx_desc *d = &nic->txd[i];
    memcpy(nic->txbuf + i * E1000_BUFSZ, frame, len);
    d->buffer_addr = dma_addr(nic->txbuf + i * E1000_BUFSZ);
    d->length = (uint16_t)len;
    d->cso = d->css = 0;
    d->status = 0;
    /* the whole frame (EOP), the FCS appended (IFCS), DD written back
     * (RS); IDE delays TXDW so a burst ends in one interrupt */
    d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS | E1000_TXD_CMD_IDE;
    nic->tx_next = (i + 1) % E1000_NDESC;
    return 0;
}

/* ---- offloads: 3.3.6 context descriptors, 3.3.7 data descriptors,
 * 3.5 TCP segmentation ---- */

/* What a context descriptor sets: where the IPv4 header and the TCP/UDP
 * header are, and for TCP segmentation (kind 2) the header length, MSS
 * and payload length of the packet. The device keeps the last one it
 * read for every data descriptor after it, so the driver writes one
 * only when what it needs differs from what is in force. */
struct tx_ctx {
    int kind;                   /* 0 UDP, 1 TCP checksums; 2 TCP segmentation */
    unsigned ihl, hdr_len, mss;
    uint32_t paylen;
};

static bool ctx_in_force(const struct e1000_nic *nic, const struct tx_ctx *x)
{
    return nic->ctx_tcp == x->kind && nic->ctx_ihl == x->ihl &&
           (x->kind != 2 || (nic->ctx_hdr_len == x->hdr_len && nic->ctx_mss == x->mss &&
                             nic->ctx_paylen == x->paylen));
}

/* Ethernet is 14 bytes; the IPv4 header (IPCSS..IPCSE) follows, with its
 * checksum at 10; TCP's checksum is at 16 in its header, UDP's at 6.
 * TUCSE 0: to the end of the frame. */
static void put_context(struct e1000_nic *nic, const struct tx_ctx *x)
{
    unsigned i = nic->tx_next, l4 = 14 + x->ihl;
    volatile struct e1000_context_desc *c = (volatile struct e1000_context_desc *)&nic->txd[i];
    c->ipcss = 14;
    c->ipcso = 14 + 10;
    c->ipcse = (uint16_t)(l4 - 1);
    c->tucss = (uint8_t)l4;
    c->tucso = (uint8_t)(l4 + (x->kind ? 16 : 6));
    c->tucse = 0;
    uint32_t tucmd = E1000_TXD_CMD_IP | (x->kind ? E1000_TXD_CMD_TCP : 0) |
                     (x->kind == 2 ? E1000_TXD_CMD_TSE : 0);
    c->cmd_and_length = E1000_TXD_DTYP_C | E1000_TXD_DCMD_DEXT | tucmd | E1000_TXD_DCMD_RS |
                        (x->kind == 2 ? x->paylen : 0);
    c->status = 0;
    c->hdr_len = (uint8_t)(x->kind == 2 ? x->hdr_len : 0);
    c->mss = (uint16_t)(x->kind == 2 ? x->mss : 0);
    nic->tx_next = (i + 1) % E1000_NDESC;
    nic->ctx_tcp = x->kind;
    nic->ctx_ihl = (uint8_t)x->ihl;
    nic->ctx_hdr_len = (uint8_t)x->hdr_len;
    nic->ctx_mss = (uint16_t)x->mss;
    nic->ctx_paylen = x->paylen;
    nic->tx_contexts++;
}

/* The packet in data descriptors (3.3.7), a buffer's worth each, the
 * context first when it must change; both checksums asked for (POPTS
 * counts on the first descriptor), TSE on each when segmenting. The
 * copy goes into the ring's own buffers, so *seed, when not NULL,
 * replaces the TCP checksum field there (the caller's frame is const). */
static int queue_offloaded(struct e1000_nic *nic, const uint8_t *frame, size_t len,
                           const struct tx_ctx *x, const uint16_t *seed)
{
    bool ctx = !ctx_in_force(nic, x);
    unsigned ndata = (unsigned)((len + E1000_BUFSZ - 1) / E1000_BUFSZ), need = ndata + ctx;
    if (tx_room(nic, need) < need)
        return -1;
    if (ctx)
        put_context(nic, x);
    uint32_t tse = x->kind == 2 ? E1000_TXD_DCMD_TSE : 0;
    for (size_t off = 0; off < len; off += E1000_BUFSZ) {
        unsigned i = nic->tx_next;
        size_t n = len - off < E1000_BUFSZ ? len - off : E1000_BUFSZ;
        uint8_t *buf = nic->txbuf + i * E1000_BUFSZ;
        memcpy(buf, frame + off, n);
        if (off == 0) {
            /* the device sums the IPv4 header with its checksum field
             * in it: that must be 0 (3.3.7) */
            buf[14 + 10] = buf[14 + 11] = 0;
            if (seed) {
                buf[14 + x->ihl + 16] = (uint8_t)(*seed >> 8);
                buf[14 + x->ihl + 17] = (uint8_t)*seed;
            }
        }
        volatile struct e1000_data_desc *d = (volatile struct e1000_data_desc *)&nic->txd[i];
        d->buffer_addr = dma_addr(buf);
        d->lower = (uint32_t)n | E1000_TXD_DTYP_D | E1000_TXD_DCMD_DEXT | E1000_TXD_DCMD_IFCS |
                   E1000_TXD_DCMD_RS | E1000_TXD_DCMD_IDE | tse |
                   (off + n == len ? E1000_TXD_DCMD_EOP : 0);
        d->status = 0;
        d->popts = E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM;
        nic->tx_next = (i + 1) % E1000_NDESC;
    }
    nic->tx_offloaded++;
    return 0;
}

/* Checksum offload for a frame with a 20-byte IPv4 header whose TCP/UDP
 * checksum field holds the pseudo-header sum, as 3.3.7 asks. */
int e1000_queue_csum(struct e1000_nic *nic, const void *frame, size_t len, bool tcp)
{
    if (len > E1000_BUFSZ || len < 14 + 20 + 8)
        return -1;
    struct tx_ctx x = { .kind = tcp, .ihl = 20 };
    return queue_offloaded(nic, frame, len, &x, NULL);
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* TCP segmentation (3.5): the headers are the prototype every segment's
 * are made from (3.5.9: the device sets each one's IPv4 total length,
 * identification, sequence number, FIN and PSH on the last only, and
 * both checksums). The TCP checksum field must hold the pseudo-header
 * sum without the TCP length, which differs per segment and which the
 * device adds (3.5): the netdev contract has the length in it, so the
 * seed is made again here from the addresses. A payload that fits one
 * segment goes out as one frame with checksum offload. */
int e1000_queue_tso(struct e1000_nic *nic, const void *frame, size_t len, unsigned mss)
{
    const uint8_t *f = frame, *ip = f + 14;
    if (len < 14 + 20 + 20 || be16(f + 12) != 0x0800 || ip[0] >> 4 != 4 || ip[9] != 6)
        return NETDEV_TX_REFUSED;
    unsigned ihl = (ip[0] & 15) * 4u, thl = len >= 14 + ihl + 13 ? (ip[ihl + 12] >> 4) * 4u : 0;
    size_t hdr = 14 + ihl + thl;
    if (ihl < 20 || thl < 20 || hdr > len || len > NETDEV_TSO_MAX || !mss)
        return NETDEV_TX_REFUSED;
    size_t payload = len - hdr;
    if (payload <= mss) {
        if (len > E1000_BUFSZ)
            return NETDEV_TX_REFUSED;
        struct tx_ctx x = { .kind = 1, .ihl = ihl };
        return queue_offloaded(nic, f, len, &x, NULL);
    }
    /* 3.3.6 note 2: a whole segment must fit the transmit FIFO with 80
     * bytes to spare; with PBA at its default (48 KiB for receive) that
     * leaves 16 KiB, and nothing here shrinks it */
    if (hdr + mss + 80 > 16 * 1024)
        return NETDEV_TX_REFUSED;
    uint32_t sum = 6;                               /* the protocol */
    for (unsigned k = 12; k < 20; k += 2)           /* source and destination */
        sum += be16(ip + k);
    uint16_t seed = fold(sum);
    struct tx_ctx x = { .kind = 2, .ihl = ihl, .hdr_len = (unsigned)hdr, .mss = mss,
                        .paylen = (uint32_t)payload };
    int r = queue_offloaded(nic, f, len, &x, &seed);
    if (r == 0)
        nic->tx_tso++;
    return r;
}

/* TDT one past the last descriptor filled: the device sends up to it.
 * (Out of line, so that gdb's `break e1000_flush` stops at every
 * doorbell, the stack's too.) */
__attribute__((noinline)) void e1000_flush(struct e1000_nic *nic)
{
    dma_barrier();
    e1000_write(nic, E1000_TDT, nic->tx_next);
}

int e1000_send(struct e1000_nic *nic, const void *frame, size_t len)
{
    if (e1000_queue(nic, frame, len) < 0)
        return -1;
    e1000_flush(nic);
    return 0;
}

/* ---- receive: 3.2.3 legacy descriptors, 3.2.6 the ring ---- */

/* How many descriptors the frame at rx_next takes, once the device has
 * written them all (DD, the last with EOP); 0 before that. A frame
 * longer than one buffer spans several (3.2.2); with 2048-byte buffers
 * and long packets off, none does. */
static unsigned rx_frame_descriptors(const struct e1000_nic *nic)
{
    for (unsigned n = 0; n < E1000_NDESC - 1; n++) {
        uint8_t st = nic->rxd[(nic->rx_next + n) % E1000_NDESC].status;
        if (!(st & E1000_RXD_STAT_DD))
            return 0;
        if (st & E1000_RXD_STAT_EOP)
            return n + 1;
    }
    return 0;
}

bool e1000_rx_pending(const struct e1000_nic *nic)
{
    return nic->rxd[nic->rx_next].status & E1000_RXD_STAT_DD;
}

/* RDT at the last descriptor taken: everything before it is the
 * device's again (3.2.6). Only descriptors whose frame has been copied
 * out are given back, their status cleared first so an old DD is never
 * mistaken for a new frame. */
static void rx_give_back(struct e1000_nic *nic)
{
    if (nic->rx_owed) {
        dma_barrier();
        e1000_write(nic, E1000_RDT, (nic->rx_next + E1000_NDESC - 1) % E1000_NDESC);
        nic->rx_owed = 0;
    }
}

size_t e1000_receive(struct e1000_nic *nic, void *buf, size_t size)
{
    unsigned n = rx_frame_descriptors(nic);
    if (!n) {
        if (nic->rx_owed >= E1000_RX_IDLE_BATCH)
            rx_give_back(nic);
        return 0;
    }
    dma_barrier();                      /* DD seen before the buffers are read */
    size_t len = 0;
    for (unsigned k = 0; k < n; k++) {
        volatile struct e1000_rx_desc *d = &nic->rxd[nic->rx_next];
        size_t piece = d->length;
        if (len + piece > size)
            piece = len < size ? size - len : 0;
        memcpy((uint8_t *)buf + len, nic->rxbuf + nic->rx_next * E1000_BUFSZ, piece);
        len += piece;
        nic->rx_status = d->status;     /* the last one's counts (EOP) */
        nic->rx_errors = d->errors;
        d->status = 0;
        nic->rx_next = (nic->rx_next + 1) % E1000_NDESC;
        nic->rx_owed++;
    }
    if (nic->rx_owed >= E1000_RX_BATCH)
        rx_give_back(nic);
    return len;
}

/* ---- interrupts: 13.4.17 ICR, 13.4.18 ITR, 13.4.20 IMS, 13.4.21 IMC ---- */

void e1000_irqs_on(struct e1000_nic *nic)
{
    e1000_write(nic, E1000_IMC, ~E1000_DRV_IMS);
    e1000_write(nic, E1000_IMS, E1000_DRV_IMS);
    nic->irqs_quiet = false;
}

/* Host-specific: while the stack polls the rings it needs no frame or
 * transmit interrupts, and each costs this host three exits and an
 * emulated handler (docs/results.md). So with a stack that says it
 * polls (netdev.h `polled`) the handler that took one masks both causes
 * (E1000_QUIET_CAUSES, IMC), and they are unmasked (IMS) just before the
 * stack sleeps (before_sleep, e1000_netdev.c). A cause that came
 * meanwhile is still in ICR and raises the interrupt as soon as it is
 * unmasked (13.4.17, 13.4.20): no wake-up is lost. */

/* Reading ICR acknowledges every cause in it at once, so each one read
 * is handled here, not just the first. */
void e1000_nic_irq(struct e1000_nic *nic)
{
    uint32_t icr = e1000_read(nic, E1000_ICR);
    if (icr == 0xffffffff) {
        /* all ones: the registers are not there (decoding off, the device
         * gone); nothing was acknowledged, and nothing is believed */
        nic->irq_unreachable++;
        return;
    }
    if (!icr)
        return;                         /* another device's on a shared line */
    nic->irq_causes |= icr;
    nic->irq_count++;
    if (icr & E1000_ICR_TXDW)
        tx_reclaim(nic);
    if ((icr & E1000_QUIET_CAUSES) && nic->netdev.polled && !nic->irqs_quiet) {
        e1000_write(nic, E1000_IMC, E1000_QUIET_CAUSES);
        nic->irqs_quiet = true;
    }
    /* RXT0: the stack, woken from hlt, takes the frames; LSC: STATUS
     * says what the link is now, for whoever asks */
}

/* Interrupt moderation: TXDW a while after the last of a burst of IDE
 * descriptors (TIDV), and at most one interrupt per ITR interval
 * (13.4.18). The causes themselves are unmasked (IMS) once the handler
 * is registered. */
void e1000_irq_init(struct e1000_nic *nic)
{
    e1000_write(nic, E1000_TIDV, E1000_DRV_TIDV);
    e1000_write(nic, E1000_ITR, E1000_DRV_ITR);
}

/* net.tso=0 on the command line: the stack is not offered segmentation
 * and cuts its segments itself. (Weak: the contract tests' rig, which
 * builds this file for the host, has no command line; TSO stays on.) */
extern const char *cmdline_get(const char *key) __attribute__((weak));

static bool tso_wanted(void)
{
    const char *v = cmdline_get ? cmdline_get("net.tso") : NULL;
    return !v || strcmp(v, "0") != 0;
}

/* ---- what e1000_pci.c's probe calls besides ---- */

/* Reset and ours: the device may reach memory now (4.1, the command
 * register's bus master enable), before the rings start. */
void e1000_bus_master_on(struct e1000_nic *nic)
{
    pci_set_master(nic->pci);
}

void e1000_netdev_init(struct e1000_nic *nic)
{
    nic->netdev.features = NETDEV_F_TX_CSUM | NETDEV_F_RX_CSUM;
    if (tso_wanted())
        nic->netdev.features |= NETDEV_F_TSO;
    nic->netdev.ops = &e1000_netdev_ops;
}
