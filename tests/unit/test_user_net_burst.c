/* A burst from the host through real libslirp: datagrams queued on a
 * UDP host forward reach the guest's side in a look or two of the loop,
 * not one a look (libslirp reads one datagram a socket each time it is
 * polled; the user backend polls again while a round brought frames).
 * The guest's side is a test client that has told slirp its address
 * with an ARP request, as a guest's first frames do. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/loop.h"
#include "net/net.h"
#include "net/slirp.h"

#define GUEST_PORT 5555
#define BURST 64

static struct {
    struct loop loop;
    struct user_net *user;
    struct net_client guest;
    unsigned arp_replies, datagrams;
    int tx;                           /* the host's sending socket */
    struct sockaddr_in fwd;           /* the forward's host end */
} r;

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static bool guest_rx(struct net_client *nc, const uint8_t *f, size_t len)
{
    if (len >= 42 && be16(f + 12) == 0x0806 && be16(f + 20) == 2)
        r.arp_replies++;
    else if (len >= 42 && be16(f + 12) == 0x0800 && f[23] == 17 &&
             be16(f + 14 + (f[14] & 15) * 4 + 2) == GUEST_PORT)
        r.datagrams++;
    return true;
}

/* A port on 127.0.0.1 nobody has now (bound, read, let go). */
static uint16_t free_port(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
    close(s);
    return ntohs(a.sin_port);
}

static int setup(void **state)
{
    memset(&r, 0, sizeof r);
    loop_init(&r.loop);
    uint16_t port = free_port();
    char fwd[64], why[256];
    snprintf(fwd, sizeof fwd, "udp:127.0.0.1:%u-:%u", port, GUEST_PORT);
    struct user_net_config uc = { .id = "user.0", .hostfwd = { fwd }, .nhostfwd = 1 };
    r.user = user_net_create(&r.loop, &uc, why, sizeof why);
    assert_non_null(r.user);
    static const struct net_client_ops guest_ops = { "test", NULL, guest_rx };
    net_client_init(&r.guest, "guest", &guest_ops, NULL);
    net_connect(&r.guest, user_net_client(r.user));
    r.tx = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(r.tx >= 0);
    r.fwd = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

    /* the guest (52:54:00:12:34:56, 10.0.2.15) asks for the gateway:
     * slirp learns where the guest is and answers */
    uint8_t f[42] = { 0 };
    memcpy(f, "\xff\xff\xff\xff\xff\xff\x52\x54\x00\x12\x34\x56\x08\x06", 14);
    memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
    memcpy(f + 22, "\x52\x54\x00\x12\x34\x56\x0a\x00\x02\x0f", 10);
    memcpy(f + 38, "\x0a\x00\x02\x02", 4);
    net_send(&r.guest, f, sizeof f);
    for (int i = 0; i < 100 && !r.arp_replies; i++)
        loop_wait(&r.loop, 1000000);
    assert_int_equal(r.arp_replies, 1);
    return 0;
}

static int teardown(void **state)
{
    close(r.tx);
    user_net_destroy(r.user);
    net_client_cleanup(&r.guest);
    return 0;
}

static void burst_reaches_the_guest_in_few_looks(void **state)
{
    char payload[200];
    for (int i = 0; i < BURST; i++) {
        snprintf(payload, sizeof payload, "datagram %d", i);
        assert_int_equal(sendto(r.tx, payload, sizeof payload, 0, (struct sockaddr *)&r.fwd,
                                sizeof r.fwd), (ssize_t)sizeof payload);
    }
    /* on loopback each datagram is in the forward's socket when sendto
     * returns: the first look takes a good part of them, not one */
    loop_wait(&r.loop, 0);
    assert_true(r.datagrams >= BURST / 4);
    int looks = 1;
    while (r.datagrams < BURST && looks < BURST) {
        loop_wait(&r.loop, 0);
        looks++;
    }
    assert_int_equal(r.datagrams, BURST);
    assert_true(looks <= 4);
}

/* Nothing waiting: a look polls once and comes back. */
static void a_quiet_look_takes_nothing(void **state)
{
    loop_wait(&r.loop, 0);
    loop_wait(&r.loop, 0);
    assert_int_equal(r.datagrams, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(burst_reaches_the_guest_in_few_looks, setup, teardown),
        cmocka_unit_test_setup_teardown(a_quiet_look_takes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
