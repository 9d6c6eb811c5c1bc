/* The e1000 model wired to real libslirp through the net layer: a DHCP
 * DISCOVER sent through the transmit ring is answered by slirp's DHCP
 * server with an OFFER of 10.0.2.15 that lands in the receive ring, and
 * an ARP request for the gateway gets its reply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "contract/e1000.h"
#include "core/log.h"
#include "core/loop.h"
#include "hw/e1000.h"
#include "net/checksum.h"
#include "net/slirp.h"
#include "e1000_rig.h"

#define TXR 0x1000
#define RXR 0x2000
#define TXB 0x3000
#define RXB 0x8000           /* 8 buffers of 2048 */

static struct {
    struct pci_rig p;
    struct loop loop;
    struct e1000 *nic;
    struct user_net *user;
    unsigned tdt;
} r;

static uint32_t rd(uint32_t reg) { return e1000dev_reg_read(r.nic, reg); }
static void wr(uint32_t reg, uint32_t v) { e1000dev_reg_write(r.nic, reg, v); }

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    pci_rig_init(&r.p);
    loop_init(&r.loop);
    r.nic = e1000_rig_add(&r.p, NULL, NULL, false, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    char why[256];
    struct user_net_config uc = { .id = "user.0" };
    r.user = user_net_create(&r.loop, &uc, why, sizeof why);
    assert_non_null(r.user);
    net_connect(e1000dev_net_client(r.nic), user_net_client(r.user));
    wr(E1000_TDBAL, TXR);
    wr(E1000_TDLEN, 128);
    wr(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
    e1000_rig_rx_descs(&r.p, RXR, 8, RXB, 2048);
    wr(E1000_RDBAL, RXR);
    wr(E1000_RDLEN, 128);
    wr(E1000_RDT, 7);
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
    return 0;
}

static int teardown(void **state)
{
    user_net_destroy(r.user);
    board_destroy(&r.p.b);
    return 0;
}

static void transmit(const uint8_t *f, size_t len)
{
    memcpy(r.p.ram + TXB, f, len);
    struct e1000_tx_desc d = { .buffer_addr = TXB, .length = (uint16_t)len,
                               .cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS };
    memcpy(r.p.ram + TXR + 16 * r.tdt, &d, 16);
    r.tdt = (r.tdt + 1) % 8;
    wr(E1000_TDT, r.tdt);
}

/* Run the loop (slirp's sockets and timers) until a frame arrives. */
static const uint8_t *wait_rx(unsigned idx, uint16_t *len)
{
    for (int i = 0; i < 200; i++) {
        struct e1000_rx_desc d;
        memcpy(&d, r.p.ram + RXR + 16 * idx, 16);
        if (d.status & E1000_RXD_STAT_DD) {
            *len = d.length;
            return r.p.ram + d.buffer_addr;
        }
        loop_wait(&r.loop, 5000000);
    }
    return NULL;
}

static void dhcp_offer(void **state)
{
    uint8_t f[342] = { 0 };
    memcpy(f, "\xff\xff\xff\xff\xff\xff\x52\x54\x00\x12\x34\x56\x08\x00", 14);
    uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;
    size_t bootp_len = 300;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((28 + bootp_len) >> 8);
    ip[3] = (uint8_t)(28 + bootp_len);
    ip[8] = 64;
    ip[9] = 17;
    memset(ip + 16, 0xff, 4);
    uint16_t c = csum_finish(csum_add(0, ip, 20));
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    udp[1] = 68;
    udp[3] = 67;
    udp[4] = (uint8_t)((8 + bootp_len) >> 8);
    udp[5] = (uint8_t)(8 + bootp_len);
    bootp[0] = 1; bootp[1] = 1; bootp[2] = 6;
    memcpy(bootp + 4, "\x12\x34\x56\x78", 4);               /* xid */
    memcpy(bootp + 28, "\x52\x54\x00\x12\x34\x56", 6);      /* chaddr */
    memcpy(bootp + 236, "\x63\x82\x53\x63", 4);             /* magic cookie */
    memcpy(bootp + 240, "\x35\x01\x01\xff", 4);             /* DISCOVER, end */
    transmit(f, sizeof f);
    assert_int_equal(rd(E1000_TDH), 1);
    uint16_t len;
    const uint8_t *o = wait_rx(0, &len);
    assert_non_null(o);
    assert_true(len > 282);
    const uint8_t *oip = o + 14, *obootp = oip + 28;
    assert_int_equal(oip[9], 17);
    assert_memory_equal(oip + 12, "\x0a\x00\x02\x02", 4);   /* from the gateway */
    assert_int_equal(obootp[0], 2);                         /* BOOTREPLY */
    assert_memory_equal(obootp + 4, "\x12\x34\x56\x78", 4);
    assert_memory_equal(obootp + 16, "\x0a\x00\x02\x0f", 4); /* yiaddr 10.0.2.15 */
    assert_memory_equal(obootp + 240, "\x35\x01\x02", 3);    /* OFFER */
    assert_true(rd(E1000_ICR) & E1000_ICR_RXT0);
}

static void arp_gateway(void **state)
{
    uint8_t f[42] = { 0 };
    memcpy(f, "\xff\xff\xff\xff\xff\xff\x52\x54\x00\x12\x34\x56\x08\x06", 14);
    memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
    memcpy(f + 22, "\x52\x54\x00\x12\x34\x56\x0a\x00\x02\x0f", 10);
    memcpy(f + 38, "\x0a\x00\x02\x02", 4);
    transmit(f, sizeof f);
    uint16_t len;
    const uint8_t *a = wait_rx(0, &len);
    assert_non_null(a);
    assert_memory_equal(a, "\x52\x54\x00\x12\x34\x56", 6);   /* to us */
    assert_memory_equal(a + 12, "\x08\x06", 2);
    assert_memory_equal(a + 20, "\x00\x02", 2);              /* reply */
    assert_memory_equal(a + 28, "\x0a\x00\x02\x02", 4);      /* for 10.0.2.2 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dhcp_offer, setup, teardown),
        cmocka_unit_test_setup_teardown(arp_gateway, setup, teardown),
    };
    return cmocka_run_group_tests_name("e1000_slirp", tests, NULL, NULL);
}
