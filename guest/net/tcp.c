/*
 * TCP (see tcp.h for what is in and what is left out): the list of
 * connections, each with a ring per direction, the timers and the API.
 * Segments in are tcp_input.c's, out tcp_output.c's, loss recovery
 * tcp_recovery.c's.
 */
#include "clock.h"
#include "heap.h"
#include "kernel.h"
#include "net.h"
#include "net_internal.h"
#include "tcp_internal.h"

static const char *const state_names[] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
    "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

struct tcp_stats tcp_stats;
struct tcp_conn *tcp_conns;

const char *tcp_state_name(const struct tcp_conn *c)
{
    return state_names[c->state];
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

struct tcp_conn *tcp_conn_new(uint32_t rip, uint16_t lport, uint16_t rport)
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
    c->ws_peer = -1;
    c->rcv_mss = DEFAULT_MSS;
    tcp_cc_init(c);
    c->next = tcp_conns;
    tcp_conns = c;
    return c;
}

void tcp_conn_free(struct tcp_conn *c)
{
    for (struct tcp_conn **p = &tcp_conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    kfree(c->sbuf);
    kfree(c->rbuf);
    kfree(c);
}

void tcp_conn_fail(struct tcp_conn *c, int err)
{
    c->err = err;
    c->state = CLOSED;
    c->rtx_at = 0;
}

struct tcp_conn *tcp_find(uint32_t src, uint16_t sport, uint16_t dport)
{
    for (struct tcp_conn *c = tcp_conns; c; c = c->next)
        if (c->state != CLOSED && c->state != LISTEN && c->lport == dport &&
            c->rport == sport && c->rip == src)
            return c;
    return NULL;
}

struct tcp_conn *tcp_find_listener(uint16_t port)
{
    for (struct tcp_conn *c = tcp_conns; c; c = c->next)
        if (c->state == LISTEN && c->lport == port)
            return c;
    return NULL;
}

static bool port_in_use(uint16_t port)
{
    for (struct tcp_conn *c = tcp_conns; c; c = c->next)
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

/* ---- timers ---- */

void tcp_timers(void)
{
    uint64_t now = time_ns();
    for (struct tcp_conn *c = tcp_conns, *next; c; c = next) {
        next = c->next;
        if (c->state == TIME_WAIT && now >= c->tw_at)
            c->state = CLOSED;
        else if (c->rtx_at && now >= c->rtx_at)
            tcp_retransmit_timeout(c);
        else if (c->tlp_at && now >= c->tlp_at)
            tcp_tlp_fire(c);
        if (c->state == CLOSED && c->abandoned)
            tcp_conn_free(c);
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
    struct tcp_conn *c = tcp_conn_new(ip, ephemeral_port(), port);
    if (!c) {
        *err = TCP_ENOMEM;
        return NULL;
    }
    c->state = SYN_SENT;
    tcp_send_segment(c, SYN, c->iss, 0, 0);     /* may wait for ARP: the timer resends */
    c->snd_nxt = c->snd_max = c->iss + 1;
    tcp_arm(c);
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    while (c->state == SYN_SENT && time_ns() < end)
        tcp_wait_step();
    if (c->state == ESTABLISHED || c->state == CLOSE_WAIT) {
        tcp_after_input();                  /* the handshake's last ACK */
        return c;
    }
    *err = c->state == SYN_SENT ? TCP_ETIMEDOUT : (c->err ? c->err : TCP_ECONNRESET);
    tcp_conn_free(c);
    return NULL;
}

struct tcp_conn *tcp_listen(uint16_t port)
{
    if (tcp_find_listener(port))
        return NULL;
    struct tcp_conn *l = tcp_conn_new(0, port, 0);
    if (l)
        l->state = LISTEN;
    return l;
}

struct tcp_conn *tcp_accept(struct tcp_conn *l, unsigned timeout_ms)
{
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    for (;;) {
        for (struct tcp_conn *c = tcp_conns; c; c = c->next) {
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
    tcp_output(c);
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
    /* tell the peer when the window opened up again (it may be waiting);
     * the largest window the header can say is the measure */
    uint32_t top = min32(TCP_BUF, 0xffffu << c->rcv_scale);
    if (c->last_wnd < top / 4 && tcp_rcv_window(c) >= top / 2 &&
        c->state != CLOSED && c->state != TIME_WAIT)
        tcp_send_ack(c);
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
        tcp_output(c);
    }
}

int tcp_close(struct tcp_conn *c, unsigned timeout_ms)
{
    if (c->state == LISTEN) {
        /* children not accepted go with it */
        for (struct tcp_conn *x = tcp_conns, *next; x; x = next) {
            next = x->next;
            if (x->listener == c && !x->accepted)
                tcp_conn_free(x);
            else if (x->listener == c)
                x->listener = NULL;
        }
        tcp_conn_free(c);
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
        tcp_send_segment(c, RST | ACK, c->snd_nxt, 0, 0);
        tcp_stats.rsts_sent++;
        tcp_conn_fail(c, TCP_ETIMEDOUT);
        err = TCP_ETIMEDOUT;
    }
    c->abandoned = true;
    if (c->state == CLOSED)
        tcp_conn_free(c);
    return err;
}
