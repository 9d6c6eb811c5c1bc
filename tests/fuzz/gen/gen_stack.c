/* Seeds for the stack target: connections both ways with data both
 * ways, gaps, reordering, duplicates, corruption, loss and
 * retransmission, zero windows, FINs and resets, refused and silent
 * peers; ARP, ping, UDP, DHCP, DNS, raw frames and a SYN flood. */
#include "gen.h"
#include "stack/ops.h"
#include "writer.h"

static void config(struct seed *s, unsigned flags, unsigned syn_mode)
{
    w8(s, flags); w32(s, 1000); w16(s, 1460); w16(s, 65535); w8(s, syn_mode);
}

/* the MSS field above 1600 also offers window scaling: shift 3 here */
static void config_wscale(struct seed *s, unsigned flags, unsigned window)
{
    w8(s, flags); w32(s, 1000); w16(s, 1460 + 1600 * 4); w16(s, window); w8(s, SYN_ANSWER);
}

static void send(struct seed *s, unsigned where, unsigned off, unsigned len, unsigned flags)
{
    w8(s, S_PEER_SEND); w8(s, where); w16(s, off); w16(s, len); w8(s, flags); w16(s, 65535);
}

static void wire(struct seed *s, unsigned what, unsigned i)
{
    w8(s, S_WIRE); w8(s, what); w8(s, i);
    if (what == W_CORRUPT) {
        w16(s, 30); w8(s, 0x40);
    }
}

static void op16(struct seed *s, unsigned op, unsigned v) { w8(s, op); w16(s, v); }
static void op0(struct seed *s, unsigned op) { w8(s, op); }

/* the peer's ACK offering window, delivered and the stack polled */
static void acked(struct seed *s, unsigned window)
{
    op16(s, S_PEER_ACK, window);
    wire(s, W_DELIVER_POLL, 0);
}

/* everything on the wire delivered, then the stack polled */
static void flushed(struct seed *s)
{
    wire(s, W_FLUSH, 0);
    op0(s, S_POLL);
}

/* data both ways, FIN both ways, close */
static void exchange(struct seed *s)
{
    op16(s, S_WRITE, 3000);
    op16(s, S_PEER_ACK, 65535);
    send(s, 1, 0, 1000, 0);
    send(s, 1, 0, 1000, 0);
    send(s, 1, 0, 1000, 0x08);
    flushed(s);
    op16(s, S_READ, 4000);
    op0(s, S_DRAIN);
    op16(s, S_TIME, 300);
    acked(s, 65535);
    op16(s, S_WRITE, 100);
    op16(s, S_PEER_FIN, 10);
    wire(s, W_DELIVER_POLL, 0);
    op16(s, S_READ, 100);
    op16(s, S_READ, 100);
    op0(s, S_SHUTDOWN);
    op16(s, S_PEER_ACK, 65535);
    flushed(s);
    w8(s, S_CLOSE); w8(s, 5);
}

void gen_stack(const char *dir, const char *crashes)
{
    static struct seed s;
    const unsigned csum = CFG_TX_CSUM | CFG_RX_CSUM;

    config(&s, csum | CFG_PRE_ARP, SYN_ANSWER);
    exchange(&s);
    emit(&s, dir, "active_exchange");

    config(&s, CFG_PASSIVE | CFG_PRE_ARP, SYN_ANSWER);
    exchange(&s);
    emit(&s, dir, "passive_exchange");

    /* the same with window scaling offered; the active one's window (32,
     * scaled to 256) is smaller than what it is sent */
    config_wscale(&s, csum | CFG_PRE_ARP, 32);
    exchange(&s);
    emit(&s, dir, "active_exchange_wscale");

    config_wscale(&s, CFG_PASSIVE | CFG_PRE_ARP, 65535);
    exchange(&s);
    emit(&s, dir, "passive_exchange_wscale");

    config(&s, csum | CFG_PRE_ARP, SYN_ANSWER);
    send(&s, 1, 1000, 1000, 0);             /* a gap at [0, 1000) */
    send(&s, 1, 0, 1000, 0);
    send(&s, 0, 0, 1000, 0);                /* the hole */
    send(&s, 2, 500, 1000, 0);              /* overlapping what came */
    wire(&s, W_REVERSE, 0);
    op0(&s, S_POLL);
    send(&s, 1, 0, 500, 0);
    wire(&s, W_DUP, 0);
    wire(&s, W_CORRUPT, 0);
    wire(&s, W_DELIVER, 0);
    op0(&s, S_POLL);
    op0(&s, S_DRAIN);
    send(&s, 1, 0, 700, 0);
    wire(&s, W_DROP, 0);
    send(&s, 1, 0, 700, 0);
    send(&s, 1, 0, 700, 0);
    flushed(&s);
    send(&s, 0, 0, 700, 0);
    wire(&s, W_DELIVER_POLL, 0);
    op0(&s, S_DRAIN);
    emit(&s, dir, "reorder_duplicate_corrupt");

    config(&s, CFG_PRE_ARP, SYN_ANSWER);
    op16(&s, S_WRITE, 5000);
    w8(&s, S_LOSE); w8(&s, 2);
    op16(&s, S_WRITE, 1000);
    op16(&s, S_TIME, 250);                  /* RTO */
    op16(&s, S_PEER_ACK, 65535);
    op16(&s, S_PEER_ACK, 65535);
    op16(&s, S_PEER_ACK, 65535);
    flushed(&s);                            /* three duplicate ACKs */
    op16(&s, S_TIME, 600);
    op16(&s, S_PEER_ACK, 65535);
    flushed(&s);
    emit(&s, dir, "loss_retransmit");

    config(&s, CFG_PRE_ARP, SYN_ANSWER);
    acked(&s, 0);
    op16(&s, S_WRITE, 2000);
    op16(&s, S_TIME, 250);
    op16(&s, S_TIME, 500);
    acked(&s, 0);
    op16(&s, S_TIME, 1000);
    acked(&s, 1000);
    acked(&s, 65535);
    emit(&s, dir, "zero_window");

    config(&s, csum | CFG_PRE_ARP, SYN_ANSWER);
    send(&s, 1, 0, 100, 0);
    w8(&s, S_PEER_RST); w8(&s, 1); w32(&s, 100);    /* in the window: challenge */
    w8(&s, S_PEER_RST); w8(&s, 2); w32(&s, 0x80000000u);
    op0(&s, S_PEER_SYN);
    flushed(&s);
    op0(&s, S_DRAIN);
    w8(&s, S_PEER_RST); w8(&s, 0); w32(&s, 0);      /* at RCV.NXT: taken */
    wire(&s, W_DELIVER_POLL, 0);
    op16(&s, S_READ, 100);
    op16(&s, S_WRITE, 100);
    emit(&s, dir, "reset");

    config(&s, 0, SYN_REFUSE);
    emit(&s, dir, "connect_refused");
    config(&s, 0, SYN_IGNORE_ALL);
    emit(&s, dir, "connect_timeout");
    config(&s, CFG_TX_TIGHT, SYN_IGNORE_FIRST);
    op16(&s, S_WRITE, 19999);
    acked(&s, 65535);
    acked(&s, 65535);
    w8(&s, S_CLOSE); w8(&s, 10);
    emit(&s, dir, "syn_retry_tight_ring");

    config(&s, CFG_NO_TCP | csum, SYN_ANSWER);
    for (unsigned i = 0; i < 8; i++) {
        w8(&s, S_ARP); w8(&s, i % 3); w8(&s, i); w8(&s, i % 2); w8(&s, i % 4 ? 1 : 0);
    }
    for (unsigned m = 0; m < 3; m++) {
        w8(&s, S_PING); w8(&s, m); w16(&s, 7 + m);
    }
    for (unsigned c = 0; c < 3; c++) {
        w8(&s, S_UDP); w8(&s, 1); w8(&s, c); w8(&s, 5); wstr(&s, "hello");
    }
    w8(&s, S_UDP); w8(&s, 0); w8(&s, 0); w8(&s, 0);
    emit(&s, dir, "arp_ping_udp");

    config(&s, CFG_NO_TCP, SYN_ANSWER);
    w8(&s, S_DHCP);
    w8(&s, 1); w8(&s, 0); w8(&s, 0); w8(&s, 0); w8(&s, 0);   /* OFFER of 10.0.2.15 */
    w8(&s, 1); w8(&s, 1); w8(&s, 0); w8(&s, 0); w8(&s, 0);   /* ACK */
    w8(&s, S_DHCP);
    w8(&s, 2); w8(&s, 0); w8(&s, 1); w8(&s, 1); w8(&s, 0x01);    /* for another MAC */
    w8(&s, 0); w8(&s, 0); w8(&s, 0); w8(&s, 0);
    w8(&s, 2); w8(&s, 2); w8(&s, 0); w8(&s, 1); w8(&s, 0);       /* NAK from another */
    w8(&s, 1); w8(&s, 0); w8(&s, 0); w8(&s, 0);
    w8(&s, S_DHCP);
    w8(&s, 1); w8(&s, 0); w8(&s, 2); w8(&s, 0); w8(&s, 0x80); w8(&s, 6);
    wbytes(&s, "\x33\x04\x00\x00\x0e\x10", 6);                  /* lease time option */
    w8(&s, 1); w8(&s, 1); w8(&s, 2); w8(&s, 0); w8(&s, 0x20);
    emit(&s, dir, "dhcp");

    config(&s, CFG_NO_TCP, SYN_ANSWER);
    /* pcemu.test: one A record by pointer to the question */
    w8(&s, S_DNS); w8(&s, 0); w8(&s, 1); w8(&s, 0); w8(&s, 0); w8(&s, 0);
    w8(&s, 1); w8(&s, 0); w8(&s, 0); w8(&s, 1); w8(&s, 1); wbytes(&s, "\x0a\x00\x02\x4d", 4);
    w8(&s, 1); w8(&s, 0);
    /* www.test: CNAME then A for its target */
    w8(&s, S_DNS); w8(&s, 1); w8(&s, 1); w8(&s, 0); w8(&s, 0); w8(&s, 0);
    w8(&s, 2);
    w8(&s, 0); w8(&s, 1); w8(&s, 1); w8(&s, 1); w8(&s, 1);
    w8(&s, 2); w8(&s, 0x00); w8(&s, 38); w8(&s, 0); w8(&s, 1); w8(&s, 1);
    wbytes(&s, "\x0a\x00\x02\x4f", 4);
    w8(&s, 1); w8(&s, 0);
    /* NXDOMAIN, a wrong ID, a name that cannot be asked */
    w8(&s, S_DNS); w8(&s, 2); w8(&s, 1); w8(&s, 211); w8(&s, 0); w8(&s, 0); w8(&s, 0);
    w8(&s, 1); w8(&s, 0);
    w8(&s, S_DNS); w8(&s, 0); w8(&s, 0); w8(&s, 0); w8(&s, 0); w8(&s, 0);
    w8(&s, 1); w8(&s, 0); w8(&s, 0); w8(&s, 1); w8(&s, 1); wbytes(&s, "\x06\x06\x06\x06", 4);
    w8(&s, 1); w8(&s, 0);
    w8(&s, S_DNS); w8(&s, 6); w8(&s, 1); w8(&s, 0); w8(&s, 0); w8(&s, 0); w8(&s, 0);
    w8(&s, 1); w8(&s, 0);
    emit(&s, dir, "dns");

    config(&s, CFG_PASSIVE | CFG_PRE_ARP, SYN_ANSWER);
    for (unsigned i = 0; i < 12; i++) {
        w8(&s, S_STRANGER); w8(&s, 0x80 | (i * 4)); w8(&s, 0x02); w32(&s, i * 1000);
        w32(&s, 0); w16(&s, 8192); w8(&s, 4); wbytes(&s, "\x02\x04\x05\xb4", 4); w8(&s, 0);
    }
    op16(&s, S_TIME, 300);
    w8(&s, S_STRANGER); w8(&s, 3); w8(&s, 0x10); w32(&s, 5); w32(&s, 5); w16(&s, 100);
    w8(&s, 0); w8(&s, 4); wstr(&s, "data");
    static const uint8_t raw[] = {
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x63, 0x08, 0x00,
        0x45, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x20, 0x00, 0x40, 0x11, 0x00, 0x00,
        0, 0, 0, 0, 10, 0, 2, 15, 0x13, 0x88, 0x13, 0x88, 0x00, 0x08, 0x00, 0x00,
    };
    w8(&s, S_RAW); w16(&s, sizeof raw); wbytes(&s, raw, sizeof raw);
    emit(&s, dir, "syn_flood_strangers");

    /* (the fuzzer's finding, fixed: an echo reply whose ICMP checksum
     * is wrong was taken) */
    config(&s, CFG_NO_TCP, SYN_ANSWER);
    w8(&s, S_PING); w8(&s, 3); w16(&s, 1);
    emit(&s, dir, "icmp_reply_bad_checksum");
}
