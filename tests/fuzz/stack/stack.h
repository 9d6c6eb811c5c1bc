/* Shared by the stack target's files: the network the guest sits in,
 * its clock and heap, the fake NIC, the wire, the TCP peer. */
#ifndef TESTS_FUZZ_STACK_H
#define TESTS_FUZZ_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "input.h"
#include "net.h"
#include "netdev.h"
#include "tcp.h"

#define GUEST_IP    IP4(10, 0, 2, 15)
#define PEER_IP     IP4(10, 0, 2, 2)    /* the router, and the TCP peer */
#define DNS_IP      IP4(10, 0, 2, 3)
#define STRANGER_IP IP4(10, 0, 2, 99)
#define SILENT_IP   IP4(10, 0, 2, 66)   /* answers no ARP */
#define PEER_PORT   7
#define LISTEN_PORT 8080
#define UDP_PORT    5000

extern const uint8_t guest_mac[6];
const uint8_t *mac_of(uint32_t ip);

/* kernel.c: the clock (a microsecond per look, a millisecond per idle
 * wait) and the heap, counted */
extern uint64_t now_ns;
extern long live_allocs;
void kernel_reset(void);

/* net_unit.c, random_unit.c: the guest's own state, back to boot */
void fuzz_net_reset(void);
void fuzz_random_reset(void);

/* frames.c: building frames for the guest, checking the guest's */
size_t ipv4_frame(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6], uint32_t src,
                  uint32_t dst, uint8_t proto, const uint8_t *l4, size_t l4len, bool l4_sum);
void check_guest_frame(uint8_t *f, size_t len, unsigned flags);

/* nic.c: the netdev the stack drives */
extern struct netdev fake_nic;
void nic_reset(unsigned features, bool tight);
bool nic_rx(const uint8_t *f, size_t len);      /* false when its ring is full */
void nic_lose(unsigned frames);
unsigned nic_lost(void);                        /* frames lost so far */

/* network.c: what answers the guest's frames */
void network_reset(void);
void network_sent(const uint8_t *f, size_t len);
void network_from_guest(const uint8_t *f, size_t len);
extern unsigned arp_replies_to[4];              /* ARP replies the guest sent, by sender */

/* wire.c: frames on their way to the guest, delivered as the input says */
void wire_reset(void);
bool wire_put(const uint8_t *f, size_t len);
void wire_op(struct input *in);
unsigned wire_count(void);

/* peer.c: the TCP peer and what it knows of the connection */
struct peer {
    bool on;                    /* a connection the peer checks */
    bool passive;
    uint16_t port, gport;       /* the peer's and the guest's */
    uint32_t p_isn, g_isn;      /* initial sequence numbers */
    bool have_g_isn;
    uint16_t mss_opt, wnd;
    uint8_t ws_opt;             /* the window-scale option's shift + 1, or 0 */
    bool scaling;               /* both SYNs had it (RFC 7323 2.2) */
    unsigned syn_mode, syns_seen;
    /* peer to guest: stream byte i is pbyte(i) */
    uint32_t sent_max;          /* one past the highest byte put on the wire */
    uint32_t deliv_contig;      /* bytes [0, this) all reached the guest's NIC */
    bool fin_set, fin_delivered;
    uint32_t fin_off;
    bool rst_delivered;
    bool late_syn;              /* a SYN delivered after the handshake */
    uint32_t right_edge;        /* the highest ACK plus the widest window the guest
                                   was shown: RFC 9293's SND.WL1/WL2 rule may pair a
                                   newer ACK with an older segment's window */
    uint32_t edge_ack, edge_wnd;
    /* guest to peer */
    uint32_t rcv_contig;        /* the peer holds the guest's bytes [0, this) */
    bool guest_fin;
    uint32_t guest_fin_off;
    uint32_t ack_max;           /* the highest ack the guest sent, as an offset */
    bool acked;
    bool guest_reset;
    uint32_t g_sent_max;        /* one past the highest byte the guest sent */
    /* the application */
    uint32_t app_written, app_read;
    uint32_t app_offering;      /* bytes tcp_write is being given right now */
    bool app_shutdown, app_eof;
};
extern struct peer P;

uint8_t pbyte(uint32_t off);
uint8_t gbyte(uint32_t off);
void peer_reset(void);
void peer_from_guest(const uint8_t *ip, const uint8_t *t, size_t len);
void peer_delivered(const uint8_t *f, size_t len);
void peer_send(uint32_t off, uint32_t len, uint8_t flags, uint16_t wnd, bool direct);
void peer_ack(uint16_t wnd);
void peer_rst(uint8_t where, uint32_t delta);
void peer_syn(void);
void peer_open(void);
void peer_fin(uint32_t extra);
uint32_t peer_mss(void);

/* fuzz_stack.c: whether the application's connection is gone (closed by
 * it, or CLOSED after a reset or timeout) */
bool app_conn_closed(void);

/* servers.c: DHCP and DNS exchanges run to the end, checked */
void op_dhcp(struct input *in);
void op_dns(struct input *in);

#define SYN 0x02
#define FIN 0x01
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#endif
