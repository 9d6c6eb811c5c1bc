/* The receive path: filtering, DMA into the ring with write-back, frames
 * spanning buffers, checksum status, no silent drops when the ring is
 * full, and wrong rings survived. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "contract/e1000.h"
#include "core/log.h"
#include "hw/e1000.h"
#include "net/checksum.h"
#include "net/net.h"
#include "e1000_rig.h"

#define RING 0x1000
#define BUFS 0x4000          /* 8 buffers of 2048 bytes */

static struct {
    struct pci_rig p;
    struct e1000 *nic;
    struct net_client wire;
    char warn[512];
    int irq;
} r;

static void sink(void *opaque, const char *line) { snprintf(r.warn, sizeof r.warn, "%s", line); }
static void irq(void *opaque, int n, int level) { r.irq = level; }
static uint32_t rd(uint32_t reg) { return e1000dev_reg_read(r.nic, reg); }
static void wr(uint32_t reg, uint32_t v) { e1000dev_reg_write(r.nic, reg, v); }

static struct e1000_rx_desc *desc(unsigned i)
{
    return (struct e1000_rx_desc *)(r.p.ram + RING + 16 * i);
}

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    log_capture(sink, NULL);
    r.nic = e1000_rig_start(state, &r.p, NULL, irq, false,
                            PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    e1000_rig_wire(&r.wire, r.nic);
    e1000_rig_rx_descs(&r.p, RING, 8, BUFS, 2048);
    wr(E1000_RDBAL, RING);
    wr(E1000_RDLEN, 8 * 16);
    wr(E1000_RDH, 0);
    wr(E1000_RDT, 7);                     /* seven free descriptors */
    wr(E1000_IMS, E1000_ICR_RXT0);
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
    return 0;
}

static size_t frame(uint8_t *f, const char *dst, size_t len)
{
    memset(f, 0, len);
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x52\x55\x0a\x00\x02\x02\x08\x06", 8);
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)i;
    return len;
}

/* CRC-32 of IEEE 802.3 a bit at a time: the test's own, not the model's. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t len)
{
    uint32_t c = 0xffffffff;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++)
            c = c & 1 ? c >> 1 ^ 0xedb88320 : c >> 1;
    }
    return ~c;
}

#define OURS "\x52\x54\x00\x12\x34\x56"
#define BCAST "\xff\xff\xff\xff\xff\xff"

static void receive_and_write_back(void **state)
{
    uint8_t f[100];
    assert_true(net_send(&r.wire, f, frame(f, OURS, 100)));
    assert_int_equal(desc(0)->length, 100);
    assert_int_equal(desc(0)->status & (E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP),
                     E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
    assert_memory_equal(r.p.ram + BUFS, f, 100);
    assert_int_equal(rd(E1000_RDH), 1);
    assert_int_equal(r.irq, 1);
    assert_true(rd(E1000_ICR) & E1000_ICR_RXT0);
    assert_int_equal(rd(E1000_GPRC), 1);
    assert_int_equal(rd(E1000_GORCL), 104);
}

static void filters(void **state)
{
    uint8_t f[64];
    net_send(&r.wire, f, frame(f, "\x52\x54\x00\x99\x99\x99", 64));   /* not ours */
    assert_int_equal(rd(E1000_RDH), 0);
    net_send(&r.wire, f, frame(f, BCAST, 64));
    assert_int_equal(rd(E1000_RDH), 1);
    assert_int_equal(rd(E1000_BPRC), 1);
    net_send(&r.wire, f, frame(f, "\x01\x00\x5e\x00\x00\x01", 64));   /* multicast, no MTA */
    assert_int_equal(rd(E1000_RDH), 1);
    wr(E1000_RCTL, rd(E1000_RCTL) | E1000_RCTL_UPE | E1000_RCTL_MPE);
    net_send(&r.wire, f, frame(f, "\x52\x54\x00\x99\x99\x99", 64));
    net_send(&r.wire, f, frame(f, "\x01\x00\x5e\x00\x00\x01", 64));
    assert_int_equal(rd(E1000_RDH), 3);
    assert_int_equal(rd(E1000_MPRC), 1);
    /* a second valid receive address */
    wr(E1000_RCTL, E1000_RCTL_EN);
    wr(E1000_RAL(1), 0x99005452);
    wr(E1000_RAH(1), 0x9999 | E1000_RAH_AV);
    net_send(&r.wire, f, frame(f, "\x52\x54\x00\x99\x99\x99", 64));
    assert_int_equal(rd(E1000_RDH), 4);
}

static void spans_buffers(void **state)
{
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BSIZE_1024);
    static uint8_t f[1500];
    net_send(&r.wire, f, frame(f, OURS, 1500));
    assert_int_equal(desc(0)->length, 1024);
    assert_false(desc(0)->status & E1000_RXD_STAT_EOP);
    /* without RCTL.SECRC the FCS comes too, in the length */
    assert_int_equal(desc(1)->length, 476 + 4);
    assert_true(desc(1)->status & E1000_RXD_STAT_EOP);
    assert_memory_equal(r.p.ram + BUFS + 2048, f + 1024, 476);
    /* a frame with its FCS leaves CRC-32's residue (IEEE 802.3 3.2.9) */
    uint8_t whole[1504];
    memcpy(whole, r.p.ram + BUFS, 1024);
    memcpy(whole + 1024, r.p.ram + BUFS + 2048, 480);
    assert_int_equal(crc32_bitwise(whole, sizeof whole), 0x2144df1c);
    /* with SECRC: stripped */
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BSIZE_1024 | E1000_RCTL_SECRC);
    net_send(&r.wire, f, frame(f, OURS, 1500));
    assert_int_equal(desc(2)->length, 1024);
    assert_int_equal(desc(3)->length, 476);
    /* BSEX: 4096-byte buffers take it whole */
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BSEX | E1000_RCTL_BSIZE_256 | E1000_RCTL_SECRC);
    net_send(&r.wire, f, frame(f, OURS, 1500));
    assert_int_equal(desc(4)->length, 1500);
    assert_true(desc(4)->status & E1000_RXD_STAT_EOP);
}

static void full_ring_keeps_frames(void **state)
{
    uint8_t f[64];
    for (int i = 0; i < 9; i++) {
        frame(f, OURS, 64);
        f[20] = (uint8_t)i;
        assert_true(net_send(&r.wire, f, 64));
    }
    assert_int_equal(rd(E1000_RDH), 7);           /* ring full: 7 taken */
    assert_true(rd(E1000_RNBC) >= 1);
    assert_int_equal(r.p.ram[BUFS + 6 * 2048 + 20], 6);
    /* the guest hands back four descriptors: the two waiting frames land */
    wr(E1000_RDT, 3);
    assert_int_equal(rd(E1000_RDH), 1);
    assert_int_equal(r.p.ram[BUFS + 7 * 2048 + 20], 7);
    assert_int_equal(r.p.ram[BUFS + 0 * 2048 + 20], 8);
}

static void checksum_status(void **state)
{
    wr(E1000_RXCSUM, E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD);
    uint8_t f[60];
    memset(f, 0, sizeof f);
    memcpy(f, OURS "\x52\x55\x0a\x00\x02\x02\x08\x00", 14);
    uint8_t *ip = f + 14;
    ip[0] = 0x45; ip[3] = 28 + 10; ip[8] = 64; ip[9] = 17;
    memcpy(ip + 12, "\x0a\x00\x02\x02\x0a\x00\x02\x0f", 8);
    uint16_t c = csum_finish(csum_add(0, ip, 20));
    ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
    uint8_t *udp = ip + 20;
    udp[1] = 53; udp[3] = 99; udp[5] = 18;
    uint32_t s = csum_add(0, ip + 12, 8) + 17 + 18;
    c = csum_finish(csum_add(s, udp, 18));
    udp[6] = (uint8_t)(c >> 8); udp[7] = (uint8_t)c;
    net_send(&r.wire, f, 60);
    assert_true(desc(0)->status & E1000_RXD_STAT_IPCS);
    assert_true(desc(0)->status & E1000_RXD_STAT_TCPCS);
    assert_int_equal(desc(0)->errors, 0);
    udp[9] ^= 1;                                    /* corrupt the payload */
    net_send(&r.wire, f, 60);
    assert_true(desc(1)->errors & E1000_RXD_ERR_TCPE);
}

static void hostile(void **state)
{
    uint8_t f[64];
    /* too long without LPE */
    static uint8_t big[3000];
    net_send(&r.wire, big, frame(big, OURS, 3000));
    assert_non_null(strstr(r.warn, "3004-byte frame with RCTL.LPE and SBP clear"));
    assert_int_equal(rd(E1000_ROC), 1);
    /* a null buffer */
    desc(0)->buffer_addr = 0;
    net_send(&r.wire, f, frame(f, OURS, 64));
    assert_non_null(strstr(r.warn, "receive descriptor 0 has buffer address 0"));
    assert_int_equal(rd(E1000_RDH), 1);
    /* a buffer on the device's own registers */
    pci_firmware_set_bar(e1000dev_pci(r.nic), 0, E1000_BAR0_ADDR);
    desc(1)->buffer_addr = E1000_BAR0_ADDR + E1000_RDT;
    net_send(&r.wire, f, frame(f, OURS, 64));
    assert_non_null(strstr(r.warn, "is not RAM"));
    assert_int_equal(rd(E1000_RDT), 7);             /* the register was not written */
    /* RDT past the ring */
    wr(E1000_RDT, 50);
    assert_non_null(strstr(r.warn, "RDT = 50 is past the end of the 8-descriptor receive ring"));
    assert_true(net_send(&r.wire, f, 64));          /* kept, not lost */
    wr(E1000_RDT, 7);
    assert_int_equal(rd(E1000_RDH), 3);
    /* RDH past the ring: the frame waits, nothing is written beyond it */
    wr(E1000_RDH, 90);
    assert_non_null(strstr(r.warn, "RDH = 90 is past the end of the 8-descriptor receive ring"));
    wr(E1000_RDT, 7);
    (void)rd(E1000_GPRC);                           /* clear on read */
    assert_true(net_send(&r.wire, f, frame(f, OURS, 64)));
    assert_int_equal(rd(E1000_GPRC), 0);
    wr(E1000_RDH, 3);
    wr(E1000_RDT, 7);                               /* fixed: the kept frame lands */
    assert_int_equal(rd(E1000_GPRC), 1);
    assert_int_equal(rd(E1000_RDH), 4);
}

static void loopback_into_tx_ring(void **state)
{
    /* MAC loopback with the receive ring aimed at the transmit ring */
    struct e1000_tx_desc t = { .buffer_addr = BUFS, .length = 64,
                               .cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
    frame(r.p.ram + BUFS, OURS, 64);
    for (unsigned i = 0; i < 8; i++)
        memcpy(desc(i), &t, 16);
    wr(E1000_TDBAL, RING);
    wr(E1000_TDLEN, 8 * 16);
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_LBM_MAC);
    wr(E1000_TCTL, E1000_TCTL_EN);
    wr(E1000_TDT, 7);
    /* it ends: at most a lap of descriptors per TDT write */
    assert_true(rd(E1000_TDH) < 8);
}

static uint32_t mdic_write(unsigned reg, uint16_t v)
{
    wr(E1000_MDIC, E1000_MDIC_OP_WRITE | 1u << E1000_MDIC_PHY_SHIFT |
                   reg << E1000_MDIC_REG_SHIFT | v);
    return rd(E1000_MDIC);
}

static unsigned wire_frames;
static bool wire_rx(struct net_client *nc, const uint8_t *f, size_t len)
{
    wire_frames++;
    return true;
}

#define TX_RING 0x2000
#define TX_BUFS 0xa000       /* 8 buffers of 1024 bytes */

/* PHY loopback (PHY control bit 14) as Linux's ethtool loopback test
 * programs it on the 82540 (issue #14): 1024-byte frames sent with FCS
 * insertion come back whole to the receive ring, none reaches the cable,
 * and the cable's link does not matter; frames from the cable are not
 * heard meanwhile. */
static void phy_loopback(void **state)
{
    static const struct net_client_ops counting = { "test", NULL, wire_rx };
    r.wire.ops = &counting;
    wire_frames = 0;
    e1000dev_set_link(r.nic, false);                       /* no cable needed */
    mdic_write(PHY_CTRL, 0x8140);                       /* reset, autoneg off */
    mdic_write(PHY_CTRL, MII_CR_LOOPBACK | MII_CR_FULL_DUPLEX | MII_CR_SPEED_1000);
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_FRCSPD | E1000_CTRL_FRCDPLX | E1000_CTRL_FD |
                   E1000_CTRL_ILOS | E1000_CTRL_SPD_1000);
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
    for (unsigned i = 0; i < 8; i++) {
        uint8_t *f = r.p.ram + TX_BUFS + 1024 * i;
        memset(f, 0xff, 1024);                          /* broadcast, as Linux's */
        memset(f + 512, 0xaa, 511);
        f[522] = 0xbe;
        f[524] = 0xaf;
        f[100] = (uint8_t)i;
        struct e1000_tx_desc t = { .buffer_addr = TX_BUFS + 1024 * i, .length = 1024,
                                   .cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS |
                                          E1000_TXD_CMD_RPS | E1000_TXD_CMD_RS };
        memcpy(r.p.ram + TX_RING + 16 * i, &t, 16);
    }
    wr(E1000_TDBAL, TX_RING);
    wr(E1000_TDLEN, 8 * 16);
    wr(E1000_TDH, 0);
    wr(E1000_TDT, 0);
    wr(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
    wr(E1000_TDT, 7);
    assert_int_equal(rd(E1000_TDH), 7);
    assert_int_equal(rd(E1000_RDH), 7);                 /* all seven came back */
    for (unsigned i = 0; i < 7; i++) {
        assert_int_equal(desc(i)->length, 1024);
        assert_true(desc(i)->status & E1000_RXD_STAT_DD);
        assert_memory_equal(r.p.ram + BUFS + 2048 * i, r.p.ram + TX_BUFS + 1024 * i, 1024);
    }
    assert_int_equal(rd(E1000_GPRC), 7);
    assert_int_equal(rd(E1000_GPTC), 7);
    assert_int_equal(wire_frames, 0);
    /* the cable is not listened to */
    e1000dev_set_link(r.nic, true);
    uint8_t f[64];
    wr(E1000_RDT, 0);
    assert_true(net_send(&r.wire, f, frame(f, OURS, 64)));
    assert_int_equal(rd(E1000_GPRC), 0);
    assert_int_equal(rd(E1000_RDH), 7);
    /* loopback off: the cable again */
    mdic_write(PHY_CTRL, MII_CR_FULL_DUPLEX | MII_CR_SPEED_1000);
    assert_true(net_send(&r.wire, f, frame(f, OURS, 64)));
    assert_int_equal(rd(E1000_GPRC), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, pci_rig_teardown)
    const struct CMUnitTest tests[] = {
        T(receive_and_write_back), T(filters), T(spans_buffers), T(full_ring_keeps_frames),
        T(checksum_status), T(hostile), T(loopback_into_tx_ring), T(phy_loopback),
    };
    return cmocka_run_group_tests_name("e1000_rx", tests, NULL, NULL);
}
