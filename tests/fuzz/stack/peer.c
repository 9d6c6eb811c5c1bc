/*
 * The TCP peer: a consistent one. Its byte stream is a fixed function of
 * the offset (pbyte), so whatever it sends again, in whatever pieces,
 * carries the same bytes at the same sequence numbers; it acknowledges
 * only what it holds; its FIN, once placed, stays where it is. What it
 * sends goes onto the wire (wire.c), where the input loses, duplicates,
 * reorders and corrupts it.
 *
 * Every segment of the connection the guest sends is checked here:
 *  - its data are the bytes the application wrote at those offsets
 *    (gbyte), never beyond what was written, never more than the MSS
 *    the peer announced, never past the furthest window the peer's
 *    delivered segments offered (but for a one-byte probe), scaled
 *    when both SYNs had the window-scale option;
 *  - its SYN offers window scaling, its SYN-ACK only when the peer's
 *    SYN did (RFC 7323 2.2);
 *  - its FIN comes after shutdown, at the end of what was written;
 *  - its ACK never covers a byte that has not reached the guest's NIC,
 *    and never goes back.
 */
#include <string.h>
#include "check.h"
#include "csum.h"
#include "ops.h"
#include "stack.h"

#define STREAM_MAX (256u << 10)

struct peer P;
static uint8_t delivered[STREAM_MAX / 8], received[STREAM_MAX / 8];

uint8_t pbyte(uint32_t off)
{
    uint32_t x = off * 2654435761u + 0x9e3779b9u;
    return (uint8_t)(x >> 13 ^ x >> 24);
}

uint8_t gbyte(uint32_t off)
{
    uint32_t x = off * 2246822519u + 0x85ebca6bu;
    return (uint8_t)(x >> 11 ^ x >> 23);
}

static bool bit(const uint8_t *map, uint32_t i) { return map[i / 8] >> (i % 8) & 1; }
static void set_bit(uint8_t *map, uint32_t i) { map[i / 8] |= (uint8_t)(1u << (i % 8)); }

void peer_reset(void)
{
    memset(&P, 0, sizeof P);
    memset(delivered, 0, sizeof delivered);
    memset(received, 0, sizeof received);
}

/* RFC 9293 3.7.1 and the stack's floor (tcp.h): what the guest may put
 * in one segment. */
uint32_t peer_mss(void)
{
    if (!P.mss_opt)
        return 536;
    return P.mss_opt < 48 ? 48 : P.mss_opt > TCP_MSS ? TCP_MSS : P.mss_opt;
}

static size_t segment(uint8_t *f, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                      uint32_t off, uint32_t len)
{
    static uint8_t t[28 + TCP_MSS];
    bool syn = flags & SYN;
    size_t hl = 20 + (syn && P.mss_opt ? 4 : 0) + (syn && P.ws_opt ? 4 : 0);
    memset(t, 0, hl);
    wbe16(t, P.port);
    wbe16(t + 2, P.gport);
    wbe32(t + 4, seq);
    wbe32(t + 8, flags & ACK ? ack : 0);
    t[12] = (uint8_t)(hl / 4 << 4);
    t[13] = flags;
    wbe16(t + 14, wnd);
    uint8_t *o = t + 20;
    if (syn && P.mss_opt) {
        o[0] = 2;
        o[1] = 4;
        wbe16(o + 2, P.mss_opt);
        o += 4;
    }
    if (syn && P.ws_opt) {
        o[0] = 1;                           /* NOP, then window scale */
        o[1] = 3;
        o[2] = 3;
        o[3] = (uint8_t)(P.ws_opt - 1);
    }
    for (uint32_t i = 0; i < len; i++)
        t[hl + i] = pbyte(off + i);
    return ipv4_frame(f, guest_mac, mac_of(PEER_IP), PEER_IP, GUEST_IP, 6, t, hl + len, true);
}

static uint32_t peer_ack_value(void)
{
    return P.g_isn + 1 + P.rcv_contig + (P.guest_fin && P.rcv_contig == P.guest_fin_off);
}

/* Data [off, off + len) with flags, ACKing what the peer holds; onto
 * the wire, or straight into the guest's NIC (direct). */
void peer_send(uint32_t off, uint32_t len, uint8_t flags, uint16_t wnd, bool direct)
{
    if (!P.on || !P.have_g_isn || off > STREAM_MAX || len > TCP_MSS ||
        len > STREAM_MAX - off)
        return;
    if (P.fin_set) {
        if (off > P.fin_off)
            return;
        if (off + len > P.fin_off)
            len = P.fin_off - off;
        if (off + len != P.fin_off)
            flags &= (uint8_t)~FIN;
    } else if (flags & FIN) {
        P.fin_set = true;
        P.fin_off = off + len > P.sent_max ? off + len : P.sent_max;
        if (off + len != P.fin_off)
            flags &= (uint8_t)~FIN;
    }
    static uint8_t f[1514];
    size_t n = segment(f, P.p_isn + 1 + off, peer_ack_value(), flags | ACK, wnd, off, len);
    if (direct ? nic_rx(f, n) : wire_put(f, n)) {
        if (off + len > P.sent_max)
            P.sent_max = off + len;
        if (direct)
            peer_delivered(f, n);
    }
}

void peer_ack(uint16_t wnd)
{
    uint32_t off = P.fin_set && P.sent_max >= P.fin_off ? P.fin_off : P.sent_max;
    peer_send(off, 0, 0, wnd, false);
}

void peer_fin(uint32_t extra)
{
    if (!P.on || P.fin_set)
        return;
    uint32_t len = extra % (peer_mss() + 1);
    peer_send(P.sent_max, len, FIN | PSH, P.wnd, false);
}

/* A reset at the sequence number the guest expects (taken), in its
 * window (a challenge ACK), or anywhere. */
void peer_rst(uint8_t where, uint32_t delta)
{
    if (!P.on || !P.have_g_isn)
        return;
    uint32_t seq = P.p_isn + 1 + P.ack_max;
    if (where % 3 == 1)
        seq += delta % 65536;
    else if (where % 3 == 2)
        seq += delta;
    static uint8_t f[64];
    size_t n = segment(f, seq, peer_ack_value(), RST | ACK, 0, 0, 0);
    wire_put(f, n);
}

/* A SYN again on the open connection (RFC 5961 4: a challenge ACK). */
void peer_syn(void)
{
    if (!P.on || !P.have_g_isn)
        return;
    static uint8_t f[64];
    size_t n = segment(f, P.p_isn, 0, SYN, P.wnd, 0, 0);
    wire_put(f, n);
}

static unsigned min_shift(unsigned shift) { return shift > 14 ? 14 : shift; }

/* The window-scale option of the guest's SYN or SYN-ACK: its shift, or
 * -1 without. */
static int guest_wscale(const uint8_t *t)
{
    size_t hl = (size_t)(t[12] >> 4) * 4;
    for (size_t i = 20; i < hl;) {
        if (t[i] == 0)
            break;
        if (t[i] == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hl || t[i + 1] < 2 || i + t[i + 1] > hl)
            break;
        if (t[i] == 3 && t[i + 1] == 3)
            return t[i + 2];
        i += t[i + 1];
    }
    return -1;
}

/* A frame of the peer's reached the guest's NIC: what it can now know. */
void peer_delivered(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + 14, *t = ip + 20;
    if (be16(f + 12) != 0x0800 || ip[9] != 6 || be32(ip + 12) != PEER_IP ||
        be16(t) != P.port || be16(t + 2) != P.gport)
        return;
    size_t hl = (size_t)(t[12] >> 4) * 4, seglen = be16(ip + 2) - 20 - hl;
    uint8_t flags = t[13];
    if (flags & RST) {
        P.rst_delivered = true;
        return;
    }
    if (flags & SYN) {
        if (!(flags & ACK) && P.have_g_isn)
            P.late_syn = true;
        if (be16(t + 14) > P.edge_wnd)        /* (the window of a SYN or SYN-ACK) */
            P.edge_wnd = be16(t + 14);
        P.right_edge = P.edge_ack + P.edge_wnd;
        return;
    }
    uint32_t off = be32(t + 4) - (P.p_isn + 1);
    for (uint32_t i = 0; i < seglen && off + i < STREAM_MAX; i++)
        set_bit(delivered, off + i);
    while (P.deliv_contig < STREAM_MAX && bit(delivered, P.deliv_contig))
        P.deliv_contig++;
    if ((flags & FIN) && P.fin_set && off + seglen == P.fin_off)
        P.fin_delivered = true;
    if (flags & ACK && P.have_g_isn) {
        uint32_t ack = be32(t + 8) - (P.g_isn + 1);
        if ((int32_t)(ack - P.edge_ack) > 0)
            P.edge_ack = ack;
        /* RFC 7323 2.3: the shift applies to all but SYNs (14 at most) */
        uint32_t wnd = (uint32_t)be16(t + 14) << (P.scaling ? min_shift(P.ws_opt - 1) : 0);
        if (wnd > P.edge_wnd)
            P.edge_wnd = wnd;
        P.right_edge = P.edge_ack + P.edge_wnd;
    }
}

/* The handshake as the peer plays it: an active open answered as the
 * configuration says, a passive one's SYN-ACK taken. */
static void handshake(const uint8_t *t, uint8_t flags)
{
    uint32_t seq = be32(t + 4);
    /* RFC 7323 2.2: the guest offers scaling on its SYN, and on a
     * SYN-ACK only in answer to the peer's offer; a shift it can use */
    int ws = guest_wscale(t);
    FUZZ_CHECK(ws <= 14 && (ws >= 0) == (!(flags & ACK) || P.ws_opt),
               "the guest's %s %s the window-scale option (shift %d), the peer's SYN %s it",
               flags & ACK ? "SYN-ACK" : "SYN", ws >= 0 ? "has" : "lacks", ws,
               P.ws_opt ? "had" : "lacked");
    P.scaling = ws >= 0 && P.ws_opt;
    if (P.have_g_isn && seq != P.g_isn) {
        /* the listener's answer to the peer's SYN once the connection is
         * gone: a new one, which the peer does not follow */
        FUZZ_CHECK(P.passive && app_conn_closed(), "a SYN with ISN 0x%x, the connection's is "
                   "0x%x and it is open", seq, P.g_isn);
        P.on = false;
        return;
    }
    if (!P.have_g_isn) {
        P.g_isn = seq;
        P.have_g_isn = true;
    }
    if (P.passive) {
        FUZZ_CHECK(flags & ACK && be32(t + 8) == P.p_isn + 1, "SYN-ACK acks 0x%x, not 0x%x",
                   be32(t + 8), P.p_isn + 1);
        return;
    }
    P.syns_seen++;
    if (P.syn_mode == SYN_IGNORE_ALL || (P.syn_mode == SYN_IGNORE_FIRST && P.syns_seen == 1))
        return;
    static uint8_t f[64];
    size_t n = P.syn_mode == SYN_REFUSE
                   ? segment(f, 0, P.g_isn + 1, RST | ACK, 0, 0, 0)
                   : segment(f, P.p_isn, P.g_isn + 1, SYN | ACK, P.wnd, 0, 0);
    if (nic_rx(f, n))
        peer_delivered(f, n);
}

/* The passive open's first segment: the peer's SYN, straight to the
 * guest's NIC. */
void peer_open(void)
{
    static uint8_t f[64];
    size_t n = segment(f, P.p_isn, 0, SYN, P.wnd, 0, 0);
    if (nic_rx(f, n))
        peer_delivered(f, n);
}

void peer_from_guest(const uint8_t *ip, const uint8_t *t, size_t len)
{
    if (P.on && !P.passive && !P.have_g_isn && (t[13] & SYN) && be16(t + 2) == P.port)
        P.gport = be16(t);                  /* the guest's ephemeral port */
    if (!P.on || be16(t) != P.gport || be16(t + 2) != P.port)
        return;
    if (P.late_syn && app_conn_closed()) {
        P.on = false;               /* the SYN may have opened a new connection */
        return;
    }
    uint8_t flags = t[13];
    size_t hl = (size_t)(t[12] >> 4) * 4;
    uint32_t seglen = (uint32_t)(len - hl);
    if (flags & RST) {
        P.guest_reset = true;
        return;
    }
    if (flags & SYN) {
        FUZZ_CHECK(!seglen, "data on a SYN");
        handshake(t, flags);
        return;
    }
    if (!P.have_g_isn || P.guest_reset)
        return;
    if (flags & ACK) {
        uint32_t ack = be32(t + 8) - (P.p_isn + 1);
        uint32_t limit = P.deliv_contig + (P.fin_delivered && P.deliv_contig >= P.fin_off);
        FUZZ_CHECK((int32_t)(ack - limit) <= 0,
                   "the guest acks byte %u of the peer's, only %u reached it", ack, limit);
        FUZZ_CHECK(!P.acked || (int32_t)(ack - P.ack_max) >= 0, "the guest's ACK went back "
                   "from %u to %u", P.ack_max, ack);
        P.ack_max = ack;
        P.acked = true;
    }
    uint32_t off = be32(t + 4) - (P.g_isn + 1);
    if (seglen) {
        uint32_t written = P.app_written + P.app_offering;
        FUZZ_CHECK(off <= written && seglen <= written - off,
                   "the guest sends bytes %u-%u, the application wrote %u", off, off + seglen,
                   written);
        if (off + seglen > P.g_sent_max)
            P.g_sent_max = off + seglen;
        FUZZ_CHECK(seglen <= peer_mss(), "a %u-byte segment for MSS %u", seglen, peer_mss());
        FUZZ_CHECK((int32_t)(off + seglen - (P.right_edge + 1)) <= 0,
                   "the guest sends up to %u past the window's edge %u", off + seglen,
                   P.right_edge);
        const uint8_t *d = t + hl;
        for (uint32_t i = 0; i < seglen; i++)
            FUZZ_CHECK(d[i] == gbyte(off + i), "byte %u of the guest's stream is 0x%02x, the "
                       "application wrote 0x%02x", off + i, d[i], gbyte(off + i));
        for (uint32_t i = 0; i < seglen && off + i < STREAM_MAX; i++)
            set_bit(received, off + i);
        while (P.rcv_contig < STREAM_MAX && bit(received, P.rcv_contig))
            P.rcv_contig++;
    }
    if (flags & FIN) {
        FUZZ_CHECK(P.app_shutdown && off + seglen == P.app_written,
                   "FIN at byte %u, the application wrote %u%s", off + seglen, P.app_written,
                   P.app_shutdown ? "" : " and did not shut down");
        P.guest_fin = true;
        P.guest_fin_off = off + seglen;
    }
}
