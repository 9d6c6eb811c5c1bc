/* Frames kept in arrival order (packet.h). */
#include <stdlib.h>
#include <string.h>
#include "net/packet.h"

struct net_packet *net_packet_push(struct net_packet **head, struct net_packet **tail,
                                   const uint8_t *buf, size_t len)
{
    struct net_packet *p = malloc(sizeof *p + len);
    if (!p)
        return NULL;
    p->next = NULL;
    p->len = len;
    memcpy(p->data, buf, len);
    if (*tail)
        (*tail)->next = p;
    else
        *head = p;
    *tail = p;
    return p;
}

struct net_packet *net_packet_pop(struct net_packet **head, struct net_packet **tail)
{
    struct net_packet *p = *head;
    *head = p->next;
    if (!*head)
        *tail = NULL;
    return p;
}
