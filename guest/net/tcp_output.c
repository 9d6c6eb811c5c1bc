/*
 * TCP segments out: the header and its options, the window we
 * advertise, when ACKs go, and sending what the windows allow.
 */
#include "clock.h"
#include "kernel.h"
#include "net.h"
#include "net_internal.h"
#include "tcp_internal.h"

struct tcp_loss tcp_loss;
static unsigned long loss_tx_n;

/* What rbuf has room for from rcv_nxt on, as the header can say it: up
 * to 65535 << rcv_scale, a multiple of 1 << rcv_scale (RFC 7323 2.3). */
uint32_t tcp_rcv_window(const struct tcp_conn *c)
{
    uint32_t room = TCP_BUF - c->rlen, top = 0xffffu << c->rcv_scale;
    return min32(room, top) >> c->rcv_scale << c->rcv_scale;
}

static bool keep_window;            /* a duplicate ACK repeats the last window */

/* The options of a SYN: MSS, and the window scale when we offer it
 * (always on our SYN, on a SYN-ACK only in answer to the peer's offer,
 * RFC 7323 2.2); a NOP keeps the header a multiple of 4. */
static size_t syn_options(const struct tcp_conn *c, uint8_t flags, uint8_t *o)
{
    o[0] = 2;
    o[1] = 4;
    put16(o + 2, TCP_MSS);
    if ((flags & ACK) && c->ws_peer < 0)
        return 4;
    o[4] = 1;
    o[5] = 3;
    o[6] = 3;
    o[7] = RCV_WSCALE;
    return 8;
}

/* One segment: flags, the sequence number, len bytes of the send buffer
 * from offset off (data), and the options on SYNs. */
int tcp_send_segment(struct tcp_conn *c, uint8_t flags, uint32_t seq, uint32_t off,
                     uint32_t len)
{
    static uint8_t f[14 + 20 + 28 + NET_TSO_MAX_PAYLOAD];
    uint8_t *t = f + 34;
    size_t hl = 20 + (flags & SYN ? syn_options(c, flags, t + 20) : 0);
    put16(t, c->lport);
    put16(t + 2, c->rport);
    put32(t + 4, seq);
    put32(t + 8, flags & ACK ? c->rcv_nxt : 0);
    t[12] = (uint8_t)(hl / 4 << 4);
    t[13] = flags;
    if (!keep_window)
        c->last_wnd = tcp_rcv_window(c);
    /* a SYN's window is never scaled (RFC 7323 2.2) */
    uint32_t wnd = flags & SYN ? min32(TCP_BUF - c->rlen, 0xffff) : c->last_wnd >> c->rcv_scale;
    put16(t + 14, (uint16_t)wnd);
    put16(t + 16, 0);
    put16(t + 18, 0);
    uint32_t pos = (c->sstart + off) % TCP_BUF, first = min32(len, TCP_BUF - pos);
    memcpy(t + hl, c->sbuf + pos, first);
    memcpy(t + hl + first, c->sbuf, len - first);
    uint32_t pseudo = (netif.ip >> 16) + (netif.ip & 0xffff) + (c->rip >> 16) +
                      (c->rip & 0xffff) + 6 + (uint32_t)(hl + len);
    unsigned opts = 0;
    if (netif.tx_offload) {
        /* the NIC sums the segment; it starts from the pseudo-header's
         * sum, folded and not complemented, in the checksum field */
        while (pseudo >> 16)
            pseudo = (pseudo & 0xffff) + (pseudo >> 16);
        put16(t + 16, (uint16_t)pseudo);
        opts = NET_TX_CSUM;
        if (len > c->mss && net_tso_on())
            opts |= NET_TX_TSO | NET_TX_MSS(c->mss);    /* the NIC cuts it */
    } else {
        put16(t + 16, checksum(t, hl + len, pseudo));
    }
    /* counted in MSS-sized segments, as the wire sees them (a TSO
     * packet is many): one that contains every Nth is lost whole */
    unsigned long wire = c->mss && len > c->mss ? (len + c->mss - 1) / c->mss : 1, was = loss_tx_n;
    if (tcp_loss.drop_tx_every && len &&
        (loss_tx_n += wire) / tcp_loss.drop_tx_every != was / tcp_loss.drop_tx_every) {
        tcp_loss.tx_dropped++;              /* lost on the way: the peer never sees it */
        tcp_stats.segs_out++;
        return 0;
    }
    if (ip_send_opts(c->rip, 6, f, hl + len, 0, opts) < 0)
        return -1;                          /* no ARP answer yet, or the TX ring is full */
    tcp_stats.segs_out++;
    if (flags == ACK && !len)
        tcp_stats.acks_sent++;
    if (flags & ACK) {
        c->ack_due = false;
        c->rcv_acked = c->rcv_nxt;
    }
    return 0;
}

void tcp_send_ack(struct tcp_conn *c)
{
    tcp_send_segment(c, ACK, c->snd_nxt, 0, 0);
}

/* RFC 5681 4.2: out-of-order data is answered at once, and the window
 * must not move in it, or a BSD peer (libslirp's) does not count it as
 * a duplicate (its test is tiwin == snd_wnd). Repeating the window keeps
 * its right edge where it was (RFC 9293 3.8.6: no shrinking). */
void tcp_send_dupack(struct tcp_conn *c)
{
    keep_window = true;
    tcp_send_ack(c);
    keep_window = false;
    tcp_stats.dupacks_sent++;
}

/* RFC 5681 4.2 and RFC 1122 4.2.3.2: an ACK for at least every second
 * full-sized segment (full: as large as the largest seen, which is the
 * peer's MSS in a bulk transfer), and for each one while quickacks
 * last; whatever is left is acknowledged once at the end of the batch
 * (tcp_after_input), so the peer never waits on a timer of ours. */
void tcp_ack_policy(struct tcp_conn *c, uint32_t len)
{
    if (len > c->rcv_mss)
        c->rcv_mss = len;
    c->ack_due = true;
    if (c->quickacks) {
        c->quickacks--;
        tcp_send_ack(c);
    } else if (c->rcv_nxt - c->rcv_acked >= ACK_EVERY * c->rcv_mss) {
        tcp_send_ack(c);
    }
}

/* A reset for a segment nobody wants (RFC 9293 3.10.7.1). */
void tcp_send_rst_for(uint32_t src, uint16_t sport, uint16_t dport, uint32_t seq,
                      uint32_t ack, uint8_t flags, uint32_t seglen)
{
    struct tcp_conn tmp = { .rip = src, .lport = dport, .rport = sport };
    uint8_t buf[1];
    tmp.sbuf = buf;
    if (flags & ACK) {
        tcp_send_segment(&tmp, RST, ack, 0, 0);
    } else {
        tmp.rcv_nxt = seq + seglen;
        tcp_send_segment(&tmp, RST | ACK, 0, 0, 0);
    }
    tcp_stats.rsts_sent++;
}

void tcp_arm(struct tcp_conn *c)
{
    if (!c->rtx_at)
        c->rtx_at = time_ns() + c->rto;
}

static void output_batch(struct tcp_conn *c);

/* Everything the windows allow, then FIN when asked for and due, handed
 * to the NIC together. */
void tcp_output(struct tcp_conn *c)
{
    net_tx_begin();
    output_batch(c);
    net_tx_end();
}

static void output_batch(struct tcp_conn *c)
{
    if (c->state != ESTABLISHED && c->state != CLOSE_WAIT && c->state != FIN_WAIT_1 &&
        c->state != CLOSING && c->state != LAST_ACK)
        return;
    bool sent_new = false;
    for (;;) {
        uint32_t off = c->snd_nxt - c->sdata_seq;
        if (off >= c->slen)
            break;
        uint32_t in_flight = c->snd_nxt - c->snd_una;
        uint32_t wnd_room = c->snd_wnd > in_flight ? c->snd_wnd - in_flight : 0;
        /* with TSO, as many whole segments as fit one packet at once */
        uint32_t most = net_tso_on() ? NET_TSO_MAX_PAYLOAD / c->mss * c->mss : c->mss;
        uint32_t n = min32(min32(c->slen - off, wnd_room), most);
        if (!n) {
            tcp_arm(c);                     /* zero window: the timer probes */
            break;
        }
        /* the congestion window: a whole segment or nothing (RFC 5681
         * 3.1 counts in segments; a runt would only add a frame) */
        uint32_t allow = tcp_send_allowance(c);
        if (allow < n) {
            if (allow < c->mss)
                break;
            n = allow / c->mss * c->mss;
        }
        uint8_t flags = ACK | (off + n == c->slen ? PSH : 0);
        if (tcp_send_segment(c, flags, c->snd_nxt, off, n) < 0) {
            tcp_arm(c);
            break;
        }
        if (c->snd_nxt == c->snd_max) {
            tcp_timing_start(c, c->snd_nxt);
            sent_new = true;
        }
        c->snd_nxt += n;
        if (seq_gt(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
        tcp_arm(c);
    }
    if (sent_new)
        tcp_tlp_arm(c);                     /* from the last of them (RFC 8985 7.2) */
    if (c->fin_wanted && !c->fin_sent && c->snd_nxt == c->sdata_seq + c->slen) {
        if (tcp_send_segment(c, FIN | ACK, c->snd_nxt, 0, 0) == 0) {
            c->fin_sent = c->fin_sent_once = true;
            c->snd_nxt++;
            if (seq_gt(c->snd_nxt, c->snd_max))
                c->snd_max = c->snd_nxt;
            if (c->state == ESTABLISHED)
                c->state = FIN_WAIT_1;
            else if (c->state == CLOSE_WAIT)
                c->state = LAST_ACK;
        }
        tcp_arm(c);
    }
}
