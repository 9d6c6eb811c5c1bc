/*
 * The flood (issue 13): the host harness (tools/netharness.c --flood N)
 * sends N numbered datagrams through hostfwd as fast as it can, then end
 * markers until the guest reports. Every datagram must be accounted for:
 * received here (each checked: its pattern, once only), or dropped where
 * a counter says so. This side checks what it sees and prints its
 * counts; tests/system/flood.sh adds the host's and pcemu's and checks
 * the sum. Runs only when asked for: tests=flood.
 *
 * flood.stall_ms=T: after the first datagram the guest takes nothing (it
 * sleeps in hlt) until the device has missed a frame (MPC, read every
 * 100 ms), at most T ms: the receive ring fills, then the device's FIFO,
 * and the device must miss frames and count them.
 *
 * The datagrams are taken from the stack's port handler as it hands them
 * over (net.c's UDP dispatch), with no socket queue in between that could
 * fill: what the stack drops it counts in netif.rx_dropped.
 */
#include "clock.h"
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "flood.h"
#include "heap.h"
#include "kernel.h"
#include "net.h"
#include "tap.h"
#include "x86.h"
#include "net_tests.h"

#define HOST IP4(10, 0, 2, 2)
#define FLOOD_COUNT_MAX (1u << 22)
#define READY_EVERY_NS 1000000000ull
#define FIRST_WAIT_NS (30 * 1000000000ull)   /* READY to the first datagram */
#define QUIET_NS 1000000000ull                /* after the last end marker */
#define TOTAL_NS (240 * 1000000000ull)

static struct {
    uint8_t *seen;                  /* a bit per sequence number */
    uint32_t count;                 /* N, from the command line */
    unsigned long good, corrupt, dup, reordered, markers;
    uint32_t highest, sent, markers_sent;
    bool any, ended, report_due;
    uint64_t last_marker_ns;
} rx;

static void on_datagram(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *d,
                        size_t len)
{
    rx.any = true;
    if (len >= 12 && memcmp(d, FLOOD_MAGIC_END, 4) == 0) {
        rx.markers++;
        rx.sent = flood_get32(d + 4);
        rx.markers_sent = flood_get32(d + 8);
        rx.ended = rx.report_due = true;
        rx.last_marker_ns = time_ns();
        return;
    }
    uint32_t seq = len >= 8 ? flood_get32(d + 4) : 0;
    if (len < 8 || memcmp(d, FLOOD_MAGIC_DATA, 4) != 0 || seq >= rx.count ||
        len != flood_len(seq)) {
        rx.corrupt++;
        return;
    }
    for (size_t i = 8; i < len; i++) {
        if (d[i] != flood_byte(seq, i)) {
            rx.corrupt++;
            return;
        }
    }
    if (rx.seen[seq / 8] & (1u << (seq % 8))) {
        rx.dup++;
        return;
    }
    rx.seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
    rx.good++;
    if (rx.good > 1 && seq < rx.highest)
        rx.reordered++;
    else
        rx.highest = seq;
}

static unsigned long arg(const char *key, unsigned long dflt)
{
    const char *v = cmdline_get(key);
    if (!v)
        return dflt;
    unsigned long n = 0;
    for (; *v >= '0' && *v <= '9'; v++)
        n = n * 10 + (unsigned long)(*v - '0');
    return n;
}

/* The statistics registers clear when read (8254x 13.7): read once at
 * the start to count from there, then added up at each read. */
struct dev_counts { uint32_t tpr, gprc, mpc, rnbc, roc; };

static void dev_add(struct e1000_nic *nic, struct dev_counts *c)
{
    if (!nic)
        return;
    c->tpr += e1000_read(nic, E1000_TPR);
    c->gprc += e1000_read(nic, E1000_GPRC);
    c->mpc += e1000_read(nic, E1000_MPC);
    c->rnbc += e1000_read(nic, E1000_RNBC);
    c->roc += e1000_read(nic, E1000_ROC);
}

static int counts(char *buf, size_t size, const struct dev_counts *dev, unsigned long frames,
                  unsigned long stack_dropped, unsigned long csum_bad)
{
    unsigned long datagrams = rx.good + rx.corrupt + rx.dup + rx.markers;
    unsigned long other = frames - datagrams - stack_dropped;
    return snprintf(buf, size, "sent=%u markers_sent=%u good=%lu corrupt=%lu dup=%lu "
                    "reordered=%lu markers=%lu stack_dropped=%lu udp_csum_bad=%lu frames=%lu "
                    "other=%lu tpr=%u gprc=%u mpc=%u rnbc=%u roc=%u",
                    rx.sent, rx.markers_sent, rx.good, rx.corrupt, rx.dup, rx.reordered,
                    rx.markers, stack_dropped, csum_bad, frames, other, dev->tpr, dev->gprc,
                    dev->mpc, dev->rnbc, dev->roc);
}

SELFTEST_ON_DEMAND(90, flood)
{
    unsigned long ctl = arg("flood.ctl", 0), count = arg("flood.count", 100000),
                  stall_ms = arg("flood.stall_ms", 0);
    if (!ctl || ctl > 65535 || !count || count > FLOOD_COUNT_MAX) {
        char got[80];
        snprintf(got, sizeof got, "flood.ctl=%s flood.count=%s",
                 cmdline_get("flood.ctl") ? cmdline_get("flood.ctl") : "(none)",
                 cmdline_get("flood.count") ? cmdline_get("flood.count") : "(none)");
        tap_fail(t, "the harness's control port and count on the command line, as "
                 "netharness --flood gives them", "flood.ctl=1..65535 flood.count=1..4194304",
                 got);
        return;
    }
    if (!net_test_configured(t))
        return;
    rx = (typeof(rx)){ .count = (uint32_t)count };
    rx.seen = kzalloc((count + 7) / 8);
    if (!rx.seen) {
        tap_fail(t, "a bitmap of the sequence numbers", "memory", "none");
        return;
    }
    if (udp_bind(FLOOD_GUEST_PORT, on_datagram) < 0) {
        tap_fail(t, "binding the flood's port", "a free port handler", "none");
        kfree(rx.seen);
        return;
    }
    struct e1000_nic *nic = e1000_first();
    struct dev_counts dev = { 0 };
    dev_add(nic, &dev);                     /* from zero */
    dev = (struct dev_counts){ 0 };
    unsigned long frames0 = netif.rx_frames, dropped0 = netif.rx_dropped,
                  csum0 = netif.rx_udp_csum_bad;

    uint64_t start = time_ns(), ready_at = 0;
    while (!rx.any && time_ns() - start < FIRST_WAIT_NS) {
        if (time_ns() - ready_at >= READY_EVERY_NS || !ready_at) {
            udp_send(HOST, FLOOD_GUEST_PORT, (uint16_t)ctl, FLOOD_READY,
                     sizeof FLOOD_READY - 1);
            ready_at = time_ns();
        }
        if (!net_poll())
            net_idle();
    }
    uint64_t until = time_ns() + stall_ms * 1000000, look = time_ns();
    while (rx.any && time_ns() < until && !dev.mpc) {
        sti_hlt();                          /* woken by the tick, taking nothing */
        if (time_ns() - look >= 100000000) {
            dev_add(nic, &dev);
            look = time_ns();
        }
    }
    while (rx.any && time_ns() - start < TOTAL_NS &&
           !(rx.ended && time_ns() - rx.last_marker_ns >= QUIET_NS)) {
        if (rx.report_due) {
            char msg[400];
            int n = snprintf(msg, sizeof msg, "%s ", FLOOD_REPORT);
            dev_add(nic, &dev);
            n += counts(msg + n, sizeof msg - (size_t)n, &dev, netif.rx_frames - frames0,
                        netif.rx_dropped - dropped0, netif.rx_udp_csum_bad - csum0);
            udp_send(HOST, FLOOD_GUEST_PORT, (uint16_t)ctl, msg, (size_t)n);
            rx.report_due = false;
        }
        if (!net_poll())
            net_idle();
    }
    udp_unbind(FLOOD_GUEST_PORT);
    dev_add(nic, &dev);
    unsigned long frames = netif.rx_frames - frames0, dropped = netif.rx_dropped - dropped0;
    char line[400];
    counts(line, sizeof line, &dev, frames, dropped, netif.rx_udp_csum_bad - csum0);
    printf("# flood guest: %s\n", line);
    kfree(rx.seen);

    EXPECT_TRUE(t, rx.any, "a datagram within 30 s of saying ready");
    EXPECT_TRUE(t, rx.ended, "the end marker");
    EXPECT_TRUE(t, rx.good > 0, "datagrams received");
    EXPECT_EQ(t, 0, rx.corrupt, "datagrams with a wrong length, number or pattern");
    EXPECT_EQ(t, 0, rx.dup, "datagrams received twice");
    EXPECT_TRUE(t, rx.good <= rx.sent, "no more datagrams than the host sent");
    if (stall_ms && nic)
        EXPECT_TRUE(t, dev.mpc > 0, "frames missed (MPC) while the guest took nothing");
    /* what the device wrote to the ring, the driver handed on, and the
     * stack dispatched or counted as dropped */
    if (nic)
        EXPECT_EQ(t, dev.gprc, frames, "frames the device delivered = frames the stack took");
    EXPECT_TRUE(t, frames >= rx.good + rx.corrupt + rx.dup + rx.markers + dropped,
                "frames the stack took cover the datagrams and its drops");
}
