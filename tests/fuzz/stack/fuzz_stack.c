/*
 * The guest's network stack (guest/net/: Ethernet, ARP, IPv4, ICMP, UDP,
 * TCP, DHCP, DNS) built for the host over a fake NIC, against a network
 * the input scripts: one TCP connection (the guest's active or passive
 * open) to a consistent peer whose segments the input loses, duplicates,
 * reorders and corrupts, and ARP, ping, UDP, DHCP, DNS, raw frames and
 * strangers' segments besides.
 *
 * Checked beyond memory: every frame the guest sends (frames.c), every
 * segment of the connection (peer.c), and here what the application
 * sees: each byte read is the byte the peer sent at that offset, and
 * none is read before it reached the NIC; end of stream only at the
 * peer's FIN; a reset only when one was delivered; every byte the guest
 * acknowledged can be read; the connection's open succeeds, is refused
 * or times out as the peer answered; a listener's half-open children stay
 * within its backlog; and when everything is closed nothing is left
 * allocated.
 */
#include <string.h>
#include "arp.h"
#include "check.h"
#include "csum.h"
#include "../../../guest/net/net_internal.h"
#include "network.h"
#include "ops.h"
#include "stack.h"
#include "udp_sock.h"

static struct tcp_conn *conn, *listener;

bool app_conn_closed(void)
{
    return !conn || strcmp(tcp_state_name(conn), "CLOSED") == 0;
}

/* net_poll takes a bounded batch: poll until the NIC has nothing left. */
static void poll_all(void)
{
    for (int i = 0; i < 16 && fake_nic.ops->rx_pending(&fake_nic); i++)
        net_poll();
}

/* ---- the application ---- */

static void op_read(struct input *in)
{
    static uint8_t buf[TCP_BUF];
    size_t n = in_u16(in) % 8192 + 1;
    long r = tcp_read(conn, buf, n);
    if (r > 0) {
        FUZZ_CHECK((size_t)r <= n, "read %ld for %zu", r, n);
        FUZZ_CHECK(P.app_read + (uint32_t)r <= P.deliv_contig,
                   "read up to byte %u, only %u reached the NIC", P.app_read + (uint32_t)r,
                   P.deliv_contig);
        for (long i = 0; i < r; i++)
            FUZZ_CHECK(buf[i] == pbyte(P.app_read + (uint32_t)i), "byte %u read as 0x%02x, the "
                       "peer sent 0x%02x", P.app_read + (uint32_t)i, buf[i],
                       pbyte(P.app_read + (uint32_t)i));
        FUZZ_CHECK(!P.app_eof, "data after end of stream");
        P.app_read += (uint32_t)r;
    } else if (r == TCP_EOF) {
        FUZZ_CHECK(P.fin_delivered && P.app_read == P.fin_off,
                   "end of stream after byte %u; the peer's FIN %s at %u", P.app_read,
                   P.fin_delivered ? "was delivered" : "was not delivered", P.fin_off);
        P.app_eof = true;
    } else if (r == TCP_ECONNRESET) {
        FUZZ_CHECK(P.rst_delivered, "reset, and the peer sent none that arrived");
    }
}

static void op_drain(void)
{
    static uint8_t buf[4096];
    poll_all();
    for (int i = 0; i < 64; i++) {
        long r = tcp_read(conn, buf, sizeof buf);
        if (r <= 0)
            break;
        for (long k = 0; k < r; k++)
            FUZZ_CHECK(buf[k] == pbyte(P.app_read + (uint32_t)k), "byte %u read wrong",
                       P.app_read + (uint32_t)k);
        FUZZ_CHECK(P.app_read + (uint32_t)r <= P.deliv_contig, "read beyond what arrived");
        P.app_read += (uint32_t)r;
    }
    if (!P.acked)
        return;
    uint32_t acked = P.ack_max;
    if (P.fin_delivered && acked == P.fin_off + 1)
        acked = P.fin_off;
    FUZZ_CHECK((int32_t)(P.app_read - acked) >= 0, "the guest acknowledged %u bytes, the "
               "application can read only %u", acked, P.app_read);
}

static void op_write(struct input *in)
{
    static uint8_t buf[TCP_BUF];
    size_t n = in_u16(in) % 20000 + 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = gbyte(P.app_written + (uint32_t)i);
    P.app_offering = (uint32_t)n;            /* (it may send before it returns) */
    long r = tcp_write(conn, buf, n);
    P.app_offering = 0;
    if (P.app_shutdown)
        FUZZ_CHECK(r < 0, "wrote %ld bytes after shutdown", r);
    if (r > 0) {
        FUZZ_CHECK((size_t)r <= n, "wrote %ld of %zu", r, n);
        P.app_written += (uint32_t)r;
    }
    FUZZ_CHECK(P.g_sent_max <= P.app_written, "the guest sent up to byte %u of the %u "
               "tcp_write took", P.g_sent_max, P.app_written);
}

/* ---- the other protocols ---- */

static struct {
    unsigned calls;
    uint8_t data[1500];
    size_t len;
} udp_got;

static void on_udp(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *d, size_t len)
{
    udp_got.calls++;
    udp_got.len = len < sizeof udp_got.data ? len : sizeof udp_got.data;
    memcpy(udp_got.data, d, udp_got.len);
}

static void op_udp(struct input *in)
{
    uint8_t port = in_u8(in), cs = in_u8(in) % 3;
    uint8_t u[8 + 255];
    size_t len = in_bytes(in, u + 8, in_u8(in));
    uint16_t dport = port % 4 ? UDP_PORT : 9;
    wbe16(u, 1234);
    wbe16(u + 2, dport);
    wbe16(u + 4, (uint16_t)(8 + len));
    wbe16(u + 6, 0);
    static uint8_t f[1514];
    size_t n = ipv4_frame(f, guest_mac, mac_of(PEER_IP), PEER_IP, GUEST_IP, 17, u, 8 + len,
                          cs != 1);
    if (cs == 2)
        f[14 + 20 + 7] ^= 0x10;             /* a wrong checksum */
    bool zero_sum = f[40] == 0 && f[41] == 0;
    poll_all();                             /* what waited before it */
    udp_got.calls = 0;
    bool queued = nic_rx(f, n);
    poll_all();
    bool want = queued && dport == UDP_PORT && (cs != 2 || zero_sum);
    FUZZ_CHECK(udp_got.calls == want, "a datagram to port %u with %s checksum delivered %u "
               "times", dport, cs == 0 ? "a right" : cs == 1 ? "no" : "a wrong", udp_got.calls);
    if (want)
        FUZZ_CHECK(udp_got.len == len && memcmp(udp_got.data, u + 8, len) == 0,
                   "a datagram's bytes changed");
}

static void op_arp(struct input *in)
{
    static const uint32_t senders[] = { PEER_IP, STRANGER_IP, 0, IP4(224, 0, 0, 1), GUEST_IP,
                                        IP4(127, 0, 0, 1), IP4(10, 0, 2, 70) };
    uint16_t op = in_u8(in) % 3 ? 1 : 2;
    uint32_t sender = senders[in_u8(in) % 7];
    uint8_t mac_kind = in_u8(in) % 4;
    uint32_t target = in_u8(in) % 4 ? GUEST_IP : IP4(10, 0, 2, 99);
    uint8_t mac[6];
    memcpy(mac, mac_of(sender), 6);
    if (mac_kind == 1)
        mac[0] = 0x01;                      /* multicast */
    static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t f[ARP_FRAME_LEN];
    arp_frame(f, broadcast, op, mac, sender, op == 2 ? guest_mac : NULL, target);
    poll_all();
    NET.arp_senders[0] = sender;
    arp_replies_to[0] = 0;
    bool queued = nic_rx(f, sizeof f);
    poll_all();
    if (!queued)
        return;
    uint32_t top = sender >> 24;
    bool fit = top != 0 && top != 127 && top < 224 && sender != GUEST_IP && !(mac[0] & 1);
    bool want = op == 1 && target == GUEST_IP && fit;
    FUZZ_CHECK(arp_replies_to[0] == want, "an ARP %s from %08x for %08x answered %u times",
               op == 1 ? "request" : "reply", sender, target, arp_replies_to[0]);
}

static void op_ping(struct input *in)
{
    NET.ping = in_u8(in) % PING_MODES;
    uint16_t seq = in_u16(in);
    poll_all();                             /* a late reply to an earlier ping goes first */
    unsigned lost = nic_lost();
    long r = icmp_ping(PEER_IP, seq, 5);
    bool may = NET.ping == PING_ANSWER;
    if (nic_lost() != lost)
        may = r >= 0;                       /* the request or an ARP went missing */
    FUZZ_CHECK((r >= 0) == may, "ping %s with the peer answering %s",
               r >= 0 ? "succeeded" : "failed",
               (const char *[]){ "right", "nothing", "another ID", "a bad checksum" }[NET.ping]);
    NET.ping = PING_ANSWER;
}

static void op_raw(struct input *in)
{
    static uint8_t f[1514];
    size_t len = in_bytes(in, f, in_u16(in) % sizeof f);
    if (len >= 34 && be16(f + 12) == 0x0800)
        wbe32(f + 26, STRANGER_IP);         /* not the peer: its checks stay true */
    nic_rx(f, len);
    net_poll();
}

static void op_stranger(struct input *in)
{
    static const uint16_t ports[] = { LISTEN_PORT, PEER_PORT, 80, 0 };
    uint8_t port = in_u8(in), flags = in_u8(in);
    uint8_t t[60 + 256] = { 0 };
    wbe16(t, (uint16_t)(1000 + port));
    uint16_t dport = ports[port % 4] ? ports[port % 4] : P.gport;
    wbe16(t + 2, dport);
    wbe32(t + 4, in_u32(in));
    wbe32(t + 8, in_u32(in));
    t[13] = flags;
    wbe16(t + 14, in_u16(in));
    size_t opt = in_u8(in) % 41 & ~3u;
    in_bytes(in, t + 20, opt);
    t[12] = (uint8_t)((20 + opt) / 4 << 4);
    size_t len = in_bytes(in, t + 20 + opt, in_u8(in));
    NET.stranger_completes = port & 0x80;
    static uint8_t f[1514];
    size_t n = ipv4_frame(f, guest_mac, mac_of(STRANGER_IP), STRANGER_IP, GUEST_IP, 6, t,
                          20 + opt + len, true);
    nic_rx(f, n);
    net_poll();
}

/* ---- the connection's open ---- */

static void open_connection(struct input *in, uint8_t flags)
{
    P.p_isn = in_u32(in);
    /* (above 1600 the same field offers window scaling too: the
     * corpus from before it still means what it did) */
    uint16_t mss = in_u16(in);
    P.mss_opt = mss % 1600;
    P.ws_opt = (uint8_t)(mss / 1600 % 16);
    P.wnd = in_u16(in);
    P.syn_mode = in_u8(in) % SYN_MODES;
    if (flags & CFG_NO_TCP)
        return;
    P.on = true;
    if (flags & CFG_PRE_ARP) {
        uint8_t f[60] = { 0 };
        memset(f, 0xff, 6);
        memcpy(f + 6, mac_of(PEER_IP), 6);
        wbe16(f + 12, 0x0806);
        uint8_t *a = f + 14;
        wbe16(a, 1); wbe16(a + 2, 0x0800); a[4] = 6; a[5] = 4; wbe16(a + 6, 1);
        memcpy(a + 8, mac_of(PEER_IP), 6);
        wbe32(a + 14, PEER_IP);
        wbe32(a + 24, GUEST_IP);
        nic_rx(f, sizeof f);
        net_poll();
    }
    if (flags & CFG_PASSIVE) {
        P.passive = true;
        listener = tcp_listen(LISTEN_PORT);
        FUZZ_CHECK(listener != NULL, "tcp_listen failed");
        P.gport = LISTEN_PORT;
        P.port = (uint16_t)(40000 + P.p_isn % 1000);
        peer_open();
        for (int i = 0; i < 10 && !P.have_g_isn; i++) {
            net_poll();
            if (!P.have_g_isn) {
                now_ns += 250000000ull;
                tcp_timers();
            }
        }
        FUZZ_CHECK(P.have_g_isn, "no SYN-ACK for the peer's SYN");
        peer_send(0, 0, ACK, P.wnd, true);
        net_poll();
        conn = tcp_accept(listener, 0);
        FUZZ_CHECK(conn != NULL, "the handshake completed and tcp_accept found nothing");
        return;
    }
    P.port = PEER_PORT;
    int err = 0;
    conn = tcp_connect(PEER_IP, PEER_PORT, 2000, &err);
    switch (P.syn_mode) {
    case SYN_REFUSE:
        FUZZ_CHECK(!conn && err == TCP_ECONNREFUSED, "connect answered by RST gave %d", err);
        break;
    case SYN_IGNORE_ALL:
        FUZZ_CHECK(!conn && err == TCP_ETIMEDOUT, "connect never answered gave %d", err);
        break;
    default:
        FUZZ_CHECK(conn != NULL, "connect answered by SYN-ACK failed with %d", err);
    }
    if (!conn)
        P.on = false;
}

static void close_all(void)
{
    P.app_shutdown = true;
    if (conn)
        tcp_close(conn, 0);
    if (listener)
        tcp_close(listener, 0);
    conn = listener = NULL;
    udp_unbind(UDP_PORT);
    for (int i = 0; i < 3; i++) {
        now_ns += 1000000000ull;
        tcp_timers();
    }
    FUZZ_CHECK(live_allocs == 0, "%ld allocations left with every connection closed",
               live_allocs);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* RFC 6528's secret, drawn once from the same state every run */
    kernel_reset();
    fuzz_random_reset();
    net_hash32("", 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    kernel_reset();
    fuzz_net_reset();
    fuzz_random_reset();
    memset(&tcp_stats, 0, sizeof tcp_stats);
    memset(&tcp_loss, 0, sizeof tcp_loss);
    uint8_t flags = in_u8(&in);
    nic_reset((flags & CFG_TX_CSUM ? NETDEV_F_TX_CSUM : 0) |
              (flags & CFG_RX_CSUM ? NETDEV_F_RX_CSUM : 0), flags & CFG_TX_TIGHT);
    network_reset();
    wire_reset();
    peer_reset();
    net_init(&fake_nic);
    netif.ip = GUEST_IP;
    netif.mask = 0xffffff00u;
    netif.router = PEER_IP;
    netif.dns = DNS_IP;
    udp_bind(UDP_PORT, on_udp);
    conn = listener = NULL;
    open_connection(&in, flags);
    for (unsigned ops = 0; !in_empty(&in) && ops < 400; ops++) {
        unsigned op = in_u8(&in) % S_OPS;
        fuzz_trace("op %u, %zu bytes left; conn %s", op, in.n,
                   conn ? tcp_state_name(conn) : "(none)");
        switch (op) {
        case S_PEER_SEND: {
            uint8_t where = in_u8(&in);
            uint32_t off = in_u16(&in), len = in_u16(&in) % (peer_mss() + 1);
            uint8_t f = in_u8(&in);
            uint16_t wnd = in_u16(&in);
            if (where % 3 == 0)
                off = P.ack_max + off % 4096;           /* what the guest waits for, on */
            else if (where % 3 == 1)
                off = P.sent_max + off % 2048;          /* new data, maybe past a gap */
            else
                off = P.ack_max > 2048 ? P.ack_max - 2048 + off % 4096 : off % 4096;
            peer_send(off, len, (uint8_t)(f & (PSH | FIN)), wnd, false);
            break;
        }
        case S_PEER_ACK: peer_ack(in_u16(&in)); break;
        case S_PEER_FIN: peer_fin(in_u16(&in)); break;
        case S_PEER_RST: {
            uint8_t w = in_u8(&in);
            peer_rst(w, in_u32(&in));
            break;
        }
        case S_PEER_SYN: peer_syn(); break;
        case S_WIRE: wire_op(&in); break;
        case S_POLL: net_poll(); break;
        case S_TIME:
            now_ns += (uint64_t)(in_u16(&in) % 5000) * 1000000;
            tcp_timers();
            break;
        case S_READ: if (conn) op_read(&in); break;
        case S_WRITE: if (conn) op_write(&in); break;
        case S_SHUTDOWN:
            if (conn) {
                P.app_shutdown = true;          /* (the FIN may leave before it returns) */
                tcp_shutdown(conn);
            }
            break;
        case S_CLOSE: {
            unsigned ms = in_u8(&in) % 20;
            if (conn) {
                P.app_shutdown = true;
                tcp_close(conn, ms);
                conn = NULL;
            }
            break;
        }
        case S_LOSE: nic_lose(in_u8(&in) % 8); break;
        case S_DRAIN: if (conn) op_drain(); break;
        case S_ARP: op_arp(&in); break;
        case S_PING: op_ping(&in); break;
        case S_UDP: op_udp(&in); break;
        case S_DHCP: op_dhcp(&in); break;
        case S_DNS: op_dns(&in); break;
        case S_RAW: op_raw(&in); break;
        case S_STRANGER: op_stranger(&in); break;
        }
        /* a connection and its buffers are 3 allocations: ours, a listener,
         * its backlog of 8, what closes and waits, two UDP sockets */
        FUZZ_CHECK(live_allocs >= 0 && live_allocs <= 3 * 14 + 2, "%ld allocations (op %u)",
                   live_allocs, op);
    }
    fuzz_trace("end: peer sent %u, delivered %u, app read %u%s; app wrote %u, peer holds %u%s",
                P.sent_max, P.deliv_contig, P.app_read, P.app_eof ? " and EOF" : "",
                P.app_written, P.rcv_contig, P.guest_fin ? " and FIN" : "");
    close_all();
    return 0;
}
