/*
 * TCP segments in (RFC 9293 3.10.7): the handshake's answers, what the
 * ACK says (tcp_recovery.c does the arithmetic), the peer's window,
 * data in order and ahead of a gap, FIN and RST.
 */
#include "clock.h"
#include "kernel.h"
#include "net.h"
#include "net_internal.h"
#include "tcp_internal.h"

static unsigned long loss_rx_n;

/* The options of a SYN: MSS (RFC 9293 3.2) and window scale (RFC 7323
 * 2.2); others are skipped, a malformed list ends the walk. */
static void parse_syn_options(const uint8_t *opt, size_t n, struct seg *s)
{
    for (size_t i = 0; i < n;) {
        if (opt[i] == 0)
            break;
        if (opt[i] == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || opt[i + 1] < 2 || i + opt[i + 1] > n)
            break;
        if (opt[i] == 2 && opt[i + 1] == 4)
            s->mss = get16(opt + i + 2);
        else if (opt[i] == 3 && opt[i + 1] == 3)
            /* RFC 7323 2.3: a shift over 14 is taken as 14 */
            s->wscale = (int8_t)(opt[i + 2] > MAX_WSCALE ? MAX_WSCALE : opt[i + 2]);
        i += opt[i + 1];
    }
}

static uint16_t send_mss(uint16_t option)
{
    if (!option)
        return DEFAULT_MSS;
    return (uint16_t)(option < MIN_SND_MSS ? MIN_SND_MSS : min32(option, TCP_MSS));
}

/* RFC 7323 2.2: scaling is on only when both SYNs offered it; the
 * peer's offer came with its SYN (ws_peer), ours with ours. */
static void scaling_agreed(struct tcp_conn *c)
{
    if (c->ws_peer >= 0) {
        c->snd_scale = (uint8_t)c->ws_peer;
        c->rcv_scale = RCV_WSCALE;
    }
}

static void established(struct tcp_conn *c, const struct seg *s)
{
    c->state = ESTABLISHED;
    c->snd_una = s->ack;
    c->snd_wnd = s->wnd;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
    c->rtx_at = 0;
    c->retries = 0;
    tcp_cc_init(c);
}

/* SND.UNA moved up to ack: tcp_recovery.c's part, then our FIN. */
static void acked(struct tcp_conn *c, uint32_t ack)
{
    tcp_new_ack(c, ack);
    bool fin_acked = c->fin_sent_once && !c->slen && ack == c->sdata_seq + 1;
    if (!fin_acked)
        return;
    c->fin_sent = true;                     /* not to be sent again */
    c->rtx_at = 0;
    if (c->state == FIN_WAIT_1)
        c->state = FIN_WAIT_2;
    else if (c->state == CLOSING) {
        c->state = TIME_WAIT;
        c->tw_at = time_ns() + TIME_WAIT_NS;
    } else if (c->state == LAST_ACK)
        c->state = CLOSED;
}

/* RFC 5681 2's duplicate ACK: nothing new in it, data outstanding. Not
 * while the window is shut: the answers to window probes look the same. */
static bool is_dupack(const struct tcp_conn *c, const struct seg *s)
{
    return s->ack == c->snd_una && !s->len && !(s->flags & FIN) && s->wnd == c->snd_wnd &&
           c->snd_wnd && c->snd_una != c->snd_max;
}

/* RFC 9293 3.10.7.4: the window comes from the newest segment only
 * (SND.WL1, then SND.WL2), so an ACK delayed on the way cannot shut a
 * window a later one opened. */
static void update_window(struct tcp_conn *c, const struct seg *s)
{
    if (seq_lt(c->snd_wl1, s->seq) || (c->snd_wl1 == s->seq && !seq_lt(s->ack, c->snd_wl2))) {
        c->snd_wnd = s->wnd;
        c->snd_wl1 = s->seq;
        c->snd_wl2 = s->ack;
    }
}

/* An ACK while the peer's window was shut answers our probes: the peer
 * may keep it shut as long as it keeps answering (RFC 1122 4.2.2.17), so
 * the count of unanswered ones starts again. Once it opens, what the
 * probe sent goes again with the rest, from SND.UNA, on a fresh timer. */
static void probe_answered(struct tcp_conn *c)
{
    c->retries = 0;
    if (!c->snd_wnd)
        return;
    if (seq_gt(c->snd_nxt, c->snd_una)) {
        c->snd_nxt = c->snd_una;
        c->fin_sent = false;
    }
    c->rto = tcp_base_rto(c);
    c->rtx_at = 0;
}

static void take_ack(struct tcp_conn *c, const struct seg *s)
{
    if (seq_gt(s->ack, c->snd_max)) {
        c->ack_due = true;                  /* acks what we never sent */
        return;
    }
    if (seq_lt(s->ack, c->snd_una))
        return;                             /* old: no news, not even of the window */
    bool probing = !c->snd_wnd;
    if (seq_gt(s->ack, c->snd_una))
        acked(c, s->ack);
    else if (is_dupack(c, s))
        tcp_dupack(c);
    update_window(c, s);
    if (probing)
        probe_answered(c);
}

/* Copy len bytes that belong at rcv_nxt + ahead into the ring. */
static void put_rbuf(struct tcp_conn *c, uint32_t ahead, const uint8_t *data, uint32_t len)
{
    uint32_t pos = (c->rstart + c->rlen + ahead) % TCP_BUF, first = min32(len, TCP_BUF - pos);
    memcpy(c->rbuf + pos, data, first);
    memcpy(c->rbuf, data + first, len - first);
}

/* Remember [start, end) as held ahead of rcv_nxt, merging neighbours. */
static void ooo_add(struct tcp_conn *c, uint32_t start, uint32_t end)
{
    unsigned i = 0;
    while (i < c->nooo && seq_lt(c->ooo[i].end, start))
        i++;
    if (i < c->nooo && !seq_gt(c->ooo[i].start, end)) {
        /* overlaps or touches range i: grow it, then swallow followers */
        if (seq_lt(start, c->ooo[i].start))
            c->ooo[i].start = start;
        if (seq_gt(end, c->ooo[i].end))
            c->ooo[i].end = end;
        while (i + 1 < c->nooo && !seq_gt(c->ooo[i + 1].start, c->ooo[i].end)) {
            if (seq_gt(c->ooo[i + 1].end, c->ooo[i].end))
                c->ooo[i].end = c->ooo[i + 1].end;
            memmove(&c->ooo[i + 1], &c->ooo[i + 2], (c->nooo - i - 2) * sizeof c->ooo[0]);
            c->nooo--;
        }
        return;
    }
    if (c->nooo == OOO_RANGES)
        return;                             /* no room to remember it: it comes again */
    memmove(&c->ooo[i + 1], &c->ooo[i], (c->nooo - i) * sizeof c->ooo[0]);
    c->ooo[i].start = start;
    c->ooo[i].end = end;
    c->nooo++;
}

/* rcv_nxt moved: ranges held ahead that now join on become readable. */
static void ooo_join(struct tcp_conn *c)
{
    while (c->nooo && !seq_gt(c->ooo[0].start, c->rcv_nxt)) {
        if (seq_gt(c->ooo[0].end, c->rcv_nxt)) {
            uint32_t n = c->ooo[0].end - c->rcv_nxt;
            c->rlen += n;
            c->rcv_nxt += n;
            c->ack_due = true;
        }
        memmove(&c->ooo[0], &c->ooo[1], (c->nooo - 1) * sizeof c->ooo[0]);
        c->nooo--;
    }
}

static void take_data(struct tcp_conn *c, struct seg *s)
{
    if (!s->len && !(s->flags & FIN))
        return;
    bool receiving = c->state == ESTABLISHED || c->state == FIN_WAIT_1 ||
                     c->state == FIN_WAIT_2;
    if (s->seq != c->rcv_nxt) {
        uint32_t skip = c->rcv_nxt - s->seq;
        if (seq_gt(s->seq, c->rcv_nxt)) {
            /* ahead of what we have: kept in place if the window has room
             * for it, and one duplicate ACK for each, now, so that three
             * of them start the peer's fast retransmit. The window must
             * not move in them, or the peer (BSD's rule) does not count
             * them as duplicates. */
            uint32_t ahead = s->seq - c->rcv_nxt;
            if (receiving && s->len && ahead + s->len <= TCP_BUF - c->rlen) {
                put_rbuf(c, ahead, s->data, s->len);
                ooo_add(c, s->seq, s->seq + s->len);
            }
            tcp_send_dupack(c);
            return;
        }
        if (skip > s->len) {
            c->ack_due = true;              /* all old: say where we are */
            return;
        }
        s->data += skip;
        s->len -= skip;
        s->seq = c->rcv_nxt;
    }
    if (receiving) {
        uint32_t n = min32(s->len, TCP_BUF - c->rlen);
        put_rbuf(c, 0, s->data, n);
        c->rlen += n;
        c->rcv_nxt += n;
        bool filled = c->nooo != 0;
        ooo_join(c);
        if (filled && n) {
            tcp_send_ack(c);                /* a hole filled: say so at once */
            c->quickacks = QUICKACKS;
        } else if (n) {
            tcp_ack_policy(c, n);
        }
        if (n < s->len)
            return;                         /* no room: the rest (and a FIN) comes again */
        if (s->flags & FIN && seq_gt(c->rcv_nxt, s->seq + s->len))
            return;                         /* its FIN lies behind data held ahead */
    }
    if (s->flags & FIN) {
        c->rcv_nxt++;
        c->fin_rcvd = true;
        c->ack_due = true;
        if (c->state == ESTABLISHED)
            c->state = CLOSE_WAIT;
        else if (c->state == FIN_WAIT_1)
            c->state = CLOSING;
        else if (c->state == FIN_WAIT_2) {
            c->state = TIME_WAIT;
            c->tw_at = time_ns() + TIME_WAIT_NS;
        }
    }
}

static void syn_sent(struct tcp_conn *c, const struct seg *s)
{
    if ((s->flags & ACK) && s->ack != c->iss + 1) {
        if (!(s->flags & RST))
            tcp_send_rst_for(c->rip, c->rport, c->lport, s->seq, s->ack, s->flags, s->len);
        return;
    }
    if (s->flags & RST) {
        if (s->flags & ACK)
            tcp_conn_fail(c, TCP_ECONNREFUSED);
        return;
    }
    if (!(s->flags & SYN))
        return;
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->rcv_acked = c->rcv_nxt;
    c->mss = send_mss(s->mss);
    c->ws_peer = s->wscale;
    scaling_agreed(c);                      /* our SYN offered it */
    if (s->flags & ACK) {
        established(c, s);
        c->ack_due = true;
    } else {
        c->state = SYN_RCVD;                /* simultaneous open */
        tcp_send_segment(c, SYN | ACK, c->iss, 0, 0);
    }
}

/* Room for one more child of l: below the backlog, or by dropping the
 * oldest half-open one (a flood's, most likely: a real peer's SYN comes
 * again). */
static bool backlog_room(const struct tcp_conn *l)
{
    unsigned children = 0;
    struct tcp_conn *oldest_half_open = NULL;
    for (struct tcp_conn *c = tcp_conns; c; c = c->next) {
        if (c->listener != l || !c->abandoned)
            continue;
        children++;
        if (c->state == SYN_RCVD)
            oldest_half_open = c;           /* (the list runs newest first) */
    }
    if (children < LISTEN_BACKLOG)
        return true;
    if (!oldest_half_open)
        return false;
    tcp_conn_free(oldest_half_open);
    return true;
}

static void from_listener(struct tcp_conn *l, uint32_t src, uint16_t sport, const struct seg *s)
{
    if (s->flags & RST)
        return;
    if ((s->flags & ACK) || !(s->flags & SYN)) {
        tcp_send_rst_for(src, sport, l->lport, s->seq, s->ack, s->flags, s->len);
        return;
    }
    if (!backlog_room(l))
        return;                             /* full of completed ones: the SYN comes again */
    struct tcp_conn *c = tcp_conn_new(src, l->lport, sport);
    if (!c)
        return;
    c->listener = l;
    c->abandoned = true;                    /* until tcp_accept takes it */
    c->state = SYN_RCVD;
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->rcv_acked = c->rcv_nxt;
    c->mss = send_mss(s->mss);
    c->snd_wnd = s->wnd;
    c->ws_peer = s->wscale;
    scaling_agreed(c);                      /* our SYN-ACK answers an offer with ours */
    tcp_send_segment(c, SYN | ACK, c->iss, 0, 0);
    c->snd_nxt = c->snd_max = c->iss + 1;
    tcp_arm(c);
}

/* RFC 1122 3.2.1.3 and 4.2.3.10: nothing from an address no host can
 * have (this network, loopback, multicast, broadcast), nothing not sent
 * to our own address; such a SYN gets no answer, nor anything a reset. */
static bool plausible(uint32_t src, uint32_t dst)
{
    uint32_t top = src >> 24, host = ~netif.mask;
    if (top == 0 || top == 127 || top >= 224)
        return false;
    if (netif.mask && (src & host) == host && (src & netif.mask) == (netif.ip & netif.mask))
        return false;                       /* our subnet's broadcast */
    return dst == netif.ip;
}

/* RFC 9293 3.10.7.4's test: some of the segment, or an empty one's
 * sequence number, falls in the receive window. */
static bool acceptable(const struct tcp_conn *c, const struct seg *s)
{
    uint32_t wnd = tcp_rcv_window(c), len = s->len + !!(s->flags & SYN) + !!(s->flags & FIN);
    if (!wnd)
        return !len && s->seq == c->rcv_nxt;
    if (s->seq - c->rcv_nxt < wnd)
        return true;
    return len && s->seq + len - 1 - c->rcv_nxt < wnd;
}

/* RFC 5961 3.2: a reset counts only at exactly RCV.NXT; elsewhere in the
 * window it gets a challenge ACK (a peer that really reset answers that
 * with a reset at RCV.NXT), outside it nothing. */
static void rst_arrives(struct tcp_conn *c, const struct seg *s)
{
    if (s->seq == c->rcv_nxt)
        tcp_conn_fail(c, TCP_ECONNRESET);
    else if (s->seq - c->rcv_nxt < tcp_rcv_window(c))
        c->ack_due = true;
}

/* A segment for a connection past SYN_SENT (RFC 9293 3.10.7.4's order,
 * with SYNs answered before the sequence number check: a SYN again means
 * our SYN-ACK was lost, or is RFC 5961 4's challenge ACK case). */
static void segment_arrives(struct tcp_conn *c, struct seg *s)
{
    if (s->flags & RST) {
        rst_arrives(c, s);
        return;
    }
    if (s->flags & SYN) {
        if (c->state == SYN_RCVD && s->seq == c->irs)
            tcp_send_segment(c, SYN | ACK, c->iss, 0, 0);   /* our SYN-ACK was lost */
        else
            c->ack_due = true;
        return;
    }
    if (!acceptable(c, s)) {
        /* an ACK says where we are: for a copy of what we had (its ACK
         * was lost), a keep-alive, anything outside the window. A shut
         * window still takes the ACK in it (RFC 9293 3.10.7.4). */
        if (!tcp_rcv_window(c) && s->seq == c->rcv_nxt && (s->flags & ACK) && c->state != SYN_RCVD) {
            take_ack(c, s);
            if (c->state != CLOSED)
                tcp_output(c);
        }
        c->ack_due = true;
        return;
    }
    if (!(s->flags & ACK))
        return;
    if (c->state == SYN_RCVD) {
        if (s->ack != c->iss + 1) {
            tcp_send_rst_for(c->rip, c->rport, c->lport, s->seq, s->ack, s->flags, s->len);
            return;
        }
        established(c, s);
    }
    take_ack(c, s);
    if (c->state == CLOSED)
        return;
    take_data(c, s);
    /* what the ACKs of this batch opened goes out once, at its end
     * (tcp_after_input): one large packet for the NIC to cut, not a
     * segment an ACK */
    c->output_due = true;
}

void tcp_input(uint32_t src, uint32_t dst, const uint8_t *t, size_t len)
{
    if (len < 20)
        return;
    size_t hl = (size_t)(t[12] >> 4) * 4;
    uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 +
                      (uint32_t)len;
    if (hl < 20 || hl > len || !plausible(src, dst) ||
        (!net_rx_l4_verified() && checksum(t, len, pseudo) != 0)) {
        netif.rx_dropped++;
        return;
    }
    struct seg s = {
        .seq = get32(t + 4), .ack = get32(t + 8), .flags = t[13], .wnd = get16(t + 14),
        .wscale = -1, .data = t + hl, .len = (uint32_t)(len - hl),
    };
    if (s.flags & SYN)
        parse_syn_options(t + 20, hl - 20, &s);
    uint16_t sport = get16(t), dport = get16(t + 2);
    if (tcp_loss.drop_rx_every && s.len && ++loss_rx_n % tcp_loss.drop_rx_every == 0) {
        tcp_loss.rx_dropped++;
        return;
    }
    tcp_stats.segs_in++;
    struct tcp_conn *c = tcp_find(src, sport, dport);
    if (!c) {
        struct tcp_conn *l = tcp_find_listener(dport);
        if (l)
            from_listener(l, src, sport, &s);
        else if (!(s.flags & RST))
            tcp_send_rst_for(src, sport, dport, s.seq, s.ack, s.flags,
                             s.len + !!(s.flags & SYN) + !!(s.flags & FIN));
        return;
    }
    if (!(s.flags & SYN))
        s.wnd <<= c->snd_scale;             /* RFC 7323 2.3; never a SYN's */
    if (c->state == SYN_SENT)
        syn_sent(c, &s);
    else
        segment_arrives(c, &s);
    if (c->state == CLOSED && c->abandoned)
        tcp_conn_free(c);                       /* a child reset before it was accepted */
}

/* After a batch of frames: one ACK per connection that still owes one
 * (what tcp_ack_policy did not acknowledge on the way). */
void tcp_after_input(void)
{
    net_tx_begin();
    for (struct tcp_conn *c = tcp_conns; c; c = c->next) {
        if (c->output_due && c->state != CLOSED) {
            c->output_due = false;
            tcp_output(c);
        }
        if (c->ack_due && c->state != CLOSED && c->state != LISTEN && c->state != SYN_SENT)
            tcp_send_ack(c);
    }
    net_tx_end();
}

