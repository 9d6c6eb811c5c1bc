/*
 * What the network stack knows of a NIC, and all it knows: a MAC and
 * four calls. A driver fills a struct netdev and registers it; the stack
 * (guest/net/) finds it with netdev_first() and never names a register,
 * a descriptor or the driver's own structure. xv6's stack reaches its
 * e1000 through two calls in the same spirit; this one is polled, so it
 * asks whether a frame waits instead of being called with one.
 */
#ifndef GUEST_NETDEV_H
#define GUEST_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netdev;

/* Flags for transmit: the frame is Ethernet, a 20-byte IPv4 header and
 * TCP (or UDP) whose checksum field holds the pseudo-header sum; the NIC
 * fills in that checksum and the IPv4 header's. Only for a NIC whose
 * features say NETDEV_F_TX_CSUM. */
#define NETDEV_TX_CSUM_TCP  (1u << 0)
#define NETDEV_TX_CSUM_UDP  (1u << 1)

/* What receive says the NIC found of a frame's checksums. Nothing set:
 * the NIC did not look, and software must. */
#define NETDEV_RX_IP_CHECKED  (1u << 0)   /* the IPv4 header checksum was checked ... */
#define NETDEV_RX_IP_BAD      (1u << 1)   /* ... and is wrong */
#define NETDEV_RX_L4_CHECKED  (1u << 2)   /* the TCP or UDP checksum was checked ... */
#define NETDEV_RX_L4_BAD      (1u << 3)   /* ... and is wrong */
#define NETDEV_RX_UNCHECKED   (1u << 4)   /* the NIC said it checked nothing (e1000: IXSM) */

/* features */
#define NETDEV_F_TX_CSUM (1u << 0)        /* takes NETDEV_TX_CSUM_* */
#define NETDEV_F_RX_CSUM (1u << 1)        /* reports NETDEV_RX_* verdicts */

struct netdev_ops {
    /* Queue one frame for sending (the driver copies it); flags are
     * NETDEV_TX_*. 0, or -1 when the NIC has no room now: descriptors
     * free up as the NIC sends what was flushed. */
    int (*transmit)(struct netdev *dev, const void *frame, size_t len, unsigned flags);
    /* Hand everything queued since the last flush to the NIC. */
    void (*flush)(struct netdev *dev);
    /* Take the oldest received frame into buf (at most size bytes): its
     * length, 0 when none waits; *verdict gets NETDEV_RX_* bits. */
    size_t (*receive)(struct netdev *dev, void *buf, size_t size, unsigned *verdict);
    /* Whether a received frame waits; cheap (no device register), and
     * safe with interrupts off: the stack asks before it sleeps. */
    bool (*rx_pending)(struct netdev *dev);
};

struct netdev {
    const char *name;
    uint8_t mac[6];
    unsigned features;                  /* NETDEV_F_* */
    const struct netdev_ops *ops;
    struct netdev *next;                /* (the registry's) */
};

/* The registry: drivers add what they bind and take away what they
 * remove; the first is the one the stack uses. */
void netdev_register(struct netdev *dev);
void netdev_unregister(struct netdev *dev);
struct netdev *netdev_first(void);

static inline int netdev_transmit(struct netdev *dev, const void *frame, size_t len,
                                  unsigned flags)
{
    return dev->ops->transmit(dev, frame, len, flags);
}

static inline void netdev_flush(struct netdev *dev)
{
    dev->ops->flush(dev);
}

static inline size_t netdev_receive(struct netdev *dev, void *buf, size_t size,
                                    unsigned *verdict)
{
    return dev->ops->receive(dev, buf, size, verdict);
}

static inline bool netdev_rx_pending(struct netdev *dev)
{
    return dev->ops->rx_pending(dev);
}

#endif
