/* A DHCP client (RFC 2131): DISCOVER, OFFER, REQUEST, ACK, each step
 * retransmitted with backoff until the overall timeout. */
#include "clock.h"
#include "kernel.h"
#include "net.h"

#define DHCP_CLIENT 68
#define DHCP_SERVER 67
#define MAGIC 0x63825363u

enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6 };

static struct {
    uint32_t xid, offered, server, router, dns, mask, lease;
    int got;                    /* message type received, 0 for none */
} st;

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_reply(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *d, size_t len)
{
    if (len < 240 || d[0] != 2 || get32(d + 4) != st.xid || get32(d + 236) != MAGIC)
        return;
    int type = 0;
    uint32_t server = 0, router = 0, dns = 0, mask = 0, lease = 0;
    for (size_t i = 240; i < len && d[i] != 255;) {
        if (d[i] == 0) {
            i++;
            continue;
        }
        if (i + 1 >= len || i + 2 + d[i + 1] > len)
            return;                         /* a malformed option ends it */
        const uint8_t *v = d + i + 2;
        unsigned n = d[i + 1];
        switch (d[i]) {
        case 53: if (n >= 1) type = v[0]; break;
        case 54: if (n >= 4) server = get32(v); break;
        case 3: if (n >= 4) router = get32(v); break;
        case 6: if (n >= 4) dns = get32(v); break;
        case 1: if (n >= 4) mask = get32(v); break;
        case 51: if (n >= 4) lease = get32(v); break;
        }
        i += 2 + n;
    }
    if ((type == OFFER && !st.got) || ((type == ACK || type == NAK) && st.got == OFFER)) {
        st.got = type;
        st.offered = get32(d + 16);
        st.server = server;
        st.router = router;
        st.dns = dns;
        st.mask = mask;
        st.lease = lease;
    }
}

static void send_msg(int type)
{
    uint8_t m[300] = { 0 };
    m[0] = 1;                               /* BOOTREQUEST */
    m[1] = 1;
    m[2] = 6;
    m[4] = (uint8_t)(st.xid >> 24); m[5] = (uint8_t)(st.xid >> 16);
    m[6] = (uint8_t)(st.xid >> 8); m[7] = (uint8_t)st.xid;
    m[10] = 0x80;                           /* broadcast replies: we have no address */
    memcpy(m + 28, netif.mac, 6);
    m[236] = 0x63; m[237] = 0x82; m[238] = 0x53; m[239] = 0x63;
    size_t o = 240;
    m[o++] = 53; m[o++] = 1; m[o++] = (uint8_t)type;
    if (type == REQUEST) {
        m[o++] = 50; m[o++] = 4;
        for (int s = 24; s >= 0; s -= 8) m[o++] = (uint8_t)(st.offered >> s);
        m[o++] = 54; m[o++] = 4;
        for (int s = 24; s >= 0; s -= 8) m[o++] = (uint8_t)(st.server >> s);
    }
    m[o++] = 55; m[o++] = 3; m[o++] = 1; m[o++] = 3; m[o++] = 6;   /* mask, router, dns */
    m[o++] = 255;
    udp_send(0xffffffffu, DHCP_CLIENT, DHCP_SERVER, m, sizeof m);
}

/* One exchange step: send, wait for `want`, retransmit with backoff. */
static int step(int type, int want, uint64_t end)
{
    uint64_t wait = 250000000;              /* 250 ms, doubling */
    while (time_ns() < end) {
        send_msg(type);
        uint64_t until = time_ns() + wait;
        while (time_ns() < until && time_ns() < end) {
            if (!net_poll())
                net_idle();
            if (st.got == want || st.got == NAK)
                return st.got == want ? 0 : -1;
        }
        wait *= 2;
    }
    return -1;
}

int dhcp_lease(unsigned timeout_ms)
{
    uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;
    memset(&st, 0, sizeof st);
    st.xid = (uint32_t)time_ns() ^ 0x5eed1234u;
    netif.ip = 0;
    if (udp_bind(DHCP_CLIENT, on_reply) < 0)
        return -1;
    int r = step(DISCOVER, OFFER, end);
    if (r == 0)
        r = step(REQUEST, ACK, end);
    udp_unbind(DHCP_CLIENT);
    if (r < 0)
        return -1;
    netif.ip = st.offered;
    netif.router = st.router;
    netif.dns = st.dns;
    netif.mask = st.mask ? st.mask : 0xffffff00u;
    netif.lease_s = st.lease;
    return 0;
}
