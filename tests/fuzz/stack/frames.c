/*
 * Frames for the guest, built right (checksums computed), and the check
 * every frame the guest sends goes through: Ethernet from our MAC, ARP
 * of the form RFC 826 gives, IPv4 whose lengths agree with the frame and
 * whose header checksum is right, TCP/UDP/ICMP with right checksums and
 * lengths. A frame sent with checksum offload gets its checksums as the
 * NIC would insert them (8254x manual 3.3.6) before it is checked.
 */
#include <string.h>
#include "check.h"
#include "csum.h"
#include "stack.h"

const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

const uint8_t *mac_of(uint32_t ip)
{
    static uint8_t mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0 };
    mac[5] = (uint8_t)ip;
    return mac;
}

/* An Ethernet frame holding an IPv4 packet, padded to 60 bytes as on
 * the wire; the TCP/UDP checksum is computed when l4_sum (the caller
 * leaves its field zero). Returns the frame's length. */
size_t ipv4_frame(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6], uint32_t src,
                  uint32_t dst, uint8_t proto, const uint8_t *l4, size_t l4len, bool l4_sum)
{
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    wbe16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    wbe16(ip + 2, (uint16_t)(20 + l4len));
    wbe16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = proto;
    wbe32(ip + 12, src);
    wbe32(ip + 16, dst);
    wbe16(ip + 10, (uint16_t)~oc_sum(ip, 20, 0));
    memcpy(ip + 20, l4, l4len);
    if (l4_sum && (proto == 6 || proto == 17)) {
        size_t field = proto == 6 ? 16 : 6;
        uint16_t c = (uint16_t)~oc_sum(ip + 20, l4len, pseudo_sum(ip, l4len));
        wbe16(ip + 20 + field, proto == 17 && !c ? 0xffff : c);
    }
    size_t len = 14 + 20 + l4len;
    if (len < 60) {
        memset(f + len, 0, 60 - len);
        len = 60;
    }
    return len;
}

/* What the NIC does with NETDEV_TX_CSUM_*: the IPv4 header checksum, and
 * the TCP/UDP one summed from the pseudo-header sum the field holds. */
static void nic_checksums(uint8_t *f, size_t len, unsigned flags)
{
    FUZZ_CHECK(len >= 14 + 20 + 8 && be16(f + 12) == 0x0800 && f[14] == 0x45,
               "checksum offload asked for a %zu-byte frame that is not IPv4", len);
    uint8_t *ip = f + 14, *l4 = ip + 20;
    bool tcp = flags & NETDEV_TX_CSUM_TCP;
    FUZZ_CHECK(ip[9] == (tcp ? 6 : 17), "%s offload for IP protocol %u", tcp ? "TCP" : "UDP",
               ip[9]);
    wbe16(ip + 10, (uint16_t)~oc_sum(ip, 20, 0));
    size_t field = tcp ? 16 : 6;
    FUZZ_CHECK(len >= 34 + field + 2, "a %zu-byte frame for %s offload", len,
               tcp ? "TCP" : "UDP");
    wbe16(l4 + field, (uint16_t)~oc_sum(l4, len - 34, 0));
}

static void check_arp(const uint8_t *f, size_t len)
{
    const uint8_t *a = f + 14;
    FUZZ_CHECK(len == 60, "an ARP frame of %zu bytes", len);
    FUZZ_CHECK(be16(a) == 1 && be16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4,
               "ARP with hardware/protocol fields %04x %04x %u %u", be16(a), be16(a + 2), a[4],
               a[5]);
    uint16_t op = be16(a + 6);
    FUZZ_CHECK(op == 1 || op == 2, "ARP opcode %u", op);
    FUZZ_CHECK(memcmp(a + 8, guest_mac, 6) == 0 && be32(a + 14) == netif.ip,
               "ARP sender is not us");
    if (op == 2)
        FUZZ_CHECK(memcmp(a + 18, f, 6) == 0, "ARP reply's target MAC is not its destination");
    else
        FUZZ_CHECK(memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) == 0, "ARP request not broadcast");
}

void check_guest_frame(uint8_t *f, size_t len, unsigned flags)
{
    FUZZ_CHECK(len >= 14 && len <= 1514, "a %zu-byte frame", len);
    FUZZ_CHECK(memcmp(f + 6, guest_mac, 6) == 0, "a frame from another MAC");
    uint16_t type = be16(f + 12);
    if (flags)
        nic_checksums(f, len, flags);
    if (type == 0x0806) {
        check_arp(f, len);
        return;
    }
    FUZZ_CHECK(type == 0x0800, "ethertype 0x%04x", type);
    uint8_t *ip = f + 14;
    FUZZ_CHECK(len >= 34 && ip[0] == 0x45, "IPv4 header 0x%02x in %zu bytes", ip[0], len);
    size_t total = be16(ip + 2);
    FUZZ_CHECK(total == len - 14, "IPv4 total length %zu in a %zu-byte frame", total, len);
    FUZZ_CHECK(oc_ok(ip, 20, 0), "IPv4 header checksum wrong");
    FUZZ_CHECK(be16(ip + 6) == 0x4000 && ip[8] == 64, "IPv4 flags/fragment 0x%04x TTL %u",
               be16(ip + 6), ip[8]);
    FUZZ_CHECK(be32(ip + 12) == netif.ip, "IPv4 source %08x, we are %08x", be32(ip + 12),
               netif.ip);
    const uint8_t *l4 = ip + 20;
    size_t l4len = total - 20;
    switch (ip[9]) {
    case 6: {
        FUZZ_CHECK(l4len >= 20, "a %zu-byte TCP segment", l4len);
        size_t hl = (size_t)(l4[12] >> 4) * 4;
        FUZZ_CHECK(hl >= 20 && hl <= l4len, "TCP header length %zu of %zu", hl, l4len);
        FUZZ_CHECK(oc_ok(l4, l4len, pseudo_sum(ip, l4len)), "TCP checksum wrong");
        break;
    }
    case 17:
        FUZZ_CHECK(l4len >= 8 && be16(l4 + 4) == l4len, "UDP length %u in %zu bytes",
                   l4len >= 8 ? be16(l4 + 4) : 0, l4len);
        FUZZ_CHECK(be16(l4 + 6) != 0 && oc_ok(l4, l4len, pseudo_sum(ip, l4len)),
                   "UDP checksum 0x%04x wrong or missing", be16(l4 + 6));
        break;
    case 1:
        FUZZ_CHECK(l4len >= 8 && oc_ok(l4, l4len, 0), "ICMP checksum wrong");
        break;
    default:
        FUZZ_CHECK(0, "IP protocol %u", ip[9]);
    }
}
