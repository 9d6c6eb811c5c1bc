/* Net clients: direct delivery, queueing while the receiver is full,
 * delivery in order on flush, and the queue limit reported, not silent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "net/net.h"

struct sink {
    bool full;
    int frames;
    uint8_t last[64];
    size_t last_len;
    uint8_t order[16];
};

static bool sink_can(struct net_client *nc) { return !((struct sink *)nc->opaque)->full; }

static bool sink_rx(struct net_client *nc, const uint8_t *buf, size_t len)
{
    struct sink *s = nc->opaque;
    if (s->frames < 16)
        s->order[s->frames] = buf[0];
    s->frames++;
    s->last_len = len < sizeof s->last ? len : sizeof s->last;
    memcpy(s->last, buf, s->last_len);
    return true;
}

static const struct net_client_ops sink_ops = { "test", sink_can, sink_rx };
static const struct net_client_ops src_ops = { "test", NULL, sink_rx };

static int warnings;
static void count(void *opaque, const char *line) { warnings++; }

static void direct_and_queued(void **state)
{
    struct sink s = { 0 }, t = { 0 };
    struct net_client a, b;
    net_client_init(&a, "a", &src_ops, &t);
    net_client_init(&b, "b", &sink_ops, &s);
    net_connect(&a, &b);
    assert_true(net_send(&a, (const uint8_t *)"\x01hello", 6));
    assert_int_equal(s.frames, 1);
    assert_memory_equal(s.last, "\x01hello", 6);
    s.full = true;
    for (uint8_t i = 2; i < 6; i++)
        assert_true(net_send(&a, &i, 1));
    assert_int_equal(s.frames, 1);
    assert_int_equal(b.queued, 4);
    s.full = false;
    /* a new frame must not overtake the waiting ones */
    uint8_t six = 6;
    assert_true(net_send(&a, &six, 1));
    assert_int_equal(s.frames, 1);
    net_flush(&b);
    assert_int_equal(s.frames, 6);
    assert_memory_equal(s.order, "\x01\x02\x03\x04\x05\x06", 6);
    assert_int_equal(b.queued, 0);
    /* the other direction works too */
    assert_true(net_send(&b, (const uint8_t *)"\x09", 1));
    assert_int_equal(t.frames, 1);
    net_client_cleanup(&a);
    net_client_cleanup(&b);
}

static void limit_is_reported(void **state)
{
    struct sink s = { .full = true };
    struct net_client a, b;
    net_client_init(&a, "a", &src_ops, NULL);
    net_client_init(&b, "nic", &sink_ops, &s);
    net_connect(&a, &b);
    warnings = 0;
    log_capture(count, NULL);
    uint8_t f = 0;
    for (int i = 0; i < NET_QUEUE_LIMIT; i++)
        assert_true(net_send(&a, &f, 1));
    assert_false(net_send(&a, &f, 1));
    log_capture(NULL, NULL);
    assert_int_equal(b.dropped, 1);
    assert_int_equal(warnings, 1);
    net_client_cleanup(&b);
    assert_int_equal(b.queued, 0);
}

static void unplugged_sender(void **state)
{
    struct net_client a;
    net_client_init(&a, "a", &src_ops, NULL);
    assert_true(net_send(&a, (const uint8_t *)"x", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(direct_and_queued),
        cmocka_unit_test(limit_is_reported),
        cmocka_unit_test(unplugged_sender),
    };
    return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
