/*
 * The guest's TCP (guest/net/tcp.c) built for the host, below it a fake
 * IP layer that records every segment sent and a scripted peer that
 * answers them; a clock that moves a microsecond per look and a
 * millisecond per idle wait. The cases the end-to-end tests through
 * slirp cannot provoke at will: RST in and out of the window, SYN
 * retransmission with backoff, a zero window, fast retransmit, segments
 * out of order, TIME_WAIT ending, nothing leaked; and issue #13's
 * findings: ACKs for old segments and keep-alives, zero-window probing
 * and the SND.WL1/WL2 rule, a listener's backlog, a tiny MSS, RFC 5961
 * resets, segments from addresses no host has, guessable ISNs and ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../guest/net/tcp.c"
#include "../../guest/net/random.c"
#include "../../guest/lib/sha256.c"

#define GUEST IP4(10, 0, 2, 15)
#define PEER  IP4(10, 0, 2, 2)
#define PEER_PORT 7

/* ---- what tcp.c needs from the rest of the kernel ---- */

struct net_if netif;
static uint64_t now_ns = 1000000000ull;
static long live_allocs;

uint64_t time_ns(void) { return now_ns += 1000; }
void *kmalloc(size_t n) { live_allocs++; return malloc(n); }
void *kzalloc(size_t n) { live_allocs++; return calloc(1, n); }
void kfree(void *p) { if (p) { live_allocs--; free(p); } }
void net_tx_begin(void) { }
void net_tx_end(void) { }
bool net_rx_l4_verified(void) { return false; }

uint16_t checksum(const uint8_t *p, size_t len, uint32_t sum)
{
    for (; len > 1; len -= 2, p += 2)
        sum += (uint32_t)(p[0] << 8 | p[1]);
    if (len)
        sum += (uint32_t)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* a segment as the guest sent it */
struct out {
    uint32_t dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd, mss;
    uint32_t len;
    uint8_t data[TCP_MSS];
    uint64_t at;
};

#define MAX_OUT 4096
static struct out sent[MAX_OUT];
static unsigned nsent;

/* the scripted peer: sees each segment the guest sends, may queue replies */
static void (*peer)(const struct out *o);

struct in { uint32_t src, dst; uint8_t seg[24 + TCP_MSS]; size_t len; };
static struct in inq[256];
static unsigned inq_head, inq_count;

int ip_send_opts(uint32_t dst, uint8_t proto, uint8_t *frame, size_t payload,
                 unsigned arp_wait_ms, unsigned flags)
{
    const uint8_t *t = frame + 34;
    assert_int_equal(proto, 6);
    uint32_t pseudo = (GUEST >> 16) + (GUEST & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 +
                      (uint32_t)payload;
    assert_int_equal(checksum(t, payload, pseudo), 0);      /* a valid segment */
    assert_true(nsent < MAX_OUT);
    struct out *o = &sent[nsent++];
    size_t hl = (size_t)(t[12] >> 4) * 4;
    *o = (struct out){ .dst = dst, .sport = get16(t), .dport = get16(t + 2), .seq = get32(t + 4),
                       .ack = get32(t + 8), .flags = t[13], .wnd = get16(t + 14),
                       .len = (uint32_t)(payload - hl), .at = now_ns };
    if (hl == 24 && t[20] == 2)
        o->mss = get16(t + 22);
    memcpy(o->data, t + hl, o->len);
    if (peer)
        peer(o);
    return 0;
}

int ip_send_wait(uint32_t dst, uint8_t proto, uint8_t *frame, size_t payload,
                 unsigned arp_wait_ms)
{
    return ip_send_opts(dst, proto, frame, payload, arp_wait_ms, 0);
}

/* a segment for the guest, as a peer would send it */
struct pseg {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd, mss;              /* mss: the option, when not 0 */
    const void *data;
    uint32_t len;
};

static void queue_in(uint32_t src, uint32_t dst, struct pseg p)
{
    assert_true(inq_count < 256);
    struct in *in = &inq[(inq_head + inq_count++) % 256];
    in->src = src;
    in->dst = dst;
    uint8_t *t = in->seg;
    size_t hl = p.mss ? 24 : 20;
    memset(t, 0, hl);
    put16(t, p.sport);
    put16(t + 2, p.dport);
    put32(t + 4, p.seq);
    put32(t + 8, p.ack);
    t[12] = (uint8_t)(hl / 4 << 4);
    t[13] = p.flags;
    put16(t + 14, p.wnd);
    if (p.mss) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, p.mss);
    }
    if (p.len)
        memcpy(t + hl, p.data, p.len);
    in->len = hl + p.len;
    uint32_t pseudo = (in->src >> 16) + (in->src & 0xffff) + (in->dst >> 16) +
                      (in->dst & 0xffff) + 6 + (uint32_t)in->len;
    put16(t + 16, checksum(t, in->len, pseudo));
}

/* queue a segment from the peer to the guest */
static void from_peer(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                      uint8_t flags, uint16_t wnd, const void *data, uint32_t len)
{
    queue_in(PEER, GUEST, (struct pseg){ .sport = sport, .dport = dport, .seq = seq, .ack = ack,
                                         .flags = flags, .wnd = wnd, .data = data,
                                         .len = len });
}

int net_poll(void)
{
    int n = 0;
    while (inq_count) {
        struct in in = inq[inq_head];
        inq_head = (inq_head + 1) % 256;
        inq_count--;
        tcp_input(in.src, in.dst, in.seg, in.len);
        n++;
    }
    tcp_after_input();
    return n;
}

void net_idle(void) { now_ns += 1000000; }

/* the NIC: tcp.c only asks whether a frame waits (tcp_wait_step) */
static bool no_frame(struct netdev *dev) { return false; }
static const struct netdev_ops nic_ops = { .rx_pending = no_frame };
static struct netdev nic = { .name = "fake", .ops = &nic_ops };

/* ---- peers ---- */

static uint32_t peer_isn = 5000;
static uint16_t peer_wnd = 65535;

/* Answers a SYN with SYN-ACK, and acknowledges all data and FIN (its
 * sequence number where the guest's ACK says the guest is). */
static void accepting_peer(const struct out *o)
{
    if (o->flags & SYN) {
        from_peer(o->dport, o->sport, peer_isn, o->seq + 1, SYN | ACK, peer_wnd, NULL, 0);
        return;
    }
    if (o->len || (o->flags & FIN))
        from_peer(o->dport, o->sport, o->ack, o->seq + o->len + !!(o->flags & FIN), ACK,
                  peer_wnd, NULL, 0);
}

static void refusing_peer(const struct out *o)
{
    if (o->flags & SYN)
        from_peer(o->dport, o->sport, 0, o->seq + 1, RST | ACK, 0, NULL, 0);
}

static void silent_peer(const struct out *o) { }

/* a handshake done, the peer quiet from then on unless a test says */
static struct tcp_conn *connected(void)
{
    peer = accepting_peer;
    int err = 0;
    struct tcp_conn *c = tcp_connect(PEER, PEER_PORT, 1000, &err);
    assert_non_null(c);
    assert_string_equal(tcp_state_name(c), "ESTABLISHED");
    peer = silent_peer;
    return c;
}

static unsigned count_flags(unsigned from, uint8_t flags)
{
    unsigned n = 0;
    for (unsigned i = from; i < nsent; i++)
        n += (sent[i].flags & flags) == flags;
    return n;
}

static int setup(void **state)
{
    memset(&netif, 0, sizeof netif);
    netif.ip = GUEST;
    netif.dev = &nic;
    nsent = inq_head = inq_count = 0;
    peer = NULL;
    peer_wnd = 65535;
    memset(&tcp_stats, 0, sizeof tcp_stats);
    tcp_loss = (struct tcp_loss){ 0 };
    return 0;
}

/* every connection ends, in the end, and takes its memory with it */
static int teardown(void **state)
{
    now_ns += 10ull * 1000000000;
    tcp_timers();
    for (struct tcp_conn *c = conns, *next; c; c = next) {
        next = c->next;
        conn_free(c);
    }
    assert_int_equal(live_allocs, 0);
    return 0;
}

/* ---- cases ---- */

static void handshake_data_and_close(void **state)
{
    peer = accepting_peer;
    int err = 0;
    struct tcp_conn *c = tcp_connect(PEER, PEER_PORT, 1000, &err);
    assert_non_null(c);
    assert_int_equal(sent[0].flags, SYN);
    assert_int_equal(sent[0].mss, TCP_MSS);                 /* the MSS option */
    assert_int_equal(sent[1].flags, ACK);                   /* the handshake's last step */
    assert_int_equal(sent[1].ack, peer_isn + 1);
    assert_int_equal(tcp_send(c, "hello", 5, 1000), 5);
    assert_int_equal(sent[2].len, 5);
    assert_memory_equal(sent[2].data, "hello", 5);
    assert_int_equal(sent[2].seq, sent[0].seq + 1);
    /* the peer's data and FIN */
    from_peer(PEER_PORT, sent[0].sport, peer_isn + 1, sent[2].seq + 5, ACK | PSH, 65535, "hi!",
              3);
    from_peer(PEER_PORT, sent[0].sport, peer_isn + 4, sent[2].seq + 5, FIN | ACK, 65535, NULL,
              0);
    char buf[8];
    assert_int_equal(tcp_recv(c, buf, sizeof buf, 100), 3);
    assert_memory_equal(buf, "hi!", 3);
    assert_int_equal(tcp_recv(c, buf, sizeof buf, 100), TCP_EOF);
    assert_string_equal(tcp_state_name(c), "CLOSE_WAIT");
    assert_int_equal(sent[nsent - 1].ack, peer_isn + 5);    /* FIN acknowledged */
    peer = accepting_peer;
    assert_int_equal(tcp_close(c, 1000), 0);                /* FIN, acked: LAST_ACK -> CLOSED */
    assert_int_equal(count_flags(0, FIN | ACK), 1);
}

static void refused(void **state)
{
    peer = refusing_peer;
    int err = 0;
    assert_null(tcp_connect(PEER, PEER_PORT, 1000, &err));
    assert_int_equal(err, TCP_ECONNREFUSED);
}

static void syn_backoff_then_timeout(void **state)
{
    peer = silent_peer;
    int err = 0;
    assert_null(tcp_connect(PEER, PEER_PORT, 3500, &err));
    assert_int_equal(err, TCP_ETIMEDOUT);
    /* SYNs at 0, +200 ms, +400 ms, +800 ms, +1600 ms: each wait doubles */
    assert_true(nsent >= 4);
    for (unsigned i = 0; i < nsent; i++)
        assert_int_equal(sent[i].flags, SYN);
    for (unsigned i = 1; i + 1 < nsent; i++) {
        uint64_t a = sent[i].at - sent[i - 1].at, b = sent[i + 1].at - sent[i].at;
        assert_true(b > a * 3 / 2 && b < a * 5 / 2);
    }
    assert_true(sent[1].at - sent[0].at >= 200000000ull);
}

static void rst_in_window_resets_out_of_window_does_not(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    from_peer(PEER_PORT, port, peer_isn + 1 + 100000, 0, RST, 0, NULL, 0);   /* far off */
    net_poll();
    assert_string_equal(tcp_state_name(c), "ESTABLISHED");
    from_peer(PEER_PORT, port, peer_isn + 1, 0, RST, 0, NULL, 0);
    net_poll();
    char b[4];
    assert_int_equal(tcp_read(c, b, sizeof b), TCP_ECONNRESET);
    assert_int_equal(tcp_close(c, 100), TCP_ECONNRESET);
}

static void out_of_order_segments_are_kept(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    uint32_t ack = sent[0].seq + 1, s0 = peer_isn + 1;
    unsigned before = nsent;
    from_peer(PEER_PORT, port, s0 + 10, ack, ACK, 65535, "klmnopqrst", 10);
    from_peer(PEER_PORT, port, s0 + 20, ack, ACK, 65535, "uvwxyz", 6);
    net_poll();
    /* a duplicate ACK for each, at once, the window unchanged */
    assert_int_equal(nsent - before, 2);
    assert_int_equal(sent[before].ack, s0);
    assert_int_equal(sent[before + 1].ack, s0);
    assert_int_equal(sent[before].wnd, sent[before + 1].wnd);
    char b[64];
    assert_int_equal(tcp_read(c, b, sizeof b), 0);          /* nothing readable yet */
    from_peer(PEER_PORT, port, s0, ack, ACK, 65535, "abcdefghij", 10);
    net_poll();
    assert_int_equal(sent[nsent - 1].ack, s0 + 26);         /* the gap filled: all of it */
    assert_int_equal(tcp_read(c, b, sizeof b), 26);
    assert_memory_equal(b, "abcdefghijklmnopqrstuvwxyz", 26);
    peer = accepting_peer;
    from_peer(PEER_PORT, port, s0 + 26, ack, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

static void zero_window_is_probed(void **state)
{
    peer_wnd = 0;
    struct tcp_conn *c = connected();
    unsigned before = nsent;
    assert_int_equal(tcp_write(c, "data", 4), 4);
    assert_int_equal(nsent, before);                        /* the window is shut */
    /* the timer sends one byte to see whether it opened */
    for (int i = 0; i < 300 && nsent == before; i++) {
        now_ns += 1000000;
        tcp_timers();
    }
    assert_int_equal(nsent, before + 1);
    assert_int_equal(sent[before].len, 1);
    assert_int_equal(sent[before].data[0], 'd');
    /* it opens: the rest goes */
    from_peer(PEER_PORT, sent[0].sport, peer_isn + 1, sent[before].seq + 1, ACK, 1000, NULL, 0);
    net_poll();
    assert_int_equal(sent[nsent - 1].len, 3);
    assert_memory_equal(sent[nsent - 1].data, "ata", 3);
    peer_wnd = 65535;
}

static void three_duplicate_acks_resend_at_once(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    static uint8_t data[5 * TCP_MSS];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    unsigned before = nsent;
    assert_int_equal(tcp_write(c, data, sizeof data), (long)sizeof data);
    /* the peer's SYN-ACK had no MSS option: RFC 9293's default of 536 */
    assert_int_equal(nsent - before, (sizeof data + 535) / 536);
    assert_int_equal(sent[before].len, 536);
    uint32_t first = sent[before].seq;
    /* the first segment was lost: the peer acks the SYN again, three times */
    for (int i = 0; i < 3; i++)
        from_peer(PEER_PORT, port, peer_isn + 1, first, ACK, 65535, NULL, 0);
    uint64_t t0 = now_ns;
    net_poll();
    assert_int_equal(sent[nsent - 1].seq, first);           /* resent */
    assert_int_equal(sent[nsent - 1].len, 536);
    assert_true(sent[nsent - 1].at - t0 < 100000000ull);    /* long before the timer */
    assert_int_equal(tcp_stats.fast_retransmits, 1);
    peer = accepting_peer;
    from_peer(PEER_PORT, port, peer_isn + 1, first + sizeof data, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

static void listen_accept_and_unwanted_syns(void **state)
{
    struct tcp_conn *l = tcp_listen(8080);
    assert_non_null(l);
    assert_null(tcp_listen(8080));                          /* taken */
    from_peer(40000, 8080, 77, 0, SYN, 65535, NULL, 0);
    net_poll();
    assert_int_equal(sent[0].flags, SYN | ACK);
    assert_int_equal(sent[0].ack, 78);
    from_peer(40000, 8080, 78, sent[0].seq + 1, ACK, 65535, NULL, 0);
    struct tcp_conn *c = tcp_accept(l, 100);
    assert_non_null(c);
    assert_string_equal(tcp_state_name(c), "ESTABLISHED");
    /* a SYN to a port nobody listens on is refused */
    from_peer(40001, 9999, 500, 0, SYN, 65535, NULL, 0);
    net_poll();
    assert_int_equal(sent[nsent - 1].flags, RST | ACK);
    assert_int_equal(sent[nsent - 1].ack, 501);
    assert_int_equal(tcp_close(l, 0), 0);
    peer = accepting_peer;
    from_peer(40000, 8080, 78, sent[0].seq + 1, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

static void time_wait_ends(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    /* we close first: FIN_WAIT_1, the peer acks and sends its FIN */
    tcp_shutdown(c);
    uint32_t fin = sent[nsent - 1].seq;
    assert_int_equal(sent[nsent - 1].flags, FIN | ACK);
    from_peer(PEER_PORT, port, peer_isn + 1, fin + 1, FIN | ACK, 65535, NULL, 0);
    net_poll();
    assert_string_equal(tcp_state_name(c), "TIME_WAIT");
    assert_int_equal(tcp_close(c, 100), 0);                 /* the handle goes, the state stays */
    now_ns += TIME_WAIT_NS + 1;
    tcp_timers();
    assert_null(conns);                                     /* and now it is gone */
}

/* ---- issue #13's findings ---- */

/* Run the wait loop (poll, timers, idle) for ms of the fake clock. */
static void run_for(unsigned ms)
{
    uint64_t end = now_ns + (uint64_t)ms * 1000000;
    while (now_ns < end)
        tcp_wait_step();
}

/* RFC 9293 3.10.7.4: a copy of what arrived already (its ACK was lost)
 * and a keep-alive at RCV.NXT-1 (3.8.4) each get an ACK, and nothing is
 * delivered twice. */
static void old_segments_and_keepalives_are_acked(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    uint32_t ack = sent[0].seq + 1, s0 = peer_isn + 1;
    from_peer(PEER_PORT, port, s0, ack, ACK | PSH, 65535, "abc", 3);
    net_poll();
    assert_int_equal(sent[nsent - 1].ack, s0 + 3);
    const struct { uint32_t seq; const char *data; uint32_t len; } again[] = {
        { s0, "abc", 3 },                   /* the same segment again */
        { s0 + 1, "bc", 2 },                /* its tail */
        { s0 + 2, NULL, 0 },                /* a keep-alive */
        { s0 + 2, "c", 1 },                 /* one with its garbage byte */
    };
    for (unsigned i = 0; i < 4; i++) {
        unsigned before = nsent;
        from_peer(PEER_PORT, port, again[i].seq, ack, ACK, 65535, again[i].data, again[i].len);
        net_poll();
        assert_int_equal(nsent - before, 1);
        assert_int_equal(sent[before].flags, ACK);
        assert_int_equal(sent[before].ack, s0 + 3);
        assert_int_equal(sent[before].len, 0);
    }
    char b[16];
    assert_int_equal(tcp_read(c, b, sizeof b), 3);
    assert_memory_equal(b, "abc", 3);
    assert_int_equal(tcp_read(c, b, sizeof b), 0);
    peer = accepting_peer;
    from_peer(PEER_PORT, port, s0 + 3, ack, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

/* Our receive window shut (64 KiB unread): a segment with data beyond it
 * gets an ACK saying so, and the acknowledgment it carries still counts
 * (RFC 9293 3.10.7.4: "special allowance ... to accept valid ACKs"). */
static void shut_receive_window_still_acks(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    uint32_t ack = sent[0].seq + 1, seq = peer_isn + 1;
    static uint8_t chunk[TCP_MSS];
    for (uint32_t left = TCP_BUF; left;) {
        uint32_t n = left < TCP_MSS ? left : TCP_MSS;
        from_peer(PEER_PORT, port, seq, ack, ACK, 65535, chunk, n);
        seq += n;
        left -= n;
    }
    net_poll();
    assert_int_equal(sent[nsent - 1].ack, seq);
    assert_int_equal(sent[nsent - 1].wnd, 0);
    assert_int_equal(tcp_write(c, "xyz", 3), 3);
    unsigned before = nsent;
    from_peer(PEER_PORT, port, seq, ack + 3, ACK, 65535, "!", 1);
    net_poll();
    assert_int_equal(nsent, before + 1);
    assert_int_equal(sent[before].flags, ACK);
    assert_int_equal(sent[before].ack, seq);                /* the byte not taken */
    assert_int_equal(sent[before].wnd, 0);
    assert_int_equal(c->slen, 0);                           /* "xyz" acked */
    peer = accepting_peer;
    from_peer(PEER_PORT, port, seq, ack + 3, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

/* A peer whose window stays shut: it takes nothing, acknowledges each
 * segment at once with window 0. */
static void shut_window_peer(const struct out *o)
{
    if (o->len || (o->flags & FIN))
        from_peer(o->dport, o->sport, o->ack, o->seq, ACK, 0, NULL, 0);
}

static unsigned count_probes(unsigned from, uint32_t seq)
{
    unsigned n = 0;
    for (unsigned i = from; i < nsent; i++)
        n += sent[i].len == 1 && sent[i].seq == seq;
    return n;
}

/* RFC 1122 4.2.2.17: a peer may keep its window shut as long as it
 * answers the probes; the connection stays, the probes go on (backed
 * off, no further apart than RTO_MAX), and the data goes once it opens. */
static void answered_probes_keep_the_connection(void **state)
{
    peer_wnd = 0;
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    uint32_t first = sent[0].seq + 1;
    peer = shut_window_peer;
    unsigned before = nsent;
    assert_int_equal(tcp_write(c, "data", 4), 4);
    run_for(60000);
    assert_string_equal(tcp_state_name(c), "ESTABLISHED");
    char b[4];
    assert_int_equal(tcp_read(c, b, sizeof b), 0);          /* no error */
    unsigned probes = count_probes(before, first);
    assert_true(probes >= 60 / 2 - 2);
    for (unsigned i = before + 1; i < nsent; i++)
        assert_true(sent[i].at - sent[i - 1].at <= RTO_MAX_NS + 10000000);
    /* it opens: everything goes, from the first byte */
    peer = accepting_peer;
    from_peer(PEER_PORT, port, peer_isn + 1, first, ACK, 1000, NULL, 0);
    net_poll();
    assert_int_equal(sent[nsent - 1].seq, first);
    assert_int_equal(sent[nsent - 1].len, 4);
    assert_memory_equal(sent[nsent - 1].data, "data", 4);
    peer_wnd = 65535;
    from_peer(PEER_PORT, port, peer_isn + 1, first + 4, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

/* The update that opened the window is lost: the next probe's answer
 * brings the news, and the data goes (not a connection timed out with
 * its data unsent). */
static void lost_window_update_is_found_by_probing(void **state)
{
    peer_wnd = 0;
    struct tcp_conn *c = connected();
    uint32_t first = sent[0].seq + 1;
    peer = shut_window_peer;
    assert_int_equal(tcp_write(c, "data", 4), 4);
    unsigned before = nsent;
    while (nsent == before)
        tcp_wait_step();                    /* the first probe, answered: still shut */
    assert_int_equal(sent[before].len, 1);
    tcp_wait_step();
    /* the window opens; the peer's update saying so is lost, and it
     * answers what comes next with the open window */
    peer_wnd = 1000;
    peer = accepting_peer;
    run_for(20000);
    assert_string_equal(tcp_state_name(c), "ESTABLISHED");
    unsigned i = nsent - 1;
    while (i > before && !sent[i].len)
        i--;
    assert_int_equal(sent[i].seq + sent[i].len, first + 4);  /* the last byte went */
    assert_int_equal(c->slen, 0);                           /* and all was acked */
    peer_wnd = 65535;
    from_peer(PEER_PORT, sent[0].sport, peer_isn + 1, first + 4, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

/* RFC 9293 3.10.7.4 (SND.WL1, SND.WL2): an ACK delayed on the way,
 * older than one already taken, does not shut the window that one
 * opened. */
static void late_old_ack_keeps_the_window(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    assert_int_equal(tcp_write(c, "abc", 3), 3);
    uint32_t first = sent[nsent - 1].seq;
    from_peer(PEER_PORT, port, peer_isn + 1, first + 3, ACK, 1000, NULL, 0);
    from_peer(PEER_PORT, port, peer_isn + 1, first, ACK, 0, NULL, 0);     /* the late one */
    net_poll();
    unsigned before = nsent;
    assert_int_equal(tcp_write(c, "def", 3), 3);
    assert_int_equal(nsent, before + 1);                    /* out at once */
    assert_memory_equal(sent[before].data, "def", 3);
    peer = accepting_peer;
    from_peer(PEER_PORT, port, peer_isn + 1, first + 6, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

static long conns_held(void)
{
    long n = 0;
    for (struct tcp_conn *c = conns; c; c = c->next)
        n++;
    return n;
}

/* Children reset or never completed go; the half-open ones are held to a
 * backlog, and a real client still gets through a SYN flood. */
static void listener_children_are_bounded(void **state)
{
    struct tcp_conn *l = tcp_listen(8080);
    assert_non_null(l);
    long allocs = live_allocs;
    for (uint32_t i = 0; i < 200; i++) {
        from_peer((uint16_t)(30000 + i), 8080, 1000 * i, 0, SYN, 65535, NULL, 0);
        from_peer((uint16_t)(30000 + i), 8080, 1000 * i + 1, 0, RST, 0, NULL, 0);
        net_poll();
    }
    assert_int_equal(live_allocs, allocs);                  /* every child freed */
    assert_int_equal(conns_held(), 1);
    for (uint32_t i = 0; i < 480; i++) {
        from_peer((uint16_t)(20000 + i), 8080, 7 * i, 0, SYN, 65535, NULL, 0);
        if (inq_count == 100)
            net_poll();
    }
    net_poll();
    assert_true(conns_held() <= 1 + 16);                    /* a backlog, not 480 */
    assert_true(live_allocs - allocs <= 3 * 16);
    from_peer(40000, 8080, 77, 0, SYN, 65535, NULL, 0);
    net_poll();
    assert_int_equal(sent[nsent - 1].flags, SYN | ACK);
    assert_int_equal(sent[nsent - 1].dport, 40000);
    from_peer(40000, 8080, 78, sent[nsent - 1].seq + 1, ACK, 65535, NULL, 0);
    struct tcp_conn *c = tcp_accept(l, 100);
    assert_non_null(c);
    assert_int_equal(c->rport, 40000);
    /* the flood's half-open ones give up after their SYN-ACK retries */
    nsent = 0;
    run_for(30000);
    assert_int_equal(conns_held(), 2);
    assert_int_equal(tcp_close(l, 0), 0);
    peer = accepting_peer;
    from_peer(40000, 8080, 78, sent[0].seq, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

/* Answers a SYN with SYN-ACK and an MSS option of 1. */
static void tiny_mss_peer(const struct out *o)
{
    if (o->flags & SYN)
        queue_in(PEER, GUEST, (struct pseg){ .sport = o->dport, .dport = o->sport,
                                             .seq = peer_isn, .ack = o->seq + 1,
                                             .flags = SYN | ACK, .wnd = 65535, .mss = 1 });
}

/* An MSS of 1 is taken as 48 (Linux's tcp_min_snd_mss): a 64 KiB write
 * goes out in at most 1366 segments, not 65535. */
static void tiny_mss_is_raised(void **state)
{
    peer = tiny_mss_peer;
    int err = 0;
    struct tcp_conn *c = tcp_connect(PEER, PEER_PORT, 1000, &err);
    assert_non_null(c);
    peer = silent_peer;
    static uint8_t data[65535];
    unsigned before = nsent;
    assert_int_equal(tcp_write(c, data, sizeof data), (long)sizeof data);
    assert_true(nsent - before <= (sizeof data + 47) / 48);
    for (unsigned i = before; i + 1 < nsent; i++)
        assert_true(sent[i].len >= 48);
    uint32_t end = sent[nsent - 1].seq + sent[nsent - 1].len;
    assert_int_equal(end, sent[0].seq + 1 + sizeof data);   /* all of it went */
    peer = accepting_peer;
    from_peer(PEER_PORT, sent[0].sport, peer_isn + 1, end, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
}

/* RFC 5961 3.2: with 43800 bytes unread the window is 21736; a reset
 * beyond it is ignored, one inside it but not at RCV.NXT gets a challenge
 * ACK, one at RCV.NXT resets. */
static void rst_checked_against_the_window(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    uint32_t ack = sent[0].seq + 1, seq = peer_isn + 1;
    static uint8_t chunk[TCP_MSS];
    for (int i = 0; i < 30; i++, seq += TCP_MSS)
        from_peer(PEER_PORT, port, seq, ack, ACK, 65535, chunk, TCP_MSS);
    net_poll();
    assert_int_equal(sent[nsent - 1].ack, seq);
    assert_int_equal(sent[nsent - 1].wnd, TCP_BUF - 30 * TCP_MSS);
    unsigned before = nsent;
    from_peer(PEER_PORT, port, seq + 30000, 0, RST, 0, NULL, 0);
    net_poll();
    assert_string_equal(tcp_state_name(c), "ESTABLISHED");
    assert_int_equal(nsent, before);                        /* silently dropped */
    from_peer(PEER_PORT, port, seq + 100, 0, RST, 0, NULL, 0);
    net_poll();
    assert_string_equal(tcp_state_name(c), "ESTABLISHED");
    assert_int_equal(nsent, before + 1);                    /* the challenge ACK */
    assert_int_equal(sent[before].flags, ACK);
    assert_int_equal(sent[before].ack, seq);
    from_peer(PEER_PORT, port, seq, 0, RST, 0, NULL, 0);
    net_poll();
    assert_string_equal(tcp_state_name(c), "CLOSED");
    assert_int_equal(tcp_close(c, 100), TCP_ECONNRESET);
}

/* RFC 1122 4.2.3.10: SYNs from 0.0.0.0, broadcast and multicast
 * sources, or to a broadcast, get nothing: no SYN-ACK, no child. */
static void syns_from_non_hosts_are_dropped(void **state)
{
    netif.mask = 0xffffff00u;
    struct tcp_conn *l = tcp_listen(8080);
    assert_non_null(l);
    long allocs = live_allocs;
    static const uint32_t src[] = { 0, 0xffffffffu, IP4(224, 0, 0, 1), IP4(10, 0, 2, 255),
                                    PEER };
    static const uint32_t dst[] = { GUEST, GUEST, GUEST, GUEST, 0xffffffffu };
    for (unsigned i = 0; i < 5; i++)
        queue_in(src[i], dst[i], (struct pseg){ .sport = 40000, .dport = 8080, .seq = 1,
                                                .flags = SYN, .wnd = 65535 });
    net_poll();
    assert_int_equal(nsent, 0);
    assert_int_equal(live_allocs, allocs);
    assert_int_equal(tcp_close(l, 0), 0);
}

/* RFC 6528, RFC 6056: at the same instant two connections get ISNs far
 * apart (not one the clock gives), and ephemeral ports do not run in
 * sequence. */
static void isns_and_ports_do_not_follow_the_clock(void **state)
{
    peer = accepting_peer;
    int err = 0;
    uint32_t isn[2];
    uint16_t ports[16];
    for (int i = 0; i < 16; i++) {
        now_ns = 5000000000ull;
        unsigned before = nsent;
        struct tcp_conn *c = tcp_connect(PEER, (uint16_t)(PEER_PORT + i), 1000, &err);
        assert_non_null(c);
        assert_int_equal(sent[before].flags, SYN);
        if (i < 2)
            isn[i] = sent[before].seq;
        ports[i] = sent[before].sport;
        conn_free(c);
    }
    assert_int_not_equal(isn[0], isn[1]);
    unsigned in_sequence = 0;
    for (int i = 1; i < 16; i++)
        in_sequence += ports[i] == (uint16_t)(ports[i - 1] + 1);
    assert_true(in_sequence < 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(handshake_data_and_close), T(refused), T(syn_backoff_then_timeout),
        T(rst_in_window_resets_out_of_window_does_not), T(out_of_order_segments_are_kept),
        T(zero_window_is_probed), T(three_duplicate_acks_resend_at_once),
        T(listen_accept_and_unwanted_syns), T(time_wait_ends),
        T(old_segments_and_keepalives_are_acked), T(shut_receive_window_still_acks),
        T(answered_probes_keep_the_connection),
        T(lost_window_update_is_found_by_probing), T(late_old_ack_keeps_the_window),
        T(listener_children_are_bounded), T(tiny_mss_is_raised),
        T(rst_checked_against_the_window), T(syns_from_non_hosts_are_dropped),
        T(isns_and_ports_do_not_follow_the_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
