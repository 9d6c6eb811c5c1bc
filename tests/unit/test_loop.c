/* The event loop's poll table: a poller may bring any number of
 * descriptors (libslirp polls every socket it has open) and each one is
 * polled and answered, however many there are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/loop.h"

#define MANY 1000

struct many {
    int fd;
    int idx[MANY];
    int ready;
};

static void fill(void *opaque, struct loop *l)
{
    struct many *m = opaque;
    for (int i = 0; i < MANY; i++)
        m->idx[i] = loop_poll_add(l, m->fd, POLLIN);
}

static bool dispatch(void *opaque, struct loop *l, bool error)
{
    struct many *m = opaque;
    m->ready = 0;
    for (int i = 0; i < MANY; i++)
        m->ready += (loop_poll_revents(l, m->idx[i]) & POLLIN) != 0;
    return false;
}

static void a_thousand_descriptors_are_all_polled(void **state)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    struct loop l;
    loop_init(&l);
    struct many m = { .fd = p[0] };
    assert_int_equal(loop_add_poller(&l, &(struct loop_poller){ fill, dispatch, &m }), 0);
    for (int round = 0; round < 3; round++) {      /* the grown table is reused */
        loop_wait(&l, 0);
        for (int i = 0; i < MANY; i++)
            assert_int_equal(m.idx[i], i);
        assert_int_equal(m.ready, MANY);
        assert_int_equal(l.polled, MANY);
    }
    loop_destroy(&l);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_thousand_descriptors_are_all_polled),
    };
    return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
