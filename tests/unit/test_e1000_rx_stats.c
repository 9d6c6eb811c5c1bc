/* Every frame the e1000 is offered is accounted for in its rx_stats
 * (issue 13's flood): delivered, waiting in the receive FIFO, or dropped
 * with the reason counted. The statistics registers clear when read and
 * some drops (receiver off, frames flushed at reset) have no register:
 * rx_stats keeps them all, and arrived always equals the sum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "contract/e1000.h"
#include "contract/pci.h"
#include "core/log.h"
#include "core/loop.h"
#include "hw/e1000.h"
#include "net/net.h"
#include "clock_rig.h"
#include "e1000_rig.h"

#define RXR   0x1800        /* receive ring, 8 descriptors */
#define RXBUF 0x8000        /* receive buffers, 4 KiB apart */

static struct {
    struct pci_rig p;
    struct clock_rig clk;
    struct e1000 *nic;
    struct net_client wire;
} r;

static void quiet(void *opaque, const char *line) { }

static uint32_t rd(uint32_t reg) { return e1000dev_reg_read(r.nic, reg); }

static void wr(uint32_t reg, uint32_t v) { clock_rig_e1000_write(&r.clk, r.nic, reg, v); }

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    log_capture(quiet, NULL);
    r.nic = e1000_rig_start(state, &r.p, &r.clk, NULL, true,
                            PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    e1000_rig_wire(&r.wire, r.nic);
    return 0;
}

static void rx_ring(uint32_t rctl, uint32_t rdt)
{
    e1000_rig_rx_descs(&r.p, RXR, 8, RXBUF, 4096);
    wr(E1000_RDBAL, RXR);
    wr(E1000_RDLEN, 8 * 16);
    wr(E1000_RDH, 0);
    wr(E1000_RDT, rdt);
    wr(E1000_RCTL, rctl);
}

/* n frames of len bytes, to this station's MAC or (other) another one */
static void send(unsigned n, size_t len, bool other)
{
    static uint8_t f[4096];
    memset(f, 0, len);
    memcpy(f, "\x52\x54\x00\x12\x34\x56" "\x52\x55\x0a\x00\x02\x02" "\x88\xb5", 14);
    if (other)
        f[5] ^= 1;
    for (unsigned i = 0; i < n; i++)
        assert_true(net_send(&r.wire, f, len));
}

/* The fates seen so far, and arrived = their sum with what waits. */
static void expect(uint64_t delivered, uint64_t waiting, uint64_t off, uint64_t filtered,
                   uint64_t oversize, uint64_t missed, uint64_t flushed)
{
    const struct e1000dev_rx_stats *s = e1000dev_rx_stats(r.nic);
    size_t bytes;
    assert_int_equal(s->delivered, delivered);
    assert_int_equal(e1000dev_rx_waiting(r.nic, &bytes), waiting);
    assert_int_equal(s->off, off);
    assert_int_equal(s->filtered, filtered);
    assert_int_equal(s->oversize, oversize);
    assert_int_equal(s->missed, missed);
    assert_int_equal(s->flushed, flushed);
    assert_int_equal(s->bad_ring, 0);
    assert_int_equal(s->arrived, delivered + waiting + off + filtered + oversize + missed +
                                 flushed);
}

static void every_fate_is_counted(void **state)
{
    rx_ring(E1000_RCTL_EN, 7);                      /* 7 free descriptors */
    send(5, 64, false);
    expect(5, 0, 0, 0, 0, 0, 0);
    send(1, 64, true);                              /* another station's */
    expect(5, 0, 0, 1, 0, 0, 0);
    send(1, 1600, false);                           /* long, RCTL.LPE clear */
    expect(5, 0, 0, 1, 1, 0, 0);
    send(4, 64, false);                             /* 2 fit, 2 wait */
    expect(7, 2, 0, 1, 1, 0, 0);
    assert_int_equal(e1000dev_rx_stats(r.nic)->waited, 2);
    assert_int_equal(rd(E1000_RNBC), 2);
    wr(E1000_RCTL, 0);                              /* the waiting 2 go */
    expect(7, 0, 0, 1, 1, 0, 2);
    send(1, 64, false);                             /* the receiver is off */
    expect(7, 0, 1, 1, 1, 0, 2);
    wr(E1000_RCTL, E1000_RCTL_EN);
    e1000dev_set_link(r.nic, false);                   /* the cable is out */
    send(1, 64, false);
    expect(7, 0, 2, 1, 1, 0, 2);
    e1000dev_set_link(r.nic, true);
    /* 2000 bytes in 256-byte buffers: more than the ring can ever hold */
    rx_ring(E1000_RCTL_EN | E1000_RCTL_LPE | E1000_RCTL_BSIZE_256, 7);
    send(1, 2000, false);
    expect(7, 0, 2, 1, 1, 1, 2);
    /* no descriptor free: the FIFO fills to its frame bound, then misses */
    rx_ring(E1000_RCTL_EN, 0);
    send(NET_QUEUE_LIMIT + 10, 64, false);
    expect(7, NET_QUEUE_LIMIT, 2, 1, 1, 11, 2);
    assert_int_equal(rd(E1000_MPC), 11);            /* the register agrees, once */
    assert_int_equal(rd(E1000_MPC), 0);
    assert_int_equal(e1000dev_rx_stats(r.nic)->missed, 11);   /* rx_stats does not clear */
    wr(E1000_CTRL, E1000_CTRL_RST);                 /* the FIFO is discarded */
    expect(7, 0, 2, 1, 1, 11, 2 + NET_QUEUE_LIMIT);
}

/* -stats shows them: the line pcemu prints at exit. */
static void printed_for_stats(void **state)
{
    rx_ring(E1000_RCTL_EN, 7);
    send(9, 64, false);
    char buf[512] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    e1000dev_rx_stats_print(r.nic, f);
    fclose(f);
    assert_string_equal(buf, "; e1000 rx: 9 arrived, 7 delivered, 2 waited, 2 waiting, "
                        "dropped: 0 off, 0 filtered, 0 oversize, 0 missed, 0 flushed, "
                        "0 bad ring");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, pci_rig_teardown)
    const struct CMUnitTest tests[] = { T(every_fate_is_counted), T(printed_for_stats) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
