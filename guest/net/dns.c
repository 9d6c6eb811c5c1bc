/* DNS A lookups over UDP (dns.h). */
#include "clock.h"
#include "dns.h"
#include "kernel.h"
#include "net_internal.h"
#include "udp_sock.h"

#define TYPE_A   1
#define CLASS_IN 1

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
    size_t off = qlen;
    for (unsigned i = 0, n = get16(m + 6); i < n; i++) {
        off = skip_name(m, len, off);
        if (!off || off + 10 > len)
            return DNS_ESERVER;
        uint16_t type = get16(m + off), class = get16(m + off + 2), rdlen = get16(m + off + 8);
        off += 10;
        if (off + rdlen > len)
            return DNS_ESERVER;
        if (type == TYPE_A && class == CLASS_IN && rdlen == 4) {
            *addr = get32(m + off);
            return 1;
        }
        off += rdlen;
    }
    return DNS_ENODATA;
}

int dns_resolve(uint32_t server, uint16_t port, const char *name, uint32_t *addr,
                unsigned try_ms, unsigned tries)
{
    uint8_t q[12 + 256 + 4];
    size_t n = encode_name(q + 12, 256, name);
    if (!n)
        return DNS_EINVAL;
    static uint16_t id;
    id = (uint16_t)(id * 31 + (time_ns() >> 8));
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
