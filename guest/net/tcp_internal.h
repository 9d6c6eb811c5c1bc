/* Shared by the TCP files: tcp.c (connections, timers, the API),
 * tcp_input.c (segments in), tcp_output.c (segments out, the windows we
 * advertise, the ACK policy) and tcp_recovery.c (RTT and RTO, congestion
 * control, loss recovery). Sequence numbers compare with wrap-around
 * through signed differences. */
#ifndef GUEST_TCP_INTERNAL_H
#define GUEST_TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "tcp.h"

enum tcp_state {
    CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
    CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT,
};

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

/* RFC 6298 2.4 asks for at least 1 s, for paths nobody knows (RFC 8961
 * lets a transport that knows its path do better); the peer here is one
 * software hop away, answering within a millisecond (SRTT measures
 * 0.3-2 ms), and each timeout on a lossy link costs the minimum again:
 * 100 ms is still fifty round trips and more. Before any sample, the
 * old 200 ms and a margin (RFC 6298 2.1 would have 1 s). */
#define RTO_MIN_NS    100000000ull
#define RTO_INIT_NS   250000000ull
#define RTO_MAX_NS   2000000000ull
/* Timeouts in a row before giving up: about 15 s of silence (0.1 +
 * 0.2 + ... + 1.6, then 2 s each), what 10 from the old 200 ms gave. */
#define MAX_RETRIES  12
#define TIME_WAIT_NS  500000000ull  /* 2 MSL, shortened: nothing crosses a real net */
#define OOO_RANGES    16
#define DEFAULT_MSS   536           /* without the option (RFC 9293 3.7.1) */
/* The least MSS we honour: a peer may ask for less than 536 (RFC 9293
 * 3.7.1, RFC 6691), but one asking for 1 would have a 64 KiB write go
 * out as 65 536 segments. 48 is Linux's floor (tcp_min_snd_mss): 40
 * bytes of headers to 48 of data at worst. */
#define MIN_SND_MSS   48
/* Children of a listener not yet accepted, completed or half-open: a SYN
 * flood must not take the heap (each holds its two buffers). */
#define LISTEN_BACKLOG 8
/* RFC 5681 3.2: the duplicate ACKs that mean a segment was lost. */
#define DUPTHRESH     3
/* RFC 5681 4.2: an ACK for at least every second full-sized segment. */
#define ACK_EVERY     2
/* After a hole in what arrived is filled, this many segments are each
 * acknowledged at once (as Linux's quick-ACK mode does): a sender that
 * just halved its window regrows it by ACKs, and each lost ACK costs
 * less when there are more of them. */
#define QUICKACKS     16
/* The window-scale shift we offer (RFC 7323 2.3): TCP_RBUF fits in
 * 65535 << shift. */
#define RCV_WSCALE    2
#define MAX_WSCALE    14            /* RFC 7323 2.3 */

struct tcp_conn {
    enum tcp_state state;
    uint32_t rip;
    uint16_t lport, rport;
    /* send side: sbuf holds the bytes from sdata_seq on, unacked or unsent */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, sdata_seq;
    uint32_t snd_wl1, snd_wl2;      /* the segment snd_wnd came from (RFC 9293 3.3.1) */
    uint16_t mss;
    uint8_t *sbuf;
    uint32_t sstart, slen;
    bool fin_wanted, fin_sent, fin_sent_once;
    /* RFC 7323: shifts for the peer's windows (snd) and ours (rcv), both
     * 0 unless both SYNs carried the option; ws_peer is the peer's
     * offer from its SYN (-1: none) */
    uint8_t snd_scale, rcv_scale;
    int8_t ws_peer;
    /* congestion control (RFC 5681) and recovery (RFC 6582) */
    uint32_t cwnd, ssthresh, recover;
    bool in_recovery;
    /* duplicate ACKs since the hole at snd_una was last (re)sent, and
     * how many of them segments sent before that can still cause: more
     * than that, and the retransmission itself was lost */
    unsigned rexmit_dups, rexmit_budget;
    unsigned recovery_tries;        /* resends of the hole on recovery_wait */
    uint64_t tlp_at;                /* a tail loss probe due (RFC 8985 7) */
    bool tlp_sent;                  /* and sent, not yet answered by new data acked */
    /* RFC 6298: one segment timed at a time (Karn: never a resent one) */
    uint64_t srtt, rttvar, rtt_start;
    uint32_t rtt_seq;
    bool rtt_timing, rtt_valid;
    /* receive side: rbuf holds what arrived and was not read yet */
    uint32_t irs, rcv_nxt, last_wnd, rcv_acked, rcv_mss;
    uint8_t *rbuf;
    uint32_t rstart, rlen;
    bool fin_rcvd, ack_due;
    bool output_due;                /* sending waits for the end of the input batch */
    unsigned quickacks;             /* segments still to ACK one by one */
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

/* A segment as it arrived, its window already scaled. */
struct seg {
    uint32_t seq, ack, wnd;
    uint8_t flags;
    uint16_t mss;
    int8_t wscale;                  /* the option on a SYN, -1 without */
    const uint8_t *data;
    uint32_t len;
};

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }

extern struct tcp_conn *tcp_conns;

/* tcp.c */
void tcp_conn_fail(struct tcp_conn *c, int err);
void tcp_conn_free(struct tcp_conn *c);
struct tcp_conn *tcp_conn_new(uint32_t rip, uint16_t lport, uint16_t rport);
struct tcp_conn *tcp_find(uint32_t src, uint16_t sport, uint16_t dport);
struct tcp_conn *tcp_find_listener(uint16_t port);

/* tcp_output.c */
uint32_t tcp_rcv_window(const struct tcp_conn *c);
int tcp_send_segment(struct tcp_conn *c, uint8_t flags, uint32_t seq, uint32_t off,
                     uint32_t len);
void tcp_send_ack(struct tcp_conn *c);
void tcp_send_dupack(struct tcp_conn *c);
void tcp_send_rst_for(uint32_t src, uint16_t sport, uint16_t dport, uint32_t seq,
                      uint32_t ack, uint8_t flags, uint32_t seglen);
void tcp_output(struct tcp_conn *c);
void tcp_arm(struct tcp_conn *c);
/* In-order data arrived: ACK now (every second full segment, or each
 * one after a loss), or at the end of the batch. */
void tcp_ack_policy(struct tcp_conn *c, uint32_t len);

/* tcp_recovery.c */
void tcp_cc_init(struct tcp_conn *c);
uint64_t tcp_base_rto(const struct tcp_conn *c);
void tcp_new_ack(struct tcp_conn *c, uint32_t ack);
void tcp_dupack(struct tcp_conn *c);
bool tcp_resend_hole(struct tcp_conn *c);
void tcp_timing_start(struct tcp_conn *c, uint32_t seq);
uint32_t tcp_send_allowance(const struct tcp_conn *c);
void tcp_retransmit_timeout(struct tcp_conn *c);
void tcp_tlp_arm(struct tcp_conn *c);
void tcp_tlp_fire(struct tcp_conn *c);

#endif
