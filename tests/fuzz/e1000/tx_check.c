/*
 * E_TX_PACKET: an Ethernet/IPv4/TCP or UDP packet as a driver queues it:
 * a context descriptor (offsets, MSS, header length) and data
 * descriptors gathering the packet, with TSO and checksum insertion as
 * the input asks, or legacy descriptors with IC. When the ring was idle
 * and set up by the harness, every frame the device sends for it is
 * checked as it arrives (8254x manual 3.3.6, 3.5): each TSO segment
 * carries the headers with total length, identification, sequence number
 * and flags fixed up, the next MSS bytes of payload in order, and right
 * checksums where they were asked for; an unsegmented packet arrives
 * byte for byte with its checksums inserted; DD is written back.
 */
#include <string.h>
#include "check.h"
#include "csum.h"
#include "harness.h"
#include "ops.h"

#define TSO_MAX_SEGMENTS 2048       /* the model's documented limit */

struct tx_expect {
    uint8_t pkt[65536];
    size_t len, hdr, mss, payload;
    bool tcp, seg, tse, legacy, ixsm, txsm, psp;
    uint16_t ip_id;
    uint32_t seq;
    uint8_t flags;
    size_t off;                 /* payload bytes seen */
    unsigned index, count;      /* frames seen, expected */
};

static struct tx_expect X;

static const uint8_t dst_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

/* The packet in X.pkt: headers, then payload from the input and a
 * pattern. The checksum fields hold what a driver leaves there: 0 for
 * the IP header, the pseudo-header sum for TCP/UDP (without the length
 * for TSO, which adds each segment's own). */
static void build(struct input *in, uint16_t ip_id, uint32_t seq)
{
    uint8_t *f = X.pkt, *ip = f + 14, *l4 = f + 34;
    memset(f, 0, X.len);
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, nic()->mac, 6);
    wbe16(f + 12, 0x0800);
    ip[0] = 0x45;
    wbe16(ip + 2, (uint16_t)(X.len - 14));
    wbe16(ip + 4, ip_id);
    wbe16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = X.tcp ? 6 : 17;
    wbe32(ip + 12, 0x0a00020f);
    wbe32(ip + 16, 0x0a000202);
    wbe16(l4, 0x1234);
    wbe16(l4 + 2, 80);
    size_t l4hdr = X.tcp ? 20 : 8;
    if (X.tcp) {
        wbe32(l4 + 4, seq);
        wbe32(l4 + 8, 0x5000);
        l4[12] = 5 << 4;
        l4[13] = (uint8_t)(0x10 | X.flags);
        wbe16(l4 + 14, 65535);
    } else {
        wbe16(l4 + 4, (uint16_t)(X.len - 34));
    }
    size_t body = 34 + l4hdr;
    size_t got = in_bytes(in, f + body, X.len > body + 32 ? 32 : X.len - body);
    for (size_t i = body + got; i < X.len; i++)
        f[i] = (uint8_t)(i * 7 + seq);
    uint32_t s = oc_sum(ip + 12, 8, 0) + ip[9];
    if (!X.tse)
        s += (uint32_t)(X.len - 34);
    wbe16(l4 + (X.tcp ? 16 : 6), oc_sum(NULL, 0, s));
}

static size_t l4_csum_off(void) { return 34 + (X.tcp ? 16 : 6); }

static size_t fifo_bytes(void)
{
    uint32_t rxa = reg(E1000_PBA) & 0xffff;
    return rxa < 64 ? (64 - rxa) * 1024 : 0;
}

/* Whether the device will cut the packet (8254x 3.5.1, with the FIFO
 * rule of 3.3.6 and the model's limits on header length and segments). */
static bool will_segment(void)
{
    if (!X.tse || X.legacy || !X.mss || X.hdr >= X.len || 14 + 20 > X.hdr || 34 + 20 > X.hdr)
        return false;
    if (X.hdr + X.mss + 80 > fifo_bytes())
        return false;
    return (X.payload + X.mss - 1) / X.mss <= TSO_MAX_SEGMENTS;
}

/* Bytes of the header a segment may change. */
static bool variable(size_t i)
{
    if (i == 16 || i == 17 || i == 18 || i == 19 || i == 24 || i == 25)
        return true;                                /* total length, ID, checksum */
    if (X.tcp)
        return (i >= 38 && i < 42) || i == 47 || i == 50 || i == 51;   /* seq, flags, sum */
    return i >= 38 && i < 42;                       /* length, sum */
}

static void check_padding(const uint8_t *f, size_t want, size_t len)
{
    for (size_t i = want; i < len; i++)
        FUZZ_CHECK(f[i] == 0, "padding byte %zu is 0x%02x", i, f[i]);
}

static void check_segment(const uint8_t *f, size_t len)
{
    size_t n = X.payload - X.off < X.mss ? X.payload - X.off : X.mss, want = X.hdr + n;
    size_t wire = X.psp && want < 60 ? 60 : want;
    bool last = X.off + n == X.payload;
    FUZZ_CHECK(len == wire, "TSO segment %u is %zu bytes, not %zu", X.index, len, wire);
    for (size_t i = 0; i < X.hdr; i++)
        FUZZ_CHECK(variable(i) || f[i] == X.pkt[i], "TSO segment %u header byte %zu changed",
                   X.index, i);
    FUZZ_CHECK(memcmp(f + X.hdr, X.pkt + X.hdr + X.off, n) == 0,
               "TSO segment %u does not carry payload bytes %zu-%zu", X.index, X.off,
               X.off + n);
    check_padding(f, want, len);
    const uint8_t *ip = f + 14, *l4 = f + 34;
    FUZZ_CHECK(be16(ip + 2) == want - 14, "TSO segment %u: IP total length %u for %zu bytes",
               X.index, be16(ip + 2), want);
    FUZZ_CHECK(be16(ip + 4) == (uint16_t)(X.ip_id + X.index), "TSO segment %u: IP ID 0x%x",
               X.index, be16(ip + 4));
    if (X.ixsm)
        FUZZ_CHECK(oc_ok(ip, 20, 0), "TSO segment %u: IP header checksum wrong", X.index);
    if (X.tcp) {
        FUZZ_CHECK(be32(l4 + 4) == X.seq + (uint32_t)X.off,
                   "TSO segment %u: sequence number 0x%x for payload offset %zu", X.index,
                   be32(l4 + 4), X.off);
        uint8_t flags = (uint8_t)(0x10 | X.flags);
        if (!last)
            flags &= (uint8_t)~0x09;
        FUZZ_CHECK(l4[13] == flags, "TSO segment %u: TCP flags 0x%02x, not 0x%02x", X.index,
                   l4[13], flags);
    } else {
        FUZZ_CHECK(be16(l4 + 4) == want - 34, "TSO segment %u: UDP length %u", X.index,
                   be16(l4 + 4));
    }
    if (X.txsm)
        FUZZ_CHECK(oc_ok(l4, want - 34, pseudo_sum(ip, want - 34)),
                   "TSO segment %u: %s checksum wrong", X.index, X.tcp ? "TCP" : "UDP");
    X.off += n;
}

/* One frame for the whole packet, checksums inserted as asked; for a
 * TSO packet the device would not cut, only the IP checksum is sure
 * (its TCP/UDP field holds the TSO seed, without the length). */
static void check_whole(const uint8_t *f, size_t len)
{
    size_t wire = X.psp && X.len < 60 ? 60 : X.len;
    bool ip_sum = X.ixsm && !X.legacy, l4_sum = X.txsm && (X.legacy || !X.tse);
    FUZZ_CHECK(len == wire, "the packet left as %zu bytes, not %zu", len, wire);
    size_t l4f = l4_csum_off();
    for (size_t i = 0; i < X.len; i++) {
        bool sum_field = (ip_sum && (i == 24 || i == 25)) ||
                         (X.txsm && (i == l4f || i == l4f + 1));
        FUZZ_CHECK(sum_field || f[i] == X.pkt[i], "byte %zu of the packet changed", i);
    }
    check_padding(f, X.len, len);
    if (ip_sum)
        FUZZ_CHECK(oc_ok(f + 14, 20, 0), "IP header checksum wrong");
    if (l4_sum)
        FUZZ_CHECK(oc_ok(f + 34, X.len - 34, pseudo_sum(f + 14, X.len - 34)),
                   "%s checksum wrong", X.tcp ? "TCP" : "UDP");
}

void tx_expect_frame(const uint8_t *f, size_t len)
{
    if (!H.expect)
        return;
    FUZZ_CHECK(X.index < X.count, "frame %u for a packet that makes %u", X.index + 1, X.count);
    if (X.seg)
        check_segment(f, len);
    else
        check_whole(f, len);
    X.index++;
}

/* Writes a descriptor at ring position *at and moves it on. */
static void put_desc(unsigned *at, unsigned n, const void *d)
{
    memcpy(H.rig.ram + TXR + (*at % n) * E1000_DESC_SIZE, d, E1000_DESC_SIZE);
    *at = (*at + 1) % n;
}

void op_tx_packet(struct input *in)
{
    uint8_t flags = in_u8(in);
    X.tcp = !(flags & TXP_UDP);
    X.legacy = flags & TXP_LEGACY;
    X.tse = (flags & TXP_TSE) && !X.legacy;
    X.ixsm = (flags & TXP_IXSM) && !X.legacy;
    X.txsm = flags & TXP_TXSM;
    X.flags = (uint8_t)((X.tcp && (flags & TXP_FIN) ? 0x01 : 0) |
                        (X.tcp && (flags & TXP_PSH) ? 0x08 : 0));
    size_t base = X.tcp ? 54 : 42;
    X.payload = in_u16(in) % 32768;
    X.mss = in_u16(in) % 4096;
    X.hdr = base + in_u8(in) % 24;
    unsigned ndesc = in_u8(in) % 4 + 1;
    size_t cut[4] = { 0 };
    for (unsigned i = 1; i < ndesc; i++)
        cut[i] = in_u16(in);
    X.ip_id = in_u16(in);
    X.seq = in_u32(in);
    uint8_t which = 0;
    uint32_t value = 0;
    if (flags & TXP_PERTURB) {
        which = in_u8(in);
        value = in_u32(in);
    }
    X.len = X.hdr + X.payload;
    if (X.len > sizeof X.pkt)
        X.len = sizeof X.pkt;
    X.payload = X.len - X.hdr;
    build(in, X.ip_id, X.seq);
    memcpy(H.rig.ram + PKT, X.pkt, X.len);

    /* the ring as the harness laid it out, idle, the device on, frames
     * going to the cable (no MAC or PHY loopback) */
    uint32_t n = reg(E1000_TDLEN) / E1000_DESC_SIZE, tdt = reg(E1000_TDT);
    unsigned count = ndesc + !X.legacy;
    bool check = !(flags & TXP_PERTURB) && (reg(E1000_TCTL) & E1000_TCTL_EN) && master_on() &&
                 !(reg(E1000_RCTL) & E1000_RCTL_LBM_MASK) &&
                 !(nic()->phy[PHY_CTRL] & MII_CR_LOOPBACK) && reg(E1000_TDBAL) == TXR &&
                 reg(E1000_TDBAH) == 0 && n > count && n <= 256 && tdt < n &&
                 reg(E1000_TDH) == tdt && !nic()->tx.active;
    if (!n || n > 256)
        n = 1;
    unsigned at = tdt % n;

    if (!X.legacy) {
        struct e1000_context_desc c = {
            .ipcss = 14, .ipcso = 24, .ipcse = 33, .tucss = 34, .tucso = (uint8_t)l4_csum_off(),
            .tucse = 0, .hdr_len = (uint8_t)X.hdr, .mss = (uint16_t)X.mss,
            .cmd_and_length = (uint32_t)X.payload | E1000_TXD_CMD_IP | E1000_TXD_DCMD_DEXT |
                              (X.tcp ? E1000_TXD_CMD_TCP : 0) | (X.tse ? E1000_TXD_CMD_TSE : 0),
        };
        switch (which % 10) {
        case 1: c.ipcss = (uint8_t)value; break;
        case 2: c.ipcso = (uint8_t)value; break;
        case 3: c.ipcse = (uint16_t)value; break;
        case 4: c.tucss = (uint8_t)value; break;
        case 5: c.tucso = (uint8_t)value; break;
        case 6: c.tucse = (uint16_t)value; break;
        case 7: c.hdr_len = (uint8_t)value; break;
        case 8: c.mss = (uint16_t)value; break;
        case 9: c.cmd_and_length = value | E1000_TXD_DCMD_DEXT; break;
        }
        put_desc(&at, n, &c);
    }
    /* the data, cut at sorted points into ndesc pieces */
    for (unsigned i = 1; i < ndesc; i++)
        cut[i] %= X.len + 1;
    for (unsigned i = 1; i < ndesc; i++)
        for (unsigned j = i + 1; j < ndesc; j++)
            if (cut[j] < cut[i]) {
                size_t t = cut[i];
                cut[i] = cut[j];
                cut[j] = t;
            }
    unsigned last_at = at;
    for (unsigned i = 0; i < ndesc; i++) {
        size_t from = cut[i], to = i + 1 < ndesc ? cut[i + 1] : X.len;
        bool last = i + 1 == ndesc;
        last_at = at;
        if (X.legacy) {
            struct e1000_tx_desc t = {
                .buffer_addr = PKT + from, .length = (uint16_t)(to - from),
                .cmd = (uint8_t)((last ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS : 0) |
                                 (X.txsm ? E1000_TXD_CMD_IC : 0)),
                .css = 34, .cso = (uint8_t)l4_csum_off(),
            };
            put_desc(&at, n, &t);
        } else {
            struct e1000_data_desc t = {
                .buffer_addr = PKT + from,
                .lower = (uint32_t)(to - from) | E1000_TXD_DTYP_D | E1000_TXD_DCMD_DEXT |
                         (X.tse ? E1000_TXD_DCMD_TSE : 0) |
                         (last ? E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_RS : 0),
                .popts = (uint8_t)((X.ixsm ? E1000_TXD_POPTS_IXSM : 0) |
                                   (X.txsm ? E1000_TXD_POPTS_TXSM : 0)),
            };
            put_desc(&at, n, &t);
        }
    }

    X.psp = reg(E1000_TCTL) & E1000_TCTL_PSP;
    X.seg = will_segment();
    X.count = X.seg ? (unsigned)((X.payload + X.mss - 1) / X.mss) : 1;
    X.off = 0;
    X.index = 0;
    H.expect = check ? &X : NULL;
    fuzz_trace("TX packet of %zu bytes, MSS %zu, %s: expect %u frame(s), %s (TCTL 0x%x, TDH %u, "
               "TDT %u -> %u)", X.len, X.mss, X.tse ? "TSO" : X.legacy ? "legacy" : "whole",
               X.count, check ? "checked" : "not checked", reg(E1000_TCTL), reg(E1000_TDH),
               tdt, at);
    wr(E1000_TDT, at);
    settle();
    H.expect = NULL;
    fuzz_trace("  %u frame(s) came", X.index);
    if (!check)
        return;
    FUZZ_CHECK(reg(E1000_TDH) == at, "TDH %u, TDT %u: the packet was not all taken",
               reg(E1000_TDH), at);
    FUZZ_CHECK(X.index == X.count, "%u frames for a packet that makes %u (MSS %zu, %zu bytes)",
               X.index, X.count, X.mss, X.len);
    FUZZ_CHECK(!X.seg || X.off == X.payload, "segments carried %zu of %zu payload bytes", X.off,
               X.payload);
    FUZZ_CHECK(H.rig.ram[TXR + last_at * E1000_DESC_SIZE + 12] & E1000_TXD_STAT_DD,
               "no DD written back for the descriptor with RS");
}
