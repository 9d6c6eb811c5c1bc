/*
 * DHCP and DNS exchanges, run to their end (dhcp_lease, dns_resolve)
 * against servers whose answers the input writes: right or wrong
 * transaction IDs, client addresses, server identifiers, magic cookies,
 * options, questions, records, pointers and codes.
 *
 * Checked: a lease is taken only from an ACK for our MAC and exchange,
 * from a server whose OFFER was fit to take, of a host address; a failed
 * exchange leaves no address. A resolved address is one an A record of
 * a well-formed answer to our question gave.
 */
#include <string.h>
#include "check.h"
#include "csum.h"
#include "dns.h"
#include "network.h"
#include "stack.h"

/* ---- DHCP ---- */

enum { OFFER = 2, DACK = 5, NAK = 6 };

struct dhcp_reply {
    uint8_t type, flags;
    uint32_t yiaddr, server;
    uint8_t extra[64];
    size_t nextra;
};

#define DF_OTHER_MAC 0x01
#define DF_WRONG_XID 0x02
#define DF_BAD_MAGIC 0x04
#define DF_SHORT     0x08
#define DF_NOT_REPLY 0x10
#define DF_BAD_OPTS  0x20

static struct dhcp_reply replies[2][4];
static unsigned nreplies[2];
/* what the client could rightly take */
static uint32_t good_offer_servers[8], good_acks[8];
static unsigned ngood_offers, ngood_acks;

static bool host_address(uint32_t ip)
{
    uint32_t top = ip >> 24;
    return top != 0 && top != 127 && top < 224;
}

static uint32_t pick_ip(struct input *in)
{
    static const uint32_t ips[] = { GUEST_IP, IP4(10, 0, 2, 20), 0, 0xffffffffu,
                                    IP4(127, 0, 0, 1), IP4(224, 0, 0, 5) };
    unsigned k = in_u8(in);
    return k < 6 ? ips[k] : k < 200 ? ips[k % 2] : in_u32(in);
}

static void read_reply(struct input *in, struct dhcp_reply *r)
{
    static const uint8_t types[] = { OFFER, DACK, NAK, 7 };
    r->type = types[in_u8(in) % 4];
    r->yiaddr = pick_ip(in);
    unsigned s = in_u8(in) % 4;
    r->server = s == 0 || s == 3 ? PEER_IP : s == 1 ? IP4(10, 0, 2, 4) : 0;
    r->flags = in_u8(in);
    r->nextra = r->flags & 0x80 ? in_bytes(in, r->extra, in_u8(in) % sizeof r->extra) : 0;
}

static bool well_formed(const struct dhcp_reply *r)
{
    return !(r->flags & (DF_OTHER_MAC | DF_WRONG_XID | DF_BAD_MAGIC | DF_SHORT | DF_NOT_REPLY |
                         DF_BAD_OPTS));
}

static void send_reply(const struct dhcp_reply *r, uint32_t xid)
{
    static uint8_t m[400], f[1514];
    memset(m, 0, sizeof m);
    m[0] = r->flags & DF_NOT_REPLY ? 1 : 2;
    m[1] = 1;
    m[2] = 6;
    wbe32(m + 4, r->flags & DF_WRONG_XID ? xid ^ 1 : xid);
    wbe32(m + 16, r->yiaddr);
    memcpy(m + 28, guest_mac, 6);
    if (r->flags & DF_OTHER_MAC)
        m[33] ^= 1;
    wbe32(m + 236, r->flags & DF_BAD_MAGIC ? 0x63825364u : 0x63825363u);
    uint8_t *o = m + 240;
    *o++ = 53; *o++ = 1; *o++ = r->type;
    if (r->server) {
        *o++ = 54; *o++ = 4; wbe32(o, r->server); o += 4;
    }
    *o++ = 1; *o++ = 4; wbe32(o, 0xffffff00u); o += 4;
    *o++ = 3; *o++ = 4; wbe32(o, PEER_IP); o += 4;
    memcpy(o, r->extra, r->nextra);
    o += r->nextra;
    if (r->flags & DF_BAD_OPTS) {
        *o++ = 6;
        *o++ = 200;                 /* longer than what follows */
    } else {
        *o++ = 255;
    }
    size_t len = r->flags & DF_SHORT ? 200 : (size_t)(o - m);
    uint8_t u[8 + sizeof m];
    wbe16(u, 67);
    wbe16(u + 2, 68);
    wbe16(u + 4, (uint16_t)(8 + len));
    wbe16(u + 6, 0);
    memcpy(u + 8, m, len);
    uint32_t src = r->server ? r->server : PEER_IP;
    size_t n = ipv4_frame(f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", mac_of(src), src,
                          0xffffffffu, 17, u, 8 + len, true);
    nic_rx(f, n);
}

static bool offer_server_known(uint32_t server)
{
    for (unsigned i = 0; i < ngood_offers; i++)
        if (good_offer_servers[i] == server)
            return true;
    return false;
}

static void dhcp_server(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *d,
                        size_t len)
{
    if (dport != 67 || len < 243 || d[240] != 53)
        return;
    int which = d[242] == 1 ? 0 : d[242] == 3 ? 1 : -1;
    if (which < 0)
        return;
    uint32_t xid = be32(d + 4);
    for (unsigned i = 0; i < nreplies[which]; i++) {
        const struct dhcp_reply *r = &replies[which][i];
        /* (extra options may carry another message type or server: only
         * replies without them are counted as fit) */
        bool fit = well_formed(r) && !r->nextra && r->server && host_address(r->yiaddr);
        if (fit && r->type == OFFER && ngood_offers < 8)
            good_offer_servers[ngood_offers++] = r->server;
        if (fit && r->type == DACK && offer_server_known(r->server) && ngood_acks < 8)
            good_acks[ngood_acks++] = r->yiaddr;
        send_reply(r, xid);
    }
}

void op_dhcp(struct input *in)
{
    for (int w = 0; w < 2; w++) {
        nreplies[w] = in_u8(in) % 5;
        for (unsigned i = 0; i < nreplies[w]; i++)
            read_reply(in, &replies[w][i]);
    }
    bool any_extra = false;
    for (int w = 0; w < 2; w++)
        for (unsigned i = 0; i < nreplies[w]; i++)
            any_extra |= replies[w][i].nextra != 0;
    ngood_offers = ngood_acks = 0;
    struct net_if saved = netif;
    NET.udp_server = dhcp_server;
    int r = dhcp_lease(600);
    NET.udp_server = NULL;
    fuzz_trace("DHCP: %d, address %08x", r, netif.ip);
    if (r == 0) {
        FUZZ_CHECK(host_address(netif.ip), "leased %08x", netif.ip);
        bool offered = any_extra;
        for (unsigned i = 0; i < ngood_acks; i++)
            offered |= good_acks[i] == netif.ip;
        FUZZ_CHECK(offered, "leased %08x, which no fit ACK gave", netif.ip);
    } else {
        FUZZ_CHECK(netif.ip == 0, "the lease failed and left address %08x", netif.ip);
    }
    /* the connection's addresses back */
    netif.ip = saved.ip;
    netif.mask = saved.mask;
    netif.router = saved.router;
    netif.dns = saved.dns;
}

/* ---- DNS ---- */

static const char *const names[] = {
    "pcemu.test", "www.test", "a.b.c.d.e", "WWW.Test.", "x", "", "a..b",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test",
};

static struct {
    uint8_t id_mode, rcode, qmode, from;
    uint8_t records[600];
    size_t len;
    uint16_t ancount;
    uint32_t a[16];
    unsigned na;
    unsigned answers;
} D;

/* Answer records from the input: owners by pointer to the question, by
 * name, by pointer anywhere; A, CNAME or other types. The A records'
 * addresses are noted: they are all a resolution may give. */
static void read_records(struct input *in)
{
    D.len = 0;
    D.na = 0;
    D.ancount = in_u8(in) % 8;
    for (unsigned i = 0; i < D.ancount && D.len + 40 < sizeof D.records; i++) {
        uint8_t *r = D.records + D.len;
        size_t k = 0;
        switch (in_u8(in) % 4) {
        case 0: r[k++] = 0xc0; r[k++] = 12; break;
        case 1: memcpy(r, "\003www\004test\000", 10); k = 10; break;
        case 2: r[k++] = 0xc0 | (in_u8(in) & 0x3f); r[k++] = in_u8(in); break;
        default: r[k++] = 0; break;
        }
        uint8_t t = in_u8(in);
        uint16_t type = t % 3 == 0 ? 1 : t % 3 == 1 ? 5 : t;
        wbe16(r + k, type);
        wbe16(r + k + 2, in_u8(in) % 4 ? 1 : 3);
        wbe32(r + k + 4, 60);
        k += 8;
        uint8_t rd[32];
        size_t rdlen;
        if (type == 1 && in_u8(in) % 4) {
            rdlen = in_bytes(in, rd, 4);
        } else if (type == 5 && in_u8(in) % 2) {
            rd[0] = 0xc0;
            rd[1] = (uint8_t)(in_u8(in) % 2 ? 12 : 12 + 16 * (in_u8(in) % 4));
            rdlen = 2;
        } else {
            rdlen = in_bytes(in, rd, in_u8(in) % sizeof rd);
        }
        wbe16(r + k, (uint16_t)rdlen);
        memcpy(r + k + 2, rd, rdlen);
        if (type == 1 && rdlen == 4 && D.na < 16)
            D.a[D.na++] = be32(rd);
        D.len += k + 2 + rdlen;
    }
    if (in_u8(in) % 8 == 0)
        D.len += in_bytes(in, D.records + D.len, in_u8(in) % 32);
}

static void dns_server(uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *q,
                       size_t len)
{
    if (dst != DNS_IP || dport != 53 || len < 12 || len > 300)
        return;
    static uint8_t r[1000], f[1514];
    memcpy(r, q, len);
    size_t n = len;
    if (D.qmode == 1 && len > 13)
        r[13] ^= 0x20;                      /* the question's case changed */
    if (D.qmode == 2)
        n = 12 + (len - 12) / 2;            /* the question cut short */
    if (D.id_mode)
        r[0] ^= 0x5a;
    r[2] = 0x81;
    r[3] = (uint8_t)(0x80 | D.rcode);
    wbe16(r + 6, D.ancount);
    memcpy(r + n, D.records, D.len);
    n += D.len;
    uint8_t u[8 + sizeof r];
    wbe16(u, D.from == 1 ? 5353 : 53);
    wbe16(u + 2, sport);
    wbe16(u + 4, (uint16_t)(8 + n));
    wbe16(u + 6, 0);
    memcpy(u + 8, r, n);
    uint32_t src = D.from == 2 ? STRANGER_IP : DNS_IP;
    size_t fl = ipv4_frame(f, guest_mac, mac_of(src), src, GUEST_IP, 17, u, 8 + n, true);
    nic_rx(f, fl);
    D.answers++;
}

void op_dns(struct input *in)
{
    const char *name = names[in_u8(in) % (sizeof names / sizeof names[0])];
    D.id_mode = in_u8(in) % 4 == 0;
    uint8_t rc = in_u8(in);
    D.rcode = rc < 200 ? 0 : rc % 16;
    D.qmode = in_u8(in) % 5;
    if (D.qmode > 2)
        D.qmode = 0;
    D.from = in_u8(in) % 6;
    if (D.from > 2)
        D.from = 0;
    read_records(in);
    D.answers = 0;
    NET.udp_server = dns_server;
    uint32_t addr = 0;
    int r = dns_resolve(DNS_IP, 53, name, &addr, 20, 1 + in_u8(in) % 2);
    NET.udp_server = NULL;
    fuzz_trace("DNS %s: %d, address %08x, %u answers", name, r, addr, D.answers);
    if (r == 0) {
        FUZZ_CHECK(!D.id_mode && D.qmode == 0 && D.from == 0 && D.rcode == 0,
                   "resolved from an answer with the wrong ID, question, sender or code");
        bool known = false;
        for (unsigned i = 0; i < D.na; i++)
            known |= D.a[i] == addr;
        FUZZ_CHECK(known, "resolved %s to %08x, which no A record gave", name, addr);
    }
}
