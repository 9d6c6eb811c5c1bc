/* UDP sockets over the stack's port handlers: a bound port with a small
 * queue of received datagrams, send to any address and port. */
#ifndef GUEST_UDP_SOCK_H
#define GUEST_UDP_SOCK_H

#include <stddef.h>
#include <stdint.h>

#define UDP_MAX_PAYLOAD 1472        /* 1500 - IPv4 - UDP: no fragments */

struct udp_sock;

/* port 0: an ephemeral one. NULL when the port is taken or out of room. */
struct udp_sock *udp_open(uint16_t port);
void udp_close(struct udp_sock *s);
uint16_t udp_port(const struct udp_sock *s);
/* 0, or -1 (too long, or no route yet) */
int udp_sendto(struct udp_sock *s, uint32_t ip, uint16_t port, const void *data, size_t len);
/* The next datagram's length (copied up to len), 0 after timeout_ms;
 * the sender in *ip and *port when they are not NULL. */
long udp_recvfrom(struct udp_sock *s, void *buf, size_t len, uint32_t *ip, uint16_t *port,
                  unsigned timeout_ms);

#endif
