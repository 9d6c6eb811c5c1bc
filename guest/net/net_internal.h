/* Shared inside the network stack: byte order, the checksum, sending an
 * IPv4 packet, the TCP hooks net_poll calls; and net.c's and random.c's
 * state, which the host tests (tests/unit, tests/fuzz/stack) look at and
 * put back as it is at boot. */
#ifndef GUEST_NET_INTERNAL_H
#define GUEST_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net.h"

#define ETH_ARP  0x0806
#define ETH_IPV4 0x0800

static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}
static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* Unguessable numbers (random.c): ports, IDs, the DHCP xid. */
uint32_t net_random32(void);
/* A keyed hash of data under a secret drawn at first use: RFC 6528's F
 * for initial sequence numbers. */
uint32_t net_hash32(const void *data, size_t len);

/* The Internet checksum of p[0..len) added to sum, complemented. */
uint16_t checksum(const uint8_t *p, size_t len, uint32_t sum);

/* frame has room for Ethernet (14) and IPv4 (20) headers before the
 * payload; waits up to arp_wait_ms for the next hop's MAC (0: asks and
 * returns -1 at once when it is not known yet). */
int ip_send_wait(uint32_t dst, uint8_t proto, uint8_t *frame, size_t payload,
                 unsigned arp_wait_ms);
/* The same with NET_TX_CSUM: the TCP checksum field holds the pseudo-
 * header sum, and the NIC fills in that checksum and the IPv4 header's
 * (the caller asks only when netif.tx_offload says the NIC can). */
#define NET_TX_CSUM 1
/* With NET_TX_CSUM: a TCP packet of up to NET_TSO_MAX_PAYLOAD bytes of
 * TCP payload that the NIC cuts into segments of NET_TX_MSS(mss) bytes
 * (netdev.h NETDEV_TX_TSO); only when netif.tx_tso says it can. */
#define NET_TX_TSO  2
#define NET_TX_MSS(mss) ((unsigned)(mss) << 16)
#define NET_TSO_MAX_PAYLOAD (NETDEV_TSO_MAX - 14 - 20 - 20)
int ip_send_opts(uint32_t dst, uint8_t proto, uint8_t *frame, size_t payload,
                 unsigned arp_wait_ms, unsigned flags);
/* Whether the NIC verified this frame's IPv4 and TCP/UDP checksums
 * (and they were right); 0 when software must check them. */
bool net_rx_l4_verified(void);

void tcp_input(uint32_t src, uint32_t dst, const uint8_t *seg, size_t len);
void tcp_after_input(void);

/* ---- net.c's state ---- */

/* An entry without `resolved` is a request of ours waiting for its
 * answer: RFC 826's merge rule takes replies only for entries there are. */
#define ARP_ENTRIES 8
struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    bool resolved;
    uint64_t expires;
};
extern struct arp_entry net_arp_cache[ARP_ENTRIES];

#define UDP_PORTS 8
struct udp_binding { uint16_t port; udp_handler h; };
extern struct udp_binding net_udp_ports[UDP_PORTS];

/* The echo reply icmp_ping waits for, and where the others go. */
struct echo_wait { uint16_t id, seq; bool got; };
extern struct echo_wait net_echo_wait;
extern icmp_reply_handler net_echo_handler;

/* Inside net_tx_begin/end frames are only queued, and the NIC is told
 * (a flush: one doorbell, one VM exit) once at the end, or when it has
 * no room for more. */
extern int net_tx_batch, net_tx_queued;
/* How long a frame waits for the NIC to free room in its ring before it
 * is given up: the NIC sends a ring's worth in far less. */
#define TX_ROOM_WAIT_NS 20000000ull

/* ---- random.c's state: what each draw hashes besides the TSC ---- */
extern uint8_t random_pool[16];
extern uint64_t random_draws;

#endif
