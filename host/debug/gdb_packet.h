/*
 * GDB remote serial protocol framing: `$payload#cs` with a two-hex-digit
 * modulo-256 checksum, `}` escaping (the next byte XOR 0x20) for binary
 * data, acks `+`/`-`, and the out-of-band interrupt byte 0x03.
 */
#ifndef HOST_DEBUG_GDB_PACKET_H
#define HOST_DEBUG_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_PACKET_MAX 4096

enum gdb_rx_event {
    GDB_RX_NONE,        /* byte consumed, nothing complete yet */
    GDB_RX_PACKET,      /* a packet with a good checksum: payload in rx->buf */
    GDB_RX_BAD,         /* a packet with a bad checksum or too long: NAK it */
    GDB_RX_INTERRUPT,   /* ^C outside a packet */
    GDB_RX_ACK,
    GDB_RX_NAK,
};

struct gdb_rx {
    enum { RX_IDLE, RX_DATA, RX_ESC, RX_CS1, RX_CS2 } state;
    char buf[GDB_PACKET_MAX + 1];   /* unescaped payload, NUL-terminated */
    size_t len;
    uint8_t sum, want;
    bool overflow;
};

void gdb_rx_init(struct gdb_rx *rx);
/* Feed one byte; returns what it completed. */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c);

/* Frames payload (len bytes, escaping `$#}*`) into out; returns the framed
 * length, or 0 when out is too small. */
size_t gdb_frame(const char *payload, size_t len, char *out, size_t outlen);

uint8_t gdb_checksum(const char *p, size_t len);

/* Hex helpers: -1 on a bad digit or short input. */
int gdb_hex_digit(char c);
int gdb_hex_decode(const char *hex, size_t nbytes, uint8_t *out);
void gdb_hex_encode(const uint8_t *in, size_t n, char *out);   /* writes 2n + NUL */
/* Parses a hex number up to a delimiter; returns chars used or -1. */
int gdb_parse_hex(const char *s, uint64_t *out);
/* "ADDR,LEN" (m, M, X, Z, z, qXfer's offset and length); returns what
 * follows it (':' and data, or the end) or NULL when it does not parse. */
const char *gdb_parse_addr_len(const char *s, uint64_t *addr, uint64_t *len);

#endif
