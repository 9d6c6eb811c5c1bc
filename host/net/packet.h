/*
 * Frames kept in arrival order on a list of struct net_packet (net.h),
 * known by its first and last: a client's queue (net.c) and the e1000's
 * receive FIFO (hw/e1000_rx.c). The owners count frames and bytes.
 */
#ifndef HOST_NET_PACKET_H
#define HOST_NET_PACKET_H

#include "net/net.h"

/* Appends a copy of the frame; NULL, with the list as it was, when there
 * is no memory for it. */
struct net_packet *net_packet_push(struct net_packet **head, struct net_packet **tail,
                                   const uint8_t *buf, size_t len);
/* Unlinks the first frame (the list must have one); the caller frees it. */
struct net_packet *net_packet_pop(struct net_packet **head, struct net_packet **tail);

#endif
