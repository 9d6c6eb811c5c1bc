/* The Internet checksum (RFC 1071), the test harnesses' own (the fuzz
 * oracles', the contract tests'): they do not lean on the code they
 * check. */
#ifndef TESTS_FUZZ_CSUM_H
#define TESTS_FUZZ_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* The folded ones-complement sum of p[0..len) added to sum (not
 * complemented): 0xffff over a region whose checksum is right. */
static inline uint16_t oc_sum(const uint8_t *p, size_t len, uint32_t sum)
{
    for (; len > 1; len -= 2, p += 2)
        sum += (uint32_t)(p[0] << 8 | p[1]);
    if (len)
        sum += (uint32_t)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* The pseudo-header sum of an IPv4 header at ip for an l4len-byte
 * TCP/UDP part. */
static inline uint32_t pseudo_sum(const uint8_t *ip, size_t l4len)
{
    return oc_sum(ip + 12, 8, 0) + ip[9] + (uint32_t)l4len;
}

/* Whether a region holding its own checksum sums right. */
static inline int oc_ok(const uint8_t *p, size_t len, uint32_t sum)
{
    return oc_sum(p, len, sum) == 0xffff;
}

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }
static inline void wbe16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wbe32(uint8_t *p, uint32_t v) { wbe16(p, (uint16_t)(v >> 16)); wbe16(p + 2, (uint16_t)v); }

#endif
