/* UDP sockets (udp_sock.h): each holds up to QUEUE datagrams; more are
 * counted as dropped, as a full socket buffer drops them. */
#include "clock.h"
#include "heap.h"
#include "kernel.h"
#include "net.h"
#include "net_internal.h"
#include "tcp.h"
#include "udp_sock.h"

#define SOCKS 8
#define QUEUE 8

struct dgram {
    uint32_t ip;
    uint16_t port, len;
    uint8_t data[UDP_MAX_PAYLOAD];
};

struct udp_sock {
    uint16_t port;
    struct dgram q[QUEUE];
    unsigned head, count;
    unsigned long dropped;
};

static struct udp_sock *socks[SOCKS];

static void on_datagram(uint32_t ip, uint16_t sport, uint16_t dport, const uint8_t *data,
                        size_t len)
{
    for (int i = 0; i < SOCKS; i++) {
        struct udp_sock *s = socks[i];
        if (!s || s->port != dport)
            continue;
        if (s->count == QUEUE || len > UDP_MAX_PAYLOAD) {
            s->dropped++;
            return;
        }
        struct dgram *d = &s->q[(s->head + s->count++) % QUEUE];
        d->ip = ip;
        d->port = sport;
        d->len = (uint16_t)len;
        memcpy(d->data, data, len);
        return;
    }
}

static bool taken(uint16_t port)
{
    for (int i = 0; i < SOCKS; i++)
        if (socks[i] && socks[i]->port == port)
            return true;
    return false;
}

/* RFC 6056 3.3.1: a random ephemeral port, so that an off-path attacker
 * must guess it along with a DNS ID (RFC 5452 9.2), not the next of a
 * sequence. */
static uint16_t ephemeral_port(void)
{
    uint16_t port;
    do
        port = (uint16_t)(49152 + net_random32() % 16384);
    while (taken(port));
    return port;
}

struct udp_sock *udp_open(uint16_t port)
{
    if (!port)
        port = ephemeral_port();
    int free_slot = -1;
    for (int i = 0; i < SOCKS; i++) {
        if (socks[i] && socks[i]->port == port)
            return NULL;
        if (!socks[i] && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        return NULL;
    struct udp_sock *s = kzalloc(sizeof *s);
    if (!s)
        return NULL;
    s->port = port;
    if (udp_bind(port, on_datagram) < 0) {
        kfree(s);
        return NULL;
    }
    socks[free_slot] = s;
    return s;
}

void udp_close(struct udp_sock *s)
{
    for (int i = 0; i < SOCKS; i++)
        if (socks[i] == s)
            socks[i] = NULL;
    udp_unbind(s->port);
    kfree(s);
}

uint16_t udp_port(const struct udp_sock *s)
{
    return s->port;
}

int udp_sendto(struct udp_sock *s, uint32_t ip, uint16_t port, const void *data, size_t len)
{
    if (len > UDP_MAX_PAYLOAD)
        return -1;
    return udp_send(ip, s->port, port, data, len) < 0 ? -1 : 0;
}

long udp_recvfrom(struct udp_sock *s, void *buf, size_t len, uint32_t *ip, uint16_t *port,
                  unsigned timeout_ms)
{
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    while (!s->count && time_ns() < end)
        tcp_wait_step();
    if (!s->count)
        return 0;
    struct dgram *d = &s->q[s->head];
    s->head = (s->head + 1) % QUEUE;
    s->count--;
    memcpy(buf, d->data, d->len < len ? d->len : len);
    if (ip)
        *ip = d->ip;
    if (port)
        *port = d->port;
    return d->len;
}
