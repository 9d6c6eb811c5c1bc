/* A DHCP client (RFC 2131): DISCOVER, OFFER, REQUEST, ACK, each step
 * retransmitted with backoff until the overall timeout. */
#include "clock.h"
#include "kernel.h"
#include "net.h"
#include "dhcp_internal.h"
#include "net_internal.h"

static struct {
    uint32_t xid, offered, server, router, dns, mask, lease;
    int got;                    /* message type received, 0 for none */
} st;

/* What a reply's options say. */
struct reply {
    int type;
    uint32_t server, router, dns, mask, lease;
};

/* The options (RFC 2132) after the magic cookie; false when malformed. */
static bool parse_options(const uint8_t *d, size_t len, struct reply *r)
{
    for (size_t i = 240; i < len && d[i] != 255;) {
        if (d[i] == 0) {
            i++;
            continue;
        }
        if (i + 1 >= len || i + 2 + d[i + 1] > len)
            return false;
        const uint8_t *v = d + i + 2;
        unsigned n = d[i + 1];
        switch (d[i]) {
        case 53: if (n >= 1) r->type = v[0]; break;
        case 54: if (n >= 4) r->server = get32(v); break;
        case 3: if (n >= 4) r->router = get32(v); break;
        case 6: if (n >= 4) r->dns = get32(v); break;
        case 1: if (n >= 4) r->mask = get32(v); break;
        case 51: if (n >= 4) r->lease = get32(v); break;
        }
        i += 2 + n;
    }
    return true;
}

/* An address a host can be given: not 0.0.0.0 (nor anything in 0/8),
 * loopback, multicast or broadcast. */
static bool host_address(uint32_t ip)
{
    uint32_t top = ip >> 24;
    return top != 0 && top != 127 && top < 224;
}

/* A reply for us (RFC 2131 4.1: xid and chaddr both ours), and for the
 * exchange where it stands: an OFFER of a usable address that names its
 * server (option 54 is a MUST in table 3), then an ACK or NAK from that
 * same server (4.4.1). Anything else, a stray or a spoof, is ignored. */
static bool wanted(const uint8_t *d, const struct reply *r)
{
    if (d[1] != 1 || d[2] != 6 || memcmp(d + 28, netif.mac, 6) != 0)
        return false;
    if (r->type == OFFER)
        return !st.got && r->server && host_address(get32(d + 16));
    if (r->type == NAK)
        return st.got == OFFER && r->server == st.server;
    if (r->type == ACK)
        return st.got == OFFER && r->server == st.server && host_address(get32(d + 16));
    return false;
}

static void on_reply(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *d, size_t len)
{
    if (len < 240 || d[0] != 2 || get32(d + 4) != st.xid || get32(d + 236) != MAGIC)
        return;
    struct reply r = { 0 };
    if (!parse_options(d, len, &r) || !wanted(d, &r))
        return;
    st.got = r.type;
    st.offered = get32(d + 16);
    st.server = r.server;
    st.router = r.router;
    st.dns = r.dns;
    st.mask = r.mask;
    st.lease = r.lease;
}

static void send_msg(int type)
{
    uint8_t m[300] = { 0 };
    m[0] = 1;                               /* BOOTREQUEST */
    m[1] = 1;
    m[2] = 6;
    put32(m + 4, st.xid);
    m[10] = 0x80;                           /* broadcast replies: we have no address */
    memcpy(m + 28, netif.mac, 6);
    put32(m + 236, MAGIC);
    size_t o = 240;
    m[o++] = 53; m[o++] = 1; m[o++] = (uint8_t)type;
    if (type == REQUEST) {
        m[o++] = 50; m[o++] = 4;
        put32(m + o, st.offered);
        o += 4;
        m[o++] = 54; m[o++] = 4;
        put32(m + o, st.server);
        o += 4;
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
    st.xid = net_random32();                /* RFC 2131 4.1: random, not guessable */
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
