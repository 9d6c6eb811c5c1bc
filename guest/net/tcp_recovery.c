/*
 * What we send, and getting it there: the round-trip time and the
 * retransmission timeout (RFC 6298), the congestion window (RFC 5681:
 * slow start, congestion avoidance), fast retransmit with limited
 * transmit (RFC 3042) and NewReno's recovery (RFC 6582), a lost
 * retransmission sent again (on duplicate ACKs, or a short timer in
 * recovery), the tail loss probe (RFC 8985 7), and the timeout's
 * go-back.
 */
#include "clock.h"
#include "kernel.h"
#include "net.h"
#include "net_internal.h"
#include "tcp_internal.h"

/* The clock granularity G of RFC 6298 2.4's RTO = SRTT + max(G, 4 RTTVAR). */
#define CLOCK_G_NS 1000000ull

uint64_t tcp_base_rto(const struct tcp_conn *c)
{
    if (!c->rtt_valid)
        return RTO_INIT_NS;
    uint64_t k = 4 * c->rttvar, rto = c->srtt + (k > CLOCK_G_NS ? k : CLOCK_G_NS);
    return rto < RTO_MIN_NS ? RTO_MIN_NS : rto > RTO_MAX_NS ? RTO_MAX_NS : rto;
}

/* RFC 6928: the initial window, min(10 MSS, max(2 MSS, 14600)); the
 * slow-start threshold as high as can be (RFC 5681 3.1). */
void tcp_cc_init(struct tcp_conn *c)
{
    c->cwnd = min32(10u * c->mss, max32(2u * c->mss, 14600));
    c->ssthresh = 0xffffffffu;
    c->recover = c->snd_una;
    c->in_recovery = false;
    c->rto = tcp_base_rto(c);
}

/* Times seq's segment (new data only), unless one is timed already.
 * Not while a hole is known: its ACK would wait for the hole to be
 * filled, and that is no round trip. */
void tcp_timing_start(struct tcp_conn *c, uint32_t seq)
{
    if (c->rtt_timing || c->in_recovery || c->dupacks)
        return;
    c->rtt_timing = true;
    c->rtt_seq = seq;
    c->rtt_start = time_ns();
}

/* RFC 6298 2.2 and 2.3, with alpha 1/8 and beta 1/4. */
static void rtt_sample(struct tcp_conn *c, uint64_t r)
{
    tcp_stats.rtt_samples++;
    tcp_stats.rtt_last_us = r / 1000;
    if (!c->rtt_valid) {
        c->srtt = r;
        c->rttvar = r / 2;
        c->rtt_valid = true;
    } else {
        uint64_t d = c->srtt > r ? c->srtt - r : r - c->srtt;
        c->rttvar = (3 * c->rttvar + d) / 4;
        c->srtt = (7 * c->srtt + r) / 8;
    }
    tcp_stats.srtt_us = c->srtt / 1000;
    tcp_stats.rto_us = tcp_base_rto(c) / 1000;
}

/* What the congestion window lets out beyond what is in flight; the
 * first two duplicate ACKs each let one new segment out (RFC 3042), so
 * that a small window still makes the third. */
uint32_t tcp_send_allowance(const struct tcp_conn *c)
{
    uint32_t flight = c->snd_nxt - c->snd_una, cw = c->cwnd;
    if (!c->in_recovery && c->dupacks && c->dupacks < DUPTHRESH && c->snd_nxt == c->snd_max)
        cw += c->dupacks * c->mss;
    return cw > flight ? cw - flight : 0;
}

/* The least wait of the two short timers here: a few ticks of the
 * guest's timer interrupt (about 1 ms apart), which wakes the idle loop
 * that runs them. RFC 8985 7.2's 10 ms floor is a kernel's tick. */
#define TIMER_FLOOR_NS 4000000ull

/* How long a retransmission in recovery waits for its ACK. The peer
 * holds data past the hole, so the segment filling it is acknowledged
 * at once (RFC 5681 4.2), with no delayed ACK to wait out as RTO_MIN
 * must: when no ACK came within two round trips and their variation,
 * the retransmission or its ACK was lost, and it goes again (RACK's
 * reasoning, RFC 8985 6.3), each wait twice the one before,
 * RECOVERY_TRIES times before the timeout proper. */
#define RECOVERY_TRIES 4

static uint64_t recovery_wait(const struct tcp_conn *c)
{
    uint64_t w = c->rtt_valid ? 2 * c->srtt + 4 * c->rttvar : RTO_INIT_NS;
    w = w < TIMER_FLOOR_NS ? TIMER_FLOOR_NS : w;
    w <<= c->recovery_tries;
    return w > c->rto ? c->rto : w;
}

/* Segments sent after the one at snd_una. */
static uint32_t segs_beyond(const struct tcp_conn *c)
{
    uint32_t out = c->snd_max - c->snd_una;
    return out > c->mss ? (out - 1) / c->mss : 0;
}

/* Resend the segment at snd_una (or the FIN, if only it is left).
 * Duplicate ACKs keep coming while the segments sent before it arrive;
 * each beyond what those can cause (with DUPTHRESH - 1 to spare for
 * reordering and duplicates, as for the first loss) was caused by one
 * sent after it, which overtook it: so it was lost too and goes again,
 * rather than waiting for the timeout (RFC 8985 reasons the same way
 * with SACK; this is its count without). */
bool tcp_resend_hole(struct tcp_conn *c)
{
    uint32_t n = min32(min32(c->slen, c->mss), c->snd_max - c->snd_una);
    int r;
    if (n)
        r = tcp_send_segment(c, ACK, c->snd_una, c->snd_una - c->sdata_seq, n);
    else if (c->fin_sent_once && c->snd_max - c->snd_una == 1)
        r = tcp_send_segment(c, FIN | ACK, c->snd_una, 0, 0);
    else
        return false;
    c->rtt_timing = false;                  /* Karn: no sample from a resent segment */
    uint32_t beyond = segs_beyond(c);
    c->rexmit_dups = 0;
    c->rexmit_budget = (beyond > c->dupacks ? beyond - c->dupacks : 0) + DUPTHRESH - 1;
    c->rtx_at = time_ns() + (c->in_recovery ? recovery_wait(c) : c->rto);
    return r == 0;
}

/* RFC 8985 7: a tail loss probe, when a flight ends without the ACKs
 * that would start recovery (too few segments after a loss for three
 * duplicates, or the last ACKs lost): after PTO = 2 SRTT (TIMER_FLOOR_NS
 * at least), the last segment goes again. RFC 8985 7.2 adds the peer's
 * worst delayed ACK when one segment is out; this peer acknowledges
 * segments in order at once and a needless probe costs one segment,
 * while waiting costs the round trip 200 times over: not here. RFC 8985
 * 7.3 would send new data first, but that, arriving in order, may draw
 * only a delayed ACK, while a duplicate (or a segment past a gap) is
 * answered at once (RFC 9293 3.10.7.4, RFC 5681 4.2). */
void tcp_tlp_arm(struct tcp_conn *c)
{
    c->tlp_at = 0;
    if (c->in_recovery || c->tlp_sent || c->snd_una == c->snd_max || !c->rtt_valid ||
        c->fin_sent_once || c->retries)
        return;
    uint64_t pto = 2 * c->srtt;
    pto = pto < TIMER_FLOOR_NS ? TIMER_FLOOR_NS : pto;
    if (pto < c->rto)
        c->tlp_at = time_ns() + pto;
}

void tcp_tlp_fire(struct tcp_conn *c)
{
    c->tlp_at = 0;
    uint32_t out = c->snd_max - c->snd_una, n = min32(out, c->mss);
    if (!n || c->slen < out)
        return;
    if (tcp_send_segment(c, ACK, c->snd_max - n, c->snd_max - n - c->sdata_seq, n) == 0) {
        c->tlp_sent = true;
        c->rtt_timing = false;
        tcp_stats.tail_probes++;
        c->rtx_at = time_ns() + c->rto;     /* RFC 8985 7.3: the RTO restarts */
    }
}

/* A duplicate ACK (RFC 5681 2): one more segment beyond snd_una arrived. */
void tcp_dupack(struct tcp_conn *c)
{
    c->dupacks++;
    if (c->in_recovery) {
        c->cwnd += c->mss;                  /* RFC 5681 3.2 step 4 */
        if (++c->rexmit_dups > c->rexmit_budget && tcp_resend_hole(c))
            tcp_stats.lost_rexmits++;
        tcp_output(c);
        return;
    }
    /* the probe went out 2 SRTT after the rest, so a duplicate ACK now
     * says it arrived while snd_una's segment still has not: lost, as
     * RFC 8985's RACK would conclude from the probe's SACK */
    if (c->tlp_sent && c->dupacks < DUPTHRESH && !seq_lt(c->snd_una, c->recover))
        c->dupacks = DUPTHRESH;
    if (c->dupacks < DUPTHRESH) {
        tcp_output(c);                      /* limited transmit */
        return;
    }
    /* RFC 6582 3.2 step 1: not again for what was outstanding when
     * recovery or a timeout began */
    if (c->dupacks != DUPTHRESH || seq_lt(c->snd_una, c->recover))
        return;
    c->ssthresh = max32((c->snd_max - c->snd_una) / 2, 2u * c->mss);
    c->recover = c->snd_max;
    c->in_recovery = true;
    c->recovery_tries = 0;
    c->tlp_at = 0;
    if (tcp_resend_hole(c))
        tcp_stats.fast_retransmits++;
    c->cwnd = c->ssthresh + DUPTHRESH * c->mss;
    tcp_output(c);
}

/* SND.UNA moves up to ack: the RTT sample, the congestion window, and
 * for a partial ACK in recovery the next hole (RFC 6582 3.2 step 3). */
void tcp_new_ack(struct tcp_conn *c, uint32_t ack)
{
    uint32_t acked = ack - c->snd_una;
    if (c->rtt_timing && seq_gt(ack, c->rtt_seq)) {
        rtt_sample(c, time_ns() - c->rtt_start);
        c->rtt_timing = false;
    }
    /* segments between the old hole and the new one had each caused a
     * duplicate ACK: those left over arrived beyond the new snd_una */
    uint32_t between = acked > c->mss ? (acked - 1) / c->mss : 0;
    c->dupacks = c->in_recovery && c->dupacks > between ? c->dupacks - between : 0;
    if (seq_gt(ack, c->sdata_seq)) {
        uint32_t d = min32(ack - c->sdata_seq, c->slen);
        c->sstart = (c->sstart + d) % TCP_BUF;
        c->slen -= d;
        c->sdata_seq += d;
    }
    c->snd_una = ack;
    if (seq_lt(c->snd_nxt, c->snd_una))
        c->snd_nxt = c->snd_una;            /* acked past a go-back */
    /* the backoff ends once new data is acknowledged (the path works
     * again); the timer restarts for what is left (RFC 6298 5.3) */
    c->retries = 0;
    c->recovery_tries = 0;
    c->rto = tcp_base_rto(c);
    c->rtx_at = c->snd_una != c->snd_max ? time_ns() + c->rto : 0;
    if (c->in_recovery) {
        if (!seq_lt(ack, c->recover)) {
            /* full ACK: RFC 6582 3.2 step 3's first option */
            c->cwnd = min32(c->ssthresh, max32(c->snd_max - c->snd_una, c->mss) + c->mss);
            c->in_recovery = false;
            c->dupacks = 0;
        } else {
            /* partial: the next hole goes at once; the window deflates
             * by what left the network, plus a segment for the resent */
            if (tcp_resend_hole(c))
                tcp_stats.partial_acks++;
            c->cwnd = (c->cwnd > acked ? c->cwnd - acked : 0) + (acked >= c->mss ? c->mss : 0);
            c->cwnd = max32(c->cwnd, c->mss);
        }
    } else if (c->cwnd < c->ssthresh) {
        c->cwnd += min32(acked, 2u * c->mss);   /* RFC 3465's L = 2 SMSS */
    } else {
        c->cwnd += max32(c->mss * c->mss / c->cwnd, 1);  /* RFC 5681 3.1 (3) */
    }
    c->cwnd = min32(c->cwnd, 4u * TCP_BUF);
    c->tlp_sent = false;
    tcp_tlp_arm(c);
}

/* RFC 9293 3.8.6.1: the peer's window is shut and we have something for
 * it: one byte from SND.UNA (or the FIN, when only it is left) asks
 * again, and the answer brings the window, even when the update that
 * opened it was lost. The byte counts as sent, so that an ACK taking it
 * is not one for data never sent. The timer backs off as for
 * retransmissions; answered probes do not count towards giving up
 * (probe_answered in tcp_input.c). */
static void probe(struct tcp_conn *c)
{
    if (c->slen && c->snd_una == c->sdata_seq) {
        if (tcp_send_segment(c, ACK, c->snd_una, 0, 1) == 0) {
            c->snd_nxt = c->snd_una + 1;
            if (seq_gt(c->snd_nxt, c->snd_max))
                c->snd_max = c->snd_nxt;
        }
        return;
    }
    tcp_output(c);
}

/* The retransmission timer expired (RFC 6298 5.4-5.6): back off; on
 * the first expiry halve the threshold (RFC 5681 3.1 (4)), restart
 * from one segment (the loss window), leave recovery and remember how
 * far we had sent (RFC 6582 4), and go back to SND.UNA. */
void tcp_retransmit_timeout(struct tcp_conn *c)
{
    if (c->in_recovery && c->recovery_tries < RECOVERY_TRIES && c->snd_wnd) {
        c->recovery_tries++;
        if (tcp_resend_hole(c))
            tcp_stats.lost_rexmits++;
        return;
    }
    if (++c->retries > MAX_RETRIES) {
        tcp_conn_fail(c, TCP_ETIMEDOUT);
        return;
    }
    c->rto = c->rto * 2 > RTO_MAX_NS ? RTO_MAX_NS : c->rto * 2;
    c->rtx_at = 0;
    c->tlp_at = 0;
    c->rtt_timing = false;
    tcp_stats.retransmits++;
    switch (c->state) {
    case SYN_SENT:
        tcp_send_segment(c, SYN, c->iss, 0, 0);
        tcp_arm(c);
        return;
    case SYN_RCVD:
        tcp_send_segment(c, SYN | ACK, c->iss, 0, 0);
        tcp_arm(c);
        return;
    default:
        break;
    }
    if (c->snd_wnd) {
        if (c->retries == 1)
            c->ssthresh = max32((c->snd_max - c->snd_una) / 2, 2u * c->mss);
        c->cwnd = c->mss;
        c->in_recovery = false;
        c->recover = c->snd_max;
        c->dupacks = 0;
    }
    /* output() sends the data again, and the FIN after it if that is
     * unacked too */
    c->snd_nxt = c->snd_una;
    c->fin_sent = false;
    if (!c->snd_wnd)
        probe(c);
    else
        tcp_output(c);
    tcp_arm(c);
}
