/*
 * TCP segmentation offload through the driver (netdev.h NETDEV_TX_TSO),
 * with no stack involved: a hand-built TCP/IPv4 packet of 64 KiB goes
 * out with the PHY in loopback (PHY control bit 14, IEEE 802.3
 * 22.2.4.1.2), and the frames the device cut from it come back to our
 * own receiver, where each is checked against 8254x manual 3.5.9: its
 * length, IPv4 total length and identification (wrapping), sequence
 * number (wrapping), FIN and PSH on the last frame only, both checksums
 * recomputed here, and the payload's bytes. Then a second packet with
 * the same shape must reuse the context descriptor, a packet that fits
 * one segment goes out as one checksum-offloaded frame, and packets the
 * device cannot segment are refused. With net.tso=0 the driver must not
 * offer TSO at all.
 *
 * The statistics registers (13.7: GPTC, GOTCL/GOTCH, clear on read) must
 * count each segment and its octets too. QEMU's e1000 does not loop
 * back in the PHY, so there (booted_by_qemu) only they are checked: its
 * frames go to the user network, addressed to ourselves, and are lost.
 */
#include "clock.h"
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "kernel.h"
#include "netdev.h"
#include "tap.h"

#define MSS 1448
#define TCP_HL 32                       /* 20 + NOP, NOP, timestamps (RFC 7323) */
#define HDR (14 + 20 + TCP_HL)
#define PAYLOAD (NETDEV_TSO_MAX - HDR)
#define SEGMENTS ((PAYLOAD + MSS - 1) / MSS)
#define SEQ0 0xffff8000u                /* wraps inside the packet */
#define ID0 0xfff0                      /* so does the identification */
#define FLAGS_ALL 0x19                  /* ACK, PSH, FIN */

static uint8_t pkt[NETDEV_TSO_MAX + 1];    /* + 1: the too-long case */
static uint8_t rx[E1000_BUFSZ];

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* The Internet checksum's running sum (RFC 1071), not yet folded. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    for (; len > 1; len -= 2, p += 2)
        sum += get16(p);
    if (len)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t folded(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + (i >> 8) * 13);
}

/* The packet as the stack would hand it (netdev.h): the whole packet's
 * IPv4 total length, the pseudo-header sum with the TCP length in the
 * TCP checksum field, the IPv4 checksum left 0. */
static size_t build(const uint8_t mac[6], uint16_t id, uint32_t seq, size_t payload)
{
    uint8_t *ip = pkt + 14, *tcp = ip + 20;
    memcpy(pkt, mac, 6);
    memcpy(pkt + 6, mac, 6);
    put16(pkt + 12, 0x0800);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + TCP_HL + payload));
    put16(ip + 4, id);
    put16(ip + 6, 0x4000);              /* DF */
    ip[8] = 64;
    ip[9] = 6;
    static const uint8_t src[4] = { 10, 0, 2, 15 }, dst[4] = { 10, 0, 2, 2 };
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    memset(tcp, 0, TCP_HL);
    put16(tcp, 49152);
    put16(tcp + 2, 9);
    put16(tcp + 4, (uint16_t)(seq >> 16));
    put16(tcp + 6, (uint16_t)seq);
    put16(tcp + 8, 0x1234);
    put16(tcp + 10, 0x5678);
    tcp[12] = TCP_HL / 4 << 4;
    tcp[13] = FLAGS_ALL;
    put16(tcp + 14, 0xffff);
    tcp[20] = 1;
    tcp[21] = 1;
    tcp[22] = 8;                        /* timestamps */
    tcp[23] = 10;
    put16(tcp + 24, 0xabcd);
    for (size_t i = 0; i < payload; i++)
        tcp[TCP_HL + i] = pattern(i);
    uint32_t pseudo = sum16(ip + 12, 8, 6 + (uint32_t)(TCP_HL + payload));
    put16(tcp + 16, folded(pseudo));
    return HDR + payload;
}

/* Every frame that comes back within wait_ms, checked as segment k of a
 * packet of `payload` bytes from seq and id; returns how many came. */
static unsigned take_segments(struct tap *t, struct e1000_nic *nic, uint16_t id, uint32_t seq,
                              size_t payload, size_t mss, unsigned want, unsigned wait_ms)
{
    unsigned k = 0;
    uint64_t end = time_ns() + (uint64_t)wait_ms * 1000000;
    while (time_ns() < end && !t->failed) {
        size_t len = e1000_receive(nic, rx, sizeof rx);
        if (!len) {
            if (k >= want)                  /* all came: a short look for extras */
                end = end < time_ns() + 20000000 ? end : time_ns() + 20000000;
            continue;
        }
        size_t off = (size_t)k * mss, n = payload - off < mss ? payload - off : mss;
        bool last = off + n >= payload;
        const uint8_t *ip = rx + 14, *tcp = ip + 20;
        if (off >= payload) {
            tap_failf(t, "no frame beyond the packet's payload", "%llu frames", want,
                      "at least %llu", k + 1);
            break;
        }
        EXPECT_EQ(t, HDR + n, len, "a segment's frame length: headers + its payload");
        EXPECT_EQ(t, 20 + TCP_HL + n, get16(ip + 2), "IPv4 total length of the segment");
        EXPECT_EQ(t, (uint16_t)(id + k), get16(ip + 4), "IPv4 identification: + 1 a segment");
        EXPECT_EQ(t, 0xffff, folded(sum16(ip, 20, 0)), "IPv4 header checksum");
        EXPECT_EQ(t, seq + (uint32_t)off, get32(tcp + 4), "TCP sequence number");
        EXPECT_EQ(t, last ? FLAGS_ALL : FLAGS_ALL & ~0x09, tcp[13],
                  "TCP flags: FIN and PSH on the last segment only");
        EXPECT_EQ(t, 0xabcd, get16(tcp + 24), "TCP options copied");
        if (len == HDR + n) {
            uint32_t pseudo = sum16(ip + 12, 8, 6 + (uint32_t)(TCP_HL + n));
            EXPECT_EQ(t, 0xffff, folded(sum16(tcp, TCP_HL + n, pseudo)), "TCP checksum");
            for (size_t i = 0; i < n && !t->failed; i++)
                if (tcp[TCP_HL + i] != pattern(off + i))
                    tap_failf(t, "payload bytes in order", "0x%02llx", pattern(off + i),
                              "0x%02llx", tcp[TCP_HL + i]);
        }
        k++;
    }
    return k;
}

/* Once the device has taken every descriptor queued (TDH caught up),
 * the statistics say what it sent: GPTC frames and GOTC octets, the FCS
 * included, each a segment of `payload` cut at mss. */
static void check_counted(struct tap *t, struct e1000_nic *nic, size_t payload, size_t mss)
{
    uint64_t end = time_ns() + 1000000000;
    while (e1000_read(nic, E1000_TDH) != nic->tx_next && time_ns() < end)
        ;
    unsigned frames = (unsigned)((payload + mss - 1) / mss);
    uint64_t octets = (uint64_t)frames * (HDR + 4) + payload;
    EXPECT_EQ(t, frames, e1000_read(nic, E1000_GPTC), "GPTC: a frame a segment");
    uint64_t gotc = e1000_read(nic, E1000_GOTCL);
    gotc |= (uint64_t)e1000_read(nic, E1000_GOTCH) << 32;
    EXPECT_EQ(t, octets, gotc, "GOTC: each segment's headers, payload and FCS");
}

static void clear_counters(struct e1000_nic *nic)
{
    (void)e1000_read(nic, E1000_GPTC);
    (void)e1000_read(nic, E1000_GOTCL);
    (void)e1000_read(nic, E1000_GOTCH);
}

static bool link_up(struct e1000_nic *nic)
{
    return e1000_read(nic, E1000_STATUS) & E1000_STATUS_LU;
}

/* After the network tests that count from the first frame (gdb.sh
 * watches descriptor 0 being sent by DHCP), before the harness's. */
SELFTEST(77, e1000_tso_loopback)
{
    struct e1000_nic *nic = e1000_first();
    if (!nic) {
        tap_fail(t, "the e1000 driver bound a NIC", "a bound e1000", "none");
        return;
    }
    const char *opt = cmdline_get("net.tso");
    if (opt && strcmp(opt, "0") == 0) {
        EXPECT_TRUE(t, !(nic->netdev.features & NETDEV_F_TSO), "net.tso=0: no TSO offered");
        return;
    }
    if (!(nic->netdev.features & NETDEV_F_TSO)) {
        /* TSO is optional: a driver without it (the lab's skeleton) is
         * used by the stack as before */
        printf("# this e1000 driver does not offer TSO: nothing to check\n");
        return;
    }
    struct netdev *dev = &nic->netdev;
    uint16_t ctrl = 0;
    EXPECT_EQ(t, 0, (uint64_t)e1000_phy_read(nic, PHY_CTRL, &ctrl), "PHY control read");
    if (t->failed)
        return;
    /* loopback at 1000 Mb/s full duplex, autonegotiation off: the PHY
     * links to itself (IEEE 802.3 22.2.4.1.2) */
    e1000_phy_write(nic, PHY_CTRL, MII_CR_LOOPBACK | MII_CR_SPEED_1000 | MII_CR_FULL_DUPLEX);
    uint64_t end = time_ns() + 100000000;
    while (!link_up(nic) && time_ns() < end)
        ;
    while (e1000_receive(nic, rx, sizeof rx))
        ;                               /* anything from before */
    bool looped = !booted_by_qemu();
    if (!looped)
        printf("# QEMU's e1000 has no PHY loopback: the segments are counted, not read back\n");
    clear_counters(nic);

    /* one 64 KiB frame: 46 segments, the last of 310 bytes */
    size_t len = build(nic->mac, ID0, SEQ0, PAYLOAD);
    unsigned long ctx0 = nic->tx_contexts, tso0 = nic->tx_tso;
    EXPECT_EQ(t, 0, (uint64_t)netdev_transmit(dev, pkt, len, NETDEV_TX_TSO | NETDEV_TX_MSS(MSS)),
              "a 64 KiB packet queued for segmentation");
    netdev_flush(dev);
    check_counted(t, nic, PAYLOAD, MSS);
    if (looped)
        EXPECT_EQ(t, SEGMENTS, take_segments(t, nic, ID0, SEQ0, PAYLOAD, MSS, SEGMENTS, 2000),
                  "segments received back (PHY loopback)");
    EXPECT_EQ(t, 1, nic->tx_contexts - ctx0, "one TSO context descriptor");
    EXPECT_EQ(t, 1, nic->tx_tso - tso0, "one packet segmented");

    /* the same shape again: the context in force is reused */
    uint32_t seq2 = SEQ0 + PAYLOAD;
    len = build(nic->mac, 7, seq2, PAYLOAD);
    if (!t->failed) {
        EXPECT_EQ(t, 0, (uint64_t)netdev_transmit(dev, pkt, len,
                                                  NETDEV_TX_TSO | NETDEV_TX_MSS(MSS)),
                  "a second packet queued");
        netdev_flush(dev);
        check_counted(t, nic, PAYLOAD, MSS);
        if (looped)
            EXPECT_EQ(t, SEGMENTS, take_segments(t, nic, 7, seq2, PAYLOAD, MSS, SEGMENTS, 2000),
                      "the second packet's segments");
        EXPECT_EQ(t, 1, nic->tx_contexts - ctx0, "no new context for the same shape");
    }

    /* a payload that fits one segment: one frame, checksums offloaded */
    len = build(nic->mac, 99, 1000, 100);
    if (!t->failed) {
        EXPECT_EQ(t, 0, (uint64_t)netdev_transmit(dev, pkt, len,
                                                  NETDEV_TX_TSO | NETDEV_TX_MSS(MSS)),
                  "a short packet queued");
        netdev_flush(dev);
        check_counted(t, nic, 100, MSS);
        if (looped)
            EXPECT_EQ(t, 1, take_segments(t, nic, 99, 1000, 100, MSS, 1, 2000),
                      "a short packet comes back as one frame");
        EXPECT_EQ(t, 2, nic->tx_tso - tso0, "a short packet is not segmented");
    }

    /* what the device cannot segment */
    len = build(nic->mac, 1, 1, 3000);
    put16(pkt + 12, 0x0806);
    EXPECT_EQ(t, (uint64_t)NETDEV_TX_REFUSED,
              (uint64_t)netdev_transmit(dev, pkt, len, NETDEV_TX_TSO | NETDEV_TX_MSS(MSS)),
              "not IPv4: refused");
    len = build(nic->mac, 1, 1, 3000);
    EXPECT_EQ(t, (uint64_t)NETDEV_TX_REFUSED,
              (uint64_t)netdev_transmit(dev, pkt, len, NETDEV_TX_TSO | NETDEV_TX_MSS(0)),
              "MSS 0: refused");
    EXPECT_EQ(t, (uint64_t)NETDEV_TX_REFUSED,
              (uint64_t)netdev_transmit(dev, pkt, NETDEV_TSO_MAX + 1,
                                        NETDEV_TX_TSO | NETDEV_TX_MSS(MSS)),
              "longer than an IPv4 packet can be: refused");

    /* the cable again; the link comes back as it was */
    e1000_phy_write(nic, PHY_CTRL, ctrl & (uint16_t)~(MII_CR_RESTART_AUTONEG | MII_CR_RESET));
    end = time_ns() + 2000000000ull;
    while (!link_up(nic) && time_ns() < end)
        ;
    EXPECT_TRUE(t, link_up(nic), "link up again after loopback (2 s)");
    while (e1000_receive(nic, rx, sizeof rx))
        ;
}
