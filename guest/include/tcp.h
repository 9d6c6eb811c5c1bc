/*
 * TCP for the guest (RFC 9293, without urgent data). It has active and
 * passive open, the MSS and window-scale options (RFC 7323: more than
 * 64 KiB in flight when the peer scales too), flow control by the
 * peer's window (probed while shut, for as long as the peer answers),
 * congestion control (RFC 5681: slow start from RFC 6928's initial
 * window, congestion avoidance), loss recovery by fast retransmit and
 * NewReno's partial ACKs (RFC 6582) with limited transmit (RFC 3042),
 * a retransmission timer from measured round trips (RFC 6298) with
 * exponential backoff, FIN in both directions, RST (taken only at
 * RCV.NXT, as RFC 5961 has it), TIME_WAIT, and errors for refused,
 * reset and timed-out connections. As a receiver it ACKs at least
 * every second full segment (RFC 5681 4.2), the rest of a batch with
 * one ACK, each segment that arrives out of order at once with a
 * duplicate ACK (keeping it: up to 16 ranges ahead of a gap), and for a
 * while after a gap fills each segment. A listener holds a small
 * backlog of connections not yet accepted; initial sequence numbers and
 * ephemeral ports are not guessable from the clock (RFC 6528, RFC 6056).
 *
 * Polled like the rest of the stack: the blocking calls run net_poll()
 * and the timers until they can return.
 */
#ifndef GUEST_TCP_H
#define GUEST_TCP_H

#include <stddef.h>
#include <stdint.h>

#define TCP_ECONNREFUSED (-111)
#define TCP_ETIMEDOUT    (-110)
#define TCP_ECONNRESET   (-104)
#define TCP_ENOMEM       (-12)
#define TCP_EINVAL       (-22)

#define TCP_BUF (256 * 1024)        /* each direction's buffer */
#define TCP_MSS 1460

struct tcp_conn;

/* Active open: the connection, or NULL and *err (TCP_ECONNREFUSED when
 * the peer answers with RST, TCP_ETIMEDOUT after timeout_ms). */
struct tcp_conn *tcp_connect(uint32_t ip, uint16_t port, unsigned timeout_ms, int *err);
/* Passive open: a listener, then one accepted connection at a time. */
struct tcp_conn *tcp_listen(uint16_t port);
struct tcp_conn *tcp_accept(struct tcp_conn *listener, unsigned timeout_ms);

/* Non-blocking: bytes taken into the send buffer (0 when full), or an
 * error. */
long tcp_write(struct tcp_conn *c, const void *buf, size_t len);
/* Non-blocking: bytes read (0: none yet), TCP_EOF once the peer's FIN
 * and everything before it were read, or an error. */
#define TCP_EOF (-1000)
long tcp_read(struct tcp_conn *c, void *buf, size_t len);

/* Blocking forms: all of buf, or an error; tcp_recv returns what
 * arrived within timeout_ms (0 on timeout), TCP_EOF or an error. */
long tcp_send(struct tcp_conn *c, const void *buf, size_t len, unsigned timeout_ms);
long tcp_recv(struct tcp_conn *c, void *buf, size_t len, unsigned timeout_ms);

/* Sends FIN after what is buffered; reading goes on. */
void tcp_shutdown(struct tcp_conn *c);
/* Shuts down, waits up to timeout_ms for the peer's FIN and the last ACK
 * (the connection then rests in TIME_WAIT), frees the handle. Returns 0
 * or the connection's error. */
int tcp_close(struct tcp_conn *c, unsigned timeout_ms);

/* Run retransmission and TIME_WAIT timers (the blocking calls do). */
void tcp_timers(void);
/* One wait step for a blocking call: poll, run timers, sleep if idle. */
void tcp_wait_step(void);

/* For the tests: drop every Nth segment going out or coming in (0: none),
 * as a lossy network would, to exercise retransmission. */
struct tcp_loss {
    unsigned drop_tx_every, drop_rx_every;
    unsigned long tx_dropped, rx_dropped;
};
extern struct tcp_loss tcp_loss;

/* For the tests. */
struct tcp_stats {
    unsigned long segs_out, segs_in, retransmits, fast_retransmits, dupacks_sent, rsts_sent;
    unsigned long partial_acks;     /* NewReno retransmissions (RFC 6582 3.2) */
    unsigned long lost_rexmits;     /* retransmissions sent again on duplicate ACKs */
    unsigned long acks_sent;        /* pure ACKs (no data, SYN, FIN or RST) */
    unsigned long tail_probes;      /* RFC 8985 7 */
    unsigned long rtt_samples, rtt_last_us, srtt_us, rto_us;
};
extern struct tcp_stats tcp_stats;
const char *tcp_state_name(const struct tcp_conn *c);

#endif
