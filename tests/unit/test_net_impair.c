/* filter-impair on a wire between two test clients, on a clock the test
 * moves: loss, corruption, duplication, reordering and delay, each alone
 * and by direction, the same decisions for the same seed, and the
 * option's parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "net/impair.h"
#include "net/net.h"
#include "clock_rig.h"

#define MAXF 512

struct end {
    struct net_client nc;
    int n;
    uint8_t first[MAXF];        /* first byte of each frame received */
    size_t len[MAXF];
    uint8_t last[64];
};

static bool end_receive(struct net_client *nc, const uint8_t *buf, size_t len)
{
    struct end *e = nc->opaque;
    if (e->n < MAXF) {
        e->first[e->n] = buf[0];
        e->len[e->n] = len;
    }
    e->n++;
    memcpy(e->last, buf, len < sizeof e->last ? len : sizeof e->last);
    return true;
}

static const struct net_client_ops end_ops = { "test", NULL, end_receive };

struct rig {
    struct loop loop;
    uint64_t now;
    struct end nic, backend;
    struct net_impair *f;
};

static struct rig r;

static void setup_with(const char *const props[][2], int n)
{
    memset(&r, 0, sizeof r);
    clock_rig_attach(&r.loop, &r.now, 1000);
    net_client_init(&r.nic.nc, "nic", &end_ops, &r.nic);
    net_client_init(&r.backend.nc, "user", &end_ops, &r.backend);
    net_connect(&r.nic.nc, &r.backend.nc);
    struct net_impair_config c = { .netdev = "n0" };
    for (int i = 0; i < n; i++)
        assert_true(net_impair_prop(&c, props[i][0], props[i][1]));
    r.f = net_impair_create(&r.loop, &c);
    assert_non_null(r.f);
    net_impair_attach(r.f, &r.backend.nc);
}

static int teardown(void **state)
{
    net_impair_destroy(r.f);
    assert_int_equal(loop_next_deadline(&r.loop), UINT64_MAX);
    return 0;
}

/* n frames of 60 bytes from the NIC (to the netdev), first byte = index */
static void send_from_nic(int n)
{
    uint8_t frame[60] = { 0 };
    for (int i = 0; i < n; i++) {
        frame[0] = (uint8_t)i;
        net_send(&r.nic.nc, frame, sizeof frame);
    }
}

static void run_until(uint64_t t)
{
    clock_rig_run_to(&r.loop, &r.now, t);
}

static void loss_all_and_none(void **state)
{
    setup_with((const char *const[][2]){ { "loss", "100" } }, 1);
    send_from_nic(50);
    assert_int_equal(r.backend.n, 0);
    assert_int_equal(net_impair_stats(r.f)->lost, 50);
    /* the other direction too (queue=all) */
    uint8_t frame[60] = { 0 };
    net_send(&r.backend.nc, frame, sizeof frame);
    assert_int_equal(r.nic.n, 0);
}

static void loss_by_direction(void **state)
{
    setup_with((const char *const[][2]){ { "loss", "100" }, { "queue", "rx" } }, 2);
    send_from_nic(10);                      /* rx: what the netdev receives */
    assert_int_equal(r.backend.n, 0);
    uint8_t frame[60] = { 0 };
    net_send(&r.backend.nc, frame, sizeof frame);
    assert_int_equal(r.nic.n, 1);           /* tx passes */
}

static void loss_rate_and_seed(void **state)
{
    setup_with((const char *const[][2]){ { "loss", "10" }, { "seed", "42" } }, 2);
    send_from_nic(400);
    int got = r.backend.n;
    uint8_t seen[MAXF];
    memcpy(seen, r.backend.first, sizeof seen);
    assert_true(got > 400 * 80 / 100 && got < 400 * 97 / 100);
    net_impair_destroy(r.f);
    /* the same seed drops the same frames */
    setup_with((const char *const[][2]){ { "loss", "10" }, { "seed", "42" } }, 2);
    send_from_nic(400);
    assert_int_equal(r.backend.n, got);
    assert_memory_equal(r.backend.first, seen, (size_t)got);
}

static void corrupt_flips_one_bit(void **state)
{
    setup_with((const char *const[][2]){ { "corrupt", "100" } }, 1);
    uint8_t frame[60] = { 0 };
    net_send(&r.nic.nc, frame, sizeof frame);
    assert_int_equal(r.backend.n, 1);
    int bits = 0;
    for (size_t i = 0; i < sizeof frame; i++)
        bits += __builtin_popcount(r.backend.last[i]);
    assert_int_equal(bits, 1);
    assert_int_equal(r.backend.len[0], 60);
}

static void duplicate_sends_twice(void **state)
{
    setup_with((const char *const[][2]){ { "duplicate", "100" } }, 1);
    send_from_nic(3);
    assert_int_equal(r.backend.n, 6);
    assert_memory_equal(r.backend.first, "\0\0\1\1\2\2", 6);
}

static void reorder_swaps_neighbours(void **state)
{
    setup_with((const char *const[][2]){ { "reorder", "100" } }, 1);
    send_from_nic(4);
    /* 0 held, 1 out then 0; 2 held, 3 out then 2 */
    assert_int_equal(r.backend.n, 4);
    assert_memory_equal(r.backend.first, "\1\0\3\2", 4);
    /* a held frame with no successor goes out on its own after 1 ms */
    send_from_nic(1);
    assert_int_equal(r.backend.n, 4);
    run_until(r.now + 1000000);
    assert_int_equal(r.backend.n, 5);
}

static void delay_holds_in_order(void **state)
{
    setup_with((const char *const[][2]){ { "delay", "5" } }, 1);
    send_from_nic(3);
    assert_int_equal(r.backend.n, 0);
    run_until(r.now + 4999999);
    assert_int_equal(r.backend.n, 0);
    run_until(r.now + 1);
    assert_int_equal(r.backend.n, 3);
    assert_memory_equal(r.backend.first, "\0\1\2", 3);
    assert_int_equal(net_impair_stats(r.f)->delayed, 3);
}

static void bad_properties_refused(void **state)
{
    struct net_impair_config c = { 0 };
    assert_false(net_impair_prop(&c, "loss", "101"));
    assert_false(net_impair_prop(&c, "loss", "-1"));
    assert_false(net_impair_prop(&c, "loss", "ten"));
    assert_false(net_impair_prop(&c, "delay", "1x"));
    assert_false(net_impair_prop(&c, "queue", "both"));
    assert_false(net_impair_prop(&c, "jitter", "1"));
    assert_true(net_impair_prop(&c, "loss", "0.5"));
    assert_int_equal(c.loss, 5000);
}

static int no_teardown(void **state) { return 0; }

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
    const struct CMUnitTest tests[] = {
        T(loss_all_and_none), T(loss_by_direction), T(loss_rate_and_seed),
        T(corrupt_flips_one_bit), T(duplicate_sends_twice), T(reorder_swaps_neighbours),
        T(delay_holds_in_order), cmocka_unit_test_teardown(bad_properties_refused, no_teardown),
    };
    return cmocka_run_group_tests_name("net_impair", tests, NULL, NULL);
}
