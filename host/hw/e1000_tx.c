/*
 * The transmit path: shortly after the guest moves TDT (E1000_DMA_DELAY_NS,
 * as the chip fetches over PCI after the posted write), descriptors from
 * TDH up to TDT are fetched from guest memory by bus-master DMA and their
 * buffers gathered into a packet until EOP. Legacy descriptors may ask
 * for one checksum (CSO/CSS); a context descriptor sets the TCP/IP
 * offsets that following data descriptors use for IP and TCP/UDP
 * checksum insertion and TCP segmentation (TSO). Status is written back
 * (DD) where RS asks for it, and TXDW/TXQE are raised.
 *
 * Everything here comes from the guest and is checked: the ring must fit
 * in RAM, the indices must lie inside it, buffers must be RAM (never the
 * device's own registers), packets are capped at 64 KiB, a TSO context
 * that cannot work is refused, and checksums are inserted only inside
 * the frame being built. Each refusal is a warning naming the register
 * or descriptor. The work one TDT write does is bounded (a batch); with
 * an event loop the rest follows from it, so the guest runs and a signal
 * is seen in between.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/e1000_internal.h"

#define ETH_HLEN 14
#include "net/checksum.h"

/* A batch: once it has taken this many descriptors, sent this many
 * frames or moved this many bytes, the rest waits for the loop. A TSO
 * packet is never cut, so a batch may exceed them by one packet. */
#define TX_BATCH_DESCS  256
#define TX_BATCH_FRAMES 256
#define TX_BATCH_BYTES  (1u << 20)

/* Segments one TSO packet may become; above that the MSS is refused.
 * 64 KiB at Linux's smallest MSS (48) is 1366. */
#define TSO_MAX_SEGMENTS 2048

void e1000dev_tx_reset(struct e1000 *e)
{
    memset(&e->ctx, 0, sizeof e->ctx);
    uint8_t *buf = e->tx.buf;
    memset(&e->tx, 0, sizeof e->tx);
    e->tx.buf = buf;
}

static void count_tx(struct e1000 *e, const uint8_t *frame, size_t len)
{
    R(e, E1000_GPTC)++;
    R(e, E1000_TPT)++;
    e->frames_tx++;
    uint64_t gotc = (uint64_t)R(e, E1000_GOTCH) << 32 | R(e, E1000_GOTCL);
    gotc += len + 4;                      /* the counters include the FCS */
    R(e, E1000_GOTCL) = (uint32_t)gotc;
    R(e, E1000_GOTCH) = (uint32_t)(gotc >> 32);
    uint64_t tot = (uint64_t)R(e, E1000_TOTH) << 32 | R(e, E1000_TOTL);
    tot += len + 4;
    R(e, E1000_TOTL) = (uint32_t)tot;
    R(e, E1000_TOTH) = (uint32_t)(tot >> 32);
    if (len >= 6 && memcmp(frame, "\xff\xff\xff\xff\xff\xff", 6) == 0)
        R(e, E1000_BPTC)++;
    else if (len >= 1 && (frame[0] & 1))
        R(e, E1000_MPTC)++;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Where a checksum is summed (start to end inclusive, end 0: to the end
 * of the frame) and stored (off), as a context or legacy descriptor says. */
struct csum_at {
    unsigned start, off, end;
    const char *what;
};

static struct csum_at ip_csum(const struct tx_context *c)
{
    return (struct csum_at){ c->ipcss, c->ipcso, c->ipcse, "IP" };
}

static struct csum_at l4_csum(const struct tx_context *c, unsigned end)
{
    return (struct csum_at){ c->tucss, c->tucso, end, "TCP/UDP" };
}

/* Insert a checksum into the len bytes of the frame being built, never
 * outside them: a start or field past the frame is refused; an end past
 * it stops at its end. init, if not NULL, is put in the field first. As
 * on the chip, the field itself is part of the sum: the driver leaves 0
 * there for the IP header and the pseudo-header sum for TCP/UDP. */
static void insert_csum(struct e1000 *e, uint8_t *frame, size_t len, struct csum_at at,
                        uint32_t seed, const uint8_t *init)
{
    size_t stop = at.end ? (size_t)at.end + 1 : len;
    if (stop > len)
        stop = len;
    if (at.start >= stop || (size_t)at.off + 2 > len) {
        log_warn_rl(&e->rl, "e1000: TX %s checksum offsets (start %u, offset %u, end %u) "
                    "do not fit a %zu-byte packet; not inserted", at.what, at.start, at.off,
                    at.end, len);
        return;
    }
    if (init)
        memcpy(frame + at.off, init, 2);
    put16(frame + at.off, csum_finish(csum_add(seed, frame + at.start, stop - at.start)));
}

static void send_frame(struct e1000 *e, uint8_t *frame, size_t len)
{
    if (R(e, E1000_TCTL) & E1000_TCTL_PSP && len < 60) {
        memset(frame + len, 0, 60 - len);  /* pad short packets */
        len = 60;
    }
    if (len < ETH_HLEN) {
        /* no 8254x puts a frame without even its header on the wire */
        log_warn_rl(&e->rl, "e1000: a %zu-byte packet is shorter than an Ethernet header and "
                    "TCTL.PSP is clear, so it is not sent (8254x 3.3.3.1, 13.4.33)", len);
        return;
    }
    count_tx(e, frame, len);
    e->txw.frames++;
    e->txw.bytes += len;
    if (e1000dev_phy_loopback(e)) {
        /* PHY loopback (PHY control bit 14): the PHY hands the frame
         * back to the MAC's receiver; nothing reaches the cable */
        e1000dev_rx_loopback(e, frame, len);
        return;
    }
    if (R(e, E1000_RCTL) & E1000_RCTL_LBM_MASK) {
        /* MAC loopback: the frame comes back to our own receiver, as if
         * sent by a peer whose other end is us */
        struct net_client wire = { .name = "loopback", .peer = &e->nc };
        net_send(&wire, frame, len);
        return;
    }
    net_send(&e->nc, frame, len);
}

/* Checksums a non-TSO packet as its POPTS ask, with the context. */
static void offload(struct e1000 *e, struct tx_packet *p)
{
    const struct tx_context *c = &p->ctx;
    if (p->ixsm)
        insert_csum(e, p->buf, p->len, ip_csum(c), 0, NULL);
    if (p->txsm)
        insert_csum(e, p->buf, p->len, l4_csum(c, c->tucse), 0, NULL);
}

/* The transmit FIFO: the 64 KiB packet buffer less what PBA.RXA (KiB)
 * gives the receiver. */
static size_t tx_fifo_bytes(const struct e1000 *e)
{
    uint32_t rxa = R(e, E1000_PBA) & 0xffff;
    return rxa < 64 ? (size_t)(64 - rxa) * 1024 : 0;
}

/* Whether the packet's TSO context can be carried out; warns if not. */
static bool tso_usable(struct e1000 *e, const struct tx_packet *p)
{
    const struct tx_context *c = &p->ctx;
    size_t hdr = c->hdr_len, mss = c->mss;
    if (!hdr || !mss || hdr >= p->len || (size_t)c->ipcss + 20 > hdr ||
        (size_t)c->tucss + 20 > hdr) {
        log_warn_rl(&e->rl, "e1000: TSO context with header length %zu and MSS %zu cannot "
                    "segment a %zu-byte packet; sent as one frame without segmentation",
                    hdr, mss, p->len);
        return false;
    }
    /* 8254x manual 3.3.6, note 2: a whole segment must fit the transmit
     * FIFO with 80 bytes to spare */
    if (hdr + mss + 80 > tx_fifo_bytes(e)) {
        log_warn_rl(&e->rl, "e1000: TSO segments of %zu bytes (HDRLEN %zu + MSS %zu) do not "
                    "fit the %zu-byte transmit FIFO (PBA) less 80 bytes; sent as one frame "
                    "without segmentation", hdr + mss, hdr, mss, tx_fifo_bytes(e));
        return false;
    }
    size_t payload = p->len - hdr, segs = (payload + mss - 1) / mss;
    if (segs > TSO_MAX_SEGMENTS) {
        log_warn_rl(&e->rl, "e1000: TSO MSS %zu cuts a %zu-byte payload into %zu segments, "
                    "more than the %d allowed; sent as one frame without segmentation",
                    mss, payload, segs, TSO_MAX_SEGMENTS);
        return false;
    }
    return true;
}

/* What the headers of the first segment say, before any is sent. */
struct tso_start {
    uint16_t ip_id;
    uint32_t seq;
    uint8_t flags;
};

/* 8254x manual 3.5.9: the fields each segment's headers get. */
static void fix_headers(const struct tx_context *c, const struct tso_start *t, uint8_t *seg,
                        size_t len, size_t index, size_t off, bool last)
{
    uint8_t *ip = seg + c->ipcss, *l4 = seg + c->tucss;
    if (c->tucmd & E1000_TXD_CMD_IP) {
        put16(ip + 2, (uint16_t)(len - c->ipcss));          /* total length */
        put16(ip + 4, (uint16_t)(t->ip_id + index));        /* identification */
    }
    if (c->tucmd & E1000_TXD_CMD_TCP) {
        uint32_t s = t->seq + (uint32_t)off;
        put16(l4 + 4, (uint16_t)(s >> 16));
        put16(l4 + 6, (uint16_t)s);
        if (!last)
            l4[13] = t->flags & (uint8_t)~0x09;             /* FIN and PSH: last only */
    } else {
        put16(l4 + 4, (uint16_t)(len - c->tucss));          /* UDP length */
    }
}

static void segment_checksums(struct e1000 *e, const struct tx_packet *p, uint8_t *seg,
                              size_t len)
{
    const struct tx_context *c = &p->ctx;
    static const uint8_t zero[2];
    if (p->ixsm && (c->tucmd & E1000_TXD_CMD_IP))
        insert_csum(e, seg, len, ip_csum(c), 0, zero);   /* the template's sum is stale */
    /* the driver seeded the TCP/UDP field with the pseudo-header sum
     * without the length; each segment adds its own */
    if (p->txsm)
        insert_csum(e, seg, len, l4_csum(c, 0), (uint32_t)(len - c->tucss),
                    p->buf + c->tucso);
}

/* TCP segmentation: the first hdr_len bytes are the headers; the rest is
 * cut into MSS-sized segments, each sent with the headers fixed up. */
static void segment(struct e1000 *e, struct tx_packet *p)
{
    if (!tso_usable(e, p)) {
        offload(e, p);
        send_frame(e, p->buf, p->len);
        return;
    }
    const struct tx_context *c = &p->ctx;
    size_t hdr = c->hdr_len, mss = c->mss, payload = p->len - hdr;
    const uint8_t *l4 = p->buf + c->tucss;
    struct tso_start t = { get16(p->buf + c->ipcss + 4),
                           (uint32_t)get16(l4 + 4) << 16 | get16(l4 + 6), l4[13] };
    uint8_t *seg = malloc(hdr + mss + 64);
    if (!seg) {
        log_warn_rl(&e->rl, "e1000: out of memory segmenting a TSO packet; dropped");
        return;
    }
    for (size_t off = 0, i = 0; off < payload; off += mss, i++) {
        size_t n = payload - off < mss ? payload - off : mss, len = hdr + n;
        memcpy(seg, p->buf, hdr);
        memcpy(seg + hdr, p->buf + hdr + off, n);
        fix_headers(c, &t, seg, len, i, off, off + n == payload);
        segment_checksums(e, p, seg, len);
        send_frame(e, seg, len);
    }
    /* 13.7.53: one TSO context sent, counted once its last segment is out */
    R(e, E1000_TSCTC)++;
    free(seg);
}

static void finish_packet(struct e1000 *e)
{
    struct tx_packet *p = &e->tx;
    if (p->tse) {
        segment(e, p);
    } else {
        if (p->legacy_ic)
            insert_csum(e, p->buf, p->len, (struct csum_at){ p->css, p->cso, 0, "legacy" }, 0,
                        NULL);
        else
            offload(e, p);
        send_frame(e, p->buf, p->len);
    }
    p->active = false;
    p->len = 0;
}

/* A descriptor's buffer joins the packet. 3.3.3.1: a null address
 * transfers no data. What is wrong with a buffer was reported when TDT
 * handed it over (e1000_doorbell.c); here it only costs the packet. */
static void append(struct e1000 *e, uint64_t addr, size_t len, uint32_t idx)
{
    struct tx_packet *p = &e->tx;
    if (p->len + len > NET_FRAME_MAX) {
        e1000dev_warn(e, E1000_RULE_TX_NO_EOP, "transmit descriptor %u makes a packet longer "
                   "than %d bytes: EOP (CMD bit 0) missing? the packet is dropped "
                   "(8254x 3.3.3.1)", idx, NET_FRAME_MAX);
        p->len = 0;
        p->active = false;
        return;
    }
    if (!addr)
        return;
    if (len && !pci_dma_read(&e->pci, addr, p->buf + p->len, len)) {
        e1000dev_warn(e, E1000_RULE_TX_BUFFER, "transmit descriptor %u: buffer 0x%llx (%zu bytes) "
                   "is not RAM; descriptors hold physical addresses (8254x 3.3.3)", idx,
                   (unsigned long long)addr, len);
        p->len = 0;
        p->active = false;
        return;
    }
    p->len += len;
    e->txw.bytes += len;
}

/* One descriptor; returns false when the ring cannot be read. *reported
 * says a status was written back: now (1) or with IDE, delayed (2). */
static bool process(struct e1000 *e, uint64_t base, uint32_t idx, int *reported)
{
    uint8_t d[16];
    uint64_t at = base + (uint64_t)idx * E1000_DESC_SIZE;
    if (!pci_dma_read(&e->pci, at, d, sizeof d)) {
        e1000dev_warn(e, E1000_RULE_TX_RING_RAM, "transmit descriptor %u at 0x%llx is not RAM: "
                   "TDBAL/TDBAH hold the ring's physical address; transmit stopped "
                   "(8254x 13.4.36)", idx, (unsigned long long)at);
        return false;
    }
    e1000dev_tx_check_fetched(e, idx, at, d);
    uint32_t lower;
    memcpy(&lower, d + 8, 4);
    uint8_t cmd = d[11];
    struct tx_packet *p = &e->tx;
    bool rs, ide = cmd & E1000_TXD_CMD_IDE;
    if (cmd & E1000_TXD_CMD_DEXT) {
        uint32_t dtyp = lower & E1000_TXD_DTYP_MASK;
        rs = lower & E1000_TXD_DCMD_RS;
        if (dtyp == E1000_TXD_DTYP_C) {
            struct e1000_context_desc c;
            memcpy(&c, d, sizeof c);
            e->ctx = (struct tx_context){
                .ipcss = c.ipcss, .ipcso = c.ipcso, .ipcse = c.ipcse, .tucss = c.tucss,
                .tucso = c.tucso, .tucse = c.tucse, .hdr_len = c.hdr_len, .mss = c.mss,
                .paylen = c.cmd_and_length & E1000_TXD_LEN_MASK,
                .tucmd = c.cmd_and_length & 0xff000000u,
            };
            if (p->active)
                log_warn_rl(&e->rl, "e1000: TX context descriptor %u arrived in the middle "
                            "of a packet; it applies from the next packet on", idx);
        } else if (dtyp == E1000_TXD_DTYP_D) {
            struct e1000_data_desc dd;
            memcpy(&dd, d, sizeof dd);
            if (!p->active) {
                p->active = true;
                p->ctx = e->ctx;      /* later context changes wait for the next packet */
                p->tse = lower & E1000_TXD_DCMD_TSE;
                p->ixsm = dd.popts & E1000_TXD_POPTS_IXSM;
                p->txsm = dd.popts & E1000_TXD_POPTS_TXSM;
                p->legacy_ic = false;
            }
            append(e, dd.buffer_addr, lower & E1000_TXD_LEN_MASK, idx);
            if ((lower & E1000_TXD_DCMD_EOP) && p->active)
                finish_packet(e);
        } else {
            log_warn_rl(&e->rl, "e1000: TX descriptor %u has DTYP %u, neither context nor "
                        "data; skipped", idx, dtyp >> 20);
        }
    } else {
        struct e1000_tx_desc ld;
        memcpy(&ld, d, sizeof ld);
        rs = ld.cmd & E1000_TXD_CMD_RS;
        if (p->active && p->tse) {
            log_warn_rl(&e->rl, "e1000: legacy TX descriptor %u in the middle of a TSO "
                        "packet; that packet is dropped", idx);
            p->active = false;
            p->len = 0;
        }
        if (!p->active) {
            p->active = true;
            p->tse = p->ixsm = p->txsm = false;
            p->legacy_ic = ld.cmd & E1000_TXD_CMD_IC;
            p->css = ld.css;
            p->cso = ld.cso;
        }
        append(e, ld.buffer_addr, ld.length, idx);
        if ((ld.cmd & E1000_TXD_CMD_EOP) && p->active)
            finish_packet(e);
    }
    if (rs) {
        uint8_t st = E1000_TXD_STAT_DD;
        if (!pci_dma_write(&e->pci, at + 12, &st, 1))
            log_warn_rl(&e->rl, "e1000: TX descriptor %u: status write-back failed", idx);
        if (*reported != 1)
            *reported = ide ? 2 : 1;
    }
    return true;
}

/* The machine paused in the middle of a batch (a debugger's watchpoint
 * on a descriptor the device just wrote): the rest waits for it. */
static bool held(const struct e1000 *e)
{
    return e->loop && e->loop->frozen;
}

static bool batch_spent(const struct e1000 *e)
{
    return e->txw.descs >= TX_BATCH_DESCS || e->txw.frames >= TX_BATCH_FRAMES ||
           e->txw.bytes >= TX_BATCH_BYTES;
}

/* One batch from TDH towards TDT; returns whether it stopped with
 * descriptors left only because the batch was spent. */
static bool tx_batch(struct e1000 *e)
{
    /* a missing ring, an index past its end, bus mastering off: the TDT
     * write said so (e1000_doorbell.c); nothing happens until fixed */
    uint32_t n = R(e, E1000_TDLEN) / E1000_DESC_SIZE;
    uint32_t head = R(e, E1000_TDH), tail = R(e, E1000_TDT);
    if (!(R(e, E1000_TCTL) & E1000_TCTL_EN) || !n || head >= n || tail >= n ||
        !pci_bus_master(&e->pci))
        return false;
    uint64_t base = (uint64_t)R(e, E1000_TDBAH) << 32 | R(e, E1000_TDBAL);
    int reported = 0;
    bool readable = true;
    e->txw = (struct tx_work){ 0 };
    /* at most one lap: head == tail again ends it whatever the guest wrote */
    for (; head != tail && e->txw.descs < n && !batch_spent(e) && !held(e); e->txw.descs++) {
        readable = process(e, base, head, &reported);
        if (!readable)
            break;
        head = (head + 1) % n;
        R(e, E1000_TDH) = head;
    }
    if (e->txw.descs && head == tail)
        e1000dev_raise(e, E1000_ICR_TXQE);   /* the queue just ran empty */
    if (reported == 1)
        e1000dev_raise(e, E1000_ICR_TXDW);
    else if (reported == 2)
        e1000dev_tx_done_delayed(e);         /* IDE: after TIDV/TADV */
    return readable && head != tail && (batch_spent(e) || held(e));
}

void e1000dev_tx_run(struct e1000 *e)
{
    while (tx_batch(e)) {
        if (e->loop) {
            /* the rest on the loop's next pass: 1 ns, as a deadline of
             * now would run again in the same loop_run_timers() */
            timer_mod(&e->tx_more, loop_now(e->loop) + 1);
            return;
        }
    }
}
