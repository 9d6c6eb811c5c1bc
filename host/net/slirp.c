#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <slirp/libslirp.h>
#include "net/slirp.h"

struct slirp_timer {
    struct timer t;
    struct user_net *u;
    SlirpTimerId id;
    void *cb_opaque;
};

struct user_net {
    struct loop *loop;
    Slirp *slirp;
    struct net_client nc;
    struct user_net_config cfg;
    char desc[256];
    unsigned long sent;             /* frames to the guest's side */
};

/* ---- libslirp's callbacks ---- */

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
    struct user_net *u = opaque;
    net_send(&u->nc, buf, len);     /* kept by the NIC's queue if it is full */
    u->sent++;
    return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
    struct user_net *u = opaque;
    log_warn_rl(&u->nc.rl, "user network: the guest sent something slirp rejects: %s", msg);
}

static int64_t clock_get_ns(void *opaque)
{
    struct user_net *u = opaque;
    return (int64_t)loop_now(u->loop);
}

static void timer_fired(void *opaque)
{
    struct slirp_timer *st = opaque;
    slirp_handle_timer(st->u->slirp, st->id, st->cb_opaque);
}

static void *timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    struct user_net *u = opaque;
    struct slirp_timer *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->u = u;
    st->id = id;
    st->cb_opaque = cb_opaque;
    timer_init(&st->t, u->loop, timer_fired, st);
    return st;
}

static void timer_free(void *timer, void *opaque)
{
    struct slirp_timer *st = timer;
    if (!st)
        return;
    timer_del(&st->t);
    free(st);
}

static void timer_mod_cb(void *timer, int64_t expire_ms, void *opaque)
{
    struct slirp_timer *st = timer;
    if (st)
        timer_mod(&st->t, (uint64_t)expire_ms * 1000000ull);
}

static void register_poll_fd(int fd, void *opaque) { }
static void unregister_poll_fd(int fd, void *opaque) { }
static void notify(void *opaque) { }

static const SlirpCb callbacks = {
    .send_packet = send_packet,
    .guest_error = guest_error,
    .clock_get_ns = clock_get_ns,
    .timer_free = timer_free,
    .timer_mod = timer_mod_cb,
    .register_poll_fd = register_poll_fd,
    .unregister_poll_fd = unregister_poll_fd,
    .notify = notify,
    .timer_new_opaque = timer_new_opaque,
};

/* ---- the event loop's side ---- */

static short to_poll(int ev)
{
    short p = 0;
    if (ev & SLIRP_POLL_IN) p |= POLLIN;
    if (ev & SLIRP_POLL_OUT) p |= POLLOUT;
    if (ev & SLIRP_POLL_PRI) p |= POLLPRI;
    return p;
}

static int from_poll(short p)
{
    int ev = 0;
    if (p & POLLIN) ev |= SLIRP_POLL_IN;
    if (p & POLLOUT) ev |= SLIRP_POLL_OUT;
    if (p & POLLPRI) ev |= SLIRP_POLL_PRI;
    if (p & POLLERR) ev |= SLIRP_POLL_ERR;
    if (p & POLLHUP) ev |= SLIRP_POLL_HUP;
    return ev;
}

static int add_poll(int fd, int events, void *opaque)
{
    struct loop *l = opaque;
    return loop_poll_add(l, fd, to_poll(events));
}

static int get_revents(int idx, void *opaque)
{
    return from_poll(loop_poll_revents(opaque, idx));
}

static void fill(void *opaque, struct loop *l)
{
    struct user_net *u = opaque;
    uint32_t timeout_ms = UINT32_MAX;
    slirp_pollfds_fill(u->slirp, &timeout_ms, add_poll, l);
    if (timeout_ms != UINT32_MAX)
        loop_poll_timeout(l, (int64_t)timeout_ms * 1000000);
}

/* libslirp reads at most one datagram a UDP socket, and one buffer a
 * TCP socket, each time it is polled: while a poll moved frames toward
 * the guest, the loop polls again at once (loop.h), so that a burst from
 * the host reaches the NIC, which counts what it cannot take (MPC),
 * instead of overflowing the host socket unseen between the loop's
 * looks. */
static bool dispatch(void *opaque, struct loop *l, bool error)
{
    struct user_net *u = opaque;
    unsigned long before = u->sent;
    slirp_pollfds_poll(u->slirp, error, get_revents, l);
    return u->sent != before;
}

/* ---- guest to slirp ---- */

static bool receive(struct net_client *nc, const uint8_t *buf, size_t len)
{
    struct user_net *u = nc->opaque;
    slirp_input(u->slirp, buf, (int)len);
    return true;
}

static const struct net_client_ops user_ops = { "user", NULL, receive };

static int parse_net(const char *s, struct in_addr *addr, struct in_addr *mask)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    char *slash = strchr(buf, '/');
    int bits = 24;
    if (slash) {
        *slash = 0;
        char *end;
        bits = (int)strtol(slash + 1, &end, 10);
        if (*end || bits < 8 || bits > 30)
            return -1;
    }
    if (inet_pton(AF_INET, buf, addr) != 1)
        return -1;
    mask->s_addr = htonl(~0u << (32 - bits));
    return 0;
}

/* tcp:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT, as QEMU spells it */
static int add_hostfwd(struct user_net *u, const char *spec, char *why, size_t whylen)
{
    char proto[8], haddr[64] = "", gaddr[64] = "";
    int hport, gport;
    const char *p = spec;
    if (sscanf(p, "%7[a-z]:", proto) != 1 || (strcmp(proto, "tcp") && strcmp(proto, "udp")))
        goto bad;
    p += strlen(proto) + 1;
    if (*p != ':' && sscanf(p, "%63[^:]", haddr) != 1)
        goto bad;
    p += strlen(haddr) + 1;
    if (sscanf(p, "%d-", &hport) != 1)
        goto bad;
    p = strchr(p, '-') + 1;
    if (*p != ':' && sscanf(p, "%63[^:]", gaddr) != 1)
        goto bad;
    p += strlen(gaddr) + 1;
    char *end;
    gport = (int)strtol(p, &end, 10);
    if (*end || hport < 0 || hport > 65535 || gport < 1 || gport > 65535)
        goto bad;
    struct in_addr h = { .s_addr = htonl(INADDR_LOOPBACK) }, g = { 0 };
    if ((*haddr && inet_pton(AF_INET, haddr, &h) != 1) ||
        (*gaddr && inet_pton(AF_INET, gaddr, &g) != 1))
        goto bad;
    if (slirp_add_hostfwd(u->slirp, !strcmp(proto, "udp"), h, hport, g, gport) < 0) {
        snprintf(why, whylen, "hostfwd=%s: cannot listen on %s port %d", spec,
                 *haddr ? haddr : "127.0.0.1", hport);
        return -1;
    }
    return 0;
bad:
    snprintf(why, whylen, "hostfwd=%s: expected tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:"
             "GUESTPORT", spec);
    return -1;
}

struct user_net *user_net_create(struct loop *l, const struct user_net_config *cfg,
                                 char *why, size_t whylen)
{
    struct user_net *u = zalloc_or_why(sizeof *u, why, whylen);
    if (!u)
        return NULL;
    u->loop = l;
    u->cfg = *cfg;
    SlirpConfig sc = { .version = 4, .in_enabled = true };
    const char *net = cfg->net ? cfg->net : "10.0.2.0/24";
    if (parse_net(net, &sc.vnetwork, &sc.vnetmask) < 0) {
        snprintf(why, whylen, "net=%s: expected ADDRESS/BITS, e.g. 10.0.2.0/24", net);
        goto fail;
    }
    uint32_t base = ntohl(sc.vnetwork.s_addr) & ntohl(sc.vnetmask.s_addr);
    sc.vhost.s_addr = htonl(base | 2);
    sc.vdhcp_start.s_addr = htonl(base | 15);
    sc.vnameserver.s_addr = htonl(base | 3);
    struct { const char *s, *name; struct in_addr *a; } addrs[] = {
        { cfg->host, "host", &sc.vhost },
        { cfg->dhcpstart, "dhcpstart", &sc.vdhcp_start },
        { cfg->dns, "dns", &sc.vnameserver },
    };
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        if (addrs[i].s && inet_pton(AF_INET, addrs[i].s, addrs[i].a) != 1) {
            snprintf(why, whylen, "%s=%s: not an IPv4 address", addrs[i].name, addrs[i].s);
            goto fail;
        }
        if ((ntohl(addrs[i].a->s_addr) & ntohl(sc.vnetmask.s_addr)) != base) {
            snprintf(why, whylen, "%s=%s is outside net=%s", addrs[i].name,
                     inet_ntoa(*addrs[i].a), net);
            goto fail;
        }
    }
    net_client_init(&u->nc, cfg->id ? cfg->id : "user", &user_ops, u);
    u->slirp = slirp_new(&sc, &callbacks, u);
    if (!u->slirp) {
        snprintf(why, whylen, "libslirp refused the configuration");
        goto fail;
    }
    for (int i = 0; i < cfg->nhostfwd; i++) {
        if (add_hostfwd(u, cfg->hostfwd[i], why, whylen) < 0) {
            user_net_destroy(u);
            return NULL;
        }
    }
    char h[16], d[16], n[16];
    snprintf(h, sizeof h, "%s", inet_ntoa(sc.vhost));
    snprintf(d, sizeof d, "%s", inet_ntoa(sc.vdhcp_start));
    snprintf(n, sizeof n, "%s", inet_ntoa(sc.vnameserver));
    snprintf(u->desc, sizeof u->desc, "net=%s,host=%s,dhcpstart=%s,dns=%s", net, h, d, n);
    loop_add_poller(l, &(struct loop_poller){ fill, dispatch, u });
    return u;
fail:
    free(u);
    return NULL;
}

void user_net_destroy(struct user_net *u)
{
    if (!u)
        return;
    if (u->slirp)
        slirp_cleanup(u->slirp);
    net_client_cleanup(&u->nc);
    free(u);
}

struct net_client *user_net_client(struct user_net *u)
{
    return &u->nc;
}

void user_net_info(struct user_net *u, char *buf, size_t len)
{
    snprintf(buf, len, "%s: index=0,type=user,%s", u->nc.name, u->desc);
}
