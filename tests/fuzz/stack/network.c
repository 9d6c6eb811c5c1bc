/*
 * The network behind the fake NIC, answering what the guest sends: ARP
 * for the hosts of 10.0.2.0/24 (all but SILENT_IP), echo replies from
 * the peer as the ping operation asks, the DHCP and DNS servers while
 * their exchanges run (servers.c), the TCP peer (peer.c), and a
 * stranger that completes handshakes to the guest's listener when told.
 * Answers other than the peer's TCP segments reach the guest's NIC at
 * once, so that the stack's blocking calls see them.
 */
#include <string.h>
#include "arp.h"
#include "check.h"
#include "csum.h"
#include "network.h"
#include "stack.h"

unsigned arp_replies_to[4];
struct network_mode NET;

void network_reset(void)
{
    memset(arp_replies_to, 0, sizeof arp_replies_to);
    memset(&NET, 0, sizeof NET);
}

/* Every frame the guest sends, lost on the way or not. */
void network_sent(const uint8_t *f, size_t len)
{
    const uint8_t *a = f + 14;
    if (be16(f + 12) == 0x0806 && be16(a + 6) == 2)
        for (unsigned i = 0; i < 4; i++)
            if (be32(a + 24) == NET.arp_senders[i])
                arp_replies_to[i]++;
}

static void answer_arp(const uint8_t *f)
{
    const uint8_t *a = f + 14;
    uint32_t target = be32(a + 24);
    if (be16(a + 6) == 2)
        return;
    if ((target & 0xffffff00u) != IP4(10, 0, 2, 0) || target == GUEST_IP || target == SILENT_IP)
        return;
    uint8_t r[ARP_FRAME_LEN];
    arp_frame(r, guest_mac, 2, mac_of(target), target, guest_mac, be32(a + 14));
    nic_rx(r, sizeof r);
}

/* Echo requests to the peer: answered as the ping operation set up. */
static void answer_echo(const uint8_t *ip, const uint8_t *m, size_t len)
{
    if (be32(ip + 16) != PEER_IP || m[0] != 8 || NET.ping == PING_SILENT)
        return;
    static uint8_t reply[1500], f[1514];
    memcpy(reply, m, len);
    reply[0] = 0;
    if (NET.ping == PING_WRONG_ID)
        reply[4] ^= 0x55;
    wbe16(reply + 2, 0);
    wbe16(reply + 2, (uint16_t)~oc_sum(reply, len, 0));
    if (NET.ping == PING_BAD_SUM)
        reply[2] ^= 1;
    NET.echo_replies++;
    size_t n = ipv4_frame(f, guest_mac, mac_of(PEER_IP), PEER_IP, be32(ip + 12), 1, reply, len,
                          false);
    nic_rx(f, n);
}

/* A stranger that answers the listener's SYN-ACK with the ACK that
 * completes the handshake (a child the application never accepts). */
static void stranger_tcp(const uint8_t *ip, const uint8_t *t, size_t len)
{
    if (!NET.stranger_completes || (t[13] & (SYN | ACK)) != (SYN | ACK))
        return;
    uint8_t seg[20] = { 0 };
    wbe16(seg, be16(t + 2));
    wbe16(seg + 2, be16(t));
    wbe32(seg + 4, be32(t + 8));
    wbe32(seg + 8, be32(t + 4) + 1);
    seg[12] = 5 << 4;
    seg[13] = ACK;
    wbe16(seg + 14, 8192);
    static uint8_t f[64];
    size_t n = ipv4_frame(f, guest_mac, mac_of(STRANGER_IP), STRANGER_IP, GUEST_IP, 6, seg, 20,
                          true);
    nic_rx(f, n);
}

void network_from_guest(const uint8_t *f, size_t len)
{
    if (be16(f + 12) == 0x0806) {
        answer_arp(f);
        return;
    }
    const uint8_t *ip = f + 14, *l4 = ip + 20;
    size_t l4len = be16(ip + 2) - 20;
    uint32_t dst = be32(ip + 16);
    switch (ip[9]) {
    case 1:
        answer_echo(ip, l4, l4len);
        break;
    case 6:
        if (dst == PEER_IP)
            peer_from_guest(ip, l4, l4len);
        else if (dst == STRANGER_IP)
            stranger_tcp(ip, l4, l4len);
        break;
    case 17:
        if (NET.udp_server)
            NET.udp_server(dst, be16(l4), be16(l4 + 2), l4 + 8, l4len - 8);
        break;
    }
}
