/* The transmit path against a recording peer: legacy and extended
 * descriptors, checksum insertion, TSO, write-back and interrupts, and
 * every kind of wrong descriptor ring a guest can program. */
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

#define RING   0x1000       /* descriptors */
#define BUF    0x4000       /* packet buffers */

struct frame { size_t len; uint8_t data[2048]; };

static struct {
    struct pci_rig p;
    struct e1000 *nic;
    struct net_client peer;
    struct frame frames[16];
    int nframes;
    char warn[512];
    int nwarn;
} r;

static bool peer_rx(struct net_client *nc, const uint8_t *buf, size_t len)
{
    if (r.nframes < 16) {
        r.frames[r.nframes].len = len;
        memcpy(r.frames[r.nframes].data, buf, len < 2048 ? len : 2048);
    }
    r.nframes++;
    return true;
}

static const struct net_client_ops peer_ops = { "test", NULL, peer_rx };

static void sink(void *opaque, const char *line)
{
    snprintf(r.warn, sizeof r.warn, "%s", line);
    r.nwarn++;
}

static uint32_t rd(uint32_t reg) { return e1000dev_reg_read(r.nic, reg); }
static void wr(uint32_t reg, uint32_t v) { e1000dev_reg_write(r.nic, reg, v); }

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    log_capture(sink, NULL);
    r.nic = e1000_rig_start(state, &r.p, NULL, NULL, false,
                            PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    e1000_rig_connect(&r.peer, "peer", &peer_ops, r.nic);
    wr(E1000_TDBAL, RING);
    wr(E1000_TDBAH, 0);
    wr(E1000_TDLEN, 8 * 16);
    wr(E1000_TDH, 0);
    wr(E1000_TDT, 0);
    wr(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
    wr(E1000_IMS, E1000_ICR_TXDW | E1000_ICR_TXQE);
    return 0;
}

static void legacy(unsigned idx, uint64_t addr, uint16_t len, uint8_t cmd, uint8_t cso, uint8_t css)
{
    struct e1000_tx_desc d = { .buffer_addr = addr, .length = len, .cmd = cmd, .cso = cso,
                               .css = css };
    memcpy(r.p.ram + RING + 16 * idx, &d, 16);
}

static void context(unsigned idx, const struct e1000_context_desc *c)
{
    e1000_rig_context(&r.p, RING, idx, c);
}

static void data(unsigned idx, uint64_t addr, uint32_t len, uint32_t dcmd, uint8_t popts)
{
    e1000_rig_data(&r.p, RING, idx, addr, len, dcmd, popts);
}

static uint8_t status(unsigned idx) { return r.p.ram[RING + 16 * idx + 12]; }

static void one_legacy_frame(void **state)
{
    memcpy(r.p.ram + BUF, "\xff\xff\xff\xff\xff\xff" "\x52\x54\x00\x12\x34\x56" "\x08\x06" "hello", 19);
    legacy(0, BUF, 19, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS | E1000_TXD_CMD_IFCS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(r.nframes, 1);
    assert_int_equal(r.frames[0].len, 60);                /* padded: TCTL.PSP */
    assert_memory_equal(r.frames[0].data + 14, "hello", 5);
    assert_int_equal(rd(E1000_TDH), 1);
    assert_true(status(0) & E1000_TXD_STAT_DD);
    uint32_t icr = rd(E1000_ICR);
    assert_true(icr & E1000_ICR_TXDW);
    assert_true(icr & E1000_ICR_TXQE);
    assert_int_equal(rd(E1000_GPTC), 1);
    assert_int_equal(rd(E1000_TPT), 1);
    assert_int_equal(rd(E1000_BPTC), 1);
    assert_int_equal(rd(E1000_GOTCL), 64);
    assert_int_equal(rd(E1000_GPTC), 0);                 /* cleared by the read */
}

/* With TCTL.PSP clear, a packet shorter than an Ethernet header (here a
 * descriptor of no bytes with EOP) is not put on the wire: no 8254x
 * sends a frame without even a header. A warning for each, the
 * descriptors done as usual. (Found by tests/fuzz: it went to slirp and the pcap as
 * a 0-byte frame.) */
static void packet_shorter_than_a_header(void **state)
{
    wr(E1000_TCTL, E1000_TCTL_EN);
    legacy(0, BUF, 0, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
    legacy(1, BUF, 10, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 0);
    assert_int_equal(r.nwarn, 2);                       /* one a packet */
    assert_non_null(strstr(r.warn, "shorter than an Ethernet header"));
    assert_int_equal(rd(E1000_TDH), 2);
    assert_true(status(0) & E1000_TXD_STAT_DD);
    assert_true(status(1) & E1000_TXD_STAT_DD);
    assert_int_equal(rd(E1000_GPTC), 0);
}

static void gathered_and_no_rs(void **state)
{
    memset(r.p.ram + BUF, 0xaa, 100);
    memset(r.p.ram + BUF + 100, 0xbb, 100);
    legacy(0, BUF, 100, 0, 0, 0);
    legacy(1, BUF + 100, 100, E1000_TXD_CMD_EOP, 0, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 1);
    assert_int_equal(r.frames[0].len, 200);
    assert_int_equal(r.frames[0].data[99], 0xaa);
    assert_int_equal(r.frames[0].data[100], 0xbb);
    assert_int_equal(status(1), 0);                      /* no RS: no write-back */
    assert_false(rd(E1000_ICR) & E1000_ICR_TXDW);
    /* the ring wraps */
    for (unsigned i = 2; i < 8; i++)
        legacy(i, BUF, 60, E1000_TXD_CMD_EOP, 0, 0);
    legacy(0, BUF, 60, E1000_TXD_CMD_EOP, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(r.nframes, 8);
    assert_int_equal(rd(E1000_TDH), 1);
}

/* An IPv4/UDP packet: 14 Ethernet + 20 IP + 8 UDP + payload. */
static size_t build_udp(uint8_t *f, size_t payload)
{
    memset(f, 0, 42 + payload);
    memcpy(f, "\x52\x55\x0a\x00\x02\x02" "\x52\x54\x00\x12\x34\x56" "\x08\x00", 14);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((28 + payload) >> 8);
    ip[3] = (uint8_t)(28 + payload);
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    uint8_t *udp = ip + 20;
    udp[0] = 0x30; udp[1] = 0x39; udp[2] = 0x00; udp[3] = 0x07;
    udp[4] = (uint8_t)((8 + payload) >> 8);
    udp[5] = (uint8_t)(8 + payload);
    for (size_t i = 0; i < payload; i++)
        udp[8 + i] = (uint8_t)i;
    return 42 + payload;
}

static int ip_ok(const uint8_t *ip) { return csum_finish(csum_add(0, ip, 20)) == 0; }

static int l4_ok(const uint8_t *ip, size_t l4len)
{
    uint32_t s = csum_add(0, ip + 12, 8) + ip[9] + (uint32_t)l4len;
    return csum_finish(csum_add(s, ip + 20, l4len)) == 0;
}

static void checksum_offload(void **state)
{
    size_t len = build_udp(r.p.ram + BUF, 100);
    /* the driver seeds the UDP checksum with the pseudo-header sum */
    uint8_t *ip = r.p.ram + BUF + 14;
    uint32_t ps = csum_add(0, ip + 12, 8) + 17 + 108;
    uint16_t seed = (uint16_t)~csum_finish(ps);
    ip[26] = (uint8_t)(seed >> 8);
    ip[27] = (uint8_t)seed;
    struct e1000_context_desc c = { .ipcss = 14, .ipcso = 24, .ipcse = 33, .tucss = 34,
                                    .tucso = 40, .tucse = 0,
                                    .cmd_and_length = E1000_TXD_CMD_IP | E1000_TXD_DCMD_DEXT };
    context(0, &c);
    data(1, BUF, (uint32_t)len, E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_RS,
         E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 1);
    assert_true(ip_ok(r.frames[0].data + 14));
    assert_true(l4_ok(r.frames[0].data + 14, 108));
    assert_true(status(1) & E1000_TXD_STAT_DD);
}

/* The driver's part of TCP/UDP offload: the pseudo-header sum, folded,
 * left in the checksum field (with or without the length). */
static void seed_l4(uint8_t *ip, unsigned field, uint32_t len)
{
    uint32_t ps = csum_add(0, ip + 12, 8) + ip[9] + len;
    uint16_t seed = (uint16_t)~csum_finish(ps);
    ip[20 + field] = (uint8_t)(seed >> 8);
    ip[21 + field] = (uint8_t)seed;
}

static void legacy_checksum(void **state)
{
    /* legacy IC: one checksum from CSS to the end of the packet, at CSO */
    size_t len = build_udp(r.p.ram + BUF, 10);
    seed_l4(r.p.ram + BUF + 14, 6, 18);
    legacy(0, BUF, (uint16_t)len, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IC, 40, 34);
    wr(E1000_TDT, 1);
    assert_true(l4_ok(r.frames[0].data + 14, 18));
}

static void tso(void **state)
{
    /* a TCP packet: 14 + 20 + 20 headers, 2500 bytes of payload, MSS 1000 */
    uint8_t *f = r.p.ram + BUF;
    size_t payload = 2500, hdr = 54;
    memset(f, 0, hdr + payload);
    memcpy(f, "\x52\x55\x0a\x00\x02\x02" "\x52\x54\x00\x12\x34\x56" "\x08\x00", 14);
    uint8_t *ip = f + 14, *tcp = f + 34;
    ip[0] = 0x45; ip[4] = 0x12; ip[5] = 0x34; ip[8] = 64; ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    tcp[0] = 0x04; tcp[1] = 0x00; tcp[2] = 0x00; tcp[3] = 0x50;
    tcp[4] = 0x00; tcp[5] = 0x00; tcp[6] = 0x10; tcp[7] = 0x00;     /* seq 0x1000 */
    tcp[12] = 0x50; tcp[13] = 0x19;                                 /* FIN|PSH|ACK */
    for (size_t i = 0; i < payload; i++)
        f[hdr + i] = (uint8_t)(i * 7);
    seed_l4(ip, 16, 0);                  /* TSO: pseudo-header without the length */
    struct e1000_context_desc c = {
        .ipcss = 14, .ipcso = 24, .ipcse = 33, .tucss = 34, .tucso = 50, .tucse = 0,
        .cmd_and_length = (uint32_t)payload | E1000_TXD_CMD_IP | E1000_TXD_CMD_TCP |
                          E1000_TXD_CMD_TSE | E1000_TXD_DCMD_DEXT,
        .hdr_len = (uint8_t)hdr, .mss = 1000 };
    context(0, &c);
    data(1, BUF, (uint32_t)(hdr + payload), E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE |
         E1000_TXD_DCMD_RS, E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 3);
    size_t want[3] = { 1000, 1000, 500 };
    for (int s = 0; s < 3; s++) {
        const uint8_t *sf = r.frames[s].data, *sip = sf + 14, *st = sf + 34;
        assert_int_equal(r.frames[s].len, hdr + want[s]);
        assert_int_equal(sip[2] << 8 | sip[3], 40 + want[s]);         /* IP total length */
        assert_int_equal(sip[4] << 8 | sip[5], 0x1234 + s);           /* identification */
        uint32_t seq = (uint32_t)st[4] << 24 | st[5] << 16 | st[6] << 8 | st[7];
        assert_int_equal(seq, 0x1000 + 1000 * s);
        assert_int_equal(st[13] & 0x09, s == 2 ? 0x09 : 0);           /* FIN/PSH last only */
        assert_true(ip_ok(sip));
        assert_true(l4_ok(sip, 20 + want[s]));
        assert_int_equal(sf[hdr], (uint8_t)(1000 * s * 7));
    }
    assert_int_equal(rd(E1000_GPTC), 3);            /* three frames went out */
    assert_int_equal(rd(E1000_TSCTC), 1);           /* from one TSO context (13.7.53) */
}

static void hostile_rings(void **state)
{
    legacy(0, BUF, 60, E1000_TXD_CMD_EOP, 0, 0);
    /* TDT past the end of the ring */
    r.nwarn = 0;
    wr(E1000_TDT, 9);
    assert_int_equal(r.nframes, 0);
    assert_non_null(strstr(r.warn, "TDT = 9 is past the end of the 8-descriptor transmit ring"));
    /* TDH past the end: nothing fetched from beyond the ring */
    wr(E1000_TDH, 200);
    assert_non_null(strstr(r.warn, "TDH = 200 is past the end of the 8-descriptor transmit ring"));
    wr(E1000_TDT, 1);
    assert_int_equal(r.nframes, 0);
    wr(E1000_TDH, 0);
    /* no ring at all */
    wr(E1000_TDT, 0);
    wr(E1000_TDLEN, 0);
    wr(E1000_TDT, 1);
    assert_non_null(strstr(r.warn, "while TDLEN is 0"));
    /* a length that is not a multiple of 128 is clamped, with a warning */
    wr(E1000_TDLEN, 100);
    assert_non_null(strstr(r.warn, "TDLEN = 100 is not a multiple of 128 bytes"));
    assert_int_equal(rd(E1000_TDLEN), 0);
    /* a ring outside RAM */
    wr(E1000_TDLEN, 128);
    wr(E1000_TDBAL, 0x7ff00000);
    wr(E1000_TDT, 1);
    assert_non_null(strstr(r.warn, "transmit descriptor 0 at 0x7ff00000, which is not RAM"));
    assert_int_equal(r.nframes, 0);
}

static void hostile_buffers(void **state)
{
    /* a buffer pointing at the device's own registers (TDT): no re-entry */
    legacy(0, E1000_BAR0_ADDR + E1000_TDT, 16, E1000_TXD_CMD_EOP, 0, 0);
    pci_firmware_set_bar(e1000dev_pci(r.nic), 0, E1000_BAR0_ADDR);
    wr(E1000_TDT, 1);
    assert_int_equal(r.nframes, 0);
    assert_non_null(strstr(r.warn, "is not RAM"));
    /* a null buffer */
    legacy(1, 0x100000000ull, 60, E1000_TXD_CMD_EOP, 0, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 0);
    /* descriptors that never set EOP: capped, not endless */
    for (unsigned i = 2; i < 8; i++)
        legacy(i, BUF, 16000, E1000_TXD_CMD_RS, 0, 0);
    legacy(0, BUF, 16000, E1000_TXD_CMD_RS, 0, 0);
    legacy(1, BUF, 16000, E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 1);                    /* a full lap and more asked for */
    assert_non_null(strstr(r.warn, "ending with 0, which has no EOP"));
    assert_int_equal(rd(E1000_TDH), 1);
    assert_int_equal(r.nframes, 0);      /* dropped past 64 KiB, said once */
}

static void hostile_tso(void **state)
{
    /* TSO with header length and MSS zero: refused, sent whole */
    struct e1000_context_desc c = { .cmd_and_length = E1000_TXD_CMD_TSE | E1000_TXD_DCMD_DEXT };
    context(0, &c);
    data(1, BUF, 100, E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 1);
    assert_non_null(strstr(r.warn, "TSO context with header length 0 and MSS 0"));
    /* a TSO data descriptor followed by a legacy one */
    data(2, BUF, 100, E1000_TXD_DCMD_TSE, 0);
    legacy(3, BUF, 60, E1000_TXD_CMD_EOP, 0, 0);
    wr(E1000_TDT, 4);
    assert_non_null(strstr(r.warn, "legacy TX descriptor 3 in the middle of a TSO packet"));
    assert_int_equal(r.nframes, 2);          /* the legacy frame itself goes out */
    /* a context that lowers the MSS in the middle of a packet waits */
    struct e1000_context_desc c2 = { .hdr_len = 54, .mss = 1, .ipcss = 14, .tucss = 34,
                                     .cmd_and_length = E1000_TXD_CMD_TSE | E1000_TXD_DCMD_DEXT };
    data(4, BUF, 30, 0, 0);
    context(5, &c2);
    data(6, BUF, 30, E1000_TXD_DCMD_EOP, 0);
    wr(E1000_TDT, 7);
    assert_non_null(strstr(r.warn, "context descriptor 5 arrived in the middle of a packet"));
    assert_int_equal(r.nframes, 3);
    assert_int_equal(r.frames[2].len, 60);
}

static void disabled_and_no_master(void **state)
{
    legacy(0, BUF, 60, E1000_TXD_CMD_EOP, 0, 0);
    wr(E1000_TCTL, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(r.nframes, 0);                       /* waits for TCTL.EN */
    wr(E1000_TCTL, E1000_TCTL_EN);
    assert_int_equal(r.nframes, 1);
    pci_firmware_set_command(e1000dev_pci(r.nic), PCI_COMMAND_MEMORY);
    legacy(1, BUF, 60, E1000_TXD_CMD_EOP, 0, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 1);
    assert_non_null(strstr(r.warn, "TDT written (2) while PCI COMMAND.BME is off"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, pci_rig_teardown)
    const struct CMUnitTest tests[] = {
        T(one_legacy_frame), T(packet_shorter_than_a_header), T(gathered_and_no_rs), T(checksum_offload), T(legacy_checksum),
        T(tso), T(hostile_rings), T(hostile_buffers), T(hostile_tso), T(disabled_and_no_master),
    };
    return cmocka_run_group_tests_name("e1000_tx", tests, NULL, NULL);
}
