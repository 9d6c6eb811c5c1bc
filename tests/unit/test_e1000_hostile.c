/* A hostile guest against the e1000 (issue #13): checksum offsets past the
 * segment being built, TSO work without bound in one doorbell, absurd TSO
 * parameters, accesses that are not whole registers, a receive frame that
 * can never fit the ring, frames kept across a reset, and a receive queue
 * without a byte bound. */
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
#include "net/checksum.h"
#include "net/net.h"
#include "clock_rig.h"
#include "e1000_rig.h"

#define TXR   0x1000        /* transmit ring, up to 64 descriptors */
#define RXR   0x1800        /* receive ring, 8 descriptors */
#define BUF   0x4000        /* transmit buffers */
#define RXBUF 0x8000        /* receive buffers, 4 KiB each */
#define MAXF  4096

static struct {
    struct pci_rig p;
    struct clock_rig clk;
    struct e1000 *nic;
    struct net_client peer, wire;
    unsigned nframes;
    size_t len[MAXF];
    uint16_t ip_id[MAXF];
    uint8_t data[16][2048];
    char warn[512];
    int nwarn;
} r;


static bool peer_rx(struct net_client *nc, const uint8_t *buf, size_t len)
{
    if (r.nframes < MAXF) {
        r.len[r.nframes] = len;
        r.ip_id[r.nframes] = len >= 20 ? (uint16_t)(buf[18] << 8 | buf[19]) : 0;
    }
    if (r.nframes < 16)
        memcpy(r.data[r.nframes], buf, len < 2048 ? len : 2048);
    r.nframes++;
    return true;
}

static void sink(void *opaque, const char *line)
{
    snprintf(r.warn, sizeof r.warn, "%s", line);
    r.nwarn++;
}

static uint32_t rd(uint32_t reg) { return e1000dev_reg_read(r.nic, reg); }

/* A register write, and the device's time to act on it */
static void wr(uint32_t reg, uint32_t v) { clock_rig_e1000_write(&r.clk, r.nic, reg, v); }

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    log_capture(sink, NULL);
    r.nic = e1000_rig_start(state, &r.p, &r.clk, NULL, true,
                            PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    static const struct net_client_ops peer_ops = { "test", NULL, peer_rx };
    e1000_rig_connect(&r.peer, "peer", &peer_ops, r.nic);
    wr(E1000_TDBAL, TXR);
    wr(E1000_TDLEN, 64 * 16);
    wr(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
    return 0;
}

/* ---- transmit ---- */

static void context(unsigned idx, const struct e1000_context_desc *c)
{
    e1000_rig_context(&r.p, TXR, idx, c);
}

static void data(unsigned idx, uint64_t addr, uint32_t len, uint32_t dcmd, uint8_t popts)
{
    e1000_rig_data(&r.p, TXR, idx, addr, len, dcmd, popts);
}

/* An IPv4/TCP packet at f: 54 bytes of headers, IP identification id,
 * sequence number 0x1000, payload bytes i * 7. Returns its length. */
static size_t build_tcp(uint8_t *f, uint16_t id, size_t payload)
{
    memset(f, 0, 54 + payload);
    memcpy(f, "\x52\x55\x0a\x00\x02\x02" "\x52\x54\x00\x12\x34\x56" "\x08\x00", 14);
    uint8_t *ip = f + 14, *tcp = f + 34;
    ip[0] = 0x45; ip[4] = (uint8_t)(id >> 8); ip[5] = (uint8_t)id; ip[8] = 64; ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    tcp[0] = 0x04; tcp[3] = 0x50; tcp[6] = 0x10; tcp[12] = 0x50; tcp[13] = 0x10;
    /* the driver's seed: the pseudo-header sum without the length */
    uint16_t seed = (uint16_t)~csum_finish(csum_add(0, ip + 12, 8) + 6);
    tcp[16] = (uint8_t)(seed >> 8);
    tcp[17] = (uint8_t)seed;
    for (size_t i = 0; i < payload; i++)
        f[54 + i] = (uint8_t)(i * 7);
    return 54 + payload;
}

static struct e1000_context_desc tso_context(uint8_t ipcso, uint16_t mss, uint32_t paylen)
{
    return (struct e1000_context_desc){
        .ipcss = 14, .ipcso = ipcso, .ipcse = 33, .tucss = 34, .tucso = 50,
        .cmd_and_length = paylen | E1000_TXD_CMD_IP | E1000_TXD_CMD_TCP | E1000_TXD_CMD_TSE |
                          E1000_TXD_DCMD_DEXT,
        .hdr_len = 54, .mss = mss };
}

static int l4_ok(const uint8_t *ip, size_t l4len)
{
    uint32_t s = csum_add(0, ip + 12, 8) + ip[9] + (uint32_t)l4len;
    return csum_finish(csum_add(s, ip + 20, l4len)) == 0;
}

/* IPCSO 255 with MSS 8: each segment is 62 bytes, the IP checksum field
 * lies far past its end. Refused with a warning, nothing written there. */
static void tso_ip_checksum_offset_past_the_segment(void **state)
{
    size_t len = build_tcp(r.p.ram + BUF, 0x1234, 40);
    struct e1000_context_desc c = tso_context(255, 8, 40);
    context(0, &c);
    data(1, BUF, (uint32_t)len, E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE,
         E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 5);
    for (unsigned s = 0; s < 5; s++) {
        assert_int_equal(r.len[s], 62);
        assert_true(l4_ok(r.data[s] + 14, 28));          /* TCP/UDP offsets fit: done */
        assert_int_equal(r.data[s][24] << 8 | r.data[s][25], 0);   /* IP sum left alone */
    }
    assert_non_null(strstr(r.warn, "IP checksum offsets (start 14, offset 255, end 33) do not "
                                   "fit a 62-byte packet"));
}

/* The same for TUCSO in a segment. */
static void tso_l4_checksum_offset_past_the_segment(void **state)
{
    size_t len = build_tcp(r.p.ram + BUF, 0x1234, 40);
    struct e1000_context_desc c = tso_context(24, 8, 40);
    c.tucso = 200;
    context(0, &c);
    data(1, BUF, (uint32_t)len, E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE,
         E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 5);
    assert_int_equal(csum_finish(csum_add(0, r.data[4] + 14, 20)), 0);   /* IP sum done */
    assert_non_null(strstr(r.warn, "TCP/UDP checksum offsets (start 34, offset 200, end 0) do "
                                   "not fit a 62-byte packet"));
}

/* And for a packet sent whole. */
static void checksum_offset_past_the_packet(void **state)
{
    build_tcp(r.p.ram + BUF, 0x1234, 40);
    struct e1000_context_desc c = tso_context(250, 8, 40);
    context(0, &c);
    data(1, BUF, 60, E1000_TXD_DCMD_EOP, E1000_TXD_POPTS_IXSM);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 1);
    assert_memory_equal(r.data[0], r.p.ram + BUF, 60);   /* nothing inserted */
    assert_non_null(strstr(r.warn, "IP checksum offsets (start 14, offset 250, end 33) do not "
                                   "fit a 60-byte packet"));
}

/* 62 TSO packets of 40 segments each behind one TDT write: the doorbell
 * does a bounded part, the event loop the rest, in order, with TDH, TXDW
 * and TXQE as if it had been done at once. */
static void tso_work_is_bounded_per_doorbell(void **state)
{
    const unsigned npkt = 62, segs = 40;
    struct e1000_context_desc c = tso_context(24, 10, 400);
    context(0, &c);
    for (unsigned k = 0; k < npkt; k++) {
        uint64_t at = BUF + 512 * k;
        size_t len = build_tcp(r.p.ram + at, (uint16_t)(k << 8), 400);
        data(1 + k, at, (uint32_t)len, E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE |
             E1000_TXD_DCMD_RS, E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
    }
    wr(E1000_IMS, E1000_ICR_TXDW | E1000_ICR_TXQE);
    wr(E1000_TDT, npkt + 1);
    assert_true(r.nframes > 0);
    assert_true(r.nframes < npkt * segs);                /* not all in one exit */
    assert_true(rd(E1000_TDH) < npkt + 1);
    assert_true(loop_next_deadline(&r.clk.loop) <= r.clk.now + 1);   /* the rest is due at once */
    uint32_t icr = rd(E1000_ICR);
    assert_true(icr & E1000_ICR_TXDW);                   /* for what is done */
    assert_false(icr & E1000_ICR_TXQE);                  /* the queue is not empty yet */
    unsigned rounds = 0;
    while (rd(E1000_TDH) != npkt + 1 && rounds < 1000) {
        r.clk.now += 1;
        loop_run_timers(&r.clk.loop);
        rounds++;
    }
    assert_true(rounds > 1);
    assert_int_equal(rd(E1000_TDH), npkt + 1);
    assert_int_equal(r.nframes, npkt * segs);
    for (unsigned j = 0; j < npkt * segs; j++)
        assert_int_equal(r.ip_id[j], (j / segs) << 8 | j % segs);   /* in order */
    icr = rd(E1000_ICR);
    assert_true(icr & E1000_ICR_TXDW);
    assert_true(icr & E1000_ICR_TXQE);
    for (unsigned k = 1; k <= npkt; k++)
        assert_true(r.p.ram[TXR + 16 * k + 12] & E1000_TXD_STAT_DD);
    assert_int_equal(loop_next_deadline(&r.clk.loop), UINT64_MAX);      /* nothing left */
}

/* MSS 1 over 4000 bytes, and MSS + HDRLEN beyond the transmit FIFO that
 * PBA leaves (8254x manual 3.3.6): refused, sent as one frame. */
static void absurd_tso_parameters_refused(void **state)
{
    size_t len = build_tcp(r.p.ram + BUF, 1, 4000);
    struct e1000_context_desc c = tso_context(24, 1, 4000);
    context(0, &c);
    data(1, BUF, (uint32_t)len, E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(r.nframes, 1);
    assert_int_equal(r.len[0], len);
    assert_non_null(strstr(r.warn, "MSS 1 cuts a 4000-byte payload into 4000 segments"));
    /* 16 KiB of FIFO by default: MSS 16300 + 54 + 80 does not fit */
    r.nframes = 0;
    len = build_tcp(r.p.ram + BUF, 1, 20000);
    c = tso_context(24, 16300, 20000);
    context(2, &c);
    data(3, BUF, (uint32_t)len, E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE, 0);
    wr(E1000_TDT, 4);
    assert_int_equal(r.nframes, 1);
    assert_non_null(strstr(r.warn, "16354 bytes"));
    assert_non_null(strstr(r.warn, "16384-byte transmit FIFO"));
    /* with 40 KiB of it (PBA.RXA 24 KiB) the same packet is segmented */
    r.nframes = 0;
    wr(E1000_PBA, 24);
    context(4, &c);
    data(5, BUF, (uint32_t)len, E1000_TXD_DCMD_EOP | E1000_TXD_DCMD_TSE, 0);
    wr(E1000_TDT, 6);
    assert_int_equal(r.nframes, 2);
    assert_int_equal(r.len[0], 54 + 16300);
}

/* ---- register accesses ---- */

static void bar0_write(uint32_t off, uint32_t v, unsigned size)
{
    as_write(&r.p.mem_as, E1000_BAR0_ADDR + off, v, size);
}

static uint32_t bar0_read(uint32_t off, unsigned size)
{
    return (uint32_t)as_read(&r.p.mem_as, E1000_BAR0_ADDR + off, size);
}

/* Registers take aligned 32-bit writes: anything else is refused with a
 * warning naming offset and width, never applied to other bytes. Reads
 * inside one register return its bytes. */
static void partial_and_unaligned_accesses(void **state)
{
    bar0_write(E1000_RDBAL + 2, 0x12345678, 4);
    assert_int_equal(rd(E1000_RDBAL), 0);
    assert_int_equal(rd(E1000_RDBAH), 0);
    assert_non_null(strstr(r.warn, "4-byte write at BAR0 offset 0x02802"));
    /* a byte written to ICR (write 1 to clear) leaves the other bytes */
    wr(E1000_ICS, E1000_ICR_TXDW | E1000_ICR_MDAC);
    bar0_write(E1000_ICR, 0x01, 1);
    assert_non_null(strstr(r.warn, "1-byte write at BAR0 offset 0x000c0"));
    assert_int_equal(rd(E1000_ICR) & (E1000_ICR_TXDW | E1000_ICR_MDAC),
                     E1000_ICR_TXDW | E1000_ICR_MDAC);
    /* reads: the bytes asked for; across two registers: refused */
    assert_int_equal(bar0_read(E1000_STATUS + 2, 2), rd(E1000_STATUS) >> 16);
    assert_int_equal(bar0_read(E1000_RAL(0) + 1, 1), 0x54);
    r.nwarn = 0;
    assert_int_equal(bar0_read(E1000_RAL(0) + 2, 4), 0);
    assert_int_equal(r.nwarn, 1);
    assert_non_null(strstr(r.warn, "4-byte read at BAR0 offset 0x05402"));
    /* 8 bytes over a register pair: two whole registers */
    bar0_write(E1000_TDBAL, 0, 4);
    as_write(&r.p.mem_as, E1000_BAR0_ADDR + E1000_RDBAL, 0x0000000100002000ull, 8);
    assert_int_equal(rd(E1000_RDBAL), 0x2000);
    assert_int_equal(rd(E1000_RDBAH), 1);
    /* the I/O window: IOADDR's bytes, IODATA whole */
    uint16_t io = E1000_BAR1_ADDR;
    as_write(&r.p.io_as, io + E1000_IOADDR, E1000_TDBAL, 4);
    assert_int_equal(as_read(&r.p.io_as, io + E1000_IOADDR + 1, 1), E1000_TDBAL >> 8);
    as_write(&r.p.io_as, io + E1000_IODATA + 1, 0xab, 1);
    assert_int_equal(rd(E1000_TDBAL), 0);
    assert_non_null(strstr(r.warn, "1-byte write at I/O BAR offset 0x5"));
    as_write(&r.p.io_as, io + E1000_IODATA, 0x3000, 4);
    assert_int_equal(rd(E1000_TDBAL), 0x3000);
}

/* ---- receive ---- */

static struct e1000_rx_desc *rxd(unsigned i)
{
    return (struct e1000_rx_desc *)(r.p.ram + RXR + 16 * i);
}

static void rx_ring(uint32_t rctl, uint32_t rdt)
{
    if (!r.wire.ops)
        e1000_rig_wire(&r.wire, r.nic);
    e1000_rig_rx_descs(&r.p, RXR, 8, RXBUF, 4096);
    wr(E1000_RDBAL, RXR);
    wr(E1000_RDLEN, 8 * 16);
    wr(E1000_RDH, 0);
    wr(E1000_RDT, rdt);
    wr(E1000_RCTL, rctl);
}

/* A frame for us of len bytes, tagged n. */
static void send_rx(uint8_t *f, size_t len, unsigned n)
{
    memset(f, 0, len);
    memcpy(f, "\x52\x54\x00\x12\x34\x56" "\x52\x55\x0a\x00\x02\x02" "\x88\xb5", 14);
    f[14] = (uint8_t)n;
    f[15] = (uint8_t)(n >> 8);
    assert_true(net_send(&r.wire, f, len));
}

static unsigned tag(unsigned desc) { return r.p.ram[RXBUF + 4096 * desc + 14] |
                                            r.p.ram[RXBUF + 4096 * desc + 15] << 8; }

/* 2000 bytes in 256-byte buffers need 8 descriptors; an 8-descriptor
 * ring never has more than 7 free. Dropped (MPC), the next frame lands. */
static void rx_frame_that_can_never_fit(void **state)
{
    static uint8_t f[2000];
    rx_ring(E1000_RCTL_EN | E1000_RCTL_LPE | E1000_RCTL_BSIZE_256, 7);
    send_rx(f, 2000, 1);
    assert_int_equal(rd(E1000_MPC), 1);
    assert_non_null(strstr(r.warn, "2004-byte frame needs 8 receive descriptors"));
    send_rx(f, 64, 2);
    assert_int_equal(rd(E1000_RDH), 1);
    assert_int_equal(rxd(0)->length, 64 + 4);             /* and its FCS: no SECRC */
}

/* Frames waiting for descriptors do not survive CTRL.RST or RCTL.EN
 * cleared; frames arriving while the receiver is off are not kept. */
static void reset_and_disable_flush_the_queue(void **state)
{
    uint8_t f[64];
    rx_ring(E1000_RCTL_EN, 0);                       /* no free descriptor */
    for (unsigned i = 0; i < 3; i++)
        send_rx(f, 64, i);
    wr(E1000_CTRL, E1000_CTRL_RST);
    rx_ring(E1000_RCTL_EN, 7);
    assert_int_equal(rd(E1000_RDH), 0);
    assert_int_equal(rd(E1000_GPRC), 0);
    send_rx(f, 64, 10);
    assert_int_equal(rd(E1000_RDH), 1);
    assert_int_equal(tag(0), 10);
    /* RCTL.EN cleared */
    rx_ring(E1000_RCTL_EN, 0);
    send_rx(f, 64, 11);
    send_rx(f, 64, 12);
    wr(E1000_RCTL, 0);
    wr(E1000_RCTL, E1000_RCTL_EN);
    wr(E1000_RDT, 7);
    assert_int_equal(rd(E1000_RDH), 0);
    /* a frame while the receiver is off */
    wr(E1000_RCTL, 0);
    send_rx(f, 64, 13);
    wr(E1000_RCTL, E1000_RCTL_EN);
    assert_int_equal(rd(E1000_RDH), 0);
    send_rx(f, 64, 14);
    assert_int_equal(rd(E1000_RDH), 1);
    assert_int_equal(tag(0), 14);
}

/* 300 frames of 4000 bytes with no descriptor free: the queue keeps at
 * most E1000_RX_FIFO_BYTES of them, the rest are missed (MPC, RXO). */
static void rx_queue_bounded_by_bytes(void **state)
{
    static uint8_t f[4000];
    rx_ring(E1000_RCTL_EN | E1000_RCTL_LPE | E1000_RCTL_BSEX | E1000_RCTL_BSIZE_256, 0);
    for (unsigned i = 0; i < 300; i++)
        send_rx(f, sizeof f, i);
    size_t bytes;
    unsigned waiting = e1000dev_rx_waiting(r.nic, &bytes);
    assert_true(bytes <= E1000_RX_FIFO_BYTES);
    assert_int_equal(bytes, (size_t)waiting * sizeof f);
    assert_int_equal(waiting, E1000_RX_FIFO_BYTES / sizeof f);
    assert_int_equal(rd(E1000_MPC), 300 - waiting);
    assert_int_equal(rd(E1000_TPR), 300);
    assert_true(rd(E1000_ICR) & E1000_ICR_RXO);
    /* said once, as the driver's mistake: no descriptor ever handed over */
    assert_non_null(strstr(r.warn, "RDH == RDT (0) and no receive descriptor ever handed over"));
    /* what was kept arrives in order once the guest gives buffers */
    wr(E1000_RDT, 7);
    assert_int_equal(rd(E1000_RDH), 7);
    for (unsigned i = 0; i < 7; i++)
        assert_int_equal(tag(i), i);
    assert_int_equal(e1000dev_rx_waiting(r.nic, &bytes), waiting - 7);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, pci_rig_teardown)
    const struct CMUnitTest tests[] = {
        T(tso_ip_checksum_offset_past_the_segment), T(tso_l4_checksum_offset_past_the_segment),
        T(checksum_offset_past_the_packet), T(tso_work_is_bounded_per_doorbell),
        T(absurd_tso_parameters_refused), T(partial_and_unaligned_accesses),
        T(rx_frame_that_can_never_fit), T(reset_and_disable_flush_the_queue),
        T(rx_queue_bounded_by_bytes),
    };
    return cmocka_run_group_tests_name("e1000_hostile", tests, NULL, NULL);
}
