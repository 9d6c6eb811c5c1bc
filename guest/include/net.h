/*
 * The guest's network stack, smallest first: Ethernet, ARP (a cache with
 * timeouts, filled as RFC 826's merge rule says: from packets for us and
 * answers to our requests), IPv4 (header checksum; fragments refused),
 * ICMP echo, UDP with port handlers (checksums checked), and a DHCP
 * client. Polled: net_poll() takes what the NIC received and dispatches
 * it. The NIC is a struct netdev (netdev.h): the stack knows nothing
 * else of it.
 */
#ifndef GUEST_NET_H
#define GUEST_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "netdev.h"

struct net_if {
    struct netdev *dev;
    uint8_t mac[6];
    uint32_t ip, mask, router, dns;     /* host byte order; 0 until known */
    uint32_t lease_s;
    unsigned long rx_frames, tx_frames, rx_dropped;
    unsigned long rx_udp_csum_bad;      /* UDP datagrams dropped for their checksum */
    unsigned long rx_udp_no_port;       /* UDP datagrams for a port nobody bound */
    unsigned long tx_refused;           /* frames the NIC can never send (too long) */
    /* Checksum offload, where the NIC offers it (its features) and
     * net.offload=0 on the command line does not turn it off: TCP
     * segments leave with the NIC computing their checksums, and received
     * IPv4 and TCP checksums the NIC verified are not summed again. The
     * counters show which path ran. */
    bool tx_offload, rx_offload;
    /* TCP segmentation offload (NETDEV_F_TSO, with tx_offload, and not
     * turned off by net.tso=0 at the driver): TCP hands the NIC up to
     * 64 KiB at once and the NIC cuts it into MSS-sized segments */
    bool tx_tso;
    unsigned long tx_csum_offloaded, rx_csum_verified, rx_csum_bad;
    unsigned long rx_csum_ignored;      /* frames the NIC said it did not check */
    unsigned rx_verdict;                /* NETDEV_RX_* of the frame being handled */
    size_t rx_len;                      /* and its length, as the NIC gave it */
};
extern struct net_if netif;
/* Whether TCP may hand the NIC segments to cut: TSO rides on checksum
 * offload, which can be turned off after init (tcp_checksum_paths). */
static inline bool net_tso_on(void) { return netif.tx_offload && netif.tx_tso; }

/* The stack on dev (forgetting any address it had). */
int net_init(struct netdev *dev);
/* Handle what has arrived, up to 64 frames; returns how many. */
int net_poll(void);
/* Sleep until something may have arrived (an interrupt). */
void net_idle(void);

/* ARP: the MAC for ip, asking and waiting up to timeout_ms; 0 on success. */
int arp_resolve(uint32_t ip, uint8_t mac[6], unsigned timeout_ms);

/* ICMP echo to ip; returns the round-trip time in µs, or -1. */
long icmp_ping(uint32_t ip, uint16_t seq, unsigned timeout_ms);
/* One echo request with id and seq and len bytes of data (at most
 * 1472), queued like any frame (net_tx_begin/end batch them); 0 or -1.
 * Each echo reply that arrives goes to the handler set here (NULL: none). */
int icmp_echo_send(uint32_t ip, uint16_t id, uint16_t seq, size_t len);
typedef void (*icmp_reply_handler)(uint32_t src, uint16_t id, uint16_t seq, size_t len);
void icmp_on_reply(icmp_reply_handler h);

/* Frames sent between these two are handed to the NIC together (one
 * flush); they nest. */
void net_tx_begin(void);
void net_tx_end(void);

/* UDP */
typedef void (*udp_handler)(uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
                            const uint8_t *data, size_t len);
int udp_bind(uint16_t port, udp_handler h);
void udp_unbind(uint16_t port);
int udp_send(uint32_t dst_ip, uint16_t src_port, uint16_t dst_port, const void *data,
             size_t len);

/* DHCP: DISCOVER/OFFER/REQUEST/ACK with retransmission; fills netif.
 * Takes only replies for our MAC, an ACK only from the server whose
 * OFFER it took, and only a host address. */
int dhcp_lease(unsigned timeout_ms);

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#endif
