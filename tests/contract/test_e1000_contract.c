/*
 * Contract tests: the guest's e1000 driver, PCI enumeration and driver
 * core, built for the host and run against pcemu's e1000 model in one
 * process (contract_rig.h). Whatever one side assumes of the other that
 * is not so shows up here in milliseconds, under ASan and UBSan, before
 * any guest boots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "contract_rig.h"
#include "../fuzz/common/csum.h"

static const uint8_t default_mac[6] = E1000_DEFAULT_MAC;
static struct e1000_nic *nic;

/* Enumerate and bind as the kernel does at boot. */
static struct e1000_nic *boot(const uint8_t mac[6], bool firmware_bars)
{
    rig_init(mac, firmware_bars);
    pci_core_reset();
    assert_int_equal(pci_init(), 2);          /* host bridge, e1000 */
    pci_register_driver(&e1000_driver);
    return e1000_first();
}

static int setup(void **state)
{
    nic = boot(default_mac, false);
    assert_non_null(nic);
    return 0;
}

static int teardown(void **state)
{
    /* the driver programmed the device without a single complaint */
    assert_false(rig_irq_storm());
    assert_string_equal(rig_warnings(), "");
    if (e1000_first())
        pci_unbind(e1000_first()->pci);
    rig_fini();
    return 0;
}

static size_t frame(uint8_t *f, const uint8_t dst[6], unsigned seq, size_t len)
{
    static const uint8_t src[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x88;                             /* local experimental type */
    f[13] = 0xb5;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seq * 7 + i);
    f[14] = (uint8_t)seq;
    f[15] = (uint8_t)(seq >> 8);
    return len;
}

/* The device acts on a doorbell a little after it, as hardware does:
 * time for it to do so. */
static void settle(void)
{
    rig_advance_us(2);
}

/* A frame, waiting for the device as a driver polling its ring would. */
static size_t receive_wait(uint8_t *buf, size_t size)
{
    for (int tries = 0; tries < 10; tries++) {
        size_t n = e1000_receive(nic, buf, size);
        if (n)
            return n;
        settle();
    }
    return 0;
}

static void assert_sent(size_t i, const uint8_t *want, size_t len)
{
    size_t got_len;
    const uint8_t *got = rig_sent(i, &got_len);
    assert_non_null(got);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, want, len);
}

/* ---- probe ---- */

static void probe_programs_the_device(void **state)
{
    struct pci_dev *pci = nic->pci;
    assert_ptr_equal(pci->driver, &e1000_driver);
    assert_int_equal(e1000_probe_calls > 0, 1);
    /* the guest assigned the BARs from the contract's windows */
    assert_in_range(pci->bars[0].addr, PCI_MMIO_WINDOW_BASE, PCI_MMIO_WINDOW_END - 1);
    assert_int_equal(pci->bars[0].size, 128 * 1024);
    assert_true(pci->bars[1].io);
    assert_int_equal(pci->bars[1].size, 64);
    assert_int_equal(pci->irq_line, RIG_IRQ);
    assert_memory_equal(nic->mac, default_mac, 6);
    assert_int_equal(nic->phy_id1, M88E1011_PHY_ID1);
    assert_int_equal(nic->phy_id2, M88E1011_PHY_ID2);
    /* what the device holds is what the driver meant */
    assert_int_equal(rig_reg(E1000_TDBAL), (uint32_t)(uintptr_t)nic->txd);
    assert_int_equal(rig_reg(E1000_TDBAH), (uint32_t)((uint64_t)(uintptr_t)nic->txd >> 32));
    assert_int_equal(rig_reg(E1000_RDBAL), (uint32_t)(uintptr_t)nic->rxd);
    assert_int_equal(rig_reg(E1000_TDLEN), E1000_NDESC * 16);
    assert_int_equal(rig_reg(E1000_RDLEN), E1000_NDESC * 16);
    assert_true(rig_reg(E1000_RCTL) & E1000_RCTL_EN);
    assert_true(rig_reg(E1000_TCTL) & E1000_TCTL_EN);
    assert_int_equal(rig_reg(E1000_IMS), E1000_DRV_IMS);
    assert_true(e1000_read(nic, E1000_STATUS) & E1000_STATUS_LU);
    assert_non_null(strstr(rig_printed(), "MAC 52:54:00:12:34:56, PHY 0141:0c20, irq 11"));
}

static void probe_with_firmware_bars_and_another_mac(void **state)
{
    pci_unbind(nic->pci);
    rig_fini();
    static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0xaa, 0xbb, 0xcc };
    nic = boot(mac, true);
    assert_non_null(nic);
    assert_int_equal(nic->pci->bars[0].addr, E1000_BAR0_ADDR);
    assert_int_equal(nic->pci->bars[1].addr, E1000_BAR1_ADDR);
    assert_memory_equal(nic->mac, mac, 6);
}

static void probe_refuses_a_bad_eeprom_checksum(void **state)
{
    pci_unbind(nic->pci);
    rig_fini();
    rig_init(default_mac, false);
    rig_eeprom_xor(0x20, 0x0100);
    pci_core_reset();
    pci_init();
    assert_int_equal(pci_register_driver(&e1000_driver), 0);
    assert_null(e1000_first());
    assert_non_null(strstr(rig_printed(), ", expected 0xbaba"));
    assert_non_null(strstr(rig_printed(), "probe failed: bad EEPROM checksum"));
}

static void probe_refuses_a_missing_link(void **state)
{
    pci_unbind(nic->pci);
    rig_fini();
    rig_init(default_mac, false);
    rig_set_link(false);
    pci_core_reset();
    pci_init();
    uint64_t t0 = rig_now_us();
    assert_int_equal(pci_register_driver(&e1000_driver), 0);
    assert_null(e1000_first());
    assert_true(rig_now_us() - t0 >= E1000_LINK_WAIT_MS * 1000ull);
    assert_non_null(strstr(rig_printed(), "probe failed: no link: STATUS.LU still clear"));
}

/* ---- transmit ---- */

static void send_one_frame(void **state)
{
    uint8_t f[60];
    frame(f, (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 1, sizeof f);
    assert_int_equal(e1000_send(nic, f, sizeof f), 0);
    /* not inside the TDT write: a status read at once is not done yet */
    assert_int_equal(rig_sent_count(), 0);
    assert_false(nic->txd[0].status & E1000_TXD_STAT_DD);
    settle();
    assert_int_equal(rig_sent_count(), 1);
    assert_sent(0, f, sizeof f);
    assert_int_equal(rig_reg(E1000_TDH), 1);
    assert_int_equal(e1000_read(nic, E1000_GPTC), 1);
    assert_int_equal(e1000_read(nic, E1000_BPTC), 1);
    assert_true(nic->txd[0].status & E1000_TXD_STAT_DD);
}

static void tx_ring_full_then_wraps(void **state)
{
    static uint8_t f[3 * E1000_NDESC][200];
    unsigned queued = 0;
    /* nothing leaves before the flush; one slot stays empty */
    while (e1000_queue(nic, f[queued], frame(f[queued], default_mac, queued, 200)) == 0)
        queued++;
    assert_int_equal(queued, E1000_NDESC - 1);
    assert_int_equal(rig_sent_count(), 0);
    e1000_flush(nic);
    settle();
    assert_int_equal(rig_sent_count(), E1000_NDESC - 1);
    for (unsigned i = 0; i < queued; i++)
        assert_sent(i, f[i], 200);
    /* twice round the ring more, one frame per TDT write */
    for (unsigned i = queued; i < 3 * E1000_NDESC; i++) {
        assert_int_equal(e1000_send(nic, f[i], frame(f[i], default_mac, i, 200)), 0);
        settle();
        assert_sent(i, f[i], 200);
    }
    assert_int_equal(rig_reg(E1000_TDH), (3 * E1000_NDESC) % E1000_NDESC);
    assert_int_equal(e1000_read(nic, E1000_GPTC), 3 * E1000_NDESC);
}

static void txdw_interrupt_reclaims(void **state)
{
    uint8_t f[100];
    unsigned before = rig_irqs_delivered();
    for (unsigned i = 0; i < E1000_NDESC - 1; i++)
        assert_int_equal(e1000_queue(nic, f, frame(f, default_mac, i, sizeof f)), 0);
    e1000_flush(nic);
    settle();
    assert_int_equal(rig_sent_count(), E1000_NDESC - 1);
    /* IDE: one TXDW for the burst, TIDV after it, and the handler frees
     * the ring */
    assert_int_equal(rig_irqs_delivered(), before);
    assert_int_equal(nic->tx_clean, 0);
    rig_advance_us(E1000_DRV_TIDV * 1024 / 1000 + 1);
    assert_int_equal(rig_irqs_delivered(), before + 1);
    assert_true(nic->irq_causes & E1000_ICR_TXDW);
    assert_int_equal(nic->tx_clean, nic->tx_next);
}

/* An Ethernet + IPv4 + TCP frame with len bytes of payload; the TCP
 * checksum field holds the pseudo-header sum (offload) or the full
 * checksum (software), the IPv4 one zero or right. */
static size_t tcp_frame(uint8_t *f, size_t payload, bool offload)
{
    memset(f, 0, 54);
    memcpy(f, default_mac, 6);
    memcpy(f + 6, "\x52\x55\x0a\x00\x02\x02", 6);
    f[12] = 0x08;
    uint8_t *ip = f + 14, *t = f + 34;
    size_t tot = 20 + 20 + payload;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    t[0] = 0xc0; t[1] = 0x01; t[2] = 0x00; t[3] = 0x07;   /* ports */
    t[12] = 0x50;
    t[13] = 0x18;                                         /* PSH ACK */
    for (size_t i = 0; i < payload; i++)
        t[20 + i] = (uint8_t)(i * 13);
    uint32_t pseudo = pseudo_sum(ip, 20 + payload);
    if (offload) {
        wbe16(t + 16, oc_sum(NULL, 0, pseudo));
    } else {
        wbe16(t + 16, (uint16_t)~oc_sum(t, 20 + payload, pseudo));
        wbe16(ip + 10, (uint16_t)~oc_sum(ip, 20, 0));
    }
    return 34 + 20 + payload;
}

static void checksum_offload_both_ways(void **state)
{
    static uint8_t f[1514];
    /* out: the NIC finishes both checksums from the seeded field */
    size_t len = tcp_frame(f, 1000, true);
    assert_int_equal(e1000_queue_csum(nic, f, len, true), 0);
    assert_int_equal(e1000_queue_csum(nic, f, len, true), 0);   /* context kept */
    e1000_flush(nic);
    settle();
    assert_int_equal(rig_sent_count(), 2);
    size_t got_len;
    const uint8_t *w = rig_sent(1, &got_len);
    assert_int_equal(got_len, len);
    assert_int_equal(oc_sum(w + 14, 20, 0), 0xffff);                /* IPv4 header */
    uint32_t pseudo = pseudo_sum(w + 14, len - 34);
    assert_int_equal(oc_sum(w + 34, len - 34, pseudo), 0xffff);     /* TCP */
    assert_int_equal(nic->tx_offloaded, 2);
    assert_int_equal(rig_reg(E1000_TDH), 3);    /* one context and two data descriptors */
    /* in: the NIC's verdict in the status and error bits */
    uint8_t buf[2048];
    len = tcp_frame(f, 300, false);
    rig_inject(f, len);
    assert_int_equal(e1000_receive(nic, buf, sizeof buf), len);
    assert_true(nic->rx_status & E1000_RXD_STAT_IPCS);
    assert_true(nic->rx_status & E1000_RXD_STAT_TCPCS);
    assert_int_equal(nic->rx_errors, 0);
    f[60] ^= 0xff;                              /* a payload byte changes */
    rig_inject(f, len);
    assert_int_equal(e1000_receive(nic, buf, sizeof buf), len);
    assert_true(nic->rx_errors & E1000_RXD_ERR_TCPE);
}

static void oversized_frame_refused(void **state)
{
    static uint8_t big[E1000_BUFSZ + 1];
    assert_int_equal(e1000_send(nic, big, sizeof big), -1);
    assert_int_equal(rig_sent_count(), 0);
}

/* ---- receive ---- */

static void receive_wraps_the_ring(void **state)
{
    uint8_t f[300], got[2048];
    for (unsigned i = 0; i < 3 * E1000_NDESC; i++) {
        assert_true(rig_inject(f, frame(f, default_mac, i, sizeof f)));
        assert_int_equal(e1000_receive(nic, got, sizeof got), sizeof f);
        assert_memory_equal(got, f, sizeof f);
    }
    assert_int_equal(e1000_receive(nic, got, sizeof got), 0);
    assert_int_equal(e1000_read(nic, E1000_GPRC), 3 * E1000_NDESC);
}

static void full_rx_ring_loses_nothing(void **state)
{
    uint8_t f[128], got[2048];
    const unsigned n = E1000_NDESC + 24;
    for (unsigned i = 0; i < n; i++)
        assert_true(rig_inject(f, frame(f, default_mac, i, sizeof f)));
    /* the ring took what it had buffers for; the rest wait */
    assert_int_equal(rig_frames_waiting(), n - (E1000_NDESC - 1));
    assert_true(e1000_read(nic, E1000_RNBC) > 0);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(receive_wait(got, sizeof got), sizeof f);
        frame(f, default_mac, i, sizeof f);
        assert_memory_equal(got, f, sizeof f);            /* whole, in order */
    }
    assert_int_equal(rig_frames_waiting(), 0);
    assert_int_equal(e1000_receive(nic, got, sizeof got), 0);
}

static void filters_as_programmed(void **state)
{
    uint8_t f[64], got[2048];
    static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    rig_inject(f, frame(f, other, 1, sizeof f));          /* not ours: filtered */
    rig_inject(f, frame(f, bcast, 2, sizeof f));          /* broadcast: BAM */
    assert_int_equal(e1000_receive(nic, got, sizeof got), sizeof f);
    assert_int_equal(got[14], 2);
    assert_int_equal(e1000_receive(nic, got, sizeof got), 0);
}

/* A frame from the wire, taken at once; RDT afterwards. */
static uint32_t take_one(unsigned seq)
{
    uint8_t f[64], got[2048];
    assert_true(rig_inject(f, frame(f, default_mac, seq, sizeof f)));
    assert_int_equal(e1000_receive(nic, got, sizeof got), sizeof f);
    assert_memory_equal(got, f, sizeof f);
    return rig_reg(E1000_RDT);
}

/* A call that finds no frame; RDT afterwards. */
static uint32_t take_none(void)
{
    uint8_t got[2048];
    assert_int_equal(e1000_receive(nic, got, sizeof got), 0);
    return rig_reg(E1000_RDT);
}

/* An RDT write is a VM exit, so the driver hands descriptors back in
 * batches (e1000_drv.h): at the E1000_RX_BATCH-th frame taken, or in a
 * call finding none once E1000_RX_IDLE_BATCH are owed. RDT then names
 * the last descriptor taken, the first the device may not fill (3.2.6). */
_Static_assert(E1000_RX_IDLE_BATCH > 1 && E1000_RX_IDLE_BATCH < E1000_RX_BATCH,
               "an idle hand-back comes before a full batch");
_Static_assert(E1000_RX_IDLE_BATCH + E1000_RX_BATCH < E1000_NDESC,
               "the device has a descriptor for every frame below");

static void rx_gives_back_in_batches(void **state)
{
    const uint32_t rdt0 = rig_reg(E1000_RDT), rdh0 = rig_reg(E1000_RDH);
    unsigned taken = 0;
#define LAST_TAKEN() ((rdh0 + taken - 1) % E1000_NDESC)
    /* one short of the idle batch: still owed after a call finding none */
    while (taken < E1000_RX_IDLE_BATCH - 1)
        assert_int_equal(take_one(taken++), rdt0);
    assert_int_equal(take_none(), rdt0);
    /* the idle batch: its last frame hands nothing back, the call after does */
    assert_int_equal(take_one(taken++), rdt0);
    assert_int_equal(take_none(), LAST_TAKEN());
    /* frames without a pause: one RDT write, at the batch's last */
    const uint32_t rdt1 = rig_reg(E1000_RDT);
    for (unsigned i = 1; i < E1000_RX_BATCH; i++)
        assert_int_equal(take_one(taken++), rdt1);
    uint32_t rdt = take_one(taken++);
    assert_int_equal(rdt, LAST_TAKEN());
    /* nothing owed: a call finding none leaves RDT */
    assert_int_equal(take_none(), LAST_TAKEN());
#undef LAST_TAKEN
}

/* ---- interrupts and mitigation ---- */

static void interrupts_reach_the_handler(void **state)
{
    uint8_t f[64], got[2048];
    unsigned before = rig_irqs_delivered();
    nic->irq_causes = 0;
    rig_inject(f, frame(f, default_mac, 1, sizeof f));
    assert_int_equal(rig_irqs_delivered(), before + 1);
    assert_true(nic->irq_causes & E1000_ICR_RXT0);
    assert_int_equal(rig_reg(E1000_ICR), 0);              /* the handler read it */
    assert_int_equal(e1000_receive(nic, got, sizeof got), sizeof f);
    /* a cause the driver did not ask for stays silent */
    e1000_write(nic, E1000_ICS, E1000_ICR_TXQE);
    assert_int_equal(rig_irqs_delivered(), before + 1);
    (void)e1000_read(nic, E1000_ICR);
    /* the cable pulled: LSC, once the driver's ITR allows another */
    const uint64_t itr_us = E1000_DRV_ITR * 256 / 1000 + 1;
    rig_advance_us(itr_us);
    nic->irq_causes = 0;
    rig_set_link(false);
    assert_int_equal(rig_irqs_delivered(), before + 2);
    assert_true(nic->irq_causes & E1000_ICR_LSC);
    rig_advance_us(itr_us);
    rig_set_link(true);
    assert_int_equal(rig_irqs_delivered(), before + 3);
}

/* The driver's ITR: the first interrupt after a quiet spell at once, the
 * next no sooner than E1000_DRV_ITR x 256 ns after it. */
static void itr_spaces_interrupts(void **state)
{
    uint8_t f[64], got[2048];
    const uint64_t itr_us = E1000_DRV_ITR * 256 / 1000;
    assert_int_equal(rig_reg(E1000_ITR), E1000_DRV_ITR);
    rig_advance_us(itr_us + 1);
    unsigned before = rig_irqs_delivered();
    rig_inject(f, frame(f, default_mac, 1, sizeof f));
    assert_int_equal(rig_irqs_delivered(), before + 1);
    rig_advance_us(10);
    rig_inject(f, frame(f, default_mac, 2, sizeof f));
    assert_int_equal(rig_irqs_delivered(), before + 1);  /* held back */
    rig_advance_us(itr_us - 20);
    assert_int_equal(rig_irqs_delivered(), before + 1);
    rig_advance_us(20);
    assert_int_equal(rig_irqs_delivered(), before + 2);  /* then delivered */
    while (e1000_receive(nic, got, sizeof got))
        ;
}

static void mitigation_batches_interrupts(void **state)
{
    uint8_t f[64], got[2048];
    e1000_write(nic, E1000_ITR, 0);           /* RDTR and RADV alone here */
    e1000_write(nic, E1000_RDTR, 100);        /* 100 x 1.024 us after the last frame */
    e1000_write(nic, E1000_RADV, 1000);
    unsigned before = rig_irqs_delivered();
    for (unsigned i = 0; i < 5; i++) {
        rig_inject(f, frame(f, default_mac, i, sizeof f));
        rig_advance_us(20);
    }
    assert_int_equal(rig_irqs_delivered(), before);       /* still waiting */
    rig_advance_us(80);
    assert_int_equal(rig_irqs_delivered(), before);
    rig_advance_us(30);                                   /* 102.4 us after the last */
    assert_int_equal(rig_irqs_delivered(), before + 1);
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(e1000_receive(nic, got, sizeof got), sizeof f);
        assert_int_equal(got[14], i);
    }
    /* frames that keep coming are still reported within RADV */
    e1000_write(nic, E1000_RADV, 200);
    before = rig_irqs_delivered();
    for (unsigned i = 0; i < 12; i++) {
        rig_inject(f, frame(f, default_mac, i, sizeof f));
        rig_advance_us(50);
        while (e1000_receive(nic, got, sizeof got))
            ;
    }
    assert_true(rig_irqs_delivered() >= before + 2);
}

/* A frame (and its interrupt) arriving while BAR sizing has decoding
 * off: the handler must not run then, or it reads ICR as all ones,
 * acknowledges nothing, and the level-triggered line never drops. */
static void bar_sizing_holds_interrupts_off(void **state)
{
    uint8_t f[64], got[2048];
    rig_advance_us(E1000_DRV_ITR * 256 / 1000 + 1);
    nic->irq_causes = 0;
    rig_inject_when_decode_off(f, frame(f, default_mac, 1, sizeof f));
    struct pci_bar b = pci_size_bar(nic->pci, 0);
    assert_int_equal(b.size, 128 * 1024);
    assert_false(rig_irq_storm());
    assert_int_equal(nic->irq_unreachable, 0);
    assert_true(nic->irq_causes & E1000_ICR_RXT0);          /* taken once decoding was back */
    assert_int_equal(e1000_receive(nic, got, sizeof got), sizeof f);
}

/* ---- remove ---- */

static void remove_stops_the_device(void **state)
{
    uint8_t f[64];
    pci_unbind(nic->pci);
    assert_null(e1000_first());
    assert_int_equal(rig_reg(E1000_IMS), 0);
    assert_false(rig_reg(E1000_RCTL) & E1000_RCTL_EN);
    /* a frame now is not written into memory the driver gave back */
    rig_inject(f, frame(f, default_mac, 1, sizeof f));
    assert_int_equal(rig_reg(E1000_RDH), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(probe_programs_the_device), T(probe_with_firmware_bars_and_another_mac),
        T(probe_refuses_a_bad_eeprom_checksum), T(probe_refuses_a_missing_link),
        T(send_one_frame), T(tx_ring_full_then_wraps), T(txdw_interrupt_reclaims), T(checksum_offload_both_ways), T(oversized_frame_refused),
        T(receive_wraps_the_ring), T(full_rx_ring_loses_nothing), T(filters_as_programmed),
        T(rx_gives_back_in_batches),
        T(interrupts_reach_the_handler), T(itr_spaces_interrupts), T(mitigation_batches_interrupts),
        T(bar_sizing_holds_interrupts_off), T(remove_stops_the_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
