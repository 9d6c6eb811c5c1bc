/*
 * UDP, DNS and TCP against the host harness's servers (tools/netharness.c),
 * reached as 10.0.2.2:PORT through slirp, the ports from the command line
 * (net.echo=, net.sink=, ...). Each needs a DHCP lease first.
 */
#include "clock.h"
#include "dns.h"
#include "e1000_drv.h"
#include "heap.h"
#include "irq.h"
#include "kernel.h"
#include "net.h"
#include "netdev.h"
#include "sha256.h"
#include "tap.h"
#include "tcp.h"
#include "udp_sock.h"
#include "net_tests.h"

#define HOST IP4(10, 0, 2, 2)

static uint16_t port_arg(struct tap *t, const char *key)
{
    const char *v = cmdline_get(key);
    unsigned long p = 0;
    for (; v && *v >= '0' && *v <= '9'; v++)
        p = p * 10 + (unsigned long)(*v - '0');
    if (!p || p > 65535) {
        tap_fail(t, "the harness's port on the command line", key, v ? v : "missing");
        return 0;
    }
    return (uint16_t)p;
}

static uint32_t parse_ip(const char *s)
{
    uint32_t ip = 0, part = 0;
    int dots = 0;
    for (; s && *s; s++) {
        if (*s == '.') {
            ip = ip << 8 | part;
            part = 0;
            dots++;
        } else if (*s >= '0' && *s <= '9') {
            part = part * 10 + (uint32_t)(*s - '0');
        } else {
            break;
        }
    }
    return dots == 3 ? ip << 8 | part : 0;
}

/* A pattern that differs at every offset and between streams. */
static void pattern(uint8_t *p, size_t n, uint64_t at, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t x = (at + i) * 0x9e3779b97f4a7c15ull + seed;
        p[i] = (uint8_t)(x >> 29);
    }
}

static unsigned long segments(void)
{
    return tcp_stats.segs_in + tcp_stats.segs_out;
}

/* One line make bench reads: bytes, seconds, MB/s, packets per second. */
static void report_rate(const char *what, uint64_t bytes, uint64_t ns, unsigned long segs0)
{
    uint64_t kbps = ns ? bytes * 1000000ull / ns : 0;      /* KB/s (1000) */
    uint64_t pps = ns ? (uint64_t)(segments() - segs0) * 1000000000ull / ns : 0;
    printf("# %s: %llu bytes in %llu.%03llu s, %llu.%03llu MB/s, %llu packets/s\n", what,
           (unsigned long long)bytes, (unsigned long long)(ns / 1000000000),
           (unsigned long long)(ns / 1000000 % 1000), (unsigned long long)(kbps / 1000),
           (unsigned long long)(kbps % 1000), (unsigned long long)pps);
    printf("# tcp so far: %lu segments out, %lu in, %lu timeouts, %lu fast retransmits, "
           "%lu partial-ACK, %lu lost-retransmission and %lu tail-probe resends, %lu ACKs "
           "sent (%lu of them duplicates), %lu RSTs sent; %lu frames dropped; %u NIC "
           "interrupts, %llu ticks\n",
           tcp_stats.segs_out, tcp_stats.segs_in, tcp_stats.retransmits,
           tcp_stats.fast_retransmits, tcp_stats.partial_acks, tcp_stats.lost_rexmits,
           tcp_stats.tail_probes, tcp_stats.acks_sent, tcp_stats.dupacks_sent,
           tcp_stats.rsts_sent, netif.rx_dropped,
           e1000_first() ? e1000_first()->irq_count : 0, (unsigned long long)pit_ticks);
    printf("# tcp round trips: %lu samples, the last %lu us, SRTT %lu us, RTO %lu us\n",
           tcp_stats.rtt_samples, tcp_stats.rtt_last_us, tcp_stats.srtt_us, tcp_stats.rto_us);
}

SELFTEST_HARNESS(80, udp_echo)
{
    uint16_t port = port_arg(t, "net.udpecho");
    if (!port || !net_test_configured(t))
        return;
    struct udp_sock *s = udp_open(0);
    EXPECT_TRUE(t, s != NULL, "a UDP socket");
    if (!s)
        return;
    static const size_t sizes[] = { 1, 64, 512, 1000, 1400, UDP_MAX_PAYLOAD };
    static uint8_t out[UDP_MAX_PAYLOAD], in[UDP_MAX_PAYLOAD + 1];
    for (unsigned i = 0; i < ARRAY_SIZE(sizes) && !t->failed; i++) {
        pattern(out, sizes[i], i, 77);
        long n = 0;
        for (int tries = 0; tries < 3 && n <= 0; tries++) {
            EXPECT_EQ(t, 0, (uint64_t)udp_sendto(s, HOST, port, out, sizes[i]), "udp_sendto");
            uint32_t from;
            n = udp_recvfrom(s, in, sizeof in, &from, NULL, 1000);
        }
        EXPECT_EQ(t, sizes[i], (uint64_t)n, "the echoed datagram's length");
        EXPECT_TRUE(t, n > 0 && memcmp(in, out, sizes[i]) == 0, "the echoed bytes");
    }
    EXPECT_EQ(t, (uint64_t)-1, (uint64_t)udp_sendto(s, HOST, port, out, UDP_MAX_PAYLOAD + 1),
              "a datagram too big for one frame is refused");
    udp_close(s);
}

SELFTEST_HARNESS(81, dns_lookup)
{
    uint16_t port = port_arg(t, "net.dns");
    const char *name = cmdline_get("net.dnsname");
    uint32_t want = parse_ip(cmdline_get("net.dnsaddr"));
    if (!port || !net_test_configured(t))
        return;
    EXPECT_TRUE(t, name && want, "net.dnsname= and net.dnsaddr= on the command line");
    if (t->failed)
        return;
    uint32_t addr = 0;
    EXPECT_EQ(t, 0, (uint64_t)dns_resolve(HOST, port, name, &addr, 500, 3),
              "the harness's name resolves");
    EXPECT_EQ(t, want, addr, "to the address the harness gave");
    EXPECT_EQ(t, (uint64_t)DNS_NXDOMAIN,
              (uint64_t)dns_resolve(HOST, port, "no-such-host.invalid", &addr, 500, 3),
              "an unknown name gets NXDOMAIN");
    EXPECT_EQ(t, (uint64_t)DNS_EINVAL, (uint64_t)dns_resolve(HOST, port, "a..b", &addr, 500, 1),
              "an empty label is refused before asking");
}

/* Through the echo server: total bytes in uneven chunks, each byte
 * checked on the way back; false (and t failed) otherwise. */
static bool echo_bytes(struct tap *t, uint16_t port, size_t total)
{
    int err = 0;
    struct tcp_conn *c = tcp_connect(HOST, port, 3000, &err);
    EXPECT_TRUE(t, c != NULL, "connected to the echo server");
    if (!c)
        return false;
    static const size_t chunks[] = { 1, 7, 100, 1459, 1460, 1461, 3000, 9000, 65536, 333 };
    static uint8_t out[65536], in[65536];
    size_t sent = 0, got = 0;
    unsigned k = 0;
    uint64_t end = time_ns() + 30000000000ull;
    while (got < total && !t->failed && time_ns() < end) {
        if (sent < total) {
            size_t n = chunks[k % ARRAY_SIZE(chunks)];
            if (n > total - sent)
                n = total - sent;
            pattern(out, n, sent, 5);
            long w = tcp_write(c, out, n);
            if (w < 0) {
                tap_failf(t, "tcp_write", "%llu", 0, "error %lld", (unsigned long long)w);
                break;
            }
            sent += (size_t)w;
            if ((size_t)w == n)
                k++;
        }
        long r = tcp_read(c, in, sizeof in);
        if (r < 0) {
            tap_failf(t, "the echo goes on until everything came back", "%llu bytes", total,
                      "%llu bytes, then the end", got);
            break;
        }
        if (r > 0) {
            pattern(out, (size_t)r, got, 5);
            if (memcmp(in, out, (size_t)r) != 0) {
                tap_failf(t, "echoed bytes equal what was sent", "the bytes at %llu", got,
                          "other bytes at %llu", got);
                break;
            }
            got += (size_t)r;
        } else {
            tcp_wait_step();
        }
    }
    EXPECT_EQ(t, total, got, "bytes echoed within 30 s");
    EXPECT_EQ(t, 0, (uint64_t)tcp_close(c, 3000), "a clean close");
    return !t->failed;
}

SELFTEST_HARNESS(82, tcp_echo_1mib)
{
    uint16_t port = port_arg(t, "net.echo");
    if (!port || !net_test_configured(t))
        return;
    echo_bytes(t, port, 1 << 20);
}

/* Both checksum paths: the NIC's offload (TX context descriptors, RX
 * status bits) and software, each carrying an echo byte for byte. */
SELFTEST_HARNESS(88, tcp_checksum_paths)
{
    uint16_t port = port_arg(t, "net.echo");
    if (!port || !net_test_configured(t))
        return;
    struct e1000_nic *nic = e1000_first();
    const unsigned both = NETDEV_F_TX_CSUM | NETDEV_F_RX_CSUM;
    EXPECT_EQ(t, both, netif.dev->features & both, "the NIC offers checksum offload both ways");
    if (!nic || t->failed)
        return;
    bool tx = netif.tx_offload, rx = netif.rx_offload;
    unsigned long refused0 = netif.tx_refused;
    netif.tx_offload = netif.rx_offload = true;
    unsigned long tx0 = netif.tx_csum_offloaded, rx0 = netif.rx_csum_verified;
    unsigned long nic0 = nic->tx_offloaded, ign0 = netif.rx_csum_ignored;
    if (echo_bytes(t, port, 256 * 1024)) {
        EXPECT_TRUE(t, netif.tx_csum_offloaded > tx0, "segments sent with checksum offload");
        EXPECT_EQ(t, netif.tx_csum_offloaded - tx0, nic->tx_offloaded - nic0,
                  "the driver used context and data descriptors for each");
        if (booted_by_qemu() && netif.rx_csum_verified == rx0 && netif.rx_csum_ignored > ign0)
            printf("# tcp_checksum_paths: QEMU's e1000 verifies no received checksum (it "
                   "sets IXSM on every frame; a known QEMU gap: the 82540EM has RXCSUM)\n");
        else
            EXPECT_TRUE(t, netif.rx_csum_verified > rx0,
                        "segments whose checksum the NIC verified");
    }
    netif.tx_offload = netif.rx_offload = false;
    tx0 = netif.tx_csum_offloaded;
    rx0 = netif.rx_csum_verified;
    if (!t->failed && echo_bytes(t, port, 256 * 1024)) {
        EXPECT_EQ(t, tx0, netif.tx_csum_offloaded, "no offload with it off");
        EXPECT_EQ(t, rx0, netif.rx_csum_verified, "no NIC verdicts trusted with it off");
    }
    EXPECT_EQ(t, 0, netif.rx_csum_bad, "no checksum errors reported by the NIC");
    /* (segments as long as TSO allows, but sent without it, would be) */
    EXPECT_EQ(t, refused0, netif.tx_refused, "no frame the NIC refused as too long");
    netif.tx_offload = tx;
    netif.rx_offload = rx;
}

/* Up to n bytes, waiting up to 30 s for each piece; how many came. */
static size_t recv_exact(struct tcp_conn *c, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        long r = tcp_recv(c, buf + got, n - got, 30000);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

static uint64_t bulk_size(void)
{
    const char *b = cmdline_get("net.bulk");
    uint64_t total = 64ull << 20;
    if (b) {
        total = 0;
        for (; *b >= '0' && *b <= '9'; b++)
            total = total * 10 + (uint64_t)(*b - '0');
    }
    return total;
}

/* The bulk tests' waits allow for a lossy wire (tests/system/lossy.sh):
 * a SYN, FIN or segment lost there waits on a retransmission timer, the
 * peer's from 1 s, doubling when that copy is lost too. */
#define BULK_WAIT_MS 30000

/* Connected to the harness's sink or source at port, or NULL; what names
 * the check, and with report is also the line lossy.sh waits for. */
static struct tcp_conn *bulk_connect(struct tap *t, uint16_t port, const char *what, bool report)
{
    int err = 0;
    struct tcp_conn *c = tcp_connect(HOST, port, BULK_WAIT_MS, &err);
    EXPECT_TRUE(t, c != NULL, what);
    if (c && report)
        printf("# bulk: %s\n", what);
    return c;
}

/* The digest the harness sent after the data (what: that check's name)
 * is the stream's SHA-256 as this end saw it. */
static void expect_digest(struct tap *t, struct tcp_conn *c, struct sha256 *sha, const char *what)
{
    uint8_t mine[32], theirs[32];
    sha256_final(sha, mine);
    EXPECT_EQ(t, 32, recv_exact(c, theirs, 32), what);
    EXPECT_TRUE(t, memcmp(mine, theirs, 32) == 0, "SHA-256 equal on both ends");
}

/* Sends the pattern to the sink (sending) or receives from the source
 * until total bytes went or the test failed, hashing them; returns how
 * many went. */
static uint64_t bulk_move(struct tap *t, struct tcp_conn *c, uint64_t total, bool sending,
                          struct sha256 *sha)
{
    static uint8_t buf[65536];
    uint64_t done = 0;
    while (done < total && !t->failed) {
        size_t n = total - done < sizeof buf ? (size_t)(total - done) : sizeof buf;
        long r;
        if (sending) {
            pattern(buf, n, done, 11);
            r = tcp_send(c, buf, n, 30000);
            if (r != (long)n) {
                tap_failf(t, "the sink takes everything", "%llu bytes", total, "%llu", done);
                break;
            }
        } else {
            r = tcp_recv(c, buf, n, 4 * BULK_WAIT_MS);
            if (r <= 0) {
                tap_failf(t, "the source sends everything", "%llu bytes", total, "%llu", done);
                break;
            }
        }
        sha256_update(sha, buf, (size_t)r);
        done += (uint64_t)r;
    }
    return done;
}

/* total bytes to the sink; both ends' SHA-256 compared */
static void bulk_to(struct tap *t, uint16_t port, uint64_t total, bool report)
{
    struct tcp_conn *c = bulk_connect(t, port, "connected to the sink", report);
    if (!c)
        return;
    struct sha256 sha;
    sha256_init(&sha);
    uint64_t t0 = time_ns();
    unsigned long segs0 = segments();
    uint64_t sent = bulk_move(t, c, total, true, &sha);
    tcp_shutdown(c);
    expect_digest(t, c, &sha, "the sink's SHA-256 came back");
    uint64_t ns = time_ns() - t0;
    EXPECT_EQ(t, 0, (uint64_t)tcp_close(c, BULK_WAIT_MS), "a clean close");
    if (report)
        report_rate("guest to host", sent, ns, segs0);
}

/* total bytes from the source; both ends' SHA-256 compared */
static void bulk_from(struct tap *t, uint16_t port, uint64_t total, bool report)
{
    struct tcp_conn *c = bulk_connect(t, port, "connected to the source", report);
    if (!c)
        return;
    uint8_t req[8];
    for (int i = 0; i < 8; i++)
        req[i] = (uint8_t)(total >> (56 - 8 * i));
    EXPECT_EQ(t, 8, (uint64_t)tcp_send(c, req, 8, 3000), "the count sent");
    struct sha256 sha;
    sha256_init(&sha);
    uint64_t t0 = time_ns();
    unsigned long segs0 = segments();
    uint64_t got = bulk_move(t, c, total, false, &sha);
    uint64_t ns = time_ns() - t0;
    expect_digest(t, c, &sha, "the source's SHA-256 after the data");
    uint8_t more;
    EXPECT_EQ(t, (uint64_t)TCP_EOF, (uint64_t)tcp_recv(c, &more, 1, BULK_WAIT_MS),
              "the source closes after the digest");
    EXPECT_EQ(t, 0, (uint64_t)tcp_close(c, BULK_WAIT_MS), "a clean close");
    if (report)
        report_rate("host to guest", got, ns, segs0);
}

SELFTEST_HARNESS(83, tcp_bulk_to_host)
{
    uint16_t port = port_arg(t, "net.sink");
    if (port && net_test_configured(t))
        bulk_to(t, port, bulk_size(), true);
}

SELFTEST_HARNESS(84, tcp_bulk_from_host)
{
    uint16_t port = port_arg(t, "net.source");
    if (port && net_test_configured(t))
        bulk_from(t, port, bulk_size(), true);
}

SELFTEST_HARNESS(85, tcp_inbound)
{
    uint16_t port = port_arg(t, "net.listen");
    if (!port || !net_test_configured(t))
        return;
    struct tcp_conn *l = tcp_listen(port);
    EXPECT_TRUE(t, l != NULL, "listening");
    if (!l)
        return;
    /* the harness connects only once told (netharness.c): the tests
     * before this one count frames on a quiet wire */
    uint16_t uport = port_arg(t, "net.udpecho");
    struct udp_sock *u = uport ? udp_open(0) : NULL;
    static const char arm[] = "inbound: listening\n";
    char echo[sizeof arm];
    long n_echo = 0;
    for (int tries = 0; u && tries < 3 && n_echo <= 0; tries++) {
        udp_sendto(u, HOST, uport, arm, sizeof arm - 1);
        n_echo = udp_recvfrom(u, echo, sizeof echo, NULL, NULL, 1000);
    }
    EXPECT_EQ(t, sizeof arm - 1, (uint64_t)n_echo, "the harness heard that the guest listens");
    if (u)
        udp_close(u);
    struct tcp_conn *c = tcp_accept(l, 20000);
    EXPECT_TRUE(t, c != NULL, "the harness connected through hostfwd within 20 s");
    if (c) {
        char line[64];
        size_t n = 0;
        while (n < sizeof line && (n == 0 || line[n - 1] != '\n')) {
            long r = tcp_recv(c, line + n, sizeof line - n, 5000);
            if (r <= 0)
                break;
            n += (size_t)r;
        }
        static const char hello[] = "hello from the host\n", reply[] = "hello from the guest\n";
        EXPECT_TRUE(t, n == sizeof hello - 1 && memcmp(line, hello, n) == 0,
                    "the harness's hello");
        EXPECT_EQ(t, sizeof reply - 1, (uint64_t)tcp_send(c, reply, sizeof reply - 1, 3000),
                  "the reply sent");
        EXPECT_EQ(t, 0, (uint64_t)tcp_close(c, 5000), "both sides close cleanly");
    }
    tcp_close(l, 0);
}

SELFTEST_HARNESS(86, tcp_refused)
{
    uint16_t port = port_arg(t, "net.closed");
    if (!port || !net_test_configured(t))
        return;
    int err = 0;
    uint64_t t0 = time_ns();
    struct tcp_conn *c = tcp_connect(HOST, port, 3000, &err);
    EXPECT_TRUE(t, c == NULL, "no connection to a closed port");
    EXPECT_EQ(t, (uint64_t)TCP_ECONNREFUSED, (uint64_t)err, "the error is 'refused'");
    EXPECT_TRUE(t, time_ns() - t0 < 2000000000ull, "refused within 2 s, not timed out");
}

SELFTEST_HARNESS(87, tcp_timeout)
{
    if (!net_test_configured(t))
        return;
    /* on slirp's network, but nobody answers ARP for it */
    int err = 0;
    uint64_t t0 = time_ns();
    struct tcp_conn *c = tcp_connect(IP4(10, 0, 2, 99), 80, 1500, &err);
    uint64_t ms = (time_ns() - t0) / 1000000;
    EXPECT_TRUE(t, c == NULL, "no connection to an address nobody answers");
    EXPECT_EQ(t, (uint64_t)TCP_ETIMEDOUT, (uint64_t)err, "the error is 'timed out'");
    EXPECT_TRUE(t, ms >= 1500 && ms < 2500, "after the 1.5 s asked for");
}

/* Retransmission: 2 MiB to the sink with every 89th segment lost on the
 * way out, 2 MiB from the source with every 97th lost on the way in;
 * both arrive whole (SHA-256 on both ends), the losses repaired by the
 * mechanisms meant for them. (One direction at a time: a peer that
 * also sends data does not count our duplicate ACKs, as BSD's rule has
 * it, and falls back on its timer.) */
SELFTEST_HARNESS(89, tcp_loss_recovery)
{
    uint16_t sink = port_arg(t, "net.sink"), source = port_arg(t, "net.source");
    if (!sink || !source || !net_test_configured(t))
        return;
    struct tcp_stats before = tcp_stats;
    tcp_loss = (struct tcp_loss){ .drop_tx_every = 89 };
    uint64_t t0 = time_ns();
    bulk_to(t, sink, 2 << 20, false);
    uint64_t t1 = time_ns();
    unsigned long tx_dropped = tcp_loss.tx_dropped;
    tcp_loss = (struct tcp_loss){ .drop_rx_every = 97 };
    if (!t->failed)
        bulk_from(t, source, 2 << 20, false);
    uint64_t t2 = time_ns();
    printf("# tcp_loss_recovery: out %llu ms, in %llu ms\n", (unsigned long long)(t1 - t0) / 1000000,
           (unsigned long long)(t2 - t1) / 1000000);
    unsigned long rx_dropped = tcp_loss.rx_dropped;
    tcp_loss = (struct tcp_loss){ 0 };
    printf("# tcp_loss_recovery: %lu segments dropped out, %lu in; %lu retransmits, %lu fast "
           "retransmits, %lu duplicate ACKs sent\n", tx_dropped, rx_dropped,
           tcp_stats.retransmits - before.retransmits,
           tcp_stats.fast_retransmits - before.fast_retransmits,
           tcp_stats.dupacks_sent - before.dupacks_sent);
    EXPECT_TRUE(t, tx_dropped > 0 && rx_dropped > 0, "segments were dropped both ways");
    EXPECT_TRUE(t, tcp_stats.fast_retransmits > before.fast_retransmits,
                "our lost segments were sent again on duplicate ACKs");
    EXPECT_TRUE(t, tcp_stats.dupacks_sent > before.dupacks_sent,
                "the peer's lost segments were asked for with duplicate ACKs");
}
