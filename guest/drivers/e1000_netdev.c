/*
 * The e1000 as the network stack's struct netdev (netdev.h): each call
 * passed on to the driver's (e1000_drv.h). Given to the lab's students
 * (guest/lab/e1000.c), shared with the reference driver
 * (guest/drivers/e1000.c); both builds link it.
 */
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "netdev.h"

static struct e1000_nic *nic_of(struct netdev *dev)
{
    return (struct e1000_nic *)((char *)dev - offsetof(struct e1000_nic, netdev));
}

/* The stack asks for an offload only when probe offered it (features):
 * TSO and checksums never reach a driver that has not written them. */
static int nd_transmit(struct netdev *dev, const void *frame, size_t len, unsigned flags)
{
    struct e1000_nic *nic = nic_of(dev);
    if (flags & NETDEV_TX_TSO)
        return e1000_queue_tso(nic, frame, len, flags >> NETDEV_TX_MSS_SHIFT);
    /* longer than a transmit buffer: never sendable, which the stack
     * must not take for a full ring (-1) and wait on */
    if (len > E1000_BUFSZ)
        return NETDEV_TX_REFUSED;
    if (flags & (NETDEV_TX_CSUM_TCP | NETDEV_TX_CSUM_UDP))
        return e1000_queue_csum(nic, frame, len, flags & NETDEV_TX_CSUM_TCP);
    return e1000_queue(nic, frame, len);
}

static void nd_flush(struct netdev *dev)
{
    e1000_flush(nic_of(dev));
}

/* The receive descriptor's checksum bits (3.2.3: status IXSM, IPCS,
 * TCPCS; errors IPE, TCPE) as the stack's verdict. */
static unsigned rx_verdict(uint8_t status, uint8_t errors)
{
    if (status & E1000_RXD_STAT_IXSM)
        return NETDEV_RX_UNCHECKED;
    unsigned v = 0;
    if (status & E1000_RXD_STAT_IPCS)
        v |= NETDEV_RX_IP_CHECKED | (errors & E1000_RXD_ERR_IPE ? NETDEV_RX_IP_BAD : 0);
    if (status & E1000_RXD_STAT_TCPCS)
        v |= NETDEV_RX_L4_CHECKED | (errors & E1000_RXD_ERR_TCPE ? NETDEV_RX_L4_BAD : 0);
    return v;
}

static size_t nd_receive(struct netdev *dev, void *buf, size_t size, unsigned *verdict)
{
    struct e1000_nic *nic = nic_of(dev);
    size_t len = e1000_receive(nic, buf, size);
    *verdict = len ? rx_verdict(nic->rx_status, nic->rx_errors) : 0;
    return len;
}

static bool nd_rx_pending(struct netdev *dev)
{
    return e1000_rx_pending(nic_of(dev));
}

/* The causes a handler masked while the stack polled (irqs_quiet) back
 * on before it sleeps; a driver that never masks them has nothing to do
 * here. */
static void nd_before_sleep(struct netdev *dev)
{
    struct e1000_nic *nic = nic_of(dev);
    if (nic->irqs_quiet) {
        nic->irqs_quiet = false;
        e1000_write(nic, E1000_IMS, E1000_QUIET_CAUSES);
    }
}

const struct netdev_ops e1000_netdev_ops = {
    .transmit = nd_transmit,
    .flush = nd_flush,
    .receive = nd_receive,
    .rx_pending = nd_rx_pending,
    .before_sleep = nd_before_sleep,
};
