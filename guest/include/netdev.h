/*
 * What the network stack knows of a NIC, and all it knows: a MAC, its
 * features and four calls (five with the optional before_sleep). A
 * driver fills a struct netdev and registers it; the stack
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

/* TCP segmentation offload, only for a NIC whose features say
 * NETDEV_F_TSO: NETDEV_TX_TSO | NETDEV_TX_MSS(mss) hands over one frame
 * of up to NETDEV_TSO_MAX bytes (Ethernet header included) holding a
 * TCP/IPv4 packet as if it were a single segment, and the NIC sends it
 * as segments of at most mss bytes of payload. What the stack fills:
 *   - Ethernet, an IPv4 header (options allowed: IHL says its length)
 *     with the whole packet's total length, the first segment's
 *     identification (segment k gets id + k) and DF as wanted; its
 *     checksum field is ignored;
 *   - a TCP header (options allowed: the data offset says its length)
 *     with the first byte's sequence number and the flags for the whole
 *     packet: FIN and PSH go out on the last segment only, every other
 *     flag on each; its checksum field holds the pseudo-header sum, as
 *     for NETDEV_TX_CSUM_TCP (the driver re-seeds it as its NIC wants);
 *   - the payload, any length: one of at most mss bytes is sent as one
 *     frame with checksum offload.
 * Every segment gets its own IPv4 total length and both checksums. */
#define NETDEV_TX_TSO       (1u << 2)
#define NETDEV_TX_MSS_SHIFT 16
#define NETDEV_TX_MSS(mss)  ((unsigned)(mss) << NETDEV_TX_MSS_SHIFT)
#define NETDEV_TSO_MAX      65536u      /* bytes, the Ethernet header included */
#define NETDEV_TX_REFUSED   (-2)

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
#define NETDEV_F_TSO     (1u << 2)        /* takes NETDEV_TX_TSO */

struct netdev_ops {
    /* Queue one frame (or, with NETDEV_TX_TSO, one packet to be cut into
     * frames) for sending; the driver copies it. flags are NETDEV_TX_*.
     * 0; -1 when the NIC has no room now (descriptors free up as the NIC
     * sends what was flushed); NETDEV_TX_REFUSED when it can never take
     * this one (too long, or not the TCP/IPv4 packet the flags say). */
    int (*transmit)(struct netdev *dev, const void *frame, size_t len, unsigned flags);
    /* Hand everything queued since the last flush to the NIC. */
    void (*flush)(struct netdev *dev);
    /* Take the oldest received frame into buf (at most size bytes): its
     * length, 0 when none waits; *verdict gets NETDEV_RX_* bits. */
    size_t (*receive)(struct netdev *dev, void *buf, size_t size, unsigned *verdict);
    /* Whether a received frame waits; cheap (no device register), and
     * safe with interrupts off: the stack asks before it sleeps. */
    bool (*rx_pending)(struct netdev *dev);
    /* Optional: the stack is about to sleep until an interrupt, with
     * interrupts off and no frame waiting. A NIC that quiets its
     * interrupts while the stack polls (`polled` below) turns them back
     * on here; a cause that came meanwhile must then interrupt at once. */
    void (*before_sleep)(struct netdev *dev);
};

struct netdev {
    const char *name;
    uint8_t mac[6];
    unsigned features;                  /* NETDEV_F_* */
    /* Set by a stack that polls the rings and calls before_sleep before
     * every sleep: the NIC may then quiet its interrupts while polled. */
    bool polled;
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

static inline void netdev_before_sleep(struct netdev *dev)
{
    if (dev->ops->before_sleep)
        dev->ops->before_sleep(dev);
}

#endif
