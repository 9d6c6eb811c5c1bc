/* The NICs drivers have registered (netdev.h), in registration order. */
#include "netdev.h"

static struct netdev *devs;

void netdev_register(struct netdev *dev)
{
    struct netdev **pp = &devs;
    while (*pp)
        pp = &(*pp)->next;
    dev->next = NULL;
    *pp = dev;
}

void netdev_unregister(struct netdev *dev)
{
    for (struct netdev **pp = &devs; *pp; pp = &(*pp)->next)
        if (*pp == dev) {
            *pp = dev->next;
            return;
        }
}

struct netdev *netdev_first(void)
{
    return devs;
}
