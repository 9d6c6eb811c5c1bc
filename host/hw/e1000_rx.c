/*
 * The receive path: a frame from the wire is filtered (unicast against
 * RAL/RAH, multicast against the MTA hash or MPE, broadcast with BAM,
 * everything with UPE), then written by bus-master DMA into the buffers of
 * the descriptors from RDH on, as many as its length needs, the last with
 * EOP; each descriptor gets length, checksum and status (DD) written back
 * and RDH moves on. RXT0 (and RXDMT0 when the free descriptors fall to
 * the RDMTS threshold) is raised.
 *
 * A frame is taken off the wire once: counted (TPR), filtered and checked
 * then. When the ring has too few free descriptors (RDH == RDT: none) it
 * waits in the receive FIFO, counted in RNBC, and delivery resumes when
 * the guest writes RDT; frames behind it wait too, in order. The FIFO is
 * bounded by E1000_RX_FIFO_BYTES (and NET_QUEUE_LIMIT frames): beyond
 * that a frame is missed, as is one that needs more descriptors than the
 * ring can ever have free (MPC and RXO, 8254x manual 13.7.5), with a
 * warning. A frame longer than the receive buffers allow without
 * RCTL.LPE or SBP is dropped and counted (ROC), with a warning. Frames
 * arriving with RCTL.EN clear are dropped, as the manual's RCTL.EN says
 * (13.4.22); clearing it, and CTRL.RST, empty the FIFO.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/e1000_internal.h"
#include "net/checksum.h"


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
    e1000_raise(e, E1000_ICR_RXO);
}

static size_t descriptors_needed(const struct e1000 *e, size_t len)
{
    size_t bufsize = buffer_size(R(e, E1000_RCTL));
    return (len + bufsize - 1) / bufsize;
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
                len, needed, buffer_size(R(e, E1000_RCTL)), n, n - 1);
    return true;
}

static bool oversize(struct e1000 *e, size_t len)
{
    uint32_t rctl = R(e, E1000_RCTL);
    if (len <= 1522 || (rctl & (E1000_RCTL_LPE | E1000_RCTL_SBP)))
        return false;
    R(e, E1000_ROC)++;
    log_warn_rl(&e->rl, "e1000: received a %zu-byte frame with RCTL.LPE and SBP clear; "
                "dropped (counted in ROC)", len);
    return true;
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
    size_t off = 0;
    while (off < len) {
        uint32_t idx = R(e, E1000_RDH);
        uint64_t at = base + (uint64_t)idx * E1000_DESC_SIZE;
        struct e1000_rx_desc d;
        if (!pci_dma_read(&e->pci, at, &d, sizeof d)) {
            log_warn_rl(&e->rl, "e1000: RX descriptor %u at 0x%llx is not in RAM (RDBAL/RDBAH "
                        "wrong, or bus mastering off); frame dropped", idx,
                        (unsigned long long)at);
            return true;
        }
        size_t chunk = len - off < bufsize ? len - off : bufsize;
        d.length = (uint16_t)chunk;
        d.status = E1000_RXD_STAT_DD;
        d.errors = 0;
        d.csum = csum;
        if (off + chunk == len) {
            d.status |= E1000_RXD_STAT_EOP | status;
            d.errors = errors;
        }
        if (!d.buffer_addr) {
            log_warn_rl(&e->rl, "e1000: RX descriptor %u has a null buffer address; "
                        "descriptor returned empty", idx);
            d.length = 0;
        } else if (!pci_dma_write(&e->pci, d.buffer_addr, f + off, chunk)) {
            log_warn_rl(&e->rl, "e1000: RX descriptor %u: buffer 0x%llx (%zu bytes) is not "
                        "RAM; its part of the frame is lost", idx,
                        (unsigned long long)d.buffer_addr, chunk);
            d.errors |= E1000_RXD_ERR_RXE;
        }
        pci_dma_write(&e->pci, at, &d, sizeof d);
        R(e, E1000_RDH) = (idx + 1) % n;
        off += chunk;
    }
    R(e, E1000_GPRC)++;
    e->frames_rx++;
    uint64_t gorc = (uint64_t)R(e, E1000_GORCH) << 32 | R(e, E1000_GORCL);
    gorc += len + 4;
    R(e, E1000_GORCL) = (uint32_t)gorc;
    R(e, E1000_GORCH) = (uint32_t)(gorc >> 32);
    static const unsigned rdmts_shift[4] = { 1, 2, 3, 3 };
    unsigned thr = n >> rdmts_shift[(rctl & E1000_RCTL_RDMTS_MASK) >> 8];
    if (free_descriptors(e) <= thr)
        e1000_raise(e, E1000_ICR_RXDMT0);
    e1000_rx_done(e);
    return true;
}

/* Keeps the frame at the FIFO's tail, or misses it when the FIFO is full. */
static void wait_for_descriptors(struct e1000 *e, const uint8_t *f, size_t len)
{
    struct rx_fifo *q = &e->rxq;
    struct net_packet *p = NULL;
    if (q->frames < NET_QUEUE_LIMIT && q->bytes + len <= E1000_RX_FIFO_BYTES)
        p = malloc(sizeof *p + len);
    if (!p) {
        missed(e);
        log_warn_rl(&e->rl, "e1000: the receive FIFO, with %u frames (%zu bytes) waiting for "
                    "receive descriptors, cannot keep a %zu-byte frame more; dropped (counted "
                    "in MPC)", q->frames, q->bytes, len);
        return;
    }
    p->next = NULL;
    p->len = len;
    memcpy(p->data, f, len);
    if (q->tail)
        q->tail->next = p;
    else
        q->head = p;
    q->tail = p;
    q->frames++;
    q->bytes += len;
    R(e, E1000_RNBC)++;
}

static void fifo_pop(struct e1000 *e)
{
    struct rx_fifo *q = &e->rxq;
    struct net_packet *p = q->head;
    q->head = p->next;
    if (!q->head)
        q->tail = NULL;
    q->frames--;
    q->bytes -= p->len;
    free(p);
}

void e1000_rx_flush(struct e1000 *e, const char *why)
{
    if (why && e->rxq.frames)
        log_warn_rl(&e->rl, "e1000: %s: %u received frames waiting for receive descriptors "
                    "discarded", why, e->rxq.frames);
    while (e->rxq.head)
        fifo_pop(e);
}

/* Every frame from the wire is taken: delivered, kept in the FIFO, or
 * dropped (filtered, counted, or with the receiver off). */
bool e1000_rx_receive(struct net_client *nc, const uint8_t *f, size_t len)
{
    struct e1000 *e = nc->opaque;
    if (!(R(e, E1000_RCTL) & E1000_RCTL_EN) || !e1000_link(e))
        return true;                /* nothing is received: not counted either */
    R(e, E1000_TPR)++;
    if (!accept(e, f, len) || oversize(e, len) || never_fits(e, len))
        return true;
    if (!e->rxq.head && deliver(e, f, len))
        return true;
    wait_for_descriptors(e, f, len);
    return true;
}

/* RDT moved, RCTL changed or the link came up: the FIFO drains in order
 * as far as the ring has room. */
void e1000_rx_kick(struct e1000 *e)
{
    uint32_t n = ring_size(e);
    if (n && (R(e, E1000_RDH) >= n || R(e, E1000_RDT) >= n))
        log_warn_rl(&e->rl, "e1000: %s %u is past the end of the %u-descriptor receive ring; "
                    "nothing is received until it is fixed",
                    R(e, E1000_RDH) >= n ? "RDH" : "RDT",
                    R(e, E1000_RDH) >= n ? R(e, E1000_RDH) : R(e, E1000_RDT), n);
    while (e->rxq.head && (R(e, E1000_RCTL) & E1000_RCTL_EN)) {
        const struct net_packet *p = e->rxq.head;
        if (!never_fits(e, p->len) && !deliver(e, p->data, p->len))
            break;
        fifo_pop(e);
    }
}

unsigned e1000_rx_waiting(const struct e1000 *e, size_t *bytes)
{
    *bytes = e->rxq.bytes;
    return e->rxq.frames;
}
