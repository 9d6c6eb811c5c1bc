/*
 * TCP (see tcp.h for what is in and what is left out). One list of
 * connections; each has a 64 KiB ring per direction. Sequence numbers
 * compare with wrap-around through signed differences.
 */
#include "clock.h"
#include "heap.h"
#include "kernel.h"
#include "net.h"
#include "net_internal.h"
#include "tcp.h"

enum state {
    CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
    CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT,
};

static const char *const state_names[] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
    "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define RTO_INIT_NS   200000000ull  /* the peer is one slirp away */
#define RTO_MAX_NS   2000000000ull
#define MAX_RETRIES  10
#define TIME_WAIT_NS  500000000ull  /* 2 MSL, shortened: nothing crosses a real net */
#define OOO_RANGES    8
#define DEFAULT_MSS   536           /* without the option (RFC 9293 3.7.1) */
/* The least MSS we honour: a peer may ask for less than 536 (RFC 9293
 * 3.7.1, RFC 6691), but one asking for 1 would have a 64 KiB write go
 * out as 65 536 segments. 48 is Linux's floor (tcp_min_snd_mss): 40
 * bytes of headers to 48 of data at worst. */
#define MIN_SND_MSS   48
/* Children of a listener not yet accepted, completed or half-open: a SYN
 * flood must not take the heap (each holds 128 KiB of buffers). */
#define LISTEN_BACKLOG 8

struct tcp_conn {
    enum state state;
    uint32_t rip;
    uint16_t lport, rport;
    /* send side: sbuf holds the bytes from sdata_seq on, unacked or unsent */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, sdata_seq;
    uint32_t snd_wl1, snd_wl2;      /* the segment snd_wnd came from (RFC 9293 3.3.1) */
    uint16_t mss;
    uint8_t *sbuf;
    uint32_t sstart, slen;
    bool fin_wanted, fin_sent, fin_sent_once;
    /* receive side: rbuf holds what arrived and was not read yet */
    uint32_t irs, rcv_nxt, last_wnd;
    uint8_t *rbuf;
    uint32_t rstart, rlen;
    bool fin_rcvd, ack_due;
    /* segments that arrived ahead of rcv_nxt: their bytes already sit in
     * rbuf where they belong, these ranges (sorted, disjoint) say which */
    struct { uint32_t start, end; } ooo[OOO_RANGES];
    unsigned nooo;
    /* timers */
    uint64_t rto, rtx_at, tw_at;
    unsigned retries, dupacks;
    int err;
    bool abandoned;                 /* no user holds it (done with it, or a child
                                       not accepted yet): free once closed */
    bool accepted;
    struct tcp_conn *listener;
    struct tcp_conn *next;
};

struct tcp_stats tcp_stats;
struct tcp_loss tcp_loss;
static unsigned long loss_tx_n, loss_rx_n;
static struct tcp_conn *conns;

static bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

const char *tcp_state_name(const struct tcp_conn *c)
{
    return state_names[c->state];
}

/* ---- segments out ---- */

static uint32_t rcv_window(const struct tcp_conn *c)
{
    return min32(TCP_BUF - c->rlen, 0xffff);
}

/* One segment: flags, the sequence number, len bytes of the send buffer
 * from offset off (data), and the MSS option on SYNs. */
static bool keep_window;            /* a duplicate ACK repeats the last window */

static int send_segment(struct tcp_conn *c, uint8_t flags, uint32_t seq, uint32_t off,
                        uint32_t len)
{
    static uint8_t f[14 + 20 + 24 + TCP_MSS];
    uint8_t *t = f + 34;
    size_t hl = flags & SYN ? 24 : 20;
    put16(t, c->lport);
    put16(t + 2, c->rport);
    put32(t + 4, seq);
    put32(t + 8, flags & ACK ? c->rcv_nxt : 0);
    t[12] = (uint8_t)(hl / 4 << 4);
    t[13] = flags;
    if (!keep_window)
        c->last_wnd = rcv_window(c);
    put16(t + 14, (uint16_t)c->last_wnd);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (flags & SYN) {
        t[20] = 2;                          /* MSS */
        t[21] = 4;
        put16(t + 22, TCP_MSS);
    }
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
    } else {
        put16(t + 16, checksum(t, hl + len, pseudo));
    }
    if (tcp_loss.drop_tx_every && len && ++loss_tx_n % tcp_loss.drop_tx_every == 0) {
        tcp_loss.tx_dropped++;              /* lost on the way: the peer never sees it */
        tcp_stats.segs_out++;
        return 0;
    }
    if (ip_send_opts(c->rip, 6, f, hl + len, 0, opts) < 0)
        return -1;                          /* no ARP answer yet, or the TX ring is full */
    tcp_stats.segs_out++;
    if (flags & ACK)
        c->ack_due = false;
    return 0;
}

static void send_ack(struct tcp_conn *c)
{
    send_segment(c, ACK, c->snd_nxt, 0, 0);
}

/* A reset for a segment nobody wants (RFC 9293 3.10.7.1). */
static void send_rst_for(uint32_t src, uint16_t sport, uint16_t dport, uint32_t seq,
                         uint32_t ack, uint8_t flags, uint32_t seglen)
{
    struct tcp_conn tmp = { .rip = src, .lport = dport, .rport = sport };
    uint8_t buf[1];
    tmp.sbuf = buf;
    if (flags & ACK) {
        send_segment(&tmp, RST, ack, 0, 0);
    } else {
        tmp.rcv_nxt = seq + seglen;
        send_segment(&tmp, RST | ACK, 0, 0, 0);
    }
    tcp_stats.rsts_sent++;
}

static void arm(struct tcp_conn *c)
{
    if (!c->rtx_at)
        c->rtx_at = time_ns() + c->rto;
}

static void output_batch(struct tcp_conn *c);

/* Everything the window allows, then FIN when asked for and due, handed
 * to the NIC together. */
static void output(struct tcp_conn *c)
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
    for (;;) {
        uint32_t off = c->snd_nxt - c->sdata_seq;
        if (off >= c->slen)
            break;
        uint32_t in_flight = c->snd_nxt - c->snd_una;
        uint32_t room = c->snd_wnd > in_flight ? c->snd_wnd - in_flight : 0;
        uint32_t n = min32(min32(c->slen - off, room), c->mss);
        if (!n) {
            arm(c);                         /* zero window: the timer probes */
            break;
        }
        uint8_t flags = ACK | (off + n == c->slen ? PSH : 0);
        if (send_segment(c, flags, c->snd_nxt, off, n) < 0) {
            arm(c);
            break;
        }
        c->snd_nxt += n;
        if (seq_gt(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
        arm(c);
    }
    if (c->fin_wanted && !c->fin_sent && c->snd_nxt == c->sdata_seq + c->slen) {
        if (send_segment(c, FIN | ACK, c->snd_nxt, 0, 0) == 0) {
            c->fin_sent = c->fin_sent_once = true;
            c->snd_nxt++;
            if (seq_gt(c->snd_nxt, c->snd_max))
                c->snd_max = c->snd_nxt;
            if (c->state == ESTABLISHED)
                c->state = FIN_WAIT_1;
            else if (c->state == CLOSE_WAIT)
                c->state = LAST_ACK;
        }
        arm(c);
    }
}

/* ---- connections ---- */

/* RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), M the 4 us clock of RFC 9293 3.4.1. The clock alone (what
 * an off-path attacker can know) does not give it away, while a 4-tuple
 * used again still starts as far on as the clock moved. */
static uint32_t initial_seq(uint32_t rip, uint16_t lport, uint16_t rport)
{
    uint8_t tuple[12];
    put32(tuple, netif.ip);
    put16(tuple + 4, lport);
    put32(tuple + 6, rip);
    put16(tuple + 10, rport);
    return (uint32_t)(time_ns() / 4000) + net_hash32(tuple, sizeof tuple);
}

static struct tcp_conn *conn_new(uint32_t rip, uint16_t lport, uint16_t rport)
{
    struct tcp_conn *c = kzalloc(sizeof *c);
    if (!c)
        return NULL;
    c->sbuf = kmalloc(TCP_BUF);
    c->rbuf = kmalloc(TCP_BUF);
    if (!c->sbuf || !c->rbuf) {
        kfree(c->sbuf);
        kfree(c->rbuf);
        kfree(c);
        return NULL;
    }
    c->rip = rip;
    c->lport = lport;
    c->rport = rport;
    c->iss = initial_seq(rip, lport, rport);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->sdata_seq = c->iss + 1;
    c->mss = DEFAULT_MSS;
    c->rto = RTO_INIT_NS;
    c->next = conns;
    conns = c;
    return c;
}

static void conn_free(struct tcp_conn *c)
{
    for (struct tcp_conn **p = &conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    kfree(c->sbuf);
    kfree(c->rbuf);
    kfree(c);
}

static void conn_fail(struct tcp_conn *c, int err)
{
    c->err = err;
    c->state = CLOSED;
    c->rtx_at = 0;
}

static struct tcp_conn *find(uint32_t src, uint16_t sport, uint16_t dport)
{
    for (struct tcp_conn *c = conns; c; c = c->next)
        if (c->state != CLOSED && c->state != LISTEN && c->lport == dport &&
            c->rport == sport && c->rip == src)
            return c;
    return NULL;
}

static struct tcp_conn *find_listener(uint16_t port)
{
    for (struct tcp_conn *c = conns; c; c = c->next)
        if (c->state == LISTEN && c->lport == port)
            return c;
    return NULL;
}

static bool port_in_use(uint16_t port)
{
    for (struct tcp_conn *c = conns; c; c = c->next)
        if (c->lport == port)
            return true;
    return false;
}

/* RFC 6056 3.3.1: a random ephemeral port, not the next of a sequence an
 * attacker can follow; one no connection here uses (after 64 tries of a
 * 16384-port range, any). */
static uint16_t ephemeral_port(void)
{
    uint16_t port = 0;
    for (int tries = 0; tries < 64; tries++) {
        port = (uint16_t)(49152 + net_random32() % 16384);
        if (!port_in_use(port))
            break;
    }
    return port;
}

/* ---- segments in ---- */

struct seg {
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd, mss;
    const uint8_t *data;
    uint32_t len;
};

static uint16_t parse_mss(const uint8_t *opt, size_t n)
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
            return get16(opt + i + 2);
        i += opt[i + 1];
    }
    return 0;
}

static uint16_t send_mss(uint16_t option)
{
    if (!option)
        return DEFAULT_MSS;
    return (uint16_t)(option < MIN_SND_MSS ? MIN_SND_MSS : min32(option, TCP_MSS));
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
    c->rto = RTO_INIT_NS;
}

/* SND.UNA moved up to ack: drop what it covers, restart the timer. */
static void acked(struct tcp_conn *c, uint32_t ack)
{
    if (seq_gt(ack, c->sdata_seq)) {
        uint32_t d = min32(ack - c->sdata_seq, c->slen);
        c->sstart = (c->sstart + d) % TCP_BUF;
        c->slen -= d;
        c->sdata_seq += d;
    }
    c->snd_una = ack;
    if (seq_lt(c->snd_nxt, c->snd_una))
        c->snd_nxt = c->snd_una;            /* acked past a go-back */
    c->dupacks = 0;
    c->retries = 0;
    c->rto = RTO_INIT_NS;
    c->rtx_at = c->snd_una != c->snd_max ? time_ns() + c->rto : 0;
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

static void dupack(struct tcp_conn *c)
{
    if (++c->dupacks != 3)
        return;
    /* three duplicates: the segment at snd_una was lost */
    uint32_t n = min32(min32(c->slen, c->mss), c->snd_max - c->snd_una);
    if (n && send_segment(c, ACK, c->snd_una, c->snd_una - c->sdata_seq, n) == 0)
        tcp_stats.fast_retransmits++;
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
    c->rto = RTO_INIT_NS;
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
        dupack(c);
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
            keep_window = true;
            send_ack(c);
            keep_window = false;
            tcp_stats.dupacks_sent++;
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
        if (n)
            c->ack_due = true;
        bool filled = c->nooo != 0;
        ooo_join(c);
        if (filled && n)
            send_ack(c);                    /* a hole filled: say so at once */
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
            send_rst_for(c->rip, c->rport, c->lport, s->seq, s->ack, s->flags, s->len);
        return;
    }
    if (s->flags & RST) {
        if (s->flags & ACK)
            conn_fail(c, TCP_ECONNREFUSED);
        return;
    }
    if (!(s->flags & SYN))
        return;
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->mss = send_mss(s->mss);
    if (s->flags & ACK) {
        established(c, s);
        c->ack_due = true;
    } else {
        c->state = SYN_RCVD;                /* simultaneous open */
        send_segment(c, SYN | ACK, c->iss, 0, 0);
    }
}

/* Room for one more child of l: below the backlog, or by dropping the
 * oldest half-open one (a flood's, most likely: a real peer's SYN comes
 * again). */
static bool backlog_room(const struct tcp_conn *l)
{
    unsigned children = 0;
    struct tcp_conn *oldest_half_open = NULL;
    for (struct tcp_conn *c = conns; c; c = c->next) {
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
    conn_free(oldest_half_open);
    return true;
}

static void from_listener(struct tcp_conn *l, uint32_t src, uint16_t sport, const struct seg *s)
{
    if (s->flags & RST)
        return;
    if ((s->flags & ACK) || !(s->flags & SYN)) {
        send_rst_for(src, sport, l->lport, s->seq, s->ack, s->flags, s->len);
        return;
    }
    if (!backlog_room(l))
        return;                             /* full of completed ones: the SYN comes again */
    struct tcp_conn *c = conn_new(src, l->lport, sport);
    if (!c)
        return;
    c->listener = l;
    c->abandoned = true;                    /* until tcp_accept takes it */
    c->state = SYN_RCVD;
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->mss = send_mss(s->mss);
    c->snd_wnd = s->wnd;
    send_segment(c, SYN | ACK, c->iss, 0, 0);
    c->snd_nxt = c->snd_max = c->iss + 1;
    arm(c);
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
    uint32_t wnd = rcv_window(c), len = s->len + !!(s->flags & SYN) + !!(s->flags & FIN);
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
        conn_fail(c, TCP_ECONNRESET);
    else if (s->seq - c->rcv_nxt < rcv_window(c))
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
            send_segment(c, SYN | ACK, c->iss, 0, 0);   /* our SYN-ACK was lost */
        else
            c->ack_due = true;
        return;
    }
    if (!acceptable(c, s)) {
        /* an ACK says where we are: for a copy of what we had (its ACK
         * was lost), a keep-alive, anything outside the window. A shut
         * window still takes the ACK in it (RFC 9293 3.10.7.4). */
        if (!rcv_window(c) && s->seq == c->rcv_nxt && (s->flags & ACK) && c->state != SYN_RCVD) {
            take_ack(c, s);
            if (c->state != CLOSED)
                output(c);
        }
        c->ack_due = true;
        return;
    }
    if (!(s->flags & ACK))
        return;
    if (c->state == SYN_RCVD) {
        if (s->ack != c->iss + 1) {
            send_rst_for(c->rip, c->rport, c->lport, s->seq, s->ack, s->flags, s->len);
            return;
        }
        established(c, s);
    }
    take_ack(c, s);
    if (c->state == CLOSED)
        return;
    take_data(c, s);
    output(c);
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
        .data = t + hl, .len = (uint32_t)(len - hl),
    };
    if (s.flags & SYN)
        s.mss = parse_mss(t + 20, hl - 20);
    uint16_t sport = get16(t), dport = get16(t + 2);
    if (tcp_loss.drop_rx_every && s.len && ++loss_rx_n % tcp_loss.drop_rx_every == 0) {
        tcp_loss.rx_dropped++;
        return;
    }
    tcp_stats.segs_in++;
    struct tcp_conn *c = find(src, sport, dport);
    if (!c) {
        struct tcp_conn *l = find_listener(dport);
        if (l)
            from_listener(l, src, sport, &s);
        else if (!(s.flags & RST))
            send_rst_for(src, sport, dport, s.seq, s.ack, s.flags,
                         s.len + !!(s.flags & SYN) + !!(s.flags & FIN));
        return;
    }
    if (c->state == SYN_SENT)
        syn_sent(c, &s);
    else
        segment_arrives(c, &s);
    if (c->state == CLOSED && c->abandoned)
        conn_free(c);                       /* a child reset before it was accepted */
}

/* After a batch of frames: one ACK per connection that owes one. */
void tcp_after_input(void)
{
    net_tx_begin();
    for (struct tcp_conn *c = conns; c; c = c->next)
        if (c->ack_due && c->state != CLOSED && c->state != LISTEN && c->state != SYN_SENT)
            send_ack(c);
    net_tx_end();
}

/* ---- timers ---- */

/* RFC 9293 3.8.6.1: the peer's window is shut and we have something for
 * it: one byte from SND.UNA (or the FIN, when only it is left) asks
 * again, and the answer brings the window, even when the update that
 * opened it was lost. The byte counts as sent, so that an ACK taking it
 * is not one for data never sent. The timer backs off as for
 * retransmissions; answered probes do not count towards giving up
 * (probe_answered). */
static void probe(struct tcp_conn *c)
{
    if (c->slen && c->snd_una == c->sdata_seq) {
        if (send_segment(c, ACK, c->snd_una, 0, 1) == 0) {
            c->snd_nxt = c->snd_una + 1;
            if (seq_gt(c->snd_nxt, c->snd_max))
                c->snd_max = c->snd_nxt;
        }
        return;
    }
    output(c);
}

static void retransmit(struct tcp_conn *c)
{
    if (++c->retries > MAX_RETRIES) {
        conn_fail(c, TCP_ETIMEDOUT);
        return;
    }
    c->rto = c->rto * 2 > RTO_MAX_NS ? RTO_MAX_NS : c->rto * 2;
    c->rtx_at = 0;
    tcp_stats.retransmits++;
    switch (c->state) {
    case SYN_SENT:
        send_segment(c, SYN, c->iss, 0, 0);
        arm(c);
        return;
    case SYN_RCVD:
        send_segment(c, SYN | ACK, c->iss, 0, 0);
        arm(c);
        return;
    default:
        break;
    }
    /* go back to the oldest unacknowledged byte; output() sends the data
     * again, and the FIN after it if that is unacked too */
    c->snd_nxt = c->snd_una;
    c->fin_sent = false;
    if (!c->snd_wnd)
        probe(c);
    else
        output(c);
    arm(c);
}

void tcp_timers(void)
{
    uint64_t now = time_ns();
    for (struct tcp_conn *c = conns, *next; c; c = next) {
        next = c->next;
        if (c->state == TIME_WAIT && now >= c->tw_at)
            c->state = CLOSED;
        else if (c->rtx_at && now >= c->rtx_at)
            retransmit(c);
        if (c->state == CLOSED && c->abandoned)
            conn_free(c);
    }
}

void tcp_wait_step(void)
{
    if (net_poll()) {
        tcp_timers();
        return;
    }
    tcp_timers();
    /* a short spin first: sleeping and waking cost more than polling
     * when the next frame is microseconds away */
    uint64_t until = time_ns() + 50000;
    while (time_ns() < until)
        if (netdev_rx_pending(netif.dev))
            return;
    net_idle();
}

/* ---- the API ---- */

struct tcp_conn *tcp_connect(uint32_t ip, uint16_t port, unsigned timeout_ms, int *err)
{
    struct tcp_conn *c = conn_new(ip, ephemeral_port(), port);
    if (!c) {
        *err = TCP_ENOMEM;
        return NULL;
    }
    c->state = SYN_SENT;
    send_segment(c, SYN, c->iss, 0, 0);     /* may wait for ARP: the timer resends */
    c->snd_nxt = c->snd_max = c->iss + 1;
    arm(c);
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    while (c->state == SYN_SENT && time_ns() < end)
        tcp_wait_step();
    if (c->state == ESTABLISHED || c->state == CLOSE_WAIT) {
        tcp_after_input();                  /* the handshake's last ACK */
        return c;
    }
    *err = c->state == SYN_SENT ? TCP_ETIMEDOUT : (c->err ? c->err : TCP_ECONNRESET);
    conn_free(c);
    return NULL;
}

struct tcp_conn *tcp_listen(uint16_t port)
{
    if (find_listener(port))
        return NULL;
    struct tcp_conn *l = conn_new(0, port, 0);
    if (l)
        l->state = LISTEN;
    return l;
}

struct tcp_conn *tcp_accept(struct tcp_conn *l, unsigned timeout_ms)
{
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    for (;;) {
        for (struct tcp_conn *c = conns; c; c = c->next) {
            if (c->listener == l && !c->accepted && c->state != SYN_RCVD &&
                c->state != CLOSED) {
                c->accepted = true;
                c->abandoned = false;
                return c;
            }
        }
        if (time_ns() >= end)
            return NULL;
        tcp_wait_step();
    }
}

long tcp_write(struct tcp_conn *c, const void *buf, size_t len)
{
    if (c->err)
        return c->err;
    if (c->fin_wanted || (c->state != ESTABLISHED && c->state != CLOSE_WAIT))
        return TCP_EINVAL;
    uint32_t n = min32((uint32_t)(len > TCP_BUF ? TCP_BUF : len), TCP_BUF - c->slen);
    uint32_t pos = (c->sstart + c->slen) % TCP_BUF, first = min32(n, TCP_BUF - pos);
    memcpy(c->sbuf + pos, buf, first);
    memcpy(c->sbuf, (const uint8_t *)buf + first, n - first);
    c->slen += n;
    output(c);
    return n;
}

long tcp_read(struct tcp_conn *c, void *buf, size_t len)
{
    if (!c->rlen) {
        if (c->fin_rcvd)
            return TCP_EOF;
        return c->err ? c->err : 0;
    }
    uint32_t n = min32((uint32_t)(len > TCP_BUF ? TCP_BUF : len), c->rlen);
    uint32_t first = min32(n, TCP_BUF - c->rstart);
    memcpy(buf, c->rbuf + c->rstart, first);
    memcpy((uint8_t *)buf + first, c->rbuf, n - first);
    c->rstart = (c->rstart + n) % TCP_BUF;
    c->rlen -= n;
    /* tell the peer when the window opened up again (it may be waiting) */
    if (c->last_wnd < TCP_BUF / 4 && rcv_window(c) >= TCP_BUF / 2 &&
        c->state != CLOSED && c->state != TIME_WAIT)
        send_ack(c);
    return n;
}

long tcp_send(struct tcp_conn *c, const void *buf, size_t len, unsigned timeout_ms)
{
    const uint8_t *p = buf;
    size_t done = 0;
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    while (done < len) {
        long n = tcp_write(c, p + done, len - done);
        if (n < 0)
            return n;
        done += (size_t)n;
        if (done < len) {
            if (time_ns() >= end)
                return TCP_ETIMEDOUT;
            tcp_wait_step();
        }
    }
    return (long)done;
}

long tcp_recv(struct tcp_conn *c, void *buf, size_t len, unsigned timeout_ms)
{
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    for (;;) {
        long n = tcp_read(c, buf, len);
        if (n != 0 || time_ns() >= end)
            return n;
        tcp_wait_step();
    }
}

void tcp_shutdown(struct tcp_conn *c)
{
    if (c->state == ESTABLISHED || c->state == CLOSE_WAIT) {
        c->fin_wanted = true;
        output(c);
    }
}

int tcp_close(struct tcp_conn *c, unsigned timeout_ms)
{
    if (c->state == LISTEN) {
        /* children not accepted go with it */
        for (struct tcp_conn *x = conns, *next; x; x = next) {
            next = x->next;
            if (x->listener == c && !x->accepted)
                conn_free(x);
            else if (x->listener == c)
                x->listener = NULL;
        }
        conn_free(c);
        return 0;
    }
    tcp_shutdown(c);
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    while (c->state != CLOSED && c->state != TIME_WAIT && time_ns() < end) {
        char sink[512];
        while (tcp_read(c, sink, sizeof sink) > 0)
            ;                               /* what still arrives is dropped */
        tcp_wait_step();
    }
    int err = c->err;
    if (c->state != CLOSED && c->state != TIME_WAIT) {
        send_segment(c, RST | ACK, c->snd_nxt, 0, 0);
        tcp_stats.rsts_sent++;
        conn_fail(c, TCP_ETIMEDOUT);
        err = TCP_ETIMEDOUT;
    }
    c->abandoned = true;
    if (c->state == CLOSED)
        conn_free(c);
    return err;
}
