/* Interrupt moderation on a clock the test moves: RDTR restarts with
 * each frame, RADV caps it, RDTR's flush bit fires at once, TIDV delays
 * TXDW for descriptors with IDE, and ITR spaces interrupts out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/e1000.h"
#include "core/log.h"
#include "core/loop.h"
#include "hw/e1000.h"
#include "net/net.h"
#include "clock_rig.h"
#include "e1000_rig.h"

#define RXR 0x1000
#define TXR 0x1800
#define BUFS 0x4000

static struct {
    struct pci_rig p;
    struct clock_rig clk;
    struct e1000 *nic;
    struct net_client wire;
    int irq, rises;
} r;

static void irq(void *o, int n, int level)
{
    if (level && !r.irq)
        r.rises++;
    r.irq = level;
}
static uint32_t rd(uint32_t reg) { return e1000dev_reg_read(r.nic, reg); }
static void wr(uint32_t reg, uint32_t v) { e1000dev_reg_write(r.nic, reg, v); }

static void advance(uint64_t ns)
{
    uint64_t end = r.clk.now + ns;
    while (r.clk.now < end) {
        r.clk.now += 1000 < end - r.clk.now ? 1000 : end - r.clk.now;
        loop_run_timers(&r.clk.loop);
    }
}

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    r.nic = e1000_rig_start(state, &r.p, &r.clk, irq, false,
                            PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    e1000_rig_wire(&r.wire, r.nic);
    e1000_rig_rx_descs(&r.p, RXR, 8, BUFS, 2048);
    wr(E1000_RDBAL, RXR);
    wr(E1000_RDLEN, 128);
    wr(E1000_RDT, 7);
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM);
    wr(E1000_IMS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
    return 0;
}

static void frame(void)
{
    uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    net_send(&r.wire, f, sizeof f);
}

static void immediate_without_delay(void **state)
{
    frame();
    assert_int_equal(r.irq, 1);
}

static void rdtr_restarts_with_each_frame(void **state)
{
    wr(E1000_RDTR, 100);                      /* 102.4 µs */
    frame();
    assert_int_equal(r.irq, 0);
    advance(80000);
    frame();                                  /* restarts the 102.4 µs */
    advance(80000);
    assert_int_equal(r.irq, 0);
    advance(30000);
    assert_int_equal(r.irq, 1);
    assert_true(rd(E1000_ICR) & E1000_ICR_RXT0);
}

static void radv_caps_the_delay(void **state)
{
    wr(E1000_RDTR, 100);                      /* 102.4 µs */
    wr(E1000_RADV, 200);                      /* 204.8 µs */
    frame();
    for (int i = 0; i < 3; i++) {             /* a frame every 60 µs */
        advance(60000);
        frame();
    }
    assert_int_equal(r.irq, 0);               /* 180 µs in */
    advance(30000);
    assert_int_equal(r.irq, 1);               /* RADV fired at 204.8 µs */
}

static void flush_partial(void **state)
{
    wr(E1000_RDTR, 1000);
    frame();
    assert_int_equal(r.irq, 0);
    wr(E1000_RDTR, 1000 | 0x80000000u);       /* FPD */
    assert_int_equal(r.irq, 1);
}

static void tidv_for_ide(void **state)
{
    wr(E1000_TIDV, 50);                       /* 51.2 µs */
    wr(E1000_TDBAL, TXR);
    wr(E1000_TDLEN, 128);
    wr(E1000_TCTL, E1000_TCTL_EN);
    memcpy(r.p.ram + BUFS, "\xff\xff\xff\xff\xff\xff\x52\x54\x00\x12\x34\x56", 12);
    struct e1000_tx_desc d = { .buffer_addr = BUFS, .length = 60,
                               .cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS | E1000_TXD_CMD_IDE };
    memcpy(r.p.ram + TXR, &d, 16);
    wr(E1000_TDT, 1);
    advance(E1000_DMA_DELAY_NS);              /* the device takes the descriptor */
    assert_int_equal(r.irq, 0);
    advance(52000);
    assert_int_equal(r.irq, 1);
    assert_true(rd(E1000_ICR) & E1000_ICR_TXDW);
    /* without IDE the write-back interrupts at once */
    d.cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;
    memcpy(r.p.ram + TXR + 16, &d, 16);
    wr(E1000_TDT, 2);
    advance(E1000_DMA_DELAY_NS);
    assert_int_equal(r.irq, 1);
}

static void itr_spaces_interrupts(void **state)
{
    wr(E1000_ITR, 1000);                      /* 256 µs between interrupts */
    wr(E1000_ICS, E1000_ICR_RXT0);
    assert_int_equal(r.rises, 1);
    rd(E1000_ICR);                            /* handled */
    assert_int_equal(r.irq, 0);
    wr(E1000_ICS, E1000_ICR_RXT0);            /* too soon */
    assert_int_equal(r.irq, 0);
    advance(200000);
    assert_int_equal(r.irq, 0);
    advance(60000);
    assert_int_equal(r.irq, 1);
    assert_int_equal(r.rises, 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, pci_rig_teardown)
    const struct CMUnitTest tests[] = {
        T(immediate_without_delay), T(rdtr_restarts_with_each_frame), T(radv_caps_the_delay),
        T(flush_partial), T(tidv_for_ide), T(itr_spaces_interrupts),
    };
    return cmocka_run_group_tests_name("e1000_mitigation", tests, NULL, NULL);
}
