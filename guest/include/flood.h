/*
 * The UDP flood's datagrams, as tools/netharness.c (--flood) sends them
 * and guest/tests/test_flood.c checks them. Shared by both sides.
 *
 *   data    "FLOD", sequence number (big-endian u32), then a pattern of
 *           flood_len(seq) - 8 bytes that depends on the number, so a
 *           datagram that was cut, mixed with another or damaged shows
 *   end     "FEND", data datagrams sent, end markers sent with this one
 *           (both big-endian u32): repeated until the guest reports
 *
 * The guest talks to the harness's control port (flood.ctl=): it sends
 * FLOOD_READY when it listens, and FLOOD_REPORT followed by its counts
 * for each end marker.
 */
#ifndef FLOOD_H
#define FLOOD_H

#include <stddef.h>
#include <stdint.h>

#define FLOOD_GUEST_PORT 7778
#define FLOOD_MAGIC_DATA "FLOD"
#define FLOOD_MAGIC_END "FEND"
#define FLOOD_READY "flood: ready\n"
#define FLOOD_REPORT "flood: report"
#define FLOOD_MAX_LEN 1472          /* the largest UDP payload without fragments */

/* 8 to 1472 bytes, spread over the range by a multiplicative step */
static inline size_t flood_len(uint32_t seq)
{
    return 8 + (size_t)((seq * 7919u) % (FLOOD_MAX_LEN - 7));
}

static inline uint8_t flood_byte(uint32_t seq, size_t i)
{
    return (uint8_t)((seq * 131u + (uint32_t)i * 7u) ^ (seq >> 8));
}

static inline void flood_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t flood_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
