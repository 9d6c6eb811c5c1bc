#include <string.h>
#include "debug/gdb_packet.h"

void gdb_rx_init(struct gdb_rx *rx)
{
    memset(rx, 0, sizeof *rx);
}

int gdb_hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

uint8_t gdb_checksum(const char *p, size_t len)
{
    uint8_t s = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + (uint8_t)p[i]);
    return s;
}

static void put(struct gdb_rx *rx, char c)
{
    if (rx->len < GDB_PACKET_MAX)
        rx->buf[rx->len++] = c;
    else
        rx->overflow = true;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c)
{
    switch (rx->state) {
    case RX_IDLE:
        if (c == '$') {
            rx->state = RX_DATA;
            rx->len = 0;
            rx->sum = 0;
            rx->overflow = false;
        } else if (c == 0x03) {
            return GDB_RX_INTERRUPT;
        } else if (c == '+') {
            return GDB_RX_ACK;
        } else if (c == '-') {
            return GDB_RX_NAK;
        }
        return GDB_RX_NONE;     /* noise between packets is ignored */
    case RX_DATA:
        if (c == '#') {
            rx->state = RX_CS1;
            return GDB_RX_NONE;
        }
        rx->sum = (uint8_t)(rx->sum + c);
        if (c == '}')
            rx->state = RX_ESC;
        else
            put(rx, (char)c);
        return GDB_RX_NONE;
    case RX_ESC:
        rx->sum = (uint8_t)(rx->sum + c);
        put(rx, (char)(c ^ 0x20));
        rx->state = RX_DATA;
        return GDB_RX_NONE;
    case RX_CS1: {
        int d = gdb_hex_digit((char)c);
        rx->want = (uint8_t)((d < 0 ? 0 : d) << 4);
        rx->state = d < 0 ? RX_IDLE : RX_CS2;
        return d < 0 ? GDB_RX_BAD : GDB_RX_NONE;
    }
    case RX_CS2: {
        int d = gdb_hex_digit((char)c);
        rx->state = RX_IDLE;
        rx->buf[rx->len] = 0;
        if (d < 0 || (uint8_t)(rx->want | d) != rx->sum || rx->overflow)
            return GDB_RX_BAD;
        return GDB_RX_PACKET;
    }
    }
    return GDB_RX_NONE;
}

size_t gdb_frame(const char *payload, size_t len, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    uint8_t sum = 0;
    if (outlen < 4)
        return 0;
    out[o++] = '$';
    for (size_t i = 0; i < len; i++) {
        char c = payload[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            if (o + 2 > outlen - 3)
                return 0;
            out[o++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        } else if (o + 1 > outlen - 3) {
            return 0;
        }
        out[o++] = c;
        sum = (uint8_t)(sum + (uint8_t)c);
    }
    out[o++] = '#';
    out[o++] = hex[sum >> 4];
    out[o++] = hex[sum & 15];
    return o;
}

int gdb_hex_decode(const char *hex, size_t nbytes, uint8_t *out)
{
    for (size_t i = 0; i < nbytes; i++) {
        int hi = gdb_hex_digit(hex[2 * i]);
        int lo = hi < 0 ? -1 : gdb_hex_digit(hex[2 * i + 1]);
        if (lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void gdb_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = 0;
}

int gdb_parse_hex(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int n = 0;
    for (; gdb_hex_digit(s[n]) >= 0; n++) {
        if (n == 16)
            return -1;      /* more than 64 bits */
        v = v << 4 | (uint64_t)gdb_hex_digit(s[n]);
    }
    if (n == 0)
        return -1;
    *out = v;
    return n;
}

const char *gdb_parse_addr_len(const char *s, uint64_t *addr, uint64_t *len)
{
    int a = gdb_parse_hex(s, addr);
    if (a < 0 || s[a] != ',')
        return NULL;
    int l = gdb_parse_hex(s + a + 1, len);
    if (l < 0)
        return NULL;
    return s + a + 1 + l;
}
