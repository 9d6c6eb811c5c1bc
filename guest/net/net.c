/* Ethernet, ARP, IPv4, ICMP and UDP for the guest: enough to talk to a
 * gateway, polled, through the NIC's netdev (netdev.h). */
#include "clock.h"
#include "kernel.h"
#include "net.h"
#include "net_internal.h"
#include "netdev.h"
#include "x86.h"

struct net_if netif;

#define ARP_TTL_NS (60ull * 1000000000ull)
#define ARP_ASK_NS (2ull * 1000000000ull)  /* how long an unanswered request's entry waits */

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* net_internal.h says what each is */
struct arp_entry net_arp_cache[ARP_ENTRIES];
struct udp_binding net_udp_ports[UDP_PORTS];
struct echo_wait net_echo_wait;
icmp_reply_handler net_echo_handler;

uint16_t checksum(const uint8_t *p, size_t len, uint32_t sum)
{
    for (; len > 1; len -= 2, p += 2)
        sum += get16(p);
    if (len)
        sum += (uint32_t)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int net_tx_batch, net_tx_queued;   /* batching: net_internal.h */

void net_tx_begin(void)
{
    net_tx_batch++;
}

void net_tx_end(void)
{
    if (--net_tx_batch == 0 && net_tx_queued) {
        netdev_flush(netif.dev);
        net_tx_queued = 0;
    }
}

/* A TCP segment whose checksums were left to the NIC, for a NIC that
 * cannot: the TCP field holds the folded pseudo-header sum, so summing
 * the segment with it in place gives the checksum. */
static void tx_csum_in_software(uint8_t *frame, size_t len)
{
    uint8_t *ip = frame + 14, *l4 = ip + 20;
    put16(l4 + 16, checksum(l4, len - 34, 0));
    put16(ip + 10, checksum(ip, 20, 0));
}

static int queue(uint8_t *frame, size_t len, unsigned flags)
{
    unsigned nic_flags = 0;
    if (flags & NET_TX_TSO) {
        nic_flags = NETDEV_TX_TSO | NETDEV_TX_MSS(flags >> 16);
    } else if (flags & NET_TX_CSUM) {
        if (netif.dev->features & NETDEV_F_TX_CSUM)
            nic_flags = NETDEV_TX_CSUM_TCP;
        else
            tx_csum_in_software(frame, len);
    }
    int r = netdev_transmit(netif.dev, frame, len, nic_flags);
    if (r == NETDEV_TX_REFUSED) {
        netif.tx_refused++;
        return -1;                              /* never fits this NIC: no use waiting */
    }
    if (r < 0) {
        /* the ring is full: what is queued goes out, and frees room */
        netdev_flush(netif.dev);
        net_tx_queued = 0;
        uint64_t end = time_ns() + TX_ROOM_WAIT_NS;
        while (netdev_transmit(netif.dev, frame, len, nic_flags) < 0)
            if (time_ns() >= end)
                return -1;
    }
    if (nic_flags)
        netif.tx_csum_offloaded++;
    return 0;
}

static int eth_send_opts(const uint8_t dst[6], uint16_t type, uint8_t *frame, size_t payload,
                         unsigned flags)
{
    memcpy(frame, dst, 6);
    memcpy(frame + 6, netif.mac, 6);
    put16(frame + 12, type);
    if (queue(frame, 14 + payload, flags) < 0)
        return -1;
    if (net_tx_batch)
        net_tx_queued++;
    else
        netdev_flush(netif.dev);
    netif.tx_frames++;
    return 0;
}

static int eth_send(const uint8_t dst[6], uint16_t type, uint8_t *frame, size_t payload)
{
    return eth_send_opts(dst, type, frame, payload, 0);
}

/* ip's entry, or -1 */
static int arp_find(uint32_t ip)
{
    for (int i = 0; i < ARP_ENTRIES; i++)
        if (net_arp_cache[i].ip == ip && (net_arp_cache[i].resolved || net_arp_cache[i].expires))
            return i;
    return -1;
}

/* A new entry for ip, in place of the one that expires first (or an
 * empty one). */
static int arp_new(uint32_t ip)
{
    int slot = 0;
    for (int i = 1; i < ARP_ENTRIES; i++)
        if (net_arp_cache[i].expires < net_arp_cache[slot].expires)
            slot = i;
    memset(&net_arp_cache[slot], 0, sizeof net_arp_cache[slot]);
    net_arp_cache[slot].ip = ip;
    return slot;
}

static void arp_set(int slot, const uint8_t *mac)
{
    memcpy(net_arp_cache[slot].mac, mac, 6);
    net_arp_cache[slot].resolved = true;
    net_arp_cache[slot].expires = time_ns() + ARP_TTL_NS;
}

/* We are about to ask for ip: an entry for the answer to merge into. */
static void arp_expect(uint32_t ip)
{
    if (arp_find(ip) < 0)
        net_arp_cache[arp_new(ip)].expires = time_ns() + ARP_ASK_NS;
}

static int arp_send(uint16_t op, const uint8_t *dst_mac, uint32_t target_ip)
{
    uint8_t f[60] = { 0 };
    uint8_t *a = f + 14;
    put16(a, 1);                        /* Ethernet */
    put16(a + 2, ETH_IPV4);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, netif.mac, 6);
    put32(a + 14, netif.ip);
    memcpy(a + 18, op == 2 ? dst_mac : (const uint8_t *)"\0\0\0\0\0\0", 6);
    put32(a + 24, target_ip);
    return eth_send(dst_mac, ETH_ARP, f, 46);
}

/* A sender address a host can have, with a unicast MAC, not ours. */
static bool arp_sender_ok(uint32_t ip, const uint8_t *mac)
{
    uint32_t top = ip >> 24;
    return top != 0 && top != 127 && top < 224 && ip != netif.ip && !(mac[0] & 1);
}

/* RFC 826's packet reception: the sender's entry is updated when there
 * is one (ours, or one we asked for), and made only when the packet is
 * for us; anyone else's chatter changes nothing. */
static void arp_input(const uint8_t *a, size_t len)
{
    if (len < 28 || get16(a) != 1 || get16(a + 2) != ETH_IPV4 || a[4] != 6 || a[5] != 4)
        return;
    uint32_t sender = get32(a + 14), target = get32(a + 24);
    if (!arp_sender_ok(sender, a + 8))
        return;
    bool for_us = netif.ip && target == netif.ip;
    int slot = arp_find(sender);
    if (slot < 0 && for_us)
        slot = arp_new(sender);
    if (slot >= 0)
        arp_set(slot, a + 8);
    if (get16(a + 6) == 1 && for_us)
        arp_send(2, a + 8, sender);
}

int arp_resolve(uint32_t ip, uint8_t mac[6], unsigned timeout_ms)
{
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000, next_ask = 0;
    for (;;) {
        uint64_t now = time_ns();
        int slot = arp_find(ip);
        if (slot >= 0 && net_arp_cache[slot].resolved && net_arp_cache[slot].expires > now) {
            memcpy(mac, net_arp_cache[slot].mac, 6);
            return 0;
        }
        if (now >= next_ask) {
            arp_expect(ip);
            arp_send(1, broadcast, ip);
            next_ask = now + 200000000;         /* ask again every 200 ms */
        }
        if (now >= end)
            return -1;      /* (timeout 0: asked once, no wait) */
        if (!net_poll())
            net_idle();
    }
}

int ip_send_wait(uint32_t dst, uint8_t proto, uint8_t *frame, size_t payload,
                 unsigned arp_wait_ms)
{
    return ip_send_opts(dst, proto, frame, payload, arp_wait_ms, 0);
}

int ip_send_opts(uint32_t dst, uint8_t proto, uint8_t *frame, size_t payload,
                 unsigned arp_wait_ms, unsigned flags)
{
    static uint16_t ident;
    uint8_t *ip = frame + 14;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(20 + payload));
    put16(ip + 4, ++ident);
    put16(ip + 6, 0x4000);                      /* don't fragment */
    ip[8] = 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, netif.ip);
    put32(ip + 16, dst);
    if (!(flags & NET_TX_CSUM))
        put16(ip + 10, checksum(ip, 20, 0));  /* (else the NIC fills it in) */
    uint8_t mac[6];
    if (dst == 0xffffffffu) {
        memcpy(mac, broadcast, 6);
    } else {
        uint32_t hop = netif.mask && (dst & netif.mask) != (netif.ip & netif.mask)
                           ? netif.router : dst;
        if (arp_resolve(hop, mac, arp_wait_ms) < 0)
            return -1;
    }
    return eth_send_opts(mac, ETH_IPV4, frame, 20 + payload, flags);
}

static int ip_send(uint32_t dst, uint8_t proto, uint8_t *frame, size_t payload)
{
    return ip_send_wait(dst, proto, frame, payload, 1000);
}

int udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
    static uint8_t f[1514];
    if (len > sizeof f - 42)
        return -1;
    uint8_t *u = f + 34;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, data, len);
    uint32_t pseudo = (netif.ip >> 16) + (netif.ip & 0xffff) + (dst >> 16) + (dst & 0xffff) +
                      17 + (uint32_t)(8 + len);
    uint16_t c = checksum(u, 8 + len, pseudo);
    put16(u + 6, c ? c : 0xffff);
    return ip_send(dst, 17, f, 8 + len);
}

int udp_bind(uint16_t port, udp_handler h)
{
    for (int i = 0; i < UDP_PORTS; i++) {
        if (!net_udp_ports[i].h) {
            net_udp_ports[i].port = port;
            net_udp_ports[i].h = h;
            return 0;
        }
    }
    return -1;
}

void udp_unbind(uint16_t port)
{
    for (int i = 0; i < UDP_PORTS; i++)
        if (net_udp_ports[i].port == port)
            net_udp_ports[i].h = 0;
}

/* RFC 768: a checksum of 0 means the sender computed none; any other
 * must come out right, or the datagram was damaged (or carelessly
 * forged) on the way. */
static bool udp_checksum_ok(uint32_t src, uint32_t dst, const uint8_t *u, size_t ulen)
{
    if (!get16(u + 6))
        return true;
    uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 +
                      (uint32_t)ulen;
    return checksum(u, ulen, pseudo) == 0;
}

static void udp_input(uint32_t src, uint32_t dst, const uint8_t *p, size_t plen)
{
    uint16_t dport = get16(p + 2);
    size_t ulen = get16(p + 4);
    if (ulen < 8 || ulen > plen)
        return;
    if (!udp_checksum_ok(src, dst, p, ulen)) {
        netif.rx_udp_csum_bad++;
        netif.rx_dropped++;
        return;
    }
    for (int i = 0; i < UDP_PORTS; i++) {
        if (net_udp_ports[i].h && net_udp_ports[i].port == dport) {
            net_udp_ports[i].h(src, get16(p), dport, p + 8, ulen - 8);
            return;
        }
    }
    netif.rx_udp_no_port++;                 /* RFC 1122 4.1.3.1 */
    netif.rx_dropped++;
}

static void ipv4_input(const uint8_t *ip, size_t len)
{
    if (len < 20 || (ip[0] >> 4) != 4)
        return;
    size_t ihl = (size_t)(ip[0] & 15) * 4, total = get16(ip + 2);
    bool hw_checked = netif.rx_offload && (netif.rx_verdict & NETDEV_RX_IP_CHECKED);
    if (hw_checked && (netif.rx_verdict & NETDEV_RX_IP_BAD)) {
        netif.rx_csum_bad++;
        netif.rx_dropped++;
        return;
    }
    if (ihl < 20 || total < ihl || total > len || (!hw_checked && checksum(ip, ihl, 0) != 0)) {
        netif.rx_dropped++;
        return;
    }
    if ((get16(ip + 6) & 0x3fff) != 0) {
        netif.rx_dropped++;                     /* fragments are refused */
        return;
    }
    uint32_t src = get32(ip + 12), dst = get32(ip + 16);
    if (netif.ip && dst != netif.ip && dst != 0xffffffffu)
        return;
    const uint8_t *p = ip + ihl;
    size_t plen = total - ihl;
    if (ip[9] == 1 && plen >= 8) {              /* ICMP */
        /* RFC 792: the checksum covers the whole message; RFC 1122
         * 3.2.2: one that fails it is discarded, and a damaged or forged
         * echo reply must not answer a ping */
        if (checksum(p, plen, 0) != 0) {
            netif.rx_dropped++;
            return;
        }
        if (p[0] == 0 && get16(p + 4) == net_echo_wait.id && get16(p + 6) == net_echo_wait.seq)
            net_echo_wait.got = true;
        if (p[0] == 0 && net_echo_handler)
            net_echo_handler(src, get16(p + 4), get16(p + 6), plen - 8);
    } else if (ip[9] == 6) {                    /* TCP */
        tcp_input(src, dst, p, plen);
    } else if (ip[9] == 17 && plen >= 8) {      /* UDP */
        udp_input(src, dst, p, plen);
    }
}

/* Nothing arrived: sleep until an interrupt (a frame, or the tick). The
 * question is asked with interrupts off, so a frame's interrupt between
 * it and the hlt still wakes us. */
void net_idle(void)
{
    cli();
    if (!netdev_rx_pending(netif.dev)) {
        netdev_before_sleep(netif.dev);
        sti_hlt();
    }
    sti();
}

/* At most this many frames a call: a NIC that never runs dry (a driver
 * that leaves DD set, say) must not keep its caller from its deadline. */
#define POLL_BUDGET 64

int net_poll(void)
{
    static uint8_t f[2048];
    int n = 0;
    size_t len;
    net_tx_begin();             /* replies to a batch go out together */
    while (n < POLL_BUDGET &&
           (len = netdev_receive(netif.dev, f, sizeof f, &netif.rx_verdict)) > 0) {
        n++;
        netif.rx_len = len;
        if (netif.rx_verdict & NETDEV_RX_UNCHECKED)
            netif.rx_csum_ignored++;
        netif.rx_frames++;
        if (len < 14)
            continue;
        uint16_t type = get16(f + 12);
        if (type == ETH_ARP)
            arp_input(f + 14, len - 14);
        else if (type == ETH_IPV4)
            ipv4_input(f + 14, len - 14);
    }
    tcp_after_input();          /* one ACK for a batch of segments */
    net_tx_end();
    return n;
}

/* An echo request (RFC 792) with len bytes of a counting pattern */
static int echo_request(uint32_t dst, uint16_t id, uint16_t seq, size_t len, unsigned arp_wait_ms)
{
    static uint8_t f[1514];
    if (len > sizeof f - 42)
        return -1;
    uint8_t *m = f + 34;
    m[0] = 8;
    m[1] = 0;
    put16(m + 2, 0);
    put16(m + 4, id);
    put16(m + 6, seq);
    for (size_t i = 0; i < len; i++)
        m[8 + i] = (uint8_t)i;
    put16(m + 2, checksum(m, 8 + len, 0));
    return ip_send_wait(dst, 1, f, 8 + len, arp_wait_ms);
}

int icmp_echo_send(uint32_t dst, uint16_t id, uint16_t seq, size_t len)
{
    return echo_request(dst, id, seq, len, 1000);
}

void icmp_on_reply(icmp_reply_handler h)
{
    net_echo_handler = h;
}

long icmp_ping(uint32_t dst, uint16_t seq, unsigned timeout_ms)
{
    net_echo_wait = (struct echo_wait){ .id = 0x7063, .seq = seq };
    uint64_t t0 = time_ns(), end = t0 + (uint64_t)timeout_ms * 1000000;
    if (echo_request(dst, net_echo_wait.id, seq, 32, 1000) < 0)
        return -1;
    while (!net_echo_wait.got && time_ns() < end)
        if (!net_poll())
            net_idle();
    return net_echo_wait.got ? (long)((time_ns() - t0) / 1000) : -1;
}

bool net_rx_l4_verified(void)
{
    const unsigned want = NETDEV_RX_IP_CHECKED | NETDEV_RX_L4_CHECKED;
    if (!netif.rx_offload || (netif.rx_verdict & want) != want)
        return false;
    if (netif.rx_verdict & (NETDEV_RX_IP_BAD | NETDEV_RX_L4_BAD)) {
        netif.rx_csum_bad++;
        return false;                   /* software looks again, and drops it */
    }
    netif.rx_csum_verified++;
    return true;
}

int net_init(struct netdev *dev)
{
    memset(&netif, 0, sizeof netif);
    netif.dev = dev;
    const char *off = cmdline_get("net.offload");
    bool on = !(off && strcmp(off, "0") == 0);
    netif.tx_offload = on && (dev->features & NETDEV_F_TX_CSUM);
    netif.rx_offload = on && (dev->features & NETDEV_F_RX_CSUM);
    netif.tx_tso = netif.tx_offload && (dev->features & NETDEV_F_TSO);
    memcpy(netif.mac, dev->mac, 6);
    dev->polled = true;                 /* net_idle calls before_sleep */
    return 0;
}
