#include <stdlib.h>
#include <string.h>
#include "net/dump.h"
#include "net/impair.h"
#include "net/net.h"
#include "net/packet.h"

void net_client_init(struct net_client *nc, const char *name,
                     const struct net_client_ops *ops, void *opaque)
{
    memset(nc, 0, sizeof *nc);
    nc->name = name;
    nc->ops = ops;
    nc->opaque = opaque;
    nc->rl = (struct ratelimit)RATELIMIT_INIT;
}

void net_connect(struct net_client *a, struct net_client *b)
{
    a->peer = b;
    b->peer = a;
}

static bool can_receive(struct net_client *nc)
{
    return !nc->ops->can_receive || nc->ops->can_receive(nc);
}

static bool enqueue(struct net_client *to, const uint8_t *buf, size_t len)
{
    if (to->queued >= NET_QUEUE_LIMIT) {
        to->dropped++;
        log_warn_rl(&to->rl, "net: %s cannot take frames and %u are already waiting; "
                    "dropped a %zu-byte frame (%lu so far)", to->name, to->queued, len,
                    to->dropped);
        return false;
    }
    if (!net_packet_push(&to->queue_head, &to->queue_tail, buf, len)) {
        to->dropped++;
        log_warn_rl(&to->rl, "net: out of memory queueing a frame for %s; dropped", to->name);
        return false;
    }
    to->queued++;
    return true;
}

bool net_send(struct net_client *sender, const uint8_t *buf, size_t len)
{
    struct net_client *to = sender->peer;
    if (!to)
        return true;                  /* unplugged: the wire takes it */
    struct net_impair *f = sender->impair ? sender->impair : to->impair;
    if (f && net_impair_send(f, sender, buf, len))
        return true;
    return net_deliver(sender, buf, len);
}

bool net_deliver(struct net_client *sender, const uint8_t *buf, size_t len)
{
    struct net_client *to = sender->peer;
    if (!to)
        return true;
    /* a dump on either end sees the frame once, as it crosses the wire */
    net_dump_write(sender->dump ? sender->dump : to->dump, buf, len);
    if (!to->ops->receive)
        return true;                  /* a peer that only sends: the frame ends here */
    /* order is kept: nothing overtakes frames already waiting */
    if (!to->queue_head && !to->flushing && can_receive(to) &&
        to->ops->receive(to, buf, len))
        return true;
    return enqueue(to, buf, len);
}

void net_flush(struct net_client *nc)
{
    if (nc->flushing)
        return;                       /* a receive callback flushing again */
    nc->flushing = true;
    while (nc->queue_head && can_receive(nc) && nc->ops->receive) {
        struct net_packet *p = nc->queue_head;
        if (!nc->ops->receive(nc, p->data, p->len))
            break;
        free(net_packet_pop(&nc->queue_head, &nc->queue_tail));
        nc->queued--;
    }
    nc->flushing = false;
}

void net_client_cleanup(struct net_client *nc)
{
    while (nc->queue_head)
        free(net_packet_pop(&nc->queue_head, &nc->queue_tail));
    nc->queued = 0;
}
