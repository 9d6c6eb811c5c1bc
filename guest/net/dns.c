/* DNS A lookups over UDP (dns.h). */
#include "clock.h"
#include "dns.h"
#include "kernel.h"
#include "net_internal.h"
#include "udp_sock.h"

#define TYPE_A     1
#define TYPE_CNAME 5
#define CLASS_IN   1
#define MAX_HOPS   64               /* compression pointers followed in one name */
#define MAX_CHAIN  8                /* CNAMEs followed from the name asked for */

/* name as labels: "a.bc" -> 1 'a' 2 'b' 'c' 0; its length, or 0 */
static size_t encode_name(uint8_t *out, size_t room, const char *name)
{
    size_t n = 0;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t len = dot ? (size_t)(dot - name) : strlen(name);
        if (len == 0 || len > 63 || n + 1 + len + 1 > room)
            return 0;
        out[n++] = (uint8_t)len;
        memcpy(out + n, name, len);
        n += len;
        name += len + (dot ? 1 : 0);
        if (dot && !*name)
            break;                          /* a trailing dot */
    }
    if (n == 0 || n + 1 > room)
        return 0;
    out[n++] = 0;
    return n;
}

/* Past a (possibly compressed) name at off; 0 when malformed. */
static size_t skip_name(const uint8_t *m, size_t len, size_t off)
{
    while (off < len) {
        uint8_t l = m[off];
        if ((l & 0xc0) == 0xc0)
            return off + 2 <= len ? off + 2 : 0;
        if (l & 0xc0)
            return 0;
        off += 1 + l;
        if (l == 0)
            return off;
    }
    return 0;
}

/* At a name's next label: past any compression pointers (RFC 1035
 * 4.1.4) to the label they lead to; false when malformed or looping. */
static bool follow(const uint8_t *m, size_t len, size_t *off, unsigned *hops)
{
    while (*off < len && (m[*off] & 0xc0) == 0xc0) {
        if (*off + 1 >= len || ++*hops > MAX_HOPS)
            return false;
        *off = (size_t)(m[*off] & 0x3f) << 8 | m[*off + 1];
    }
    return *off < len && !(m[*off] & 0xc0);
}

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

/* Whether the names at offsets a and b of m are the same, without regard
 * to ASCII case (RFC 1035 2.3.3, RFC 4343). */
static bool same_name(const uint8_t *m, size_t len, size_t a, size_t b)
{
    unsigned hops = 0;
    for (;;) {
        if (!follow(m, len, &a, &hops) || !follow(m, len, &b, &hops))
            return false;
        uint8_t n = m[a];
        if (m[b] != n || a + 1 + n > len || b + 1 + n > len)
            return false;
        if (n == 0)
            return true;
        for (uint8_t i = 1; i <= n; i++)
            if (lower(m[a + i]) != lower(m[b + i]))
                return false;
        a += 1 + n;
        b += 1 + n;
    }
}

/* One resource record of the answer section. */
struct rr {
    size_t owner, rdata;
    uint16_t type, class, rdlen;
};

/* The record at *off, *off moved past it; false when malformed. */
static bool next_rr(const uint8_t *m, size_t len, size_t *off, struct rr *r)
{
    r->owner = *off;
    size_t p = skip_name(m, len, *off);
    if (!p || p + 10 > len)
        return false;
    r->type = get16(m + p);
    r->class = get16(m + p + 2);
    r->rdlen = get16(m + p + 8);
    r->rdata = p + 10;
    if (r->rdata + r->rdlen > len)
        return false;
    *off = r->rdata + r->rdlen;
    return true;
}

/* The A record for the name asked for (at offset 12), through the CNAME
 * chain from it if there is one (RFC 1034 3.6.2, 4.3.2 step 3a): a
 * record for any other owner is no answer, whatever it says (RFC 5452
 * 9.1: such records are how caches get poisoned). 1 and *addr,
 * DNS_ENODATA, or DNS_ESERVER when the section is malformed. */
static int find_a(const uint8_t *m, size_t len, size_t answers, unsigned count, uint32_t *addr)
{
    size_t name = 12;
    for (unsigned chain = 0; chain <= MAX_CHAIN; chain++) {
        size_t off = answers, cname = 0;
        for (unsigned i = 0; i < count; i++) {
            struct rr r;
            if (!next_rr(m, len, &off, &r))
                return DNS_ESERVER;
            if (r.class != CLASS_IN || !same_name(m, len, r.owner, name))
                continue;
            if (r.type == TYPE_A && r.rdlen == 4) {
                *addr = get32(m + r.rdata);
                return 1;
            }
            if (r.type == TYPE_CNAME)
                cname = r.rdata;
        }
        if (!cname)
            break;
        name = cname;                       /* look again, for the canonical name */
    }
    return DNS_ENODATA;
}

/* The answer to query q (qlen bytes): 1 and *addr, or a DNS_ error,
 * or 0 when it is not an answer to q at all. */
static int parse(const uint8_t *m, size_t len, const uint8_t *q, size_t qlen, uint32_t *addr)
{
    if (len < 12 || get16(m) != get16(q) || !(m[2] & 0x80))
        return 0;                           /* not our ID, or not a response */
    /* the question must be ours, byte for byte (names compare without
     * case in DNS, but a server echoes them as asked) */
    if (get16(m + 4) != 1 || len < qlen || memcmp(m + 12, q + 12, qlen - 12) != 0)
        return 0;
    unsigned rcode = m[3] & 15;
    if (rcode == 3)
        return DNS_NXDOMAIN;
    if (rcode)
        return DNS_ESERVER;
    return find_a(m, len, qlen, get16(m + 6), addr);
}

int dns_resolve(uint32_t server, uint16_t port, const char *name, uint32_t *addr,
                unsigned try_ms, unsigned tries)
{
    uint8_t q[12 + 256 + 4];
    size_t n = encode_name(q + 12, 256, name);
    if (!n)
        return DNS_EINVAL;
    uint16_t id = (uint16_t)net_random32();    /* RFC 5452 9.2: not guessable */
    memset(q, 0, 12);
    put16(q, id);
    q[2] = 0x01;                            /* RD: recursion desired */
    put16(q + 4, 1);                        /* one question */
    put16(q + 12 + n, TYPE_A);
    put16(q + 12 + n + 2, CLASS_IN);
    size_t qlen = 12 + n + 4;
    struct udp_sock *s = udp_open(0);
    if (!s)
        return DNS_ESERVER;
    int r = DNS_ETIMEDOUT;
    for (unsigned t = 0; t < tries && r == DNS_ETIMEDOUT; t++) {
        udp_sendto(s, server, port, q, qlen);
        uint64_t end = time_ns() + (uint64_t)try_ms * 1000000;
        for (;;) {
            uint64_t now = time_ns();
            if (now >= end)
                break;
            static uint8_t m[UDP_MAX_PAYLOAD];
            uint32_t from;
            uint16_t fport;
            long len = udp_recvfrom(s, m, sizeof m, &from, &fport,
                                    (unsigned)((end - now) / 1000000) + 1);
            if (len <= 0)
                continue;
            if (from != server || fport != port)
                continue;
            int p = parse(m, (size_t)len < sizeof m ? (size_t)len : sizeof m, q, qlen, addr);
            if (p) {
                r = p == 1 ? 0 : p;
                break;
            }
        }
    }
    udp_close(s);
    return r;
}
