/*
 * The user-mode network backend on libslirp: DHCP, DNS forwarding,
 * TCP/UDP NAT to the host's sockets, ICMP echo to the gateway and host
 * port forwarding, its sockets and timers served by the event loop.
 */
#ifndef HOST_NET_SLIRP_H
#define HOST_NET_SLIRP_H

#include "core/loop.h"
#include "net/net.h"

struct user_net;

struct user_net_config {
    const char *id;
    const char *net;          /* "10.0.2.0/24" */
    const char *host;         /* "10.0.2.2" */
    const char *dhcpstart;    /* "10.0.2.15" */
    const char *dns;          /* "10.0.2.3" */
    const char *hostfwd[8];   /* "tcp:HOSTADDR:HOSTPORT-:GUESTPORT" */
    int nhostfwd;
};

/* NULL with *why set when the configuration is wrong. */
struct user_net *user_net_create(struct loop *l, const struct user_net_config *cfg,
                                 char *why, size_t whylen);
void user_net_destroy(struct user_net *u);
struct net_client *user_net_client(struct user_net *u);
/* `info network` text for it. */
void user_net_info(struct user_net *u, char *buf, size_t len);

#endif
