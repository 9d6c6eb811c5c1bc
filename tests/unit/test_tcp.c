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
#include "clock.h"
#include "heap.h"
#include "kernel.h"
#include "net.h"
#include "netdev.h"
#include "tcp.h"
#include "x86.h"
#include "../../guest/net/net_internal.h"
#include "../../guest/net/tcp_internal.h"
#include "../fuzz/common/csum.h"     /* the one's-complement sum */

#define GUEST IP4(10, 0, 2, 15)
#define PEER  IP4(10, 0, 2, 2)
#define PEER_PORT 7

/* ---- what tcp.c needs from the rest of the kernel ----
 * (defined here, so the guest library's heap.c and net.c stay out of the
 * link: tcp*.c, random.c and sha256.c are the only guest code in it) */

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
uint64_t shim_rdtsc(void) { return __builtin_ia32_rdtsc(); }    /* random.c's seed */

uint16_t checksum(const uint8_t *p, size_t len, uint32_t sum)
{
    return (uint16_t)~oc_sum(p, len, sum);
}

/* a segment as the guest sent it */
struct out {
    uint32_t dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd, mss;
    int wscale;                     /* the option, -1 without */
    uint32_t len;
    uint8_t data[TCP_MSS];
    uint64_t at;
};

#define MAX_OUT 4096
static struct out sent[MAX_OUT];
static unsigned nsent;

/* the scripted peer: sees each segment the guest sends, may queue replies */
static void (*peer)(const struct out *o);

struct in { uint32_t src, dst; uint8_t seg[28 + TCP_MSS]; size_t len; };
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
                       .len = (uint32_t)(payload - hl), .at = now_ns, .wscale = -1 };
    for (size_t i = 20; i + 1 < hl;) {           /* the options of a SYN */
        if (t[i] == 1) {
            i++;
            continue;
        }
        if (t[i] == 2)
            o->mss = get16(t + i + 2);
        if (t[i] == 3)
            o->wscale = t[i + 2];
        i += t[i + 1];
    }
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
    uint8_t ws;                     /* the window-scale option's shift + 1, or 0 */
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
    size_t hl = 20 + (p.mss ? 4 : 0) + (p.ws ? 4 : 0);
    memset(t, 0, hl);
    put16(t, p.sport);
    put16(t + 2, p.dport);
    put32(t + 4, p.seq);
    put32(t + 8, p.ack);
    t[12] = (uint8_t)(hl / 4 << 4);
    t[13] = p.flags;
    put16(t + 14, p.wnd);
    uint8_t *o = t + 20;
    if (p.mss) {
        o[0] = 2;
        o[1] = 4;
        put16(o + 2, p.mss);
        o += 4;
    }
    if (p.ws) {
        o[0] = 1;                   /* NOP */
        o[1] = 3;
        o[2] = 3;
        o[3] = (uint8_t)(p.ws - 1);
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

/* The end of a connection: the peer (accepting again) sends FIN at seq
 * acknowledging ack, and our close completes (CLOSE_WAIT, LAST_ACK,
 * CLOSED; RFC 9293 3.6). */
static void fin_then_close(struct tcp_conn *c, uint16_t port, uint32_t seq, uint32_t ack)
{
    peer = accepting_peer;
    from_peer(PEER_PORT, port, seq, ack, FIN | ACK, 65535, NULL, 0);
    assert_int_equal(tcp_close(c, 1000), 0);
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
    for (struct tcp_conn *c = tcp_conns, *next; c; c = next) {
        next = c->next;
        tcp_conn_free(c);
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
    fin_then_close(c, port, s0 + 26, ack);
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
    /* the peer's SYN-ACK had no MSS option: RFC 9293's default of 536;
     * the initial window (RFC 6928) lets 10 of them out */
    assert_int_equal(nsent - before, 10);
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
    fin_then_close(c, port, peer_isn + 1, first + sizeof data);
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
    assert_null(tcp_conns);                                     /* and now it is gone */
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
    fin_then_close(c, port, s0 + 3, ack);
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
    fin_then_close(c, port, seq, ack + 3);
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
    fin_then_close(c, port, peer_isn + 1, first + 6);
}

static long conns_held(void)
{
    long n = 0;
    for (struct tcp_conn *c = tcp_conns; c; c = c->next)
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

/* accepting_peer, but its ACKs are cumulative: when many wait, more
 * are not needed */
static void bounded_accepting_peer(const struct out *o)
{
    if (inq_count < 200)
        accepting_peer(o);
}

/* An MSS of 1 is taken as 48 (Linux's tcp_min_snd_mss): a 64 KiB write
 * goes out in at most 1366 segments, not 65535. */
static void tiny_mss_is_raised(void **state)
{
    peer = tiny_mss_peer;
    int err = 0;
    struct tcp_conn *c = tcp_connect(PEER, PEER_PORT, 1000, &err);
    assert_non_null(c);
    peer = bounded_accepting_peer;
    static uint8_t data[65535];
    unsigned before = nsent;
    assert_int_equal(tcp_send(c, data, sizeof data, 1000), (long)sizeof data);
    while (sent[nsent - 1].seq + sent[nsent - 1].len != sent[0].seq + 1 + sizeof data)
        tcp_wait_step();                    /* the ACKs open the congestion window */
    assert_true(nsent - before <= (sizeof data + 47) / 48);
    for (unsigned i = before; i + 1 < nsent; i++)
        assert_true(sent[i].len >= 48);
    uint32_t end = sent[nsent - 1].seq + sent[nsent - 1].len;
    assert_int_equal(end, sent[0].seq + 1 + sizeof data);   /* all of it went */
    fin_then_close(c, sent[0].sport, peer_isn + 1, end);
}

/* RFC 5961 3.2: with 43800 bytes unread the window is still the most
 * an unscaled header says, 65535; a reset beyond it is ignored, one
 * inside it but not at RCV.NXT gets a challenge ACK, one at RCV.NXT
 * resets. */
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
    assert_int_equal(sent[nsent - 1].wnd, 65535);
    unsigned before = nsent;
    from_peer(PEER_PORT, port, seq + 70000, 0, RST, 0, NULL, 0);
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
        tcp_conn_free(c);
    }
    assert_int_not_equal(isn[0], isn[1]);
    unsigned in_sequence = 0;
    for (int i = 1; i < 16; i++)
        in_sequence += ports[i] == (uint16_t)(ports[i - 1] + 1);
    assert_true(in_sequence < 4);
}

/* ---- issue 13 finding 15 and issue 16: loss, reordering, scaling ---- */

static uint8_t full[TCP_MSS];

/* RFC 5681 4.2: a stream of full segments draws an ACK for every second
 * one, not one for a whole batch; an odd one left at the end of the
 * batch is acknowledged with the batch. */
static void ack_every_second_full_segment(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    uint32_t ack = sent[0].seq + 1, seq = peer_isn + 1;
    unsigned before = nsent;
    for (int i = 0; i < 7; i++, seq += TCP_MSS)
        from_peer(PEER_PORT, port, seq, ack, ACK, 65535, full, TCP_MSS);
    net_poll();
    assert_int_equal(nsent - before, 4);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(sent[before + i].ack, peer_isn + 1 + (i + 1) * 2 * TCP_MSS);
    assert_int_equal(sent[before + 3].ack, seq);            /* the seventh, at the end */
    assert_int_equal(tcp_stats.acks_sent, 1 + 4);           /* (and the handshake's) */
    (void)c;
}

/* RFC 5681 4.2: a segment out of order draws a duplicate ACK at once,
 * with the window unchanged; the one filling the gap an ACK at once; and
 * for a while after, each segment its own ACK (a sender that just lost
 * one grows its window back by ACKs). */
static void out_of_order_then_quick_acks(void **state)
{
    struct tcp_conn *c = connected();
    uint16_t port = sent[0].sport;
    uint32_t ack = sent[0].seq + 1, s0 = peer_isn + 1;
    unsigned before = nsent;
    from_peer(PEER_PORT, port, s0 + TCP_MSS, ack, ACK, 65535, full, TCP_MSS);
    net_poll();
    assert_int_equal(nsent - before, 1);
    assert_int_equal(sent[before].ack, s0);
    assert_int_equal(tcp_stats.dupacks_sent, 1);
    from_peer(PEER_PORT, port, s0, ack, ACK, 65535, full, TCP_MSS);
    net_poll();
    assert_int_equal(nsent - before, 2);
    assert_int_equal(sent[before + 1].ack, s0 + 2 * TCP_MSS);
    before = nsent;
    for (uint32_t i = 2; i < 6; i++)
        from_peer(PEER_PORT, port, s0 + i * TCP_MSS, ack, ACK, 65535, full, TCP_MSS);
    net_poll();
    assert_int_equal(nsent - before, 4);                    /* one each */
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(sent[before + i].ack, s0 + (i + 3) * TCP_MSS);
    (void)c;
}

static int peer_ws = -1;           /* the shift the accepting peer offers, or -1 */

static void scaling_peer(const struct out *o)
{
    if (o->flags & SYN) {
        queue_in(PEER, GUEST, (struct pseg){ .sport = o->dport, .dport = o->sport,
                                             .seq = peer_isn, .ack = o->seq + 1,
                                             .flags = SYN | ACK, .wnd = 65535, .mss = 1460,
                                             .ws = (uint8_t)(peer_ws + 1) });
    }
}

/* RFC 7323: our SYN offers a shift; when the peer's SYN-ACK offers one
 * too, its windows count in units of 1 << shift and ours in units of
 * 1 << RCV_WSCALE, so more than 64 KiB can be offered. */
static void window_scale_negotiated_and_honoured(void **state)
{
    peer = scaling_peer;
    peer_ws = 10;
    int err = 0;
    struct tcp_conn *c = tcp_connect(PEER, PEER_PORT, 1000, &err);
    assert_non_null(c);
    peer = silent_peer;
    assert_int_equal(sent[0].wscale, RCV_WSCALE);           /* offered */
    assert_int_equal(sent[0].wnd, 65535);                   /* a SYN's: never scaled */
    assert_int_equal(sent[1].wnd, TCP_BUF >> RCV_WSCALE > 65535 ? 65535
                                                            : TCP_BUF >> RCV_WSCALE);
    uint16_t port = sent[0].sport;
    uint32_t una = sent[0].seq + 1;
    /* the peer's window field 2 means 2 KiB: two segments, not two bytes */
    from_peer(PEER_PORT, port, peer_isn + 1, una, ACK, 2, NULL, 0);
    net_poll();
    unsigned before = nsent;
    static uint8_t data[8192];
    assert_int_equal(tcp_write(c, data, sizeof data), (long)sizeof data);
    assert_int_equal(nsent - before, 2);
    assert_int_equal(sent[before].len + sent[before + 1].len, 2048);
    /* 65535 << 10: far more than 64 KiB may be in flight (the congestion
     * window, ten segments at first, is what stops it here) */
    from_peer(PEER_PORT, port, peer_isn + 1, una + 2048, ACK, 65535, NULL, 0);
    net_poll();
    assert_int_equal(c->snd_wnd, 65535u << 10);
    /* ours in units of 4 bytes: with 10 full segments unread, the field
     * says the room left, beyond what 16 bits of bytes could */
    before = nsent;
    uint32_t seq = peer_isn + 1;
    for (int i = 0; i < 10; i++, seq += TCP_MSS)
        from_peer(PEER_PORT, port, seq, una + 2048, ACK, 65535, full, TCP_MSS);
    net_poll();
    assert_int_equal(sent[nsent - 1].ack, seq);
    assert_int_equal(sent[nsent - 1].wnd, (TCP_BUF - 10 * TCP_MSS) / 4);
    peer_ws = -1;
}

/* Without the peer's offer there is no scaling: its window is taken as
 * it stands, ours is said in bytes, and a SYN-ACK answering a SYN
 * without the option does not carry it (RFC 7323 2.2). */
static void window_scale_needs_both(void **state)
{
    peer = scaling_peer;
    peer_ws = -1;
    int err = 0;
    struct tcp_conn *c = tcp_connect(PEER, PEER_PORT, 1000, &err);
    assert_non_null(c);
    peer = silent_peer;
    assert_int_equal(c->snd_scale, 0);
    assert_int_equal(c->rcv_scale, 0);
    assert_int_equal(sent[1].wnd, 65535);                   /* the most it can say */
    struct tcp_conn *l = tcp_listen(8080);
    unsigned before = nsent;
    from_peer(40000, 8080, 77, 0, SYN, 65535, NULL, 0);
    net_poll();
    assert_int_equal(sent[before].flags, SYN | ACK);
    assert_int_equal(sent[before].wscale, -1);
    before = nsent;
    queue_in(PEER, GUEST, (struct pseg){ .sport = 40001, .dport = 8080, .seq = 500,
                                         .flags = SYN, .wnd = 65535, .ws = 1 + 3 });
    net_poll();
    assert_int_equal(sent[before].flags, SYN | ACK);
    assert_int_equal(sent[before].wscale, RCV_WSCALE);
    tcp_close(l, 0);
    (void)c;
}

/* A sender with data written and n segments of 536 bytes (no MSS option) out. */
static struct tcp_conn *sending(unsigned n, uint32_t *first)
{
    struct tcp_conn *c = connected();
    static uint8_t data[64 * 536];
    unsigned before = nsent;
    assert_int_equal(tcp_write(c, data, n * 536), (long)(n * 536));
    assert_int_equal(nsent - before, n);
    *first = sent[before].seq;
    return c;
}

static void dup(struct tcp_conn *c, uint32_t ack)
{
    from_peer(PEER_PORT, c->lport, peer_isn + 1, ack, ACK, 65535, NULL, 0);
}

/* RFC 6582: segments 0 and 2 of ten are lost. Three duplicate ACKs
 * resend 0 (fast retransmit, the window halved); the ACK that then
 * covers 0 and 1 only (partial) has 2 resent at once, without waiting
 * for three more duplicates or the timer; the ACK for all ends
 * recovery, the window at ssthresh. */
static void newreno_partial_ack_resends_next_hole(void **state)
{
    uint32_t s0;
    struct tcp_conn *c = sending(10, &s0);
    for (int i = 0; i < 3; i++)
        dup(c, s0);
    unsigned before = nsent;
    net_poll();
    assert_int_equal(tcp_stats.fast_retransmits, 1);
    assert_int_equal(sent[before].seq, s0);
    assert_true(c->in_recovery);
    assert_int_equal(c->ssthresh, 5 * 536);
    before = nsent;
    dup(c, s0 + 2 * 536);                                   /* partial */
    net_poll();
    assert_int_equal(tcp_stats.partial_acks, 1);
    assert_int_equal(sent[before].seq, s0 + 2 * 536);
    assert_true(c->in_recovery);
    assert_int_equal(tcp_stats.retransmits, 0);             /* no timeout */
    dup(c, c->snd_max);                                     /* all of it */
    net_poll();
    assert_false(c->in_recovery);
    assert_true(c->cwnd <= c->ssthresh);
}

/* RFC 6298 5.5 and 5.7: each timeout doubles the next wait; an ACK for
 * new data ends the backoff, and the next timeout waits the base RTO. */
static void rto_backoff_resets_on_new_ack(void **state)
{
    uint32_t s0;
    struct tcp_conn *c = sending(2, &s0);
    unsigned first = nsent;
    while (tcp_stats.retransmits < 3)
        tcp_wait_step();
    uint64_t t1 = sent[first].at, t2 = sent[first + 1].at, t3 = sent[first + 2].at;
    uint64_t w1 = t2 - t1, w2 = t3 - t2;
    assert_true(w2 > w1 * 3 / 2 && w2 < w1 * 5 / 2);        /* doubled */
    assert_int_equal(c->cwnd, 536);                         /* the loss window */
    dup(c, s0 + 536);                                       /* new data acked */
    net_poll();
    uint64_t base = c->rto;
    assert_true(base < w2);
    unsigned before = nsent, rtx = tcp_stats.retransmits;
    uint64_t t0 = now_ns;
    while (tcp_stats.retransmits == rtx)
        tcp_wait_step();
    assert_true(sent[nsent - 1].at - t0 <= base + 2000000);
    assert_int_equal(sent[nsent - 1].seq, s0 + 536);
    (void)before;
}

/* Segments swapped on the way draw one or two duplicate ACKs, never
 * three: nothing is resent, by fast retransmit or by a timer, and the
 * window is not cut. */
static void reordering_is_tolerated(void **state)
{
    uint32_t s0;
    struct tcp_conn *c = sending(6, &s0);
    uint32_t cwnd = c->cwnd;
    dup(c, s0 + 536);                       /* 0 arrived */
    dup(c, s0 + 536);                       /* 2 before 1 */
    dup(c, s0 + 536);                       /* 3 before 1 */
    dup(c, s0 + 4 * 536);                   /* 1 came: all to 4 */
    dup(c, s0 + 6 * 536);
    unsigned before = nsent;
    net_poll();
    for (int i = 0; i < 1000; i++)
        tcp_wait_step();                    /* a second: no timer fires */
    assert_int_equal(tcp_stats.fast_retransmits, 0);
    assert_int_equal(tcp_stats.retransmits, 0);
    assert_int_equal(tcp_stats.tail_probes, 0);
    for (unsigned i = before; i < nsent; i++)
        assert_true(seq_gt(sent[i].seq, s0 + 5 * 536));    /* only new data, if any */
    assert_true(c->cwnd >= cwnd);
}

/* A retransmission can be lost too. In recovery the peer holds data
 * past the hole and acknowledges the segment filling it at once, so
 * when no ACK comes within a few round trips it goes again, long
 * before the retransmission timer (RFC 8985 6.3's reasoning); and
 * duplicate ACKs beyond what the segments sent before it can cause say
 * the same. */
static void lost_retransmission_is_sent_again(void **state)
{
    uint32_t s0;
    struct tcp_conn *c = sending(1, &s0);
    dup(c, s0 + 536);                                       /* an RTT sample */
    net_poll();
    static uint8_t data[10 * 536];
    assert_int_equal(tcp_write(c, data, sizeof data), (long)sizeof data);
    s0 += 536;
    for (int i = 0; i < 3; i++)
        dup(c, s0);
    net_poll();
    assert_int_equal(tcp_stats.fast_retransmits, 1);
    unsigned before = nsent;
    uint64_t t0 = now_ns;
    while (nsent == before)
        tcp_wait_step();
    assert_int_equal(sent[before].seq, s0);
    assert_int_equal(tcp_stats.lost_rexmits, 1);
    assert_int_equal(tcp_stats.retransmits, 0);
    assert_true(sent[before].at - t0 < c->rto / 2);
    /* nine segments were out past the hole: three of them had answered
     * before the resend, so six more duplicates are theirs, and two
     * more spare; the next one goes beyond */
    for (int i = 0; i < 6 + 2; i++)
        dup(c, s0);
    net_poll();
    assert_int_equal(tcp_stats.lost_rexmits, 1);
    before = nsent;
    dup(c, s0);
    net_poll();
    assert_int_equal(tcp_stats.lost_rexmits, 2);
    assert_int_equal(sent[before].seq, s0);
}

/* RFC 8985 7: the last segments of a flight lost (too few behind them
 * for three duplicates): a probe, the last segment again, after about
 * two round trips rather than the retransmission timeout; its duplicate
 * ACK then starts recovery at once. */
static void tail_loss_probe(void **state)
{
    uint32_t s0;
    struct tcp_conn *c = sending(1, &s0);
    dup(c, s0 + 536);                                       /* an RTT sample */
    net_poll();
    assert_true(c->rtt_valid);
    static uint8_t more[3 * 536];
    unsigned before = nsent;
    assert_int_equal(tcp_write(c, more, sizeof more), (long)sizeof more);
    assert_int_equal(nsent - before, 3);
    uint32_t last = sent[nsent - 1].seq;
    before = nsent;
    uint64_t t0 = now_ns;
    while (nsent == before)
        tcp_wait_step();
    assert_int_equal(tcp_stats.tail_probes, 1);
    assert_int_equal(sent[before].seq, last);
    assert_true(sent[before].at - t0 < c->rto / 4);
    before = nsent;
    dup(c, s0 + 536);                                       /* the probe's answer */
    net_poll();
    assert_int_equal(tcp_stats.fast_retransmits, 1);
    assert_int_equal(sent[before].seq, s0 + 536);
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
        T(ack_every_second_full_segment), T(out_of_order_then_quick_acks),
        T(window_scale_negotiated_and_honoured), T(window_scale_needs_both),
        T(newreno_partial_ack_resends_next_hole), T(rto_backoff_resets_on_new_ack),
        T(reordering_is_tolerated), T(lost_retransmission_is_sent_again), T(tail_loss_probe),
        T(answered_probes_keep_the_connection),
        T(lost_window_update_is_found_by_probing), T(late_old_ack_keeps_the_window),
        T(listener_children_are_bounded), T(tiny_mss_is_raised),
        T(rst_checked_against_the_window), T(syns_from_non_hosts_are_dropped),
        T(isns_and_ports_do_not_follow_the_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
