/* Through the e1000 to the user-mode network (pcemu's libslirp, or
 * QEMU's): a DHCP lease, the gateway's MAC by ARP, and ping replies. */
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "kernel.h"
#include "clock.h"
#include "net.h"
#include "x86.h"
#include "tap.h"
#include "net_tests.h"

bool net_test_ready(struct tap *t)
{
    struct e1000_nic *nic = e1000_first();
    if (!nic) {
        tap_fail(t, "the e1000 driver bound a NIC", "a bound e1000", "none");
        return false;
    }
    if (netif.nic != nic)
        net_init(nic);
    return true;
}

bool net_test_leased(struct tap *t)
{
    if (!net_test_ready(t))
        return false;
    if (!netif.ip && dhcp_lease(5000) < 0) {
        tap_fail(t, "a DHCP lease first", "a lease within 5 s", "none");
        return false;
    }
    return true;
}

SELFTEST(70, dhcp_lease)
{
    if (!net_test_ready(t))
        return;
    EXPECT_EQ(t, 0, (uint64_t)dhcp_lease(5000), "DHCP exchange completes within 5 s");
    EXPECT_EQ(t, IP4(10, 0, 2, 15), netif.ip, "leased address");
    EXPECT_EQ(t, IP4(10, 0, 2, 2), netif.router, "router");
    EXPECT_EQ(t, IP4(10, 0, 2, 3), netif.dns, "DNS server");
    EXPECT_EQ(t, 0xffffff00u, netif.mask, "netmask");
    EXPECT_TRUE(t, netif.lease_s > 0, "a lease time");
}

SELFTEST(71, arp_gateway)
{
    if (!net_test_ready(t))
        return;
    uint8_t mac[6] = { 0 };
    EXPECT_EQ(t, 0, (uint64_t)arp_resolve(IP4(10, 0, 2, 2), mac, 2000),
              "ARP resolves 10.0.2.2 within 2 s");
    static const uint8_t zero[6];
    EXPECT_TRUE(t, memcmp(mac, zero, 6) != 0 && !(mac[0] & 1), "a unicast MAC for the gateway");
}

SELFTEST(72, ping_gateway)
{
    if (!net_test_ready(t))
        return;
    for (uint16_t seq = 1; seq <= 3; seq++) {
        long us = icmp_ping(IP4(10, 0, 2, 2), seq, 2000);
        EXPECT_TRUE(t, us >= 0, "an echo reply from 10.0.2.2 within 2 s");
    }
}

/* The statistics registers count what went through, and clear on read. */
SELFTEST(73, e1000_statistics)
{
    if (!net_test_ready(t))
        return;
    struct e1000_nic *nic = netif.nic;
    while (net_poll())
        ;
    (void)e1000_read(nic, E1000_GPTC);
    (void)e1000_read(nic, E1000_GPRC);
    (void)e1000_read(nic, E1000_TPT);
    (void)e1000_read(nic, E1000_GOTCL);
    (void)e1000_read(nic, E1000_GOTCH);
    nic->irq_causes = 0;
    for (uint16_t seq = 10; seq < 13; seq++)
        EXPECT_TRUE(t, icmp_ping(IP4(10, 0, 2, 2), seq, 2000) >= 0, "echo reply");
    /* the interrupt may trail the frame the poll already took */
    uint64_t end = time_ns() + 50000000;
    while (!(nic->irq_causes & E1000_ICR_RXT0) && time_ns() < end)
        sti_hlt();
    EXPECT_TRUE(t, nic->irq_causes & E1000_ICR_RXT0,
                "the replies raised receive interrupts (within 50 ms)");
    uint32_t gptc = e1000_read(nic, E1000_GPTC), gprc = e1000_read(nic, E1000_GPRC);
    uint32_t tpt = e1000_read(nic, E1000_TPT), gotc = e1000_read(nic, E1000_GOTCL);
    EXPECT_EQ(t, 3, gptc, "GPTC after three pings (the gateway's MAC is cached)");
    EXPECT_EQ(t, 3, tpt, "TPT after three pings");
    EXPECT_EQ(t, 3, gprc, "GPRC after three replies");
    EXPECT_EQ(t, 3 * (74 + 4), gotc, "GOTC: three 74-byte frames and their FCS");
    EXPECT_EQ(t, 0, e1000_read(nic, E1000_GPTC), "GPTC clears when read");
}
