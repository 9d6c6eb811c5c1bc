/*
 * -object filter-impair: network faults between the NIC and its backend,
 * for testing what a driver and a stack do under them. On each frame, in
 * this order: loss, corruption (one bit flipped), duplication, reordering
 * (the frame is held and goes out after the next one in its direction,
 * or after a millisecond if none comes) and delay. Decisions come from a
 * seeded generator, so a run without host sockets repeats exactly.
 */
#ifndef HOST_NET_IMPAIR_H
#define HOST_NET_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/loop.h"

/* Which frames, in QEMU's words for a filter on a netdev: rx, the frames
 * the netdev receives (from the guest's NIC); tx, those it sends. */
enum net_impair_queue { NET_IMPAIR_ALL, NET_IMPAIR_RX, NET_IMPAIR_TX };

struct net_impair_config {
    const char *netdev;
    enum net_impair_queue queue;
    /* probabilities in parts per million (the option takes percent) */
    uint32_t loss, corrupt, duplicate, reorder;
    uint64_t delay_ns;
    uint64_t seed;
};

struct net_impair_stats {
    uint64_t frames, lost, corrupted, duplicated, reordered, delayed;
};

struct net_client;
struct net_impair;

/* Parses one KEY=VALUE of the option (queue, loss, corrupt, duplicate,
 * reorder, delay in ms, seed); false for an unknown key or a bad value. */
bool net_impair_prop(struct net_impair_config *c, const char *key, const char *val);

struct net_impair *net_impair_create(struct loop *l, const struct net_impair_config *c);
void net_impair_destroy(struct net_impair *f);

/* Sits on the wire of backend (the netdev) and its peer. */
void net_impair_attach(struct net_impair *f, struct net_client *backend);

const struct net_impair_stats *net_impair_stats(const struct net_impair *f);

/* For net.c: takes the frame sender sends to its peer; false when the
 * filter does not apply to this direction (send it as usual). */
bool net_impair_send(struct net_impair *f, struct net_client *sender, const uint8_t *buf,
                     size_t len);

#endif
