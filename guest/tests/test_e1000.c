/*
 * The e1000 register contract from the driver's side, on pcemu and on
 * QEMU. Where QEMU's e1000 departs from the manual (its I/O BAR reads 0
 * and ignores writes, so a reset through it does nothing) the test says
 * so by name on QEMU and checks the manual's behaviour everywhere else.
 */
#include "clock.h"
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "kernel.h"
#include "tap.h"
#include "x86.h"

static struct e1000_nic *nic_or_fail(struct tap *t)
{
    struct e1000_nic *nic = e1000_first();
    if (!nic)
        tap_fail(t, "the e1000 driver bound a NIC", "a bound e1000", "none");
    return nic;
}

static int on_qemu(void)
{
    return booted_by_qemu();
}

SELFTEST(60, e1000_eeprom)
{
    struct e1000_nic *nic = nic_or_fail(t);
    if (!nic)
        return;
    uint16_t sum = 0, w, mw;
    for (unsigned i = 0; i < E1000_EEPROM_WORDS; i++) {
        EXPECT_EQ(t, 0, (uint64_t)e1000_eeprom_read(nic, i, &w), "EERD read completes");
        sum = (uint16_t)(sum + w);
    }
    EXPECT_EQ(t, E1000_EEPROM_SUM, sum, "EEPROM words add up to 0xBABA");
    static const uint8_t want[6] = E1000_DEFAULT_MAC;
    EXPECT_EQ(t, 0, (uint64_t)memcmp(nic->mac, want, 6), "MAC from the EEPROM is 52:54:00:12:34:56");
    for (unsigned i = 0; i < 3; i++) {
        e1000_eeprom_read(nic, i, &w);
        EXPECT_EQ(t, 0, (uint64_t)e1000_eeprom_read_microwire(nic, i, &mw), "Microwire read");
        EXPECT_EQ(t, w, mw, "the same word through EECD (Microwire) and EERD");
    }
    uint32_t ral = e1000_read(nic, E1000_RAL(0)), rah = e1000_read(nic, E1000_RAH(0));
    EXPECT_EQ(t, 0x12005452, ral, "RAL0 holds the MAC");
    EXPECT_EQ(t, 0x80005634, rah, "RAH0 holds the MAC with AV");
}

SELFTEST(61, e1000_phy_id)
{
    struct e1000_nic *nic = nic_or_fail(t);
    if (!nic)
        return;
    EXPECT_EQ(t, M88E1011_PHY_ID1, nic->phy_id1, "PHY identifier 1");
    EXPECT_EQ(t, M88E1011_PHY_ID2, nic->phy_id2, "PHY identifier 2");
    /* autonegotiation may take a while after reset (QEMU's takes 500 ms) */
    uint16_t st = 0;
    uint64_t end = time_ns() + 2000000000ull;
    do {
        EXPECT_EQ(t, 0, (uint64_t)e1000_phy_read(nic, PHY_STATUS, &st), "PHY status read");
    } while (!(st & MII_SR_AUTONEG_COMPLETE) && time_ns() < end && !t->failed);
    EXPECT_TRUE(t, st & MII_SR_LINK_STATUS, "PHY reports link");
    EXPECT_TRUE(t, st & MII_SR_AUTONEG_COMPLETE, "PHY reports autonegotiation complete (2 s)");
}

SELFTEST(62, e1000_link_up)
{
    struct e1000_nic *nic = nic_or_fail(t);
    if (!nic)
        return;
    uint32_t s = e1000_read(nic, E1000_STATUS);
    EXPECT_TRUE(t, s & E1000_STATUS_LU, "STATUS.LU");
    EXPECT_TRUE(t, s & E1000_STATUS_FD, "STATUS.FD");
    EXPECT_EQ(t, E1000_STATUS_SPEED_1000, s & E1000_STATUS_SPEED_MASK, "STATUS speed 1000");
}

SELFTEST(63, e1000_ics_interrupt)
{
    struct e1000_nic *nic = nic_or_fail(t);
    if (!nic)
        return;
    (void)e1000_read(nic, E1000_ICR);          /* start from no pending cause */
    uint32_t before = nic->irq_count;
    nic->irq_causes = 0;
    e1000_write(nic, E1000_IMS, E1000_ICR_TXQE);
    e1000_write(nic, E1000_ICS, E1000_ICR_TXQE);
    uint64_t end = time_ns() + 100000000;     /* 100 ms */
    while (nic->irq_count == before && time_ns() < end)
        sti_hlt();
    e1000_irqs_on(nic);
    EXPECT_EQ(t, before + 1, nic->irq_count, "interrupts taken after ICS (within 100 ms)");
    EXPECT_TRUE(t, nic->irq_causes & E1000_ICR_TXQE, "ICR showed the cause ICS set");
    EXPECT_EQ(t, 0, e1000_read(nic, E1000_ICR), "ICR after the handler read it");
}

SELFTEST(64, e1000_io_bar)
{
    struct e1000_nic *nic = nic_or_fail(t);
    if (!nic)
        return;
    EXPECT_TRUE(t, nic->io_base != 0, "BAR1 is an I/O BAR");
    uint32_t via_io = e1000_io_read(nic, E1000_STATUS);
    if (on_qemu() && via_io == 0) {
        printf("# e1000_io_bar: QEMU's e1000 I/O BAR reads 0 (a known QEMU gap; the "
               "manual says IODATA reaches the registers)\n");
        return;
    }
    EXPECT_EQ(t, e1000_read(nic, E1000_STATUS), via_io, "STATUS through IOADDR/IODATA");
    e1000_write(nic, E1000_IMC, 0xffffffff);
    e1000_io_write(nic, E1000_IMS, E1000_ICR_TXQE);
    EXPECT_EQ(t, E1000_ICR_TXQE, e1000_read(nic, E1000_IMS), "IMS written through IODATA");
    e1000_irqs_on(nic);
}

SELFTEST(65, e1000_reset)
{
    struct e1000_nic *nic = nic_or_fail(t);
    if (!nic)
        return;
    e1000_write(nic, E1000_RDLEN, 2048);    /* not the driver's ring length */
    e1000_io_write(nic, E1000_CTRL, e1000_read(nic, E1000_CTRL) | E1000_CTRL_RST);
    delay_us(10);
    uint32_t rdlen = e1000_read(nic, E1000_RDLEN);
    EXPECT_EQ(t, 0, e1000_read(nic, E1000_CTRL) & E1000_CTRL_RST, "CTRL.RST clears itself");
    if (on_qemu() && rdlen == 2048) {
        printf("# e1000_reset: QEMU's CTRL.RST resets no registers, through either BAR "
               "(a known QEMU gap; the manual resets the device)\n");
        e1000_write(nic, E1000_RDLEN, 0);
    } else {
        EXPECT_EQ(t, 0, rdlen, "RDLEN after CTRL.RST");
        EXPECT_EQ(t, 0x80005634, e1000_read(nic, E1000_RAH(0)), "RAH0 reloaded from the EEPROM");
    }
    /* the reset took the rings and filters with it: probe again */
    struct pci_dev *pci = nic->pci;
    pci_unbind(pci);
    EXPECT_EQ(t, 0, (uint64_t)pci_bind(pci), "the driver binds again after the reset");
}

/* The multicast table takes a write to every entry (pcemu queues these
 * in KVM and delivers them at the next exit): each reads back what was
 * written, in order, a later write to an entry winning over an earlier
 * one; then the table is cleared again as probe left it. */
SELFTEST(66, e1000_mta_readback)
{
    struct e1000_nic *nic = nic_or_fail(t);
    if (!nic)
        return;
    for (unsigned i = 0; i < E1000_MTA_SIZE; i++)
        e1000_write(nic, E1000_MTA + 4 * i, 0x5a000000u | i);
    e1000_write(nic, E1000_MTA + 4 * 7, 0xdeadbeef);      /* overwritten */
    unsigned bad = 0, first_bad = 0;
    uint32_t got = 0;
    for (unsigned i = 0; i < E1000_MTA_SIZE; i++) {
        uint32_t want = i == 7 ? 0xdeadbeef : 0x5a000000u | i;
        uint32_t v = e1000_read(nic, E1000_MTA + 4 * i);
        if (v != want && !bad++) {
            first_bad = i;
            got = v;
        }
    }
    if (bad)
        tap_failf(t, "MTA entries read back", "0x%llx", first_bad == 7 ? 0xdeadbeef :
                  0x5a000000u | first_bad, "0x%llx", got);
    for (unsigned i = 0; i < E1000_MTA_SIZE; i++)
        e1000_write(nic, E1000_MTA + 4 * i, 0);
    EXPECT_EQ(t, 0, e1000_read(nic, E1000_MTA + 4 * (E1000_MTA_SIZE - 1)), "MTA cleared again");
}

/* Unplugging the cable from the monitor (`set_link e1000 off`, then on)
 * is seen by the driver: STATUS.LU follows and LSC interrupts arrive.
 * On demand only: the system test drives the monitor. */
static int wait_link(struct e1000_nic *nic, int up, uint64_t timeout_ns)
{
    uint64_t end = time_ns() + timeout_ns;
    while (time_ns() < end)
        if (!!(e1000_read(nic, E1000_STATUS) & E1000_STATUS_LU) == up)
            return 0;
    return -1;
}

/* The LSC interrupt may come after STATUS shows the change: ITR holds
 * an interrupt cause until its interval since the last one has passed
 * (8254x manual 13.4.18). */
static bool wait_lsc(struct e1000_nic *nic, uint64_t timeout_ns)
{
    uint64_t end = time_ns() + timeout_ns;
    while (!(nic->irq_causes & E1000_ICR_LSC) && time_ns() < end)
        cpu_relax();
    return nic->irq_causes & E1000_ICR_LSC;
}

SELFTEST_ON_DEMAND(80, e1000_link_flap)
{
    struct e1000_nic *nic = nic_or_fail(t);
    if (!nic)
        return;
    (void)e1000_read(nic, E1000_ICR);
    nic->irq_causes = 0;
    e1000_write(nic, E1000_IMS, E1000_ICR_LSC);
    printf("# e1000_link_flap: waiting for the link to go down\n");
    EXPECT_EQ(t, 0, (uint64_t)wait_link(nic, 0, 20000000000ull), "STATUS.LU clears (20 s)");
    printf("# e1000_link_flap: link down seen\n");
    EXPECT_TRUE(t, wait_lsc(nic, 100000000), "an LSC interrupt for the link going down");
    nic->irq_causes = 0;
    EXPECT_EQ(t, 0, (uint64_t)wait_link(nic, 1, 20000000000ull), "STATUS.LU sets again (20 s)");
    EXPECT_TRUE(t, wait_lsc(nic, 100000000), "an LSC interrupt for the link coming up");
    e1000_irqs_on(nic);
}
