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

/* x86.h's privileged instructions, replaced: an idle wait (sti; hlt)
 * moves the clock instead */
#define GUEST_X86_H
static uint64_t now_ns = 1000000000ull;
static inline void cli(void) { }
static inline void sti(void) { }
static inline void sti_hlt(void) { now_ns += 1000000; }
static inline uint64_t rdtsc(void) { return __builtin_ia32_rdtsc(); }

#include "../../guest/net/net.c"
#include "../../guest/net/udp_sock.c"
#include "../../guest/net/dhcp.c"
#include "../../guest/net/dns.c"
#include "../../guest/net/random.c"
#include "../../guest/lib/sha256.c"

#define GUEST_IP IP4(10, 0, 2, 15)
#define ROUTER   IP4(10, 0, 2, 2)
#define DNS_IP   IP4(10, 0, 2, 3)

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t other_mac[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };

/* ---- what the stack needs from the rest of the kernel ---- */

static long live_allocs;

uint64_t time_ns(void) { return now_ns += 1000; }
void *kmalloc(size_t n) { live_allocs++; return malloc(n); }
void *kzalloc(size_t n) { live_allocs++; return calloc(1, n); }
void kfree(void *p) { if (p) { live_allocs--; free(p); } }
const char *cmdline_get(const char *key) { return NULL; }
void tcp_input(uint32_t src, uint32_t dst, const uint8_t *seg, size_t len) { }
void tcp_after_input(void) { }
void tcp_wait_step(void) { if (!net_poll()) now_ns += 1000000; }

/* ---- the fake NIC and the network behind it ---- */

struct frame { uint8_t b[1514]; size_t len; };
static struct frame rxq[64];
static unsigned rx_head, rx_count;
static struct frame txlog[256];
static unsigned ntx;

static void (*network)(const uint8_t *f, size_t len);

static void rx(const uint8_t *f, size_t len)
{
    assert_true(rx_count < 64 && len <= 1514);
    struct frame *r = &rxq[(rx_head + rx_count++) % 64];
    memcpy(r->b, f, len);
    r->len = len;
}

size_t e1000_receive(struct e1000_nic *nic, void *buf, size_t size)
{
    if (!rx_count)
        return 0;
    struct frame *r = &rxq[rx_head];
    rx_head = (rx_head + 1) % 64;
    rx_count--;
    memcpy(buf, r->b, r->len < size ? r->len : size);
    nic->rx_status = nic->rx_errors = 0;
    return r->len;
}

int e1000_queue(struct e1000_nic *nic, const void *frame, size_t len)
{
    assert_true(ntx < 256);
    memcpy(txlog[ntx].b, frame, len);
    txlog[ntx++].len = len;
    if (network)
        network(frame, len);
    return 0;
}

int e1000_queue_csum(struct e1000_nic *nic, const void *frame, size_t len, bool tcp)
{
    return e1000_queue(nic, frame, len);
}

void e1000_flush(struct e1000_nic *nic) { }

static struct e1000_nic nic;
static struct e1000_rx_desc rxd[1];

/* ---- frames for the guest ---- */

static const uint8_t *mac_of(uint32_t ip)
{
    static uint8_t mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0 };
    mac[5] = (uint8_t)ip;
    return mac;
}

static void rx_arp(uint16_t op, const uint8_t *smac, uint32_t sip, uint32_t tip)
{
    uint8_t f[60] = { 0 };
    memset(f, 0xff, 6);
    memcpy(f + 6, smac, 6);
    put16(f + 12, ETH_ARP);
    uint8_t *a = f + 14;
    put16(a, 1);
    put16(a + 2, ETH_IPV4);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, smac, 6);
    put32(a + 14, sip);
    if (op == 2)
        memcpy(a + 18, guest_mac, 6);
    put32(a + 24, tip);
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
    memset(arp_cache, 0, sizeof arp_cache);
    memset(udp_ports, 0, sizeof udp_ports);
    memcpy(netif.mac, guest_mac, 6);
    netif.ip = GUEST_IP;
    netif.mask = 0xffffff00u;
    netif.router = ROUTER;
    nic.rxd = rxd;
    netif.nic = &nic;
    rx_head = rx_count = ntx = 0;
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
        T(udp_checksum_is_checked), T(arp_learns_only_what_concerns_us), T(dhcp_lease_taken),
        T(dhcp_refuses_unusable_addresses), T(dhcp_ignores_spoofed_replies),
        T(dns_answer_must_be_for_the_name), T(dns_follows_cnames),
        T(dns_ids_and_ports_are_not_predictable),
    };
    return cmocka_run_group_tests_name("guest_net", tests, NULL, NULL);
}
