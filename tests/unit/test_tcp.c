/*
 * The guest's TCP (guest/net/tcp.c) built for the host, below it a fake
 * IP layer that records every segment sent and a scripted peer that
 * answers them; a clock that moves a microsecond per look and a
 * millisecond per idle wait. The cases the end-to-end tests through
 * slirp cannot provoke at will: RST in and out of the window, SYN
 * retransmission with backoff, a zero window, fast retransmit, segments
 * out of order, TIME_WAIT ending, nothing leaked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../guest/net/tcp.c"

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

struct in { uint8_t seg[20 + TCP_MSS]; size_t len; };
static struct in inq[256];
static unsigned inq_head, inq_count;

int ip_send_opts(uint32_t dst, uint8_t proto, uint8_t *frame, size_t payload,
                 unsigned arp_wait_ms, unsigned flags)
{
    const uint8_t *t = frame + 34;
    assert_int_equal(dst, PEER);
    assert_int_equal(proto, 6);
    uint32_t pseudo = (GUEST >> 16) + (GUEST & 0xffff) + (PEER >> 16) + (PEER & 0xffff) + 6 +
                      (uint32_t)payload;
    assert_int_equal(checksum(t, payload, pseudo), 0);      /* a valid segment */
    assert_true(nsent < MAX_OUT);
    struct out *o = &sent[nsent++];
    size_t hl = (size_t)(t[12] >> 4) * 4;
    *o = (struct out){ .sport = get16(t), .dport = get16(t + 2), .seq = get32(t + 4),
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

/* queue a segment from the peer to the guest */
static void from_peer(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                      uint8_t flags, uint16_t wnd, const void *data, uint32_t len)
{
    assert_true(inq_count < 256);
    struct in *in = &inq[(inq_head + inq_count++) % 256];
    uint8_t *t = in->seg;
    memset(t, 0, 20);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, wnd);
    if (len)
        memcpy(t + 20, data, len);
    in->len = 20 + len;
    uint32_t pseudo = (PEER >> 16) + (PEER & 0xffff) + (GUEST >> 16) + (GUEST & 0xffff) + 6 +
                      (uint32_t)in->len;
    put16(t + 16, checksum(t, in->len, pseudo));
}

int net_poll(void)
{
    int n = 0;
    while (inq_count) {
        struct in in = inq[inq_head];
        inq_head = (inq_head + 1) % 256;
        inq_count--;
        tcp_input(PEER, GUEST, in.seg, in.len);
        n++;
    }
    tcp_after_input();
    return n;
}

void net_idle(void) { now_ns += 1000000; }

static struct e1000_nic nic;
static struct e1000_rx_desc rxd[1];

/* ---- peers ---- */

static uint32_t peer_isn = 5000, peer_next;
static uint16_t peer_wnd = 65535;

/* Answers a SYN with SYN-ACK, and acknowledges all data and FIN. */
static void accepting_peer(const struct out *o)
{
    if (o->flags & SYN) {
        peer_next = peer_isn + 1;
        from_peer(o->dport, o->sport, peer_isn, o->seq + 1, SYN | ACK, peer_wnd, NULL, 0);
        return;
    }
    if (o->len || (o->flags & FIN))
        from_peer(o->dport, o->sport, peer_next, o->seq + o->len + !!(o->flags & FIN), ACK,
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
    nic.rxd = rxd;
    netif.nic = &nic;
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
    peer_next = 78;
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

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(handshake_data_and_close), T(refused), T(syn_backoff_then_timeout),
        T(rst_in_window_resets_out_of_window_does_not), T(out_of_order_segments_are_kept),
        T(zero_window_is_probed), T(three_duplicate_acks_resend_at_once),
        T(listen_accept_and_unwanted_syns), T(time_wait_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
