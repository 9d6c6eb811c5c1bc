/*
 * Net clients: a NIC front end and a backend (slirp, a pcap dump, a test
 * peer) joined as peers. net_send() hands a frame to the sender's peer;
 * when the peer cannot take it now, the frame waits in the peer's queue
 * and goes out when the peer calls net_flush(). (The e1000 always takes
 * frames and keeps its own receive FIFO.) Nothing is dropped silently: a
 * queue that reaches its limit drops with a rate-limited warning and
 * counts it.
 */
#ifndef HOST_NET_NET_H
#define HOST_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/log.h"

#define NET_FRAME_MAX 65536          /* TSO can build frames this big before splitting */
#define NET_QUEUE_LIMIT 4096         /* frames waiting for one client */

struct net_client;

struct net_client_ops {
    const char *type;                /* "nic", "user", "dump", "test" */
    /* May this client take a frame now? NULL means always. */
    bool (*can_receive)(struct net_client *nc);
    /* Take the frame; returns false if it could not after all (queued). */
    bool (*receive)(struct net_client *nc, const uint8_t *buf, size_t len);
};

struct net_packet {
    struct net_packet *next;
    size_t len;
    uint8_t data[];
};

struct net_dump;
struct net_impair;

struct net_client {
    const char *name;
    struct net_dump *dump;           /* frames both ways are recorded here */
    struct net_impair *impair;       /* faults on this client's wire (impair.h) */
    const struct net_client_ops *ops;
    void *opaque;
    struct net_client *peer;
    struct net_packet *queue_head, *queue_tail;
    unsigned queued;
    unsigned long dropped;
    bool flushing;
    struct ratelimit rl;
};

void net_client_init(struct net_client *nc, const char *name,
                     const struct net_client_ops *ops, void *opaque);
void net_connect(struct net_client *a, struct net_client *b);
/* Frames still queued are freed (reported when there were any). */
void net_client_cleanup(struct net_client *nc);

/* Send a frame to sender's peer: delivered now, or queued for later.
 * Returns false only when the frame had to be dropped. */
bool net_send(struct net_client *sender, const uint8_t *buf, size_t len);
/* net_send past any filter on the wire: what a filter sends on with. */
bool net_deliver(struct net_client *sender, const uint8_t *buf, size_t len);
/* The client can receive again: deliver what waits for it. */
void net_flush(struct net_client *nc);

#endif
