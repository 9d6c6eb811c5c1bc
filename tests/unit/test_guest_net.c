/*
 * The guest's Ethernet/ARP/IPv4/UDP (guest/net/net.c), UDP sockets, DHCP
 * and DNS clients built for the host, over a fake NIC: every frame the
 * guest sends goes to a scripted network (ARP answered for 10.0.2.0/24,
 * a DHCP server, a DNS server, as each test sets them up), and what the
 * network sends back is queued for the guest's next poll. A clock moves
 * a microsecond per look and a millisecond per idle wait. The cases are
 * the spoofing and robustness findings of issue #13 the end-to-end tests
 * through slirp cannot provoke.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "clock.h"
#include "dns.h"
#include "kernel.h"
#include "net.h"
#include "netdev.h"
#include "udp_sock.h"
#include "x86.h"
#include "../../guest/net/dhcp_internal.h"
#include "../../guest/net/net_internal.h"
#include "../fuzz/common/arp.h"

/* tests/shim/x86.h's privileged instructions: an idle wait (sti; hlt)
 * moves the clock instead */
static uint64_t now_ns = 1000000000ull;
void shim_set_if(int on) { }
int shim_get_if(void) { return 1; }
void shim_hlt(void) { now_ns += 1000000; }
uint64_t shim_rdtsc(void) { return __builtin_ia32_rdtsc(); }

#define GUEST_IP IP4(10, 0, 2, 15)
#define ROUTER   IP4(10, 0, 2, 2)
#define DNS_IP   IP4(10, 0, 2, 3)

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t other_mac[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };

/* ---- what the stack needs from the rest of the kernel ----
 * (defined here, so the guest library's heap.c and TCP stay out of the
 * link) */

static long live_allocs;

uint64_t time_ns(void) { return now_ns += 1000; }
void *kmalloc(size_t n) { live_allocs++; return malloc(n); }
void *kzalloc(size_t n) { live_allocs++; return calloc(1, n); }
void kfree(void *p) { if (p) { live_allocs--; free(p); } }
const char *cmdline_get(const char *key) { return NULL; }
void tcp_input(uint32_t src, uint32_t dst, const uint8_t *seg, size_t len) { }
void tcp_after_input(void) { }
void tcp_wait_step(void) { if (!net_poll()) now_ns += 1000000; }

/* ---- the fake NIC (a netdev) and the network behind it ---- */

struct frame { uint8_t b[1514]; size_t len; unsigned flags, verdict; };
static struct frame rxq[64];
static unsigned rx_head, rx_count;
static struct frame txlog[256];
static unsigned ntx, flushes;
static unsigned tx_room = ~0u;          /* frames the fake ring takes before it is full */
static unsigned rx_verdict_next;        /* the verdict the next queued frame gets */
static unsigned pending_asked;

static void (*network)(const uint8_t *f, size_t len);

static void rx(const uint8_t *f, size_t len)
{
    assert_true(rx_count < 64 && len <= 1514);
    struct frame *r = &rxq[(rx_head + rx_count++) % 64];
    memcpy(r->b, f, len);
    r->len = len;
    r->verdict = rx_verdict_next;
}

static bool rx_endless;                 /* the oldest frame comes back for ever */

static size_t fake_receive(struct netdev *dev, void *buf, size_t size, unsigned *verdict)
{
    if (rx_endless) {
        memcpy(buf, rxq[rx_head].b, rxq[rx_head].len);
        *verdict = 0;
        return rxq[rx_head].len;
    }
    if (!rx_count)
        return 0;
    struct frame *r = &rxq[rx_head];
    rx_head = (rx_head + 1) % 64;
    rx_count--;
    memcpy(buf, r->b, r->len < size ? r->len : size);
    *verdict = r->verdict;
    return r->len;
}

static int fake_transmit(struct netdev *dev, const void *frame, size_t len, unsigned flags)
{
    if (!tx_room)
        return -1;
    tx_room--;
    assert_true(ntx < 256);
    memcpy(txlog[ntx].b, frame, len);
    txlog[ntx].flags = flags;
    txlog[ntx++].len = len;
    if (network)
        network(frame, len);
    return 0;
}

static unsigned room_after_flush = ~0u;  /* what a flush frees */
static void fake_flush(struct netdev *dev)
{
    flushes++;
    tx_room = room_after_flush;
}

static bool fake_rx_pending(struct netdev *dev)
{
    pending_asked++;
    return rx_count > 0;
}

static const struct netdev_ops fake_ops = {
    .transmit = fake_transmit, .flush = fake_flush, .receive = fake_receive,
    .rx_pending = fake_rx_pending,
};
static struct netdev fake_nic = { .name = "fake", .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
                                  .ops = &fake_ops };

/* ---- frames for the guest ---- */

static const uint8_t *mac_of(uint32_t ip)
{
    static uint8_t mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0 };
    mac[5] = (uint8_t)ip;
    return mac;
}

static void rx_arp(uint16_t op, const uint8_t *smac, uint32_t sip, uint32_t tip)
{
    static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t f[ARP_FRAME_LEN];
    arp_frame(f, broadcast, op, smac, sip, op == 2 ? guest_mac : NULL, tip);
    rx(f, sizeof f);
}

enum csum { CSUM_RIGHT, CSUM_NONE, CSUM_WRONG };

static void rx_udp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, const void *data,
                   size_t len, enum csum cs)
{
    static uint8_t f[1514];
    assert_true(len <= sizeof f - 42);
    memcpy(f, guest_mac, 6);
    memcpy(f + 6, mac_of(src), 6);
    put16(f + 12, ETH_IPV4);
    uint8_t *ip = f + 14, *u = f + 34;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(28 + len));
    ip[8] = 64;
    ip[9] = 17;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, checksum(ip, 20, 0));
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, data, len);
    uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 +
                      (uint32_t)(8 + len);
    uint16_t c = checksum(u, 8 + len, pseudo);
    if (cs == CSUM_RIGHT)
        put16(u + 6, c ? c : 0xffff);
    else if (cs == CSUM_WRONG)
        put16(u + 6, (uint16_t)(c ^ 0x0100));
    rx(f, 42 + len);
}

/* ---- the network: ARP for the subnet, and a hook for UDP ---- */

static void (*udp_peer)(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *d,
                        size_t len);

static void subnet(const uint8_t *f, size_t len)
{
    uint16_t type = get16(f + 12);
    if (type == ETH_ARP && get16(f + 20) == 1) {
        uint32_t target = get32(f + 38);
        if ((target & 0xffffff00u) == IP4(10, 0, 2, 0) && target != GUEST_IP)
            rx_arp(2, mac_of(target), target, get32(f + 28));
    } else if (type == ETH_IPV4 && f[23] == 17 && udp_peer) {
        const uint8_t *u = f + 34;
        udp_peer(get32(f + 30), get16(u), get16(u + 2), u + 8, get16(u + 4) - 8u);
    }
}

static int setup(void **state)
{
    memset(&netif, 0, sizeof netif);
    memset(net_arp_cache, 0, sizeof net_arp_cache);
    memset(net_udp_ports, 0, sizeof net_udp_ports);
    memcpy(netif.mac, guest_mac, 6);
    netif.ip = GUEST_IP;
    netif.mask = 0xffffff00u;
    netif.router = ROUTER;
    fake_nic.features = 0;
    netif.dev = &fake_nic;
    rx_head = rx_count = ntx = flushes = pending_asked = 0;
    tx_room = room_after_flush = ~0u;
    rx_verdict_next = 0;
    rx_endless = false;
    icmp_on_reply(NULL);
    network = subnet;
    udp_peer = NULL;
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(live_allocs, 0);
    return 0;
}

/* ---- UDP ---- */

static unsigned delivered;
static void count_datagram(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *d,
                           size_t len)
{
    delivered++;
}

/* RFC 768: a datagram whose checksum is wrong is dropped and counted; a
 * checksum of 0 (none computed) passes. */
static void udp_checksum_is_checked(void **state)
{
    assert_int_equal(udp_bind(5000, count_datagram), 0);
    delivered = 0;
    rx_udp(ROUTER, GUEST_IP, 1234, 5000, "hello", 5, CSUM_RIGHT);
    rx_udp(ROUTER, GUEST_IP, 1234, 5000, "hello", 5, CSUM_NONE);
    net_poll();
    assert_int_equal(delivered, 2);
    assert_int_equal(netif.rx_dropped, 0);
    rx_udp(ROUTER, GUEST_IP, 1234, 5000, "hello", 5, CSUM_WRONG);
    net_poll();
    assert_int_equal(delivered, 2);
    assert_int_equal(netif.rx_dropped, 1);
    assert_int_equal(netif.rx_udp_csum_bad, 1);
    udp_unbind(5000);
}

/* ---- the netdev interface ---- */

/* Offload is used where the NIC offers it, and only there. */
static void offload_follows_the_nic_features(void **state)
{
    fake_nic.features = 0;
    net_init(&fake_nic);
    assert_false(netif.tx_offload);
    assert_false(netif.rx_offload);
    assert_memory_equal(netif.mac, fake_nic.mac, 6);
    fake_nic.features = NETDEV_F_TX_CSUM | NETDEV_F_RX_CSUM;
    net_init(&fake_nic);
    assert_true(netif.tx_offload);
    assert_true(netif.rx_offload);
    assert_ptr_equal(netif.dev, &fake_nic);
}

/* A TCP segment whose checksums were left to the NIC: a NIC that
 * offers offload gets the flag and the fields as they are; for one that
 * does not, the stack computes both before handing it over. */
static void tx_checksums_left_to_the_nic_or_done_here(void **state)
{
    static uint8_t f[14 + 20 + 20 + 10];
    uint8_t *t = f + 34;
    memset(f, 0, sizeof f);
    put16(t, 40000);
    put16(t + 2, 7);
    t[12] = 5 << 4;
    t[13] = 0x18;
    memcpy(t + 20, "0123456789", 10);
    uint32_t pseudo = (GUEST_IP >> 16) + (GUEST_IP & 0xffff) + (ROUTER >> 16) +
                      (ROUTER & 0xffff) + 6 + 30;
    while (pseudo >> 16)
        pseudo = (pseudo & 0xffff) + (pseudo >> 16);
    fake_nic.features = NETDEV_F_TX_CSUM;
    put16(t + 16, (uint16_t)pseudo);
    assert_int_equal(ip_send_opts(ROUTER, 6, f, 30, 1000, NET_TX_CSUM), 0);
    struct frame *w = &txlog[ntx - 1];
    assert_int_equal(w->flags, NETDEV_TX_CSUM_TCP);
    assert_int_equal(get16(w->b + 24), 0);                  /* the IPv4 checksum: the NIC's */
    assert_int_equal(get16(w->b + 34 + 16), pseudo);        /* the TCP one: the NIC's */
    assert_int_equal(netif.tx_csum_offloaded, 1);
    fake_nic.features = 0;
    put16(t + 16, (uint16_t)pseudo);
    assert_int_equal(ip_send_opts(ROUTER, 6, f, 30, 1000, NET_TX_CSUM), 0);
    w = &txlog[ntx - 1];
    assert_int_equal(w->flags, 0);
    assert_int_equal(checksum(w->b + 14, 20, 0), 0);        /* a valid IPv4 header */
    uint32_t full = (GUEST_IP >> 16) + (GUEST_IP & 0xffff) + (ROUTER >> 16) +
                    (ROUTER & 0xffff) + 6 + 30;
    assert_int_equal(checksum(w->b + 34, 30, full), 0);     /* a valid TCP segment */
    assert_int_equal(netif.tx_csum_offloaded, 1);
}

/* A full ring: what was queued is flushed and the frame waits for room;
 * a NIC that never makes room costs a bounded wait and an error, and
 * the next frame is not held up by the first. */
static void a_full_ring_flushes_and_waits_for_room(void **state)
{
    uint8_t mac[6];
    assert_int_equal(arp_resolve(ROUTER, mac, 100), 0);
    tx_room = 0;
    room_after_flush = 4;
    unsigned before = ntx, flushed = flushes;
    assert_int_equal(udp_send(ROUTER, 1000, 2000, "x", 1), 0);
    assert_int_equal(ntx, before + 1);
    assert_true(flushes > flushed);
    tx_room = room_after_flush = 0;
    uint64_t t0 = now_ns;
    assert_int_equal(udp_send(ROUTER, 1000, 2000, "y", 1), -1);
    assert_true(now_ns - t0 >= TX_ROOM_WAIT_NS);
    assert_true(now_ns - t0 < 2 * TX_ROOM_WAIT_NS);
    assert_int_equal(ntx, before + 1);
}

/* The NIC's checksum verdict: a header it checked is not summed again
 * (so a wrong one it called right gets through: the NIC is trusted), a
 * header it found bad is dropped; without offload software decides. */
static void rx_checksum_verdict_is_used(void **state)
{
    assert_int_equal(udp_bind(5001, count_datagram), 0);
    delivered = 0;
    netif.rx_offload = true;
    rx_verdict_next = NETDEV_RX_IP_CHECKED;
    rx_udp(ROUTER, GUEST_IP, 1234, 5001, "a", 1, CSUM_RIGHT);
    rxq[(rx_head + rx_count - 1) % 64].b[24] ^= 0x5a;       /* the IPv4 header checksum */
    net_poll();
    assert_int_equal(delivered, 1);
    rx_verdict_next = NETDEV_RX_IP_CHECKED | NETDEV_RX_IP_BAD;
    rx_udp(ROUTER, GUEST_IP, 1234, 5001, "b", 1, CSUM_RIGHT);
    net_poll();
    assert_int_equal(delivered, 1);
    assert_int_equal(netif.rx_csum_bad, 1);
    rx_verdict_next = NETDEV_RX_UNCHECKED;
    rx_udp(ROUTER, GUEST_IP, 1234, 5001, "c", 1, CSUM_RIGHT);
    net_poll();
    assert_int_equal(delivered, 2);
    assert_int_equal(netif.rx_csum_ignored, 1);
    netif.rx_offload = false;
    rx_verdict_next = NETDEV_RX_IP_CHECKED;
    rx_udp(ROUTER, GUEST_IP, 1234, 5001, "d", 1, CSUM_RIGHT);
    rxq[(rx_head + rx_count - 1) % 64].b[24] ^= 0x5a;
    net_poll();
    assert_int_equal(delivered, 2);
    udp_unbind(5001);
}

static unsigned replies_seen;
static uint16_t reply_id, reply_seq;
static void on_echo_reply(uint32_t src, uint16_t id, uint16_t seq, size_t len)
{
    replies_seen++;
    reply_id = id;
    reply_seq = seq;
    assert_int_equal(src, ROUTER);
    assert_int_equal(len, 32);
}

/* Echo requests go out as asked; every reply reaches the handler. */
static void echo_replies_reach_the_handler(void **state)
{
    network = NULL;
    uint8_t mac[6];
    assert_int_equal(arp_resolve(ROUTER, mac, 0), -1);     /* asked: a reply merges */
    rx_arp(2, mac_of(ROUTER), ROUTER, GUEST_IP);
    net_poll();
    assert_int_equal(arp_resolve(ROUTER, mac, 0), 0);
    icmp_on_reply(on_echo_reply);
    replies_seen = 0;
    assert_int_equal(icmp_echo_send(ROUTER, 0x1234, 7, 32), 0);
    struct frame *w = &txlog[ntx - 1];
    assert_int_equal(w->b[23], 1);                          /* ICMP */
    assert_int_equal(w->b[34], 8);                          /* echo request */
    assert_int_equal(get16(w->b + 38), 0x1234);
    assert_int_equal(get16(w->b + 40), 7);
    assert_int_equal(checksum(w->b + 34, 40, 0), 0);
    uint8_t r[74];
    memcpy(r, w->b, sizeof r);
    memcpy(r, guest_mac, 6);
    memcpy(r + 6, mac_of(ROUTER), 6);
    put32(r + 26, ROUTER);
    put32(r + 30, GUEST_IP);
    put16(r + 24, 0);
    put16(r + 24, checksum(r + 14, 20, 0));
    r[34] = 0;                                              /* echo reply */
    put16(r + 36, 0);
    put16(r + 36, checksum(r + 34, 40, 0));
    rx(r, sizeof r);
    net_poll();
    assert_int_equal(replies_seen, 1);
    assert_int_equal(reply_id, 0x1234);
    assert_int_equal(reply_seq, 7);
    icmp_on_reply(NULL);
    rx(r, sizeof r);
    net_poll();
    assert_int_equal(replies_seen, 1);
}

/* A NIC that never runs dry (a driver leaving DD set hands out old
 * frames for ever) costs a poll a bounded number of frames, so callers
 * still reach their deadlines. */
static void poll_takes_a_bounded_batch(void **state)
{
    rx_arp(2, other_mac, IP4(10, 0, 2, 50), IP4(10, 0, 2, 99));
    rx_endless = true;
    assert_int_equal(net_poll(), 64);
    assert_int_equal(net_poll(), 64);
    rx_endless = false;
    assert_int_equal(net_poll(), 1);
    assert_int_equal(net_poll(), 0);
}

/* net_idle sleeps only when the NIC says nothing waits. */
static void idle_asks_the_nic_first(void **state)
{
    uint64_t t0 = now_ns;
    net_idle();
    assert_int_equal(pending_asked, 1);
    assert_int_equal(now_ns - t0, 1000000);                 /* slept (sti; hlt) */
    rx_arp(2, other_mac, IP4(10, 0, 2, 50), IP4(10, 0, 2, 99));
    t0 = now_ns;
    net_idle();
    assert_int_equal(pending_asked, 2);
    assert_int_equal(now_ns, t0);                           /* did not */
    net_poll();
}

/* ---- ARP ---- */

static bool cached(uint32_t ip, uint8_t mac[6])
{
    network = NULL;                         /* nobody answers: only the cache */
    unsigned before = ntx;
    int r = arp_resolve(ip, mac, 0);
    network = subnet;
    assert_int_equal(ntx, before + (r < 0));    /* asked only when not known */
    return r == 0;
}

/* RFC 826's merge rule: an entry is made only from a packet for us (or
 * a reply to our own request); anyone else's packets update entries we
 * have, and make none. Nothing is learned for a sender that no host can
 * be, or with a multicast MAC. */
static void arp_learns_only_what_concerns_us(void **state)
{
    uint8_t mac[6];
    rx_arp(2, other_mac, IP4(10, 0, 2, 50), IP4(10, 0, 2, 99));   /* a reply to someone else */
    rx_arp(1, other_mac, IP4(10, 0, 2, 51), IP4(10, 0, 2, 99));   /* a request for someone else */
    rx_arp(2, other_mac, IP4(10, 0, 2, 52), IP4(10, 0, 2, 52));   /* gratuitous */
    net_poll();
    assert_false(cached(IP4(10, 0, 2, 50), mac));
    assert_false(cached(IP4(10, 0, 2, 51), mac));
    assert_false(cached(IP4(10, 0, 2, 52), mac));
    /* a request for us: the asker is learned, and answered */
    unsigned before = ntx;
    rx_arp(1, mac_of(IP4(10, 0, 2, 60)), IP4(10, 0, 2, 60), GUEST_IP);
    net_poll();
    assert_int_equal(ntx, before + 1);
    assert_int_equal(get16(txlog[before].b + 20), 2);
    assert_true(cached(IP4(10, 0, 2, 60), mac));
    assert_memory_equal(mac, mac_of(IP4(10, 0, 2, 60)), 6);
    /* the answer to our own request */
    assert_int_equal(arp_resolve(IP4(10, 0, 2, 61), mac, 100), 0);
    assert_memory_equal(mac, mac_of(IP4(10, 0, 2, 61)), 6);
    /* an entry we have is updated by whatever its owner sends */
    rx_arp(1, other_mac, IP4(10, 0, 2, 61), IP4(10, 0, 2, 99));
    net_poll();
    assert_true(cached(IP4(10, 0, 2, 61), mac));
    assert_memory_equal(mac, other_mac, 6);
    /* senders nobody can be: 0.0.0.0 (a probe), multicast, our own
     * address; a multicast MAC */
    static const uint8_t mcast_mac[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
    rx_arp(1, other_mac, 0, GUEST_IP);
    rx_arp(1, other_mac, IP4(224, 0, 0, 1), GUEST_IP);
    rx_arp(1, other_mac, GUEST_IP, GUEST_IP);
    rx_arp(1, mcast_mac, IP4(10, 0, 2, 70), GUEST_IP);
    before = ntx;
    net_poll();
    assert_int_equal(ntx, before);                          /* none answered */
    assert_false(cached(IP4(224, 0, 0, 1), mac));
    assert_false(cached(IP4(10, 0, 2, 70), mac));
}

/* ---- DHCP ---- */

/* What the DHCP server (or a spoofer) answers: a message per DISCOVER or
 * REQUEST, in order, each from `server_id` unless it says otherwise. */
struct dhcp_reply {
    int type;                       /* 0: the end of the list */
    uint32_t yiaddr, server_id;
    bool other_chaddr;              /* for another client's MAC */
};
static const struct dhcp_reply *on_discover, *on_request;

static void rx_dhcp(const struct dhcp_reply *r, uint32_t xid)
{
    uint8_t m[300] = { 0 };
    m[0] = 2;                                   /* BOOTREPLY */
    m[1] = 1;
    m[2] = 6;
    put32(m + 4, xid);
    put32(m + 16, r->yiaddr);
    memcpy(m + 28, r->other_chaddr ? other_mac : guest_mac, 6);
    put32(m + 236, MAGIC);
    uint8_t *o = m + 240;
    *o++ = 53; *o++ = 1; *o++ = (uint8_t)r->type;
    if (r->server_id) {
        *o++ = 54; *o++ = 4; put32(o, r->server_id); o += 4;
    }
    *o++ = 1; *o++ = 4; put32(o, 0xffffff00u); o += 4;
    *o++ = 3; *o++ = 4; put32(o, ROUTER); o += 4;
    *o++ = 6; *o++ = 4; put32(o, DNS_IP); o += 4;
    *o++ = 51; *o++ = 4; put32(o, 86400); o += 4;
    *o = 255;
    rx_udp(r->server_id ? r->server_id : ROUTER, 0xffffffffu, 67, 68, m, sizeof m, CSUM_RIGHT);
}

static void dhcp_server(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *d,
                        size_t len)
{
    if (dport != 67 || len < 243 || d[240] != 53)
        return;
    const struct dhcp_reply *r = d[242] == DISCOVER ? on_discover : on_request;
    for (; r && r->type; r++)
        rx_dhcp(r, get32(d + 4));
}

static int lease(const struct dhcp_reply *discover, const struct dhcp_reply *request)
{
    on_discover = discover;
    on_request = request;
    udp_peer = dhcp_server;
    netif.ip = netif.router = netif.dns = 0;
    return dhcp_lease(3000);
}

static void dhcp_lease_taken(void **state)
{
    static const struct dhcp_reply offer[] = { { OFFER, GUEST_IP, ROUTER, false }, { 0 } };
    static const struct dhcp_reply ack[] = { { ACK, GUEST_IP, ROUTER, false }, { 0 } };
    assert_int_equal(lease(offer, ack), 0);
    assert_int_equal(netif.ip, GUEST_IP);
    assert_int_equal(netif.router, ROUTER);
    assert_int_equal(netif.dns, DNS_IP);
    assert_int_equal(netif.lease_s, 86400);
}

/* yiaddr 0.0.0.0 is no lease (nor a broadcast or multicast address). */
static void dhcp_refuses_unusable_addresses(void **state)
{
    static const struct dhcp_reply zero[] = { { OFFER, 0, ROUTER, false }, { 0 } };
    static const struct dhcp_reply ack[] = { { ACK, GUEST_IP, ROUTER, false }, { 0 } };
    static const struct dhcp_reply ack_zero[] = { { ACK, 0, ROUTER, false }, { 0 } };
    static const struct dhcp_reply offer[] = { { OFFER, GUEST_IP, ROUTER, false }, { 0 } };
    static const struct dhcp_reply bcast[] = { { OFFER, 0xffffffffu, ROUTER, false }, { 0 } };
    assert_int_equal(lease(zero, ack), -1);
    assert_int_equal(netif.ip, 0);
    assert_int_equal(lease(offer, ack_zero), -1);
    assert_int_equal(netif.ip, 0);
    assert_int_equal(lease(bcast, ack), -1);
    assert_int_equal(netif.ip, 0);
}

/* RFC 2131 4.1: replies for another client's MAC (same xid) are not
 * ours; 4.4.1: only the server whose OFFER we took may ACK or NAK. */
static void dhcp_ignores_spoofed_replies(void **state)
{
    static const struct dhcp_reply offers[] = {
        { OFFER, IP4(10, 0, 2, 66), IP4(10, 0, 2, 99), true },      /* for another MAC */
        { OFFER, GUEST_IP, ROUTER, false },
        { 0 },
    };
    static const struct dhcp_reply acks[] = {
        { NAK, 0, IP4(10, 0, 2, 99), false },               /* from another server */
        { ACK, IP4(10, 0, 2, 66), IP4(10, 0, 2, 99), false }, /* likewise */
        { ACK, GUEST_IP, ROUTER, false },
        { 0 },
    };
    assert_int_equal(lease(offers, acks), 0);
    assert_int_equal(netif.ip, GUEST_IP);
    /* an OFFER that does not say which server made it (RFC 2131 table 3:
     * it MUST) is not taken either */
    static const struct dhcp_reply anonymous[] = { { OFFER, GUEST_IP, 0, false }, { 0 } };
    static const struct dhcp_reply ack[] = { { ACK, GUEST_IP, 0, false }, { 0 } };
    assert_int_equal(lease(anonymous, ack), -1);
}

/* ---- DNS ---- */

/* The DNS server's answer records, raw, after the question it echoes. */
static const uint8_t *dns_records;
static size_t dns_records_len;
static uint16_t dns_ancount;
static uint16_t dns_ids[32], dns_ports[32];
static uint64_t dns_times[32];
static unsigned dns_queries;

static void dns_server(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *q,
                       size_t len)
{
    if (dst != DNS_IP || dport != 53 || len < 12)
        return;
    if (dns_queries < 32) {
        dns_ids[dns_queries] = get16(q);
        dns_ports[dns_queries] = sport;
        dns_times[dns_queries] = now_ns;
    }
    dns_queries++;
    static uint8_t r[512];
    memcpy(r, q, len);
    r[2] = 0x81;                            /* a response, RD */
    r[3] = 0x80;                            /* RA, no error */
    put16(r + 6, dns_ancount);
    memcpy(r + len, dns_records, dns_records_len);
    rx_udp(DNS_IP, GUEST_IP, 53, sport, r, len + dns_records_len, CSUM_RIGHT);
}

static int resolve(const char *name, const void *records, size_t len, uint16_t ancount,
                   uint32_t *addr)
{
    dns_records = records;
    dns_records_len = len;
    dns_ancount = ancount;
    udp_peer = dns_server;
    return dns_resolve(DNS_IP, 53, name, addr, 200, 1);
}

#define RR_A(a, b, c, d) 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, a, b, c, d

/* An A record whose owner is not the name asked for is no answer (RFC
 * 5452 9.1); the owner compares without regard to case. */
static void dns_answer_must_be_for_the_name(void **state)
{
    static const uint8_t evil[] = { 4, 'e', 'v', 'i', 'l', 4, 't', 'e', 's', 't', 0,
                                    RR_A(6, 6, 6, 6) };
    uint32_t addr = 0;
    assert_int_equal(resolve("pcemu.test", evil, sizeof evil, 1, &addr), DNS_ENODATA);
    static const uint8_t upper[] = { 5, 'P', 'C', 'E', 'M', 'U', 4, 'T', 'e', 's', 't', 0,
                                     RR_A(10, 0, 2, 77) };
    assert_int_equal(resolve("pcemu.test", upper, sizeof upper, 1, &addr), 0);
    assert_int_equal(addr, IP4(10, 0, 2, 77));
    static const uint8_t pointer[] = { 0xc0, 12, RR_A(10, 0, 2, 78) };
    assert_int_equal(resolve("pcemu.test", pointer, sizeof pointer, 1, &addr), 0);
    assert_int_equal(addr, IP4(10, 0, 2, 78));
}

/* A CNAME chain from the name asked for to the one with the address
 * (RFC 1034 3.6.2); an A record for another name on the way is skipped. */
static void dns_follows_cnames(void **state)
{
    /* www.test (the question's, at 12) CNAME host.test (at 38: after
     * the question's 14 bytes and the record's 12); other.test A 6.6.6.6;
     * host.test A 10.0.2.79 */
    static const uint8_t chain[] = {
        0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 7, 4, 'h', 'o', 's', 't', 0xc0, 16,
        5, 'o', 't', 'h', 'e', 'r', 0xc0, 16, RR_A(6, 6, 6, 6),
        0xc0, 38, RR_A(10, 0, 2, 79),
    };
    uint32_t addr = 0;
    assert_int_equal(resolve("www.test", chain, sizeof chain, 3, &addr), 0);
    assert_int_equal(addr, IP4(10, 0, 2, 79));
    /* a chain that loops ends, with no address */
    static const uint8_t loop[] = {
        0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 7, 4, 'h', 'o', 's', 't', 0xc0, 16,
        0xc0, 38, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12,
    };
    assert_int_equal(resolve("www.test", loop, sizeof loop, 2, &addr), DNS_ENODATA);
}

/* RFC 5452 9.2, RFC 6056: an off-path attacker who saw one query and
 * knows the clock must not know the next one's ID (the old scheme was
 * id = id * 31 + (time >> 8)), nor its source port (they ran in
 * sequence). */
static void dns_ids_and_ports_are_not_predictable(void **state)
{
    static const uint8_t pointer[] = { 0xc0, 12, RR_A(10, 0, 2, 78) };
    uint32_t addr;
    dns_queries = 0;
    for (int i = 0; i < 16; i++)
        assert_int_equal(resolve("pcemu.test", pointer, sizeof pointer, 1, &addr), 0);
    assert_int_equal(dns_queries, 16);
    unsigned id_guessed = 0, port_next = 0;
    for (unsigned i = 1; i < 16; i++) {
        /* the attacker tries each microsecond of the 100 before the send */
        for (uint64_t t = dns_times[i] - 100000; t <= dns_times[i]; t += 1000)
            if ((uint16_t)(dns_ids[i - 1] * 31 + (t >> 8)) == dns_ids[i]) {
                id_guessed++;
                break;
            }
        port_next += dns_ports[i] == (uint16_t)(dns_ports[i - 1] + 1);
    }
    assert_true(id_guessed < 4);
    assert_true(port_next < 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(offload_follows_the_nic_features), T(tx_checksums_left_to_the_nic_or_done_here),
        T(a_full_ring_flushes_and_waits_for_room), T(rx_checksum_verdict_is_used),
        T(echo_replies_reach_the_handler), T(poll_takes_a_bounded_batch),
        T(idle_asks_the_nic_first),
        T(udp_checksum_is_checked), T(arp_learns_only_what_concerns_us), T(dhcp_lease_taken),
        T(dhcp_refuses_unusable_addresses), T(dhcp_ignores_spoofed_replies),
        T(dns_answer_must_be_for_the_name), T(dns_follows_cnames),
        T(dns_ids_and_ports_are_not_predictable),
    };
    return cmocka_run_group_tests_name("guest_net", tests, NULL, NULL);
}
