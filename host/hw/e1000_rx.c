/*
 * The receive path: a frame from the wire is filtered (unicast against
 * RAL/RAH, multicast against the MTA hash or MPE, broadcast with BAM,
 * everything with UPE), then written by bus-master DMA into the buffers of
 * the descriptors from RDH on, as many as its length needs at the
 * RCTL.BSIZE/BSEX buffer size, the last with EOP; each descriptor gets
 * length, checksum and status (DD) written back and RDH moves on. Without
 * RCTL.SECRC the frame keeps its 4-byte FCS, in the buffer and in the
 * length, as hardware delivers it (13.4.22). RXT0 (and RXDMT0 when the
 * free descriptors fall to the RDMTS threshold) is raised.
 *
 * A frame is taken off the wire once: counted (TPR), filtered and checked
 * then. When the ring has too few free descriptors (RDH == RDT: none) it
 * waits in the receive FIFO, counted in RNBC, and delivery resumes
 * shortly after the guest writes RDT; frames behind it wait too, in
 * order, as they do while bus mastering is off. The FIFO is
 * bounded by E1000_RX_FIFO_BYTES (and NET_QUEUE_LIMIT frames): beyond
 * that a frame is missed, as is one that needs more descriptors than the
 * ring can ever have free (MPC and RXO, 8254x manual 13.7.5), with a
 * warning. A frame longer than the receive buffers allow without
 * RCTL.LPE or SBP is dropped and counted (ROC), with a warning. Frames
 * arriving with RCTL.EN clear are dropped, as the manual's RCTL.EN says
 * (13.4.22); clearing it, and CTRL.RST, empty the FIFO.
 *
 * Those registers clear when read; rx_stats, which nothing clears, also
 * counts each frame's fate (delivered, or dropped and why) for -stats.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/e1000_internal.h"
#include "net/checksum.h"
#include "net/packet.h"


/* 13.4.22 RCTL.SECRC clear: the FCS stays on the frame. */
static size_t fcs_len(const struct e1000 *e)
{
    return R(e, E1000_RCTL) & E1000_RCTL_SECRC ? 0 : 4;
}

/* The Ethernet FCS: CRC-32 (IEEE 802.3), least significant bit first,
 * a nibble at a time. */
static uint32_t crc32_ieee(const uint8_t *p, size_t len)
{
    static const uint32_t t[16] = {
        0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158,
        0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4,
        0xa00ae278, 0xbdbdf21c,
    };
    uint32_t c = 0xffffffff;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        c = (c >> 4) ^ t[c & 15];
        c = (c >> 4) ^ t[c & 15];
    }
    return ~c;
}

static size_t buffer_size(uint32_t rctl)
{
    static const size_t sizes[2][4] = {
        { 2048, 1024, 512, 256 },
        { 2048 /* reserved with BSEX */, 16384, 8192, 4096 },
    };
    return sizes[!!(rctl & E1000_RCTL_BSEX)][(rctl & E1000_RCTL_BSIZE_MASK) >> 16];
}

static uint32_t ring_size(const struct e1000 *e)
{
    return R(e, E1000_RDLEN) / E1000_DESC_SIZE;
}

/* Free descriptors the guest has handed over: from RDH up to RDT. */
static uint32_t free_descriptors(const struct e1000 *e)
{
    uint32_t n = ring_size(e), head = R(e, E1000_RDH), tail = R(e, E1000_RDT);
    if (!n || head >= n || tail >= n)
        return 0;
    return tail >= head ? tail - head : n - head + tail;
}

/* The MTA bit a multicast address selects (RCTL.MO picks which bits). */
static bool mta_match(const struct e1000 *e, const uint8_t *dst)
{
    unsigned mo = (R(e, E1000_RCTL) & E1000_RCTL_MO_MASK) >> E1000_RCTL_MO_SHIFT;
    static const unsigned shift[4] = { 4, 3, 2, 0 };
    unsigned hash = ((unsigned)dst[4] >> shift[mo] | (unsigned)dst[5] << (8 - shift[mo])) & 0xfff;
    return R(e, E1000_MTA + 4 * (hash >> 5)) & (1u << (hash & 31));
}

static bool unicast_match(const struct e1000 *e, const uint8_t *dst)
{
    for (int i = 0; i < E1000_RAR_ENTRIES; i++) {
        uint32_t lo = R(e, E1000_RAL(i)), hi = R(e, E1000_RAH(i));
        if (!(hi & E1000_RAH_AV))
            continue;
        uint8_t a[6] = { (uint8_t)lo, (uint8_t)(lo >> 8), (uint8_t)(lo >> 16),
                         (uint8_t)(lo >> 24), (uint8_t)hi, (uint8_t)(hi >> 8) };
        if (memcmp(a, dst, 6) == 0)
            return true;
    }
    return false;
}

static bool accept(struct e1000 *e, const uint8_t *f, size_t len)
{
    uint32_t rctl = R(e, E1000_RCTL);
    if (len < 14)
        return false;
    if (memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) == 0) {
        if (!(rctl & (E1000_RCTL_BAM | E1000_RCTL_MPE)))
            return false;
        R(e, E1000_BPRC)++;
        return true;
    }
    if (f[0] & 1) {
        if (!(rctl & E1000_RCTL_MPE) && !mta_match(e, f))
            return false;
        R(e, E1000_MPRC)++;
        return true;
    }
    return (rctl & E1000_RCTL_UPE) || unicast_match(e, f);
}

/* Receive checksum offload: status bits for an IPv4 TCP/UDP frame. */
static void rx_checksum(const struct e1000 *e, const uint8_t *f, size_t len, uint8_t *status,
                        uint8_t *errors)
{
    uint32_t rxcsum = R(e, E1000_RXCSUM);
    if (!(rxcsum & (E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD)) || len < 34 ||
        f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4) {
        *status |= E1000_RXD_STAT_IXSM;
        return;
    }
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4, total = (size_t)ip[2] << 8 | ip[3];
    if (ihl < 20 || 14 + total > len || total < ihl) {
        *status |= E1000_RXD_STAT_IXSM;
        return;
    }
    if (rxcsum & E1000_RXCSUM_IPOFLD) {
        *status |= E1000_RXD_STAT_IPCS;
        if (csum_finish(csum_add(0, ip, ihl)) != 0)
            *errors |= E1000_RXD_ERR_IPE;
    }
    bool frag = ((ip[6] & 0x3f) | ip[7]) != 0;
    if ((rxcsum & E1000_RXCSUM_TUOFLD) && !frag && (ip[9] == 6 || ip[9] == 17)) {
        size_t l4 = total - ihl;
        const uint8_t *p = ip + ihl;
        if (ip[9] == 17 && l4 >= 8 && !p[6] && !p[7])
            return;                 /* UDP without checksum */
        *status |= E1000_RXD_STAT_TCPCS;
        uint32_t s = csum_add(0, ip + 12, 8) + ip[9] + (uint32_t)l4;
        if (csum_finish(csum_add(s, p, l4)) != 0)
            *errors |= E1000_RXD_ERR_TCPE;
    }
}

/* A frame the receiver cannot keep: 8254x manual 13.7.5, a missed packet
 * counts in MPC and raises RXO. */
static void missed(struct e1000 *e)
{
    R(e, E1000_MPC)++;
    e->rx_stats.missed++;
    e1000dev_raise(e, E1000_ICR_RXO);
}

static size_t descriptors_needed(const struct e1000 *e, size_t len)
{
    size_t bufsize = buffer_size(R(e, E1000_RCTL));
    return (len + fcs_len(e) + bufsize - 1) / bufsize;
}

/* A ring of n descriptors never has more than n - 1 free (RDH == RDT is
 * empty): a frame needing more would block every frame behind it. */
static bool never_fits(struct e1000 *e, size_t len)
{
    uint32_t n = ring_size(e);
    size_t needed = descriptors_needed(e, len);
    if (!n || needed < n)
        return false;
    missed(e);
    log_warn_rl(&e->rl, "e1000: a %zu-byte frame needs %zu receive descriptors of %zu bytes "
                "and the %u-descriptor ring has at most %u free; dropped (counted in MPC)",
                len + fcs_len(e), needed, buffer_size(R(e, E1000_RCTL)), n, n - 1);
    return true;
}

/* 13.4.22 RCTL.LPE clear: frames over 1522 bytes with their FCS (a
 * VLAN-tagged maximum) are dropped. The backends hand frames over
 * without an FCS. */
static bool oversize(struct e1000 *e, size_t len)
{
    uint32_t rctl = R(e, E1000_RCTL);
    if (len + 4 <= 1522 || (rctl & (E1000_RCTL_LPE | E1000_RCTL_SBP)))
        return false;
    R(e, E1000_ROC)++;
    e->rx_stats.oversize++;
    log_warn_rl(&e->rl, "e1000: received a %zu-byte frame with RCTL.LPE and SBP clear; "
                "dropped (counted in ROC)", len + 4);
    return true;
}

/* Part of the frame as it goes to memory: its bytes, then its FCS. */
static bool write_part(struct e1000 *e, uint64_t addr, const uint8_t *f, size_t len,
                       const uint8_t fcs[4], size_t off, size_t n)
{
    size_t from_frame = off < len ? (len - off < n ? len - off : n) : 0;
    if (from_frame && !pci_dma_write(&e->pci, addr, f + off, from_frame))
        return false;
    return n == from_frame ||
           pci_dma_write(&e->pci, addr + from_frame, fcs + (off + from_frame - len),
                         n - from_frame);
}

/* Writes the frame into the descriptors from RDH on; false, with nothing
 * done, when the ring has too few free. */
static bool deliver(struct e1000 *e, const uint8_t *f, size_t len)
{
    uint32_t rctl = R(e, E1000_RCTL), n = ring_size(e);
    size_t bufsize = buffer_size(rctl);
    if (free_descriptors(e) < descriptors_needed(e, len))
        return false;
    uint64_t base = (uint64_t)R(e, E1000_RDBAH) << 32 | R(e, E1000_RDBAL);
    uint8_t status = 0, errors = 0;
    rx_checksum(e, f, len, &status, &errors);
    uint16_t csum = csum_finish(csum_add(0, f + 14, len > 14 ? len - 14 : 0));
    uint8_t fcs[4] = { 0 };
    size_t off = 0, total = len + fcs_len(e);
    if (total > len) {
        uint32_t crc = crc32_ieee(f, len);
        for (int i = 0; i < 4; i++)
            fcs[i] = (uint8_t)(crc >> (8 * i));
    }
    while (off < total) {
        uint32_t idx = R(e, E1000_RDH);
        uint64_t at = base + (uint64_t)idx * E1000_DESC_SIZE;
        struct e1000_rx_desc d;
        if (!pci_dma_read(&e->pci, at, &d, sizeof d)) {
            e1000dev_warn(e, E1000_RULE_RX_RING_RAM, "receive descriptor %u at 0x%llx is not RAM: "
                       "RDBAL/RDBAH hold the ring's physical address; frame dropped "
                       "(8254x 13.4.25)", idx, (unsigned long long)at);
            e->rx_stats.bad_ring++;
            return true;
        }
        size_t chunk = total - off < bufsize ? total - off : bufsize;
        d.length = (uint16_t)chunk;
        d.status = E1000_RXD_STAT_DD;
        d.errors = 0;
        d.csum = csum;
        if (off + chunk == total) {
            d.status |= E1000_RXD_STAT_EOP | status;
            d.errors = errors;
        }
        /* what is wrong with a buffer was said when RDT handed it over */
        if (!d.buffer_addr) {
            e1000dev_warn(e, E1000_RULE_RX_NULL_BUFFER, "receive descriptor %u has buffer "
                       "address 0: returned empty (8254x 3.2.3)", idx);
            d.length = 0;
        } else if (!write_part(e, d.buffer_addr, f, len, fcs, off, chunk)) {
            e1000dev_warn(e, E1000_RULE_RX_BUFFER, "receive descriptor %u: buffer 0x%llx (%zu "
                       "bytes) is not RAM; its part of the frame is lost (8254x 3.2.3)", idx,
                       (unsigned long long)d.buffer_addr, chunk);
            d.errors |= E1000_RXD_ERR_RXE;
        }
        pci_dma_write(&e->pci, at, &d, sizeof d);
        R(e, E1000_RDH) = (idx + 1) % n;
        off += chunk;
    }
    R(e, E1000_GPRC)++;
    e->frames_rx++;
    e->rx_stats.delivered++;
    uint64_t gorc = (uint64_t)R(e, E1000_GORCH) << 32 | R(e, E1000_GORCL);
    gorc += len + 4;                      /* the counters include the FCS */
    R(e, E1000_GORCL) = (uint32_t)gorc;
    R(e, E1000_GORCH) = (uint32_t)(gorc >> 32);
    static const unsigned rdmts_shift[4] = { 1, 2, 3, 3 };
    unsigned thr = n >> rdmts_shift[(rctl & E1000_RCTL_RDMTS_MASK) >> 8];
    if (free_descriptors(e) <= thr)
        e1000dev_raise(e, E1000_ICR_RXDMT0);
    e1000dev_rx_done(e);
    return true;
}

/* Keeps the frame at the FIFO's tail, or misses it when the FIFO is full. */
static void wait_for_descriptors(struct e1000 *e, const uint8_t *f, size_t len)
{
    struct rx_fifo *q = &e->rxq;
    if (q->frames >= NET_QUEUE_LIMIT || q->bytes + len > E1000_RX_FIFO_BYTES ||
        !net_packet_push(&q->head, &q->tail, f, len)) {
        missed(e);
        /* a driver that never handed descriptors over, or never let the
         * device master the bus, was told so once (e1000_doorbell.c) */
        if (!e->rx_handed || !pci_bus_master(&e->pci))
            return;
        log_warn_rl(&e->rl, "e1000: the receive FIFO, with %u frames (%zu bytes) waiting for "
                    "receive descriptors, cannot keep a %zu-byte frame more; dropped (counted "
                    "in MPC)", q->frames, q->bytes, len);
        return;
    }
    q->frames++;
    q->bytes += len;
    R(e, E1000_RNBC)++;
    e->rx_stats.waited++;
}

static void fifo_pop(struct e1000 *e)
{
    struct rx_fifo *q = &e->rxq;
    struct net_packet *p = net_packet_pop(&q->head, &q->tail);
    q->frames--;
    q->bytes -= p->len;
    free(p);
}

void e1000dev_rx_flush(struct e1000 *e, const char *why)
{
    if (why && e->rxq.frames)
        log_warn_rl(&e->rl, "e1000: %s: %u received frames waiting for receive descriptors "
                    "discarded", why, e->rxq.frames);
    while (e->rxq.head) {
        e->rx_stats.flushed++;
        fifo_pop(e);
    }
}

/* A frame the driver expected, met by a receiver it has not finished
 * setting up: said once, naming the write that came closest. */
static void explain_disabled(struct e1000 *e)
{
    if (!e->rx_handed || e->rx_was_enabled)
        return;                     /* not set up yet, or deliberately stopped */
    bool rctl = e->rctl_site.known;
    e1000dev_warn_site(e, E1000_RULE_RX_DISABLED, rctl ? "RCTL" : "RDT",
                    rctl ? &e->rctl_site : &e->rx_ring_site, "a frame arrived while RCTL.EN "
                    "is clear: the receiver is off and drops it; set RCTL.EN once the ring is "
                    "ready (8254x 13.4.22, 14.4)");
}

static void explain_no_descriptors(struct e1000 *e)
{
    if (e->rx_handed || free_descriptors(e))
        return;
    e1000dev_warn_site(e, E1000_RULE_RX_NO_DESC, "RCTL", &e->rctl_site, "a frame arrived with "
                    "RDH == RDT (%u) and no receive descriptor ever handed over: the device owns "
                    "RDH up to RDT - 1, so it has none; at start RDT is the ring size - 1; the "
                    "frame waits (RNBC) (8254x 13.4.29, 14.4)", R(e, E1000_RDT));
}

/* Every frame from the wire is taken: delivered, kept in the FIFO, or
 * dropped (filtered, counted, or with the receiver off). */
static void receive(struct e1000 *e, const uint8_t *f, size_t len)
{
    e->rx_stats.arrived++;
    if (!(R(e, E1000_RCTL) & E1000_RCTL_EN)) {
        explain_disabled(e);
        e->rx_stats.off++;
        return;                     /* the registers count nothing */
    }
    R(e, E1000_TPR)++;
    if (!accept(e, f, len)) {
        e->rx_stats.filtered++;
        return;
    }
    if (oversize(e, len) || never_fits(e, len))
        return;
    /* without bus mastering it waits, as for descriptors (the RDT write
     * said why) */
    if (!e->rxq.head && pci_bus_master(&e->pci) && deliver(e, f, len))
        return;
    if (pci_bus_master(&e->pci))
        explain_no_descriptors(e);
    wait_for_descriptors(e, f, len);
}

/* From the cable: nothing without link, nor while the PHY loops back
 * (it is isolated from the cable then). */
bool e1000dev_rx_receive(struct net_client *nc, const uint8_t *f, size_t len)
{
    struct e1000 *e = nc->opaque;
    if (e1000dev_link(e) && !e1000dev_phy_loopback(e)) {
        receive(e, f, len);
    } else {
        e->rx_stats.arrived++;
        e->rx_stats.off++;
    }
    return true;
}

void e1000dev_rx_loopback(struct e1000 *e, const uint8_t *f, size_t len)
{
    receive(e, f, len);
}

/* RDT moved, RCTL changed or the link came up: the FIFO drains in order
 * as far as the ring has room. */
void e1000dev_rx_kick(struct e1000 *e)
{
    while (e->rxq.head && (R(e, E1000_RCTL) & E1000_RCTL_EN) && pci_bus_master(&e->pci)) {
        const struct net_packet *p = e->rxq.head;
        if (!never_fits(e, p->len) && !deliver(e, p->data, p->len))
            break;
        fifo_pop(e);
    }
}

unsigned e1000dev_rx_waiting(const struct e1000 *e, size_t *bytes)
{
    *bytes = e->rxq.bytes;
    return e->rxq.frames;
}

const struct e1000dev_rx_stats *e1000dev_rx_stats(const struct e1000 *e)
{
    return &e->rx_stats;
}

void e1000dev_rx_stats_print(const struct e1000 *e, FILE *out)
{
    const struct e1000dev_rx_stats *s = &e->rx_stats;
    fprintf(out, "; e1000 rx: %llu arrived, %llu delivered, %llu waited, %u waiting, dropped: "
            "%llu off, %llu filtered, %llu oversize, %llu missed, %llu flushed, %llu bad ring",
            (unsigned long long)s->arrived, (unsigned long long)s->delivered,
            (unsigned long long)s->waited, e->rxq.frames, (unsigned long long)s->off,
            (unsigned long long)s->filtered, (unsigned long long)s->oversize,
            (unsigned long long)s->missed, (unsigned long long)s->flushed,
            (unsigned long long)s->bad_ring);
}
