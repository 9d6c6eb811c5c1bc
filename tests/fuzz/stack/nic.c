/*
 * The NIC under the stack, as a netdev: frames the guest transmits are
 * checked (frames.c) and handed to the network unless the input lost
 * them; frames for the guest wait in a receive ring, each with the
 * verdict an honest NIC with receive checksum offload would give. With
 * a tight ring, transmit refuses frames until the stack flushes.
 */
#include <string.h>
#include "check.h"
#include "csum.h"
#include "stack.h"

#define RING 256

static struct {
    uint8_t b[1514];
    size_t len;
} ring[RING];
static unsigned head, count, lose, room, lost;
static bool tight;

static unsigned verdict_of(const uint8_t *f, size_t len)
{
    if (!(fake_nic.features & NETDEV_F_RX_CSUM))
        return 0;
    const uint8_t *ip = f + 14;
    if (len < 34 || be16(f + 12) != 0x0800 || ip[0] >> 4 != 4)
        return NETDEV_RX_UNCHECKED;
    size_t ihl = (size_t)(ip[0] & 15) * 4, total = be16(ip + 2);
    if (ihl < 20 || total < ihl || 14 + total > len)
        return NETDEV_RX_UNCHECKED;
    unsigned v = NETDEV_RX_IP_CHECKED | (oc_ok(ip, ihl, 0) ? 0 : NETDEV_RX_IP_BAD);
    bool frag = (be16(ip + 6) & 0x3fff) != 0;
    if (!frag && (ip[9] == 6 || ip[9] == 17)) {
        size_t l4len = total - ihl;
        const uint8_t *l4 = ip + ihl;
        if (ip[9] == 17 && (l4len < 8 || !be16(l4 + 6)))
            return v;               /* UDP without a checksum */
        v |= NETDEV_RX_L4_CHECKED | (oc_ok(l4, l4len, pseudo_sum(ip, l4len)) ? 0 : NETDEV_RX_L4_BAD);
    }
    return v;
}

static int nic_transmit(struct netdev *dev, const void *frame, size_t len, unsigned flags)
{
    if (tight && !room)
        return -1;
    if (tight)
        room--;
    FUZZ_CHECK(!(flags & ~(unsigned)(NETDEV_TX_CSUM_TCP | NETDEV_TX_CSUM_UDP)) &&
               (!flags || (dev->features & NETDEV_F_TX_CSUM)),
               "transmit flags 0x%x with features 0x%x", flags, dev->features);
    static uint8_t f[1514];
    FUZZ_CHECK(len <= sizeof f, "a %zu-byte frame", len);
    memcpy(f, frame, len);
    check_guest_frame(f, len, flags);
    network_sent(f, len);
    if (lose) {
        lose--;
        lost++;
        return 0;
    }
    network_from_guest(f, len);
    return 0;
}

static void nic_flush(struct netdev *dev)
{
    room = 2;
}

static size_t nic_receive(struct netdev *dev, void *buf, size_t size, unsigned *verdict)
{
    if (!count)
        return 0;
    unsigned i = head;
    head = (head + 1) % RING;
    count--;
    size_t len = ring[i].len;
    memcpy(buf, ring[i].b, len < size ? len : size);
    *verdict = verdict_of(ring[i].b, len);
    return len;
}

static bool nic_rx_pending(struct netdev *dev)
{
    return count > 0;
}

static const struct netdev_ops ops = {
    .transmit = nic_transmit, .flush = nic_flush, .receive = nic_receive,
    .rx_pending = nic_rx_pending,
};

struct netdev fake_nic = { .name = "fuzz", .ops = &ops };

void nic_reset(unsigned features, bool tight_ring)
{
    memcpy(fake_nic.mac, guest_mac, 6);
    fake_nic.features = features;
    head = count = lose = 0;
    tight = tight_ring;
    room = 2;
}

bool nic_rx(const uint8_t *f, size_t len)
{
    if (count == RING || len > sizeof ring[0].b)
        return false;
    unsigned i = (head + count++) % RING;
    memcpy(ring[i].b, f, len);
    ring[i].len = len;
    return true;
}

void nic_lose(unsigned frames)
{
    lose = frames;
}

unsigned nic_lost(void)
{
    return lost;
}
